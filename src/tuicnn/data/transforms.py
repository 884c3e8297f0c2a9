"""Image transforms for hand-drawn digits and for the shift test. Pure NumPy, no Textual.

* :func:`preprocess_drawing` turns a 28x28 drawing into the kind of image MNIST contains,
  following the recipe that built MNIST: crop to the ink, scale to fit a 20x20 box keeping
  the aspect ratio (with anti-aliasing), then centre by centre of mass in the 28x28 frame.
  A network trained on MNIST has only ever seen digits prepared this way; feeding it a
  raw drawing (small, off-centre, thin) measures the preparation, not the network.
* :func:`soft_brush` and :func:`soft_line` paint like MNIST's anti-aliased pen: a solid
  core with a one-pixel soft edge, max-blended so strokes never get darker where they cross.
* :func:`shift_images` moves whole batches of images by whole pixels, for the shift test.

All images are float arrays with values in ``[0, 1]`` (0 = background, 1 = full ink).
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.typing import ArrayLike, NDArray

CANVAS = 28
"""Side of the drawing canvas and of an MNIST image, in pixels."""

BOX = 20
"""MNIST digits were scaled to fit a ``BOX`` x ``BOX`` box before centring."""

CENTRE = 14.0
"""Where the centre of mass is placed (row and column index). The bundled MNIST digits have
their centre of mass at (13.99, 14.00) on average, so this is MNIST's own convention."""

INK_THRESHOLD = 0.05
"""Pixels at least this bright count as ink when finding the bounding box; fainter ones
(soft-edge residue left by the eraser) do not stretch the box."""

MIN_INK = 0.5
"""A canvas whose total intensity is below this (half a pixel of ink) counts as empty."""

BRUSH_CORE = {1: 0.5, 2: 1.0, 3: 1.5}
"""Brush size -> radius (pixels) of the fully inked core; a 1-pixel soft edge surrounds it."""

BRUSH_EDGE = 1.0
"""Width (pixels) of the linear fall-off from full ink to none around the core."""


def round_half_up(value: float) -> int:
    """Round to the nearest integer, halves up (``np.round`` would round halves to even)."""
    return int(np.floor(value + 0.5))


def resample_weights(n_in: int, n_out: int) -> NDArray[np.float64]:
    """Weights that resize a 1-D signal of ``n_in`` samples to ``n_out`` samples.

    Shrinking (``n_out <= n_in``) uses *area* averaging: each output pixel is the mean of the
    input over the interval it covers, partial pixels weighted by overlap. This is the
    anti-aliasing a box filter gives, so thin strokes fade instead of vanishing. Enlarging
    uses *bilinear* interpolation with pixel centres at ``i + 0.5`` (clamped at the edges),
    which is smooth where area averaging would just repeat pixels.

    Args:
        n_in: Input length (>= 1).
        n_out: Output length (>= 1).

    Returns:
        ``(n_out, n_in)`` matrix whose rows sum to 1; ``W @ signal`` is the resized signal.
    """
    if n_in < 1 or n_out < 1:
        raise ValueError(f"lengths must be positive, got {n_in} -> {n_out}")
    if n_out <= n_in:
        ratio = n_in / n_out
        start = np.arange(n_out)[:, None] * ratio
        end = start + ratio
        left = np.arange(n_in)[None, :]
        overlap = np.clip(np.minimum(end, left + 1) - np.maximum(start, left), 0.0, None)
        return overlap / ratio
    position = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0.0, n_in - 1)
    low = np.floor(position).astype(np.intp)
    high = np.minimum(low + 1, n_in - 1)
    fraction = position - low
    weights = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    np.add.at(weights, (rows, low), 1.0 - fraction)
    np.add.at(weights, (rows, high), fraction)
    return weights


def resize(image: ArrayLike, height: int, width: int) -> NDArray[np.float64]:
    """Resize a 2-D image with :func:`resample_weights` along each axis (separable).

    Args:
        image: ``(H, W)`` array.
        height: Output rows.
        width: Output columns.

    Returns:
        ``(height, width)`` float64 array.
    """
    array = np.asarray(image, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"resize needs a 2-D image, got shape {array.shape}")
    rows = resample_weights(array.shape[0], height)
    cols = resample_weights(array.shape[1], width)
    return rows @ array @ cols.T


def ink_bbox(canvas: ArrayLike) -> tuple[int, int, int, int] | None:
    """Bounding box of the ink as ``(top, bottom, left, right)``, bottom/right exclusive.

    Pixels count as ink from :data:`INK_THRESHOLD` up. Returns ``None`` when there is none.
    """
    mask = np.asarray(canvas) >= INK_THRESHOLD
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def centre_of_mass(image: ArrayLike) -> tuple[float, float]:
    """Intensity-weighted mean ``(row, col)`` of a 2-D image (pixel centres at integers).

    Raises:
        ValueError: If the image has no ink (zero total intensity).
    """
    array = np.asarray(image, dtype=np.float64)
    total = array.sum()
    if total <= 0:
        raise ValueError("centre of mass of an empty image")
    row = float(array.sum(axis=1) @ np.arange(array.shape[0])) / total
    col = float(array.sum(axis=0) @ np.arange(array.shape[1])) / total
    return row, col


def preprocess_drawing(canvas: ArrayLike) -> NDArray[np.float32] | None:
    """Prepare a drawing the way MNIST digits were prepared.

    1. Crop to the bounding box of the ink (:func:`ink_bbox`).
    2. Scale so the longer side is :data:`BOX` (20) pixels, keeping the aspect ratio
       (:func:`resize`: area averaging when shrinking, bilinear when enlarging).
    3. Place the result in a 28x28 frame so that its centre of mass lands on
       (:data:`CENTRE`, :data:`CENTRE`), moving by whole pixels; the move is clamped so that
       no ink leaves the frame (a lopsided digit can end up a little off-centre).

    Args:
        canvas: ``(28, 28)`` drawing, values in ``[0, 1]`` (others are clipped; NaN is 0).

    Returns:
        ``(28, 28)`` float32 image in ``[0, 1]``, or ``None`` if the canvas is empty or
        practically empty (total ink below :data:`MIN_INK`), so callers show no prediction
        rather than the network's guess for a blank image.

    Raises:
        ValueError: If ``canvas`` is not ``(28, 28)``.
    """
    image = np.asarray(canvas, dtype=np.float64)
    if image.shape != (CANVAS, CANVAS):
        raise ValueError(f"expected a ({CANVAS}, {CANVAS}) canvas, got shape {image.shape}")
    image = np.clip(np.nan_to_num(image, nan=0.0), 0.0, 1.0)
    box = ink_bbox(image)
    if box is None or image.sum() < MIN_INK:
        return None
    top, bottom, left, right = box
    crop = image[top:bottom, left:right]
    height, width = crop.shape
    scale = BOX / max(height, width)
    new_h = min(BOX, max(1, round_half_up(height * scale)))
    new_w = min(BOX, max(1, round_half_up(width * scale)))
    small = np.clip(resize(crop, new_h, new_w), 0.0, 1.0)
    row, col = centre_of_mass(small)
    y = min(max(round_half_up(CENTRE - row), 0), CANVAS - new_h)
    x = min(max(round_half_up(CENTRE - col), 0), CANVAS - new_w)
    out = np.zeros((CANVAS, CANVAS), dtype=np.float32)
    out[y : y + new_h, x : x + new_w] = small
    return out


def shift_images(images: ArrayLike, dx: int, dy: int) -> np.ndarray:
    """Move the content of every image ``dx`` pixels right and ``dy`` pixels down.

    Negative values move left/up. Pixels shifted in from outside are 0 (background) and
    content shifted past the border is dropped, as when a digit is written off-centre.

    Args:
        images: ``(N, H, W)`` or ``(N, H, W, C)`` batch.
        dx: Whole pixels to the right (negative: left).
        dy: Whole pixels down (negative: up).

    Returns:
        A new array of the same shape and dtype (a copy even when ``dx == dy == 0``).

    Raises:
        ValueError: If ``images`` is not 3-D or 4-D.
        TypeError: If ``dx`` or ``dy`` is not an integer.
    """
    batch = np.asarray(images)
    if batch.ndim not in (3, 4):
        raise ValueError(f"expected (N, H, W) or (N, H, W, C) images, got shape {batch.shape}")
    dx, dy = operator.index(dx), operator.index(dy)
    out = np.zeros_like(batch)
    height, width = batch.shape[1:3]
    if abs(dx) >= width or abs(dy) >= height:
        return out
    source_rows = slice(max(-dy, 0), height - max(dy, 0))
    target_rows = slice(max(dy, 0), height - max(-dy, 0))
    source_cols = slice(max(-dx, 0), width - max(dx, 0))
    target_cols = slice(max(dx, 0), width - max(-dx, 0))
    out[:, target_rows, target_cols] = batch[:, source_rows, source_cols]
    return out


def brush_stamp(
    row: float,
    col: float,
    size: int,
    shape: tuple[int, int],
    end: tuple[float, float] | None = None,
) -> np.ndarray:
    """The ink one dab (or one straight stroke) of the brush leaves on a canvas of ``shape``.

    The pen is a disc: full ink within ``BRUSH_CORE[size]`` pixels of ``(row, col)``, then a
    linear fall-off over :data:`BRUSH_EDGE` pixels. Distances are measured between pixel
    centres (pixel ``(r, c)`` is centred at ``(r, c)``); ``row``/``col`` may be fractional,
    e.g. ``2 * y + 0.5`` for the point between the two pixels of half-block cell ``y``. With
    ``end``, the disc is dragged in a straight line to ``end``: the distance is measured to
    the segment instead of the point, which is exactly the union of dabs along it.

    Args:
        row: Centre row (may be fractional or outside the canvas).
        col: Centre column.
        size: 1, 2 or 3.
        shape: ``(H, W)`` of the canvas.
        end: Optional ``(row, col)`` where the stroke ends.

    Returns:
        ``(H, W)`` float64 array in ``[0, 1]``.

    Raises:
        ValueError: If ``size`` is not 1, 2 or 3.
    """
    if size not in BRUSH_CORE:
        raise ValueError(f"brush size must be 1, 2 or 3, not {size!r}")
    core = BRUSH_CORE[size]
    rows = np.arange(shape[0], dtype=np.float64)[:, None] - row
    cols = np.arange(shape[1], dtype=np.float64)[None, :] - col
    if end is not None:
        # Project every pixel centre on the segment, clamped to its ends.
        seg_r, seg_c = end[0] - row, end[1] - col
        length2 = seg_r**2 + seg_c**2
        if length2 > 0:
            t = np.clip((rows * seg_r + cols * seg_c) / length2, 0.0, 1.0)
            rows, cols = rows - t * seg_r, cols - t * seg_c
    distance = np.sqrt(rows**2 + cols**2)
    return np.clip((core + BRUSH_EDGE - distance) / BRUSH_EDGE, 0.0, 1.0)


def _apply(canvas: np.ndarray, stamp: np.ndarray, erase: bool) -> np.ndarray:
    """Max-blend ``stamp`` into ``canvas`` (or erase by it), in place."""
    if erase:
        np.minimum(canvas, 1.0 - stamp, out=canvas, casting="unsafe")
    else:
        np.maximum(canvas, stamp, out=canvas, casting="unsafe")
    return canvas


def soft_brush(
    canvas: np.ndarray, row: float, col: float, size: int = 2, erase: bool = False
) -> np.ndarray:
    """Paint (or erase) one soft dab on ``canvas`` in place.

    Painting max-blends the stamp (``max(canvas, stamp)``), so going over a stroke again or
    crossing it never makes it brighter than full ink; erasing lowers values by the same
    shape (``min(canvas, 1 - stamp)``), so the eraser has a soft edge too.

    Args:
        canvas: ``(H, W)`` float array, modified in place.
        row: Centre row, see :func:`brush_stamp`.
        col: Centre column.
        size: Brush size 1, 2 or 3 (core radius 0.5, 1 or 1.5 pixels plus a soft edge).
        erase: Lower the values instead of raising them.

    Returns:
        ``canvas`` itself, for chaining.
    """
    return _apply(canvas, brush_stamp(row, col, size, canvas.shape), erase)


def soft_line(
    canvas: np.ndarray,
    start: tuple[float, float],
    end: tuple[float, float],
    size: int = 2,
    erase: bool = False,
) -> np.ndarray:
    """Paint (or erase) a straight stroke from ``start`` to ``end`` (``(row, col)``) in place.

    A mouse drag reports positions several pixels apart when the hand is fast; joining them
    with strokes keeps the line continuous. Same blending as :func:`soft_brush`.

    Returns:
        ``canvas`` itself.
    """
    return _apply(canvas, brush_stamp(start[0], start[1], size, canvas.shape, end), erase)
