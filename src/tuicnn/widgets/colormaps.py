"""Colour ramps and shade characters that turn numbers into something you can see.

Pure NumPy, no Textual: the widgets in this package call these functions when their data
changes, and tests can check the mapping without starting an app.

Two ramps cover everything tuicnn shows:

* :func:`sequential` for activations and pixel intensities (``0 → max``): dark purple to
  bright yellow along a viridis-like curve, so brightness alone already orders the values and
  the dark end is still distinguishable from a black terminal background.
* :func:`diverging` for signed quantities such as weights: blue for negative, a light neutral
  grey for zero, red for positive, so the sign is the hue and the magnitude is the saturation.

Both take values already normalised to ``[0, 1]`` (see :func:`normalize`) and are vectorised:
an array of shape ``S`` becomes an ``S + (3,)`` array of ``uint8`` RGB triples in one call.

When colour is not available, :data:`SHADES` and :func:`shade_chars` draw the same values
with five block characters instead.

On a 16-colour terminal (``TERM=xterm``) the RGB ramps are rounded to the nearest of the
palette's colours, and the order is lost (``+0.88`` red, ``+0.66`` yellow, ``+0.36`` bright
red). :data:`ANSI_RAMPS` replaces them there with a few steps whose order does not depend on
the palette: for signed values the hue is the sign (blue −, red +) and the strength is
*how much* is coloured (nothing, the text, the whole cell); for ``0 → max`` values it is the
text weight (dim, plain, bold, reversed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

Mode = Literal["sequential", "diverging"]
"""How values are turned into colours: ``0 → max`` or symmetric around zero."""

MODES: tuple[Mode, ...] = ("sequential", "diverging")

SHADES = " ░▒▓█"
"""Shade characters from empty to full, used when the terminal cannot show colour."""

# Anchor colours sampled from the viridis colour map at t = 0, 1/8, ..., 1. Interpolating
# between nine anchors is visually indistinguishable from the full 256-entry table in a
# terminal and keeps the module free of large constants.
_VIRIDIS = np.array(
    [
        (68, 1, 84),
        (72, 40, 120),
        (62, 73, 137),
        (49, 104, 142),
        (38, 130, 142),
        (31, 158, 137),
        (53, 183, 121),
        (110, 206, 88),
        (253, 231, 37),
    ],
    dtype=np.float64,
)

# Blue - neutral - red anchors (a ColorBrewer RdBu-like ramp, reversed so red is positive).
_BLUE_RED = np.array(
    [
        (33, 102, 172),
        (103, 169, 207),
        (247, 247, 247),
        (239, 138, 98),
        (178, 24, 43),
    ],
    dtype=np.float64,
)

NEUTRAL: dict[Mode, float] = {"sequential": 0.0, "diverging": 0.5}
"""Where a raw value of zero lands after :func:`normalize`, per mode."""


def _unit(t: ArrayLike, nan: float) -> NDArray[np.float64]:
    """Return ``t`` as floats clipped to ``[0, 1]`` with NaN replaced by ``nan``."""
    values = np.asarray(t, dtype=np.float64)
    return np.clip(np.where(np.isnan(values), nan, values), 0.0, 1.0)


def _interpolate(anchors: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.uint8]:
    """Linearly interpolate evenly spaced anchor colours at positions ``t`` in ``[0, 1]``.

    Args:
        anchors: ``(K, 3)`` RGB anchors, ``K >= 2``, placed at ``t = 0, 1/(K-1), ..., 1``.
        t: Positions of any shape ``S``, already clipped to ``[0, 1]``.

    Returns:
        ``S + (3,)`` array of ``uint8`` RGB values.
    """
    position = t * (len(anchors) - 1)
    low = np.clip(np.floor(position).astype(np.intp), 0, len(anchors) - 2)
    fraction = (position - low)[..., np.newaxis]
    rgb = anchors[low] * (1.0 - fraction) + anchors[low + 1] * fraction
    return np.rint(rgb).astype(np.uint8)


def sequential(t: ArrayLike) -> NDArray[np.uint8]:
    """Map values in ``[0, 1]`` to a dark-to-bright (viridis-like) ramp.

    Args:
        t: Values of any shape ``S``. Values outside ``[0, 1]`` are clipped; NaN counts as 0.

    Returns:
        ``S + (3,)`` array of ``uint8`` RGB triples (shape ``(3,)`` for a scalar).
    """
    return _interpolate(_VIRIDIS, _unit(t, nan=0.0))


def diverging(t: ArrayLike) -> NDArray[np.uint8]:
    """Map values in ``[0, 1]`` to blue (0) - light neutral (0.5) - red (1).

    Pair it with ``normalize(x, "diverging")`` so that a raw value of zero lands exactly on
    the neutral colour and equal magnitudes of opposite sign get equally strong colours.

    Args:
        t: Values of any shape ``S``. Values outside ``[0, 1]`` are clipped; NaN counts as
            0.5 (neutral), so a missing value never looks like a strong weight.

    Returns:
        ``S + (3,)`` array of ``uint8`` RGB triples (shape ``(3,)`` for a scalar).
    """
    return _interpolate(_BLUE_RED, _unit(t, nan=0.5))


def colormap(mode: Mode) -> Callable[[ArrayLike], NDArray[np.uint8]]:
    """Return the ramp function for ``mode`` (:func:`sequential` or :func:`diverging`).

    Raises:
        ValueError: If ``mode`` is not one of :data:`MODES`.
    """
    check_mode(mode)
    return sequential if mode == "sequential" else diverging


def check_mode(mode: str) -> Mode:
    """Return ``mode`` unchanged if it is a known mode.

    Raises:
        ValueError: If ``mode`` is not one of :data:`MODES`.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    return mode  # type: ignore[return-value]


def value_range(x: ArrayLike, mode: Mode) -> tuple[float, float]:
    """Return the raw values that :func:`normalize` maps to 0 and 1.

    Sequential: ``(0, max)``. Diverging: ``(-a, a)`` with ``a = max |x|``. Non-finite values
    are ignored; an empty or all-non-finite array gives ``(0, 0)``.
    """
    check_mode(mode)
    values = np.asarray(x, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 0.0
    if mode == "sequential":
        return 0.0, max(float(finite.max()), 0.0)
    bound = float(np.abs(finite).max())
    return -bound, bound


def normalize(
    x: ArrayLike, mode: Mode = "sequential", bounds: tuple[float, float] | None = None
) -> NDArray[np.float64]:
    """Scale raw values to ``[0, 1]`` for :func:`sequential` or :func:`diverging`.

    * ``"sequential"`` uses ``[0, max]``: activations after ReLU start at zero, and keeping
      zero at the dark end makes maps from different layers comparable. Negative values clip
      to 0 (use ``"diverging"`` for signed data).
    * ``"diverging"`` uses the symmetric ``[-a, a]`` with ``a = max |x|``, so 0 maps to 0.5.

    A constant-zero array gives all 0 (sequential) or all 0.5 (diverging): no division by
    zero, no NaN. Non-finite inputs are treated as 0.

    Args:
        x: Raw values, any shape ``S``.
        mode: ``"sequential"`` or ``"diverging"``.
        bounds: ``(low, high)`` to use instead of ``value_range(x, mode)``; lets a legend
            place a few chosen values on the same scale as the full array.

    Returns:
        Float array of shape ``S`` with values in ``[0, 1]``.

    Raises:
        ValueError: If ``mode`` is unknown.
    """
    check_mode(mode)
    low, high = value_range(x, mode) if bounds is None else bounds
    values = np.asarray(x, dtype=np.float64)
    values = np.where(np.isfinite(values), values, 0.0)
    if high <= low:
        return np.full(values.shape, NEUTRAL[mode])
    return np.clip((values - low) / (high - low), 0.0, 1.0)


def shade_index(t: ArrayLike) -> NDArray[np.intp]:
    """Return the index into :data:`SHADES` for values in ``[0, 1]``.

    The unit interval is cut into five equal bins, so the neutral 0.5 of a diverging map
    lands in the middle shade ``▒`` and only values of at least 0.8 become a full ``█``.
    NaN counts as 0.
    """
    levels = len(SHADES)
    return np.minimum((_unit(t, nan=0.0) * levels).astype(np.intp), levels - 1)


def shade_chars(t: ArrayLike) -> NDArray[np.str_]:
    """Map values in ``[0, 1]`` to shade characters from :data:`SHADES` (same shape)."""
    return np.array(list(SHADES))[shade_index(t)]


ANSI_RGB: dict[str, tuple[int, int, int]] = {
    "blue": (0, 0, 170),
    "red": (170, 0, 0),
    "bright_blue": (85, 85, 255),
    "bright_red": (255, 85, 85),
    "bright_white": (255, 255, 255),
}
"""Palette colours as RGB exactly as Rich's 16-colour palette has them: Rich rounds an RGB
colour to the nearest palette entry, so these land on those entries and no other (a named
colour would first pass through the theme's own RGB and could round to, say, magenta)."""


class AnsiStep(NamedTuple):
    """One step of a 16-colour ramp: palette colour names (or None) and text attributes."""

    color: str | None
    bgcolor: str | None
    attributes: str = ""


ANSI_RAMPS: dict[Mode, tuple[AnsiStep, ...]] = {
    "diverging": (
        AnsiStep("bright_white", "blue", "bold"),  # strong −: the whole cell blue
        AnsiStep("bright_blue", None),  # weak −: blue text
        AnsiStep(None, None),  # about zero: plain
        AnsiStep("bright_red", None),  # weak +: red text
        AnsiStep("bright_white", "red", "bold"),  # strong +: the whole cell red
    ),
    "sequential": (
        AnsiStep(None, None, "dim"),
        AnsiStep(None, None),
        AnsiStep(None, None, "bold"),
        AnsiStep(None, None, "bold reverse"),
    ),
}
"""16-colour steps per mode, weakest (or most negative) first."""

ANSI_STRENGTH: dict[Mode, tuple[int, ...]] = {
    "diverging": (-2, -1, 0, 1, 2),
    "sequential": (0, 1, 2, 3),
}
"""The signed strength each step of :data:`ANSI_RAMPS` stands for (tests check the order)."""


def ansi_index(t: ArrayLike, mode: Mode) -> NDArray[np.intp]:
    """The step of ``ANSI_RAMPS[mode]`` for values in ``[0, 1]`` (equal bins, non-decreasing).

    Diverging: five bins, so values within 20 % of the largest magnitude of zero are plain
    and only the outer fifth on either side fills the cell. NaN counts as neutral.
    """
    check_mode(mode)
    levels = len(ANSI_RAMPS[mode])
    values = _unit(t, nan=NEUTRAL[mode])
    return np.minimum((values * levels).astype(np.intp), levels - 1)


def contrast_text(rgb: ArrayLike) -> NDArray[np.uint8]:
    """Pick black or white text for each background colour, whichever reads better.

    Uses the Rec. 709 relative luminance of the (gamma-encoded) colour, which is plenty for
    choosing between two extremes.

    Args:
        rgb: ``S + (3,)`` background colours, values 0-255.

    Returns:
        ``S + (3,)`` ``uint8`` array, each triple either ``(0, 0, 0)`` or ``(255, 255, 255)``.
    """
    colours = np.asarray(rgb, dtype=np.float64)
    luminance = colours @ np.array([0.2126, 0.7152, 0.0722])
    level = np.where(luminance < 140.0, 255, 0).astype(np.uint8)
    return np.repeat(level[..., np.newaxis], 3, axis=-1)
