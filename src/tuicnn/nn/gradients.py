"""Gradients with respect to the input image, for looking inside a model (not for training).

Saliency maps and receptive-field tracers both need ``∂ (one output) / ∂ image``: run the
layers forward on one image, put a one-hot upstream gradient at the output asked for, and
call each layer's ``backward`` down to the input. They do it on copies of the layers that
share the weights but have their own caches and gradients, so the model in use (which
another tab or the training thread may read) is never written to, and no weight is copied.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np

from tuicnn.nn.layers import Layer


def detached(layer: Layer) -> Layer:
    """A copy of ``layer`` sharing its weights, with its own caches and gradients, that
    computes its input gradient (the model's own first layers skip it)."""
    clone = copy.copy(layer)
    clone.grads = {key: np.zeros_like(value) for key, value in layer.params.items()}
    clone.needs_input_grad = True
    return clone


def input_gradient(layers: Sequence[Layer], x: np.ndarray,
                   index: tuple[int, ...]) -> np.ndarray:
    """``∂ out[index] / ∂ x``, where ``out`` is ``layers`` applied in order to ``x``.

    Args:
        layers: the model's layers from the input up to the output of interest (only read).
        x: ``(1, *input_shape)`` one image in the model's dtype.
        index: the output element, e.g. ``(0, class)`` for a logit or ``(0, row, col,
            channel)`` for a cell of a feature map.

    Returns:
        An array shaped like ``x``.
    """
    clones = [detached(layer) for layer in layers]
    out = x
    for layer in clones:
        out = layer.forward(out, train=True)
    upstream = np.zeros_like(out)
    upstream[index] = 1.0
    for layer in reversed(clones):
        upstream = layer.backward(upstream)
    return upstream
