"""Which test digits, and where in them, excite each conv2 channel of the CNN most.

The CNN's layers are run up to ``conv2`` on the whole test set (the same ``forward`` calls
``nn.tracing.trace`` makes for one image, batched): for each image the channel's largest value
and its position, then the images with the largest such values. A position in conv2's map
sees only part of the digit, its *receptive field*, worked out from the layers' kernel
sizes, strides and padding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tuicnn.nn.layers import Conv2D, MaxPool2D
from tuicnn.nn.model import Sequential

LAYER = "conv2"
TOP = 10
"""Digits listed per channel."""


@dataclass(frozen=True)
class TopHit:
    """Test digit ``index`` excites the channel most at ``(row, col)`` of its map (``value``)."""

    index: int
    row: int
    col: int
    value: float


def activations(model: Sequential, x: np.ndarray, layer: str = LAYER,
                batch_size: int = 256) -> np.ndarray:
    """The output of ``layer`` for every image: ``x (N, 28, 28, 1) -> (N, H, W, C)``."""
    names = [layer_.name for layer_ in model.layers]
    upto = model.layers[: names.index(layer) + 1]
    out = []
    for start in range(0, len(x), batch_size):
        batch = np.asarray(x[start:start + batch_size], dtype=model.dtype)
        for layer_ in upto:
            batch = layer_.forward(batch, train=False)
        out.append(batch)
    return np.concatenate(out)


def top_hits(maps: np.ndarray, channel: int, limit: int = TOP) -> list[TopHit]:
    """The ``limit`` images whose map ``maps[:, :, :, channel]`` peaks highest, highest first.

    Args:
        maps: ``(N, H, W, C)`` from :func:`activations`.
    """
    values = maps[..., channel].reshape(len(maps), -1)
    peaks = values.argmax(axis=1)
    best = values[np.arange(len(maps)), peaks]
    order = np.argsort(-best, kind="stable")[:limit]
    width = maps.shape[2]
    return [TopHit(int(i), int(peaks[i] // width), int(peaks[i] % width), float(best[i]))
            for i in order]


def receptive_field(model: Sequential, row: int, col: int, layer: str = LAYER,
                    size: int = 28) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` input pixels (ends exclusive, clipped to the image) that
    position ``(row, col)`` of ``layer``'s output depends on."""
    extent, jump, start = 1, 1, 0  # field side, input pixels per step, first field's top
    for layer_ in model.layers:
        if isinstance(layer_, Conv2D):
            k, s, p = layer_.kernel_size, layer_.stride, layer_.padding
        elif isinstance(layer_, MaxPool2D):
            k, s, p = layer_.size, layer_.stride, layer_.padding
        else:
            k, s, p = 1, 1, 0
        start -= p * jump
        extent += (k - 1) * jump
        jump *= s
        if layer_.name == layer:
            break
    top, left = start + row * jump, start + col * jump
    return max(top, 0), min(top + extent, size), max(left, 0), min(left + extent, size)
