"""Maps drawn as text: shade characters ``░▒▓█``, rulers and a cursor, readable without colour.

Large maps (more than :data:`FOLD_ABOVE` rows) fold two pixel rows into one terminal row, as
the app's heatmaps do in shade mode, showing the pixel further from zero, so a 28×28 map
takes 28 columns by 14 rows. Smaller maps get one row per pixel and two columns per pixel,
so cells stay square. Rulers (``▼`` above, ``▶`` on the left) mark the rows and columns of a
box or of the cursor, so positions can be read exactly even when rows are folded.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from rich.text import Text

from tuicnn.widgets.colormaps import shade_chars

FOLD_ABOVE = 16
"""Maps with more rows than this fold two rows into one line."""

PAD = "·"
"""Drawn where a map shows zero padding (cells outside the image)."""


def shades(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """Shade characters for ``|values|`` scaled to the largest (or to ``scale``).

    NaN marks padding and becomes :data:`PAD`.
    """
    magnitude = np.abs(np.nan_to_num(values, nan=0.0))
    top = float(magnitude.max()) if scale is None else scale
    unit = magnitude / top if top > 0 else np.zeros_like(magnitude)
    chars = shade_chars(unit)
    return np.where(np.isnan(values), PAD, chars)


def map_text(values: np.ndarray, *, marks: tuple[Iterable[int], Iterable[int]] = ((), ()),
             cells: dict[tuple[int, int], str] | None = None,
             scale: float | None = None) -> Text:
    """Render ``(H, W)`` values with rulers and optional labelled cells.

    Args:
        values: the map; NaN is drawn as padding.
        marks: ``(rows, cols)`` to mark on the rulers.
        cells: ``{(row, col): label}`` cells drawn as their one-character label in reverse
            video (the cursor ``+``, positions ``A`` and ``B``).
        scale: the magnitude drawn as a full block (default: the map's largest), so two
            maps can share one scale.

    Returns:
        Text lines: the column ruler, then one line per row (or per two rows when folded).
    """
    height, width = values.shape
    fold = height > FOLD_ABOVE
    wide = 1 if fold else 2
    rows, cols = set(marks[0]), set(marks[1])
    chars = shades(values, scale)
    if fold:  # one line per two rows: the pixel further from zero, as the heatmaps do
        if height % 2:
            chars = np.vstack([chars, np.full((1, width), " ")])
            values = np.vstack([values, np.zeros((1, width))])
        magnitude = np.abs(np.nan_to_num(values, nan=0.0))
        top_wins = magnitude[0::2] >= magnitude[1::2]
        chars = np.where(top_wins, chars[0::2], chars[1::2])
    step = 2 if fold else 1
    text = Text(" ")
    for c in range(width):
        text.append(("▼" if c in cols else "·") * wide, style="bold" if c in cols else "dim")
    labels: dict[tuple[int, int], str] = {}
    for (r, c), label in (cells or {}).items():
        labels[r // step, c] = label
    for line, row_chars in enumerate(chars):
        marked = any(r in rows for r in range(line * step, line * step + step))
        text.append("\n")
        text.append("▶" if marked else "·", style="bold" if marked else "dim")
        start = len(text)
        row = [str(ch) * wide for ch in row_chars]
        for (r, c), label in labels.items():
            if r == line:
                row[c] = label * wide
        text.append("".join(row))
        for (r, c), _ in labels.items():
            if r == line:
                text.stylize("bold reverse", start + c * wide, start + (c + 1) * wide)
    return text


def number(value: float, width: int = 6, digits: int = 3) -> str:
    """A fixed-width number, ``+`` sign omitted (``-0.252``, `` 0.531``)."""
    return f"{value:{width}.{digits}f}"


def grid_lines(values: np.ndarray, padded: np.ndarray | None = None, width: int = 6,
               digits: int = 3) -> list[str]:
    """Rows of a small grid of numbers; ``pad`` where ``padded`` is True or the value is NaN."""
    lines = []
    for i, row in enumerate(values):
        items = []
        for j, value in enumerate(row):
            off = (padded is not None and padded[i, j]) or np.isnan(value)
            items.append(f"{'pad':>{width}}" if off else number(value, width, digits))
        lines.append(" ".join(items))
    return lines
