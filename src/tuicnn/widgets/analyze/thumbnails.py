"""Half-size digits for small pictures: each 2x2 block of pixels becomes one pixel (its mean),
so a 28x28 digit takes 14 columns by 7 rows instead of 28 by 14."""

from __future__ import annotations

import numpy as np

DIM = 0.25
"""Brightness left to the pixels outside a highlighted region."""


def half_size(image: np.ndarray) -> np.ndarray:
    """``(H, W[, 1]) -> (H // 2, W // 2)``: the mean of every 2x2 block."""
    pixels = np.asarray(image, dtype=np.float64).reshape(image.shape[0], image.shape[1])
    h, w = pixels.shape[0] // 2 * 2, pixels.shape[1] // 2 * 2
    return pixels[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))


def dim_outside(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """``(H, W)`` copy of ``image`` with every pixel outside ``box`` (top, bottom, left,
    right; ends exclusive) scaled by :data:`DIM`."""
    pixels = np.asarray(image, dtype=np.float64).reshape(image.shape[0], image.shape[1])
    out = pixels * DIM
    top, bottom, left, right = box
    out[top:bottom, left:right] = pixels[top:bottom, left:right]
    return out
