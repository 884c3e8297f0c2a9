"""One convolution step with the numbers plugged in, for the Mechanics tab and ``explain``.

A convolution layer's output cell is a dot product: the input window under the kernel times
the kernel's weights, summed over the window and over every input channel, plus one bias,
then ReLU. This module cuts those numbers out of a real trace so they can be shown side by
side and checked against the engine's own forward pass (``map_value``).

Arrays are channel-first for display: a step's ``window`` and ``weights`` are
``(C_in, K, K)``, where the engine stores images ``(H, W, C)`` and weights ``(K, K, C_in,
C_out)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tuicnn.nn.layers import Conv2D
from tuicnn.nn.model import Sequential
from tuicnn.nn.tracing import Trace

CONV_STAGES: dict[str, tuple[str, str]] = {
    "conv1": ("input", "relu1"),
    "conv2": ("pool1", "relu2"),
}
"""Each convolution the step can show: (the trace stage it reads, its ReLU's stage)."""


@dataclass(frozen=True)
class ConvStep:
    """The numbers of one output cell of a convolution layer.

    Attributes:
        layer: ``"conv1"`` or ``"conv2"``.
        channel: the output channel (filter) ``f``.
        row, col: the output cell.
        window: ``(C_in, K, K)`` input values under the kernel, 0 where it hangs over the edge.
        padded: ``(K, K)`` True where the window is outside the input (zero padding).
        top, left: input coordinates of the window's top-left cell (negative in padding).
        weights: ``(C_in, K, K)`` the filter's weights.
        bias: the filter's bias.
        map_pre: the engine's own pre-activation value of this cell (trace of ``layer``).
        map_value: the engine's value after ReLU (trace of relu1/relu2).
    """

    layer: str
    channel: int
    row: int
    col: int
    window: np.ndarray
    padded: np.ndarray
    top: int
    left: int
    weights: np.ndarray
    bias: float
    map_pre: float
    map_value: float

    @property
    def products(self) -> np.ndarray:
        """``(C_in, K, K)`` window × weights, element by element (float64)."""
        return self.window.astype(np.float64) * self.weights.astype(np.float64)

    @property
    def partial_sums(self) -> np.ndarray:
        """``(C_in,)`` each input channel's window × kernel, summed: the sums conv2 adds up."""
        return self.products.sum(axis=(1, 2))

    @property
    def total(self) -> float:
        """The pre-activation: Σ products + bias."""
        return float(self.partial_sums.sum() + self.bias)

    @property
    def relu(self) -> float:
        return max(self.total, 0.0)


def conv_layer(model: Sequential, layer: str) -> Conv2D:
    """The CNN's convolution called ``layer``.

    Raises:
        ValueError: ``layer`` is not one of :data:`CONV_STAGES` (or not a convolution).
    """
    if layer not in CONV_STAGES:
        raise ValueError(f"layer must be one of {', '.join(CONV_STAGES)}, not {layer!r}")
    found = model.layer(layer)
    if not isinstance(found, Conv2D):
        raise ValueError(f"{layer} is not a convolution in this model")
    return found


def check_cell(shape: tuple[int, ...], row: int, col: int, what: str) -> None:
    """Raise ``ValueError`` unless ``(row, col)`` is inside a map of ``shape`` ``(H, W, ...)``."""
    height, width = shape[0], shape[1]
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(f"position {row},{col} is outside {what}, which is {height}×{width} "
                         f"(rows 0–{height - 1}, columns 0–{width - 1})")


def check_channel(channel: int, count: int, what: str, noun: str = "channel") -> None:
    """Raise ``ValueError`` unless ``0 <= channel < count`` (``noun``: what is counted)."""
    if not 0 <= channel < count:
        raise ValueError(f"{noun} {channel} is out of range: {what} has {noun}s 0–{count - 1}")


def conv_step(model: Sequential, trace: Trace, layer: str, channel: int, row: int,
              col: int) -> ConvStep:
    """Cut out the numbers behind output cell ``(row, col)`` of filter ``channel``.

    Args:
        model: the CNN that made ``trace``.
        trace: the engine's trace of one image through ``model``.
        layer: ``"conv1"`` or ``"conv2"``.

    Raises:
        ValueError: unknown layer, channel out of range, or a cell outside the map.
    """
    conv = conv_layer(model, layer)
    source, activated = CONV_STAGES[layer]
    x = trace[source].values  # (H, W, C_in)
    pre = trace[layer].values  # (Ho, Wo, F)
    check_channel(channel, conv.out_channels, layer)
    check_cell(pre.shape, row, col, f"{layer}'s output map")
    k, s, p = conv.kernel_size, conv.stride, conv.padding
    top, left = row * s - p, col * s - p
    height, width, c_in = x.shape
    window = np.zeros((c_in, k, k), dtype=x.dtype)
    padded = np.ones((k, k), dtype=bool)
    for i in range(k):
        for j in range(k):
            r, c = top + i, left + j
            if 0 <= r < height and 0 <= c < width:
                window[:, i, j] = x[r, c, :]
                padded[i, j] = False
    weights = conv.params["W"][:, :, :, channel].transpose(2, 0, 1).copy()  # (C_in, K, K)
    return ConvStep(
        layer, channel, row, col, window, padded, top, left, weights,
        float(conv.params["b"][channel]), float(pre[row, col, channel]),
        float(trace[activated].values[row, col, channel]),
    )


def step_dict(step: ConvStep) -> dict:
    """The JSON form of a step (``explain conv-step --json``)."""
    return {
        "layer": step.layer,
        "channel": step.channel,
        "at": [step.row, step.col],
        "window_top_left": [step.top, step.left],
        "window": step.window.astype(float).tolist(),
        "padded": step.padded.tolist(),
        "weights": step.weights.astype(float).tolist(),
        "products": step.products.tolist(),
        "partial_sums": step.partial_sums.tolist(),
        "bias": step.bias,
        "sum": step.total,
        "relu": step.relu,
        "map_pre_activation": step.map_pre,
        "map_value": step.map_value,
    }
