"""Gradient saliency: how much a net's score for one class moves when one pixel changes.

``|∂ logit_c / ∂ pixel|`` for one image, through the engine's own backward pass
(:func:`tuicnn.nn.gradients.input_gradient`, on copies of the layers that share the weights:
the workspace's model, which another tab may read at the same time, is never written to).
The FC's input is the flattened image; its ``Flatten`` layer hands the gradient back in image
shape, so both nets give a ``(28, 28)`` map.
"""

from __future__ import annotations

import numpy as np

from tuicnn.nn.gradients import input_gradient as engine_input_gradient
from tuicnn.nn.model import Sequential

METHOD = "gradient saliency |∂ score/∂ pixel|"
"""How the map is made, as the screen says it."""


def input_gradient(model: Sequential, image: np.ndarray, target: int) -> np.ndarray:
    """``∂ logit_target / ∂ x`` for one image, signed.

    Args:
        model: any ``Sequential`` taking ``model.input_shape`` images.
        image: ``(28, 28)`` or ``(28, 28, 1)`` floats in [0, 1].
        target: the class whose score (pre-softmax logit) is differentiated.

    Returns:
        ``(28, 28)`` array in the model's dtype.
    """
    x = np.asarray(image, dtype=model.dtype).reshape((1, *model.input_shape))
    gradient = engine_input_gradient(model.layers, x, (0, target))
    return gradient.reshape(model.input_shape)[:, :, 0]


def saliency(model: Sequential, image: np.ndarray, target: int) -> np.ndarray:
    """``(28, 28)`` map of ``|∂ logit_target / ∂ pixel|`` (see :func:`input_gradient`)."""
    return np.abs(input_gradient(model, image, target))
