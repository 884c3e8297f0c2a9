"""Occlusion: how much a net's belief in a class drops when a square patch of the image is
blanked (set to 0, the background).

The map is made by brute force: one patched copy of the image per pixel, the patch centred on
that pixel (clipped at the borders), all run through the model. Value at ``(row, col)`` = the
class's probability on the whole image minus its probability with the patch at ``(row, col)``:
positive where hiding the ink hurts, negative where hiding it helps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tuicnn.nn.model import Sequential

PATCH = 7
"""Side of the blanked square, in pixels: a quarter of the image, about one stroke wide."""

METHOD = f"occlusion: drop in p(class) with a {PATCH}×{PATCH} patch blanked"


def patch_bounds(row: int, col: int, size: int = PATCH, height: int = 28,
                 width: int = 28) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` (ends exclusive) of the patch centred on ``(row, col)``."""
    half = size // 2
    top, left = row - half, col - half
    return max(top, 0), min(top + size, height), max(left, 0), min(left + size, width)


def occlude(image: np.ndarray, row: int, col: int, size: int = PATCH) -> np.ndarray:
    """A copy of ``image: (28, 28[, 1])`` with the patch centred on ``(row, col)`` set to 0."""
    patched = np.array(image, copy=True)
    top, bottom, left, right = patch_bounds(row, col, size, *patched.shape[:2])
    patched[top:bottom, left:right] = 0
    return patched


@dataclass(frozen=True)
class OcclusionMap:
    """The drop in ``p(target)`` for a patch centred on every pixel.

    Attributes:
        target: the class whose probability is watched.
        base: ``p(target)`` on the unpatched image.
        drops: ``(28, 28)``, ``base - p(target | patch centred there)``.
        size: the patch side.
    """

    target: int
    base: float
    drops: np.ndarray
    size: int


def probability_with_patch(model: Sequential, image: np.ndarray, target: int, row: int,
                           col: int, size: int = PATCH) -> float:
    """``p(target)`` for ``image`` with one patch blanked (one forward pass)."""
    patched = occlude(np.asarray(image).reshape(model.input_shape), row, col, size)
    return float(model.predict_proba(patched[None])[0, target])


def occlusion_map(model: Sequential, image: np.ndarray, target: int, size: int = PATCH,
                  batch_size: int = 196) -> OcclusionMap:
    """Every patch position's drop in ``p(target)`` (784 patched images in batches)."""
    x = np.asarray(image, dtype=model.dtype).reshape(model.input_shape)
    height, width = x.shape[:2]
    base = float(model.predict_proba(x[None])[0, target])
    drops = np.empty(height * width, dtype=np.float64)
    positions = [(r, c) for r in range(height) for c in range(width)]
    for start in range(0, len(positions), batch_size):
        chunk = positions[start:start + batch_size]
        batch = np.stack([occlude(x, r, c, size) for r, c in chunk])
        drops[start:start + len(chunk)] = base - model.predict_proba(batch)[:, target]
    return OcclusionMap(target, base, drops.reshape(height, width), size)
