"""Weight sharing, shown with the real weights: the CNN applies the same nine numbers at
every position; the FC network's first layer has a different weight for every pixel.

For two window positions A and B (3×3 patches of the 28×28 image) this module takes

* the conv1 filter's weights used for the output cell at each position (through
  :func:`tuicnn.lessons.conv_step.conv_step`, the same code that shows a convolution step),
* the chosen FC hidden unit's weights on the same nine pixels at each position,

and the two layers' weight counts from the models' own parameter shapes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tuicnn.lessons.conv_step import check_cell, check_channel, conv_step
from tuicnn.nn.layers import Dense
from tuicnn.nn.model import Sequential
from tuicnn.nn.tracing import Trace


@dataclass(frozen=True)
class SharingSide:
    """One window position: its cell, the CNN's weights there and the FC unit's weights.

    ``cnn_weights`` and ``fc_weights`` are ``(3, 3)``; ``fc_weights`` is NaN where the
    window hangs over the image (the FC has no weight for a pixel that does not exist).
    """

    row: int
    col: int
    cnn_weights: np.ndarray
    fc_weights: np.ndarray


@dataclass(frozen=True)
class WeightSharing:
    """Both positions, the filter and unit compared, and the two weight counts."""

    filter_index: int
    unit: int
    a: SharingSide
    b: SharingSide
    conv_weights: int
    conv_shape: tuple[int, ...]
    fc_weights: int
    fc_shape: tuple[int, ...]

    @property
    def cnn_same(self) -> bool:
        """True when the CNN used exactly the same nine numbers at A and B."""
        return bool(np.array_equal(self.a.cnn_weights, self.b.cnn_weights))

    @property
    def fc_same(self) -> bool:
        return bool(np.array_equal(self.a.fc_weights, self.b.fc_weights, equal_nan=True))


def first_dense(model: Sequential) -> Dense:
    return next(layer for layer in model.layers if isinstance(layer, Dense))


def fc_patch(unit_weights: np.ndarray, row: int, col: int) -> np.ndarray:
    """``(3, 3)`` weights of one FC unit on the 3×3 pixels centred on ``(row, col)``.

    Args:
        unit_weights: ``(H, W)`` the unit's 784 weights laid out as the image.
    """
    height, width = unit_weights.shape
    patch = np.full((3, 3), np.nan)
    for i in range(3):
        for j in range(3):
            r, c = row - 1 + i, col - 1 + j
            if 0 <= r < height and 0 <= c < width:
                patch[i, j] = unit_weights[r, c]
    return patch


def weight_sharing(cnn: Sequential, fc: Sequential, trace: Trace, filter_index: int, unit: int,
                   a: tuple[int, int], b: tuple[int, int]) -> WeightSharing:
    """Compare conv1 filter ``filter_index`` with FC hidden unit ``unit`` at cells A and B.

    Raises:
        ValueError: a filter or unit out of range, or a cell outside the 28×28 map.
    """
    dense = first_dense(fc)
    check_channel(unit, dense.out_features, "the FC's hidden layer", "unit")
    height, width = cnn.input_shape[:2]
    unit_weights = dense.params["W"][:, unit].reshape(height, width)
    sides = []
    for row, col in (a, b):
        check_cell((height, width), row, col, "the image")
        step = conv_step(cnn, trace, "conv1", filter_index, row, col)
        sides.append(SharingSide(row, col, step.weights[0].astype(np.float64),
                                 fc_patch(unit_weights, row, col)))
    conv_shape = cnn.layer("conv1").param_shapes()["W"]
    fc_shape = dense.param_shapes()["W"]
    return WeightSharing(filter_index, unit, sides[0], sides[1], math.prod(conv_shape),
                         conv_shape, math.prod(fc_shape), fc_shape)


def sharing_dict(result: WeightSharing) -> dict:
    """The JSON form (``explain weight-sharing --json``); NaN (off the image) becomes null."""

    def grid(values: np.ndarray) -> list:
        return [[None if np.isnan(v) else float(v) for v in row] for row in values]

    return {
        "filter": result.filter_index,
        "fc_unit": result.unit,
        "positions": [[result.a.row, result.a.col], [result.b.row, result.b.col]],
        "cnn_weights": [grid(result.a.cnn_weights), grid(result.b.cnn_weights)],
        "fc_weights": [grid(result.a.fc_weights), grid(result.b.fc_weights)],
        "cnn_same_at_both": result.cnn_same,
        "fc_same_at_both": result.fc_same,
        "conv1_weights": result.conv_weights,
        "conv1_weight_shape": list(result.conv_shape),
        "fc_first_layer_weights": result.fc_weights,
        "fc_first_layer_weight_shape": list(result.fc_shape),
    }
