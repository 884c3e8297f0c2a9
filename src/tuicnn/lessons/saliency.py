"""Gradient saliency: how much a net's score for one class moves when one pixel changes.

``|∂ logit_c / ∂ pixel|`` for one image, through the engine's own backward pass (each
layer's ``backward``), on a private copy of the model: the backward pass writes the layers'
caches and parameter gradients, and the workspace's model may be read by another tab at the
same time. The FC's input is the flattened image; its ``Flatten`` layer hands the gradient
back in image shape, so both nets give a ``(28, 28)`` map.
"""

from __future__ import annotations

import copy

import numpy as np

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
    net = copy.deepcopy(model)
    for layer in net.layers:
        layer.needs_input_grad = True  # the engine skips the first layer's: we need it
    x = np.asarray(image, dtype=net.dtype).reshape((1, *net.input_shape))
    logits = net.forward(x, train=True)
    grad = np.zeros_like(logits)
    grad[0, target] = 1.0
    for layer in reversed(net.layers):
        grad = layer.backward(grad)
    return np.asarray(grad).reshape(net.input_shape)[:, :, 0]


def saliency(model: Sequential, image: np.ndarray, target: int) -> np.ndarray:
    """``(28, 28)`` map of ``|∂ logit_target / ∂ pixel|`` (see :func:`input_gradient`)."""
    return np.abs(input_gradient(model, image, target))
