"""NumberGrid: a small array (a 3x3 filter, a 4x4 patch) shown as the numbers themselves.

A heatmap shows the pattern; this widget shows the arithmetic. Each number sits on a
background from the same colour ramps as :class:`Heatmap`, with black or white text chosen
for contrast, and the number is always formatted with its sign so nothing depends on colour
(``NO_COLOR`` turns the backgrounds grey, the ``+``/``-`` stays).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip

from tuicnn.widgets.colormaps import (
    ANSI_RAMPS,
    ANSI_RGB,
    Mode,
    ansi_index,
    check_mode,
    colormap,
    contrast_text,
    normalize,
)
from tuicnn.widgets.strip_cache import StripCacheWidget

VERTICAL = "│"
HORIZONTAL = "─"
CROSS = "┼"


class NumberGrid(StripCacheWidget):
    """A small 2-D array as coloured, signed numbers, e.g. ``+0.42 -0.13``.

    Highlighted cells (for example the winners of a max-pool) are drawn bold and reversed and
    put in brackets, ``[+0.90]``: reverse video works on every terminal, and the brackets
    still mark the cell in plain text (logs, screen readers, a terminal without attributes).
    ``block=2`` on a 4x4 patch draws lines
    between its four 2x2 pooling windows.

    The grid is built once per :meth:`update` (Line API, cached strips), so it is cheap to
    leave on screen while something else animates.
    """

    DEFAULT_CSS = """
    NumberGrid {
        width: auto;
        height: auto;
    }
    NumberGrid > .number-grid--separator {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"number-grid--separator"}

    def __init__(
        self,
        data: ArrayLike,
        mode: Mode = "diverging",
        fmt: str = "{:+.2f}",
        highlight: Iterable[tuple[int, int]] = (),
        block: int | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create a number grid.

        Args:
            data: A 2-D array ``(H, W)``; a 1-D array is shown as one row.
            mode: ``"diverging"`` (signed weights, the default) or ``"sequential"``.
            fmt: ``str.format`` pattern for one value; keep the sign in it for signed data.
            highlight: ``(row, col)`` cells to draw bold, reversed and in brackets.
            block: Draw separator lines every ``block`` rows and columns (``None``: none).
            name: Widget name.
            id: Widget id.
            classes: Space-separated CSS classes.
            disabled: Whether the widget is disabled.

        Raises:
            ValueError: For empty or >2-D data, an unknown mode, a ``block`` below 1 or a
                highlighted cell outside the grid.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._data: NDArray[np.float64] = np.zeros((1, 1))
        self._mode: Mode = "diverging"
        self._fmt = fmt
        self._highlight: frozenset[tuple[int, int]] = frozenset()
        self._block: int | None = None
        self.ansi: bool | None = None
        """None: detect a 16-colour terminal; True/False force the 16-colour steps."""
        self._set(data, mode, fmt, highlight, block)

    # -- public API -------------------------------------------------------------------------

    @property
    def data(self) -> NDArray[np.float64]:
        """The array being shown (read-only, always 2-D)."""
        return self._data

    @property
    def highlight(self) -> frozenset[tuple[int, int]]:
        """The highlighted ``(row, col)`` cells."""
        return self._highlight

    @property
    def cell_texts(self) -> list[list[str]]:
        """The formatted numbers, row by row, exactly as drawn (without padding)."""
        return [[self._fmt.format(value) for value in row] for row in self._data.tolist()]

    def update(
        self,
        data: ArrayLike,
        *,
        mode: Mode | None = None,
        fmt: str | None = None,
        highlight: Iterable[tuple[int, int]] | None = None,
        block: int | None = None,
    ) -> None:
        """Show new values. Options left as ``None`` keep their current setting.

        Raises:
            ValueError: As for the constructor.
        """
        with self.changing():
            self._set(
                data,
                self._mode if mode is None else mode,
                self._fmt if fmt is None else fmt,
                self._highlight if highlight is None else highlight,
                self._block if block is None else block,
            )

    def natural_size(self) -> Size:
        """Cells times cell width and a line per row, plus one per separator either way."""
        rows, cols = self._data.shape
        return Size(cols * self._cell_width() + self._separator_count(cols),
                    rows + self._separator_count(rows))

    @property
    def uses_ansi_ramp(self) -> bool:
        """On a 16-colour terminal (with colour on), the order-keeping ``ANSI_RAMPS`` steps
        replace RGB colours that the palette would round out of order."""
        if self.ansi is not None:
            return self.ansi
        if not self.is_attached or self.app.no_color:
            return False
        return self.app.console.color_system in ("standard", "windows")

    # -- Textual hooks ----------------------------------------------------------------------

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """Cells times cell width, plus one column per vertical separator."""
        return self.natural_size().width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """One line per row, plus one per horizontal separator."""
        return self.natural_size().height

    def render_line(self, y: int) -> Strip:
        """Line ``y`` (a row or a separator), built once per change of the data."""
        return self.strip_line(self.cached_strips(None, self._build_strips), y)

    # -- internals --------------------------------------------------------------------------

    def _set(
        self,
        data: ArrayLike,
        mode: Mode,
        fmt: str,
        highlight: Iterable[tuple[int, int]],
        block: int | None,
    ) -> None:
        array = np.array(data, dtype=np.float64)
        if array.ndim == 1:
            array = array[np.newaxis, :]
        if array.ndim != 2 or array.size == 0:
            raise ValueError(f"NumberGrid needs a non-empty 1-D or 2-D array, got {array.shape}")
        if block is not None and block < 1:
            raise ValueError(f"block must be a positive integer or None, not {block!r}")
        cells = frozenset((int(r), int(c)) for r, c in highlight)
        rows, cols = array.shape
        outside = sorted((r, c) for r, c in cells if not (0 <= r < rows and 0 <= c < cols))
        if outside:
            raise ValueError(f"highlighted cells outside the {rows}x{cols} grid: {outside}")
        array.flags.writeable = False
        self._data = array
        self._mode = check_mode(mode)
        self._fmt = fmt
        self._highlight = cells
        self._block = block
        self.drop_strips()

    def _cell_width(self) -> int:
        """Widest formatted number plus one space either side."""
        return max(len(text) for row in self.cell_texts for text in row) + 2

    def _separator_count(self, length: int) -> int:
        if self._block is None:
            return 0
        return (length - 1) // self._block

    def _is_block_edge(self, index: int, length: int) -> bool:
        """Whether a separator follows row/column ``index``."""
        return self._block is not None and (index + 1) % self._block == 0 and index + 1 < length

    def _build_strips(self) -> list[Strip]:
        """One strip per grid row, separator strips in between."""
        rows, cols = self._data.shape
        width = self._cell_width()
        texts = self.cell_texts
        background = colormap(self._mode)(normalize(self._data, self._mode))
        foreground = contrast_text(background)
        steps = ansi_index(normalize(self._data, self._mode), self._mode) if (
            self.uses_ansi_ramp) else None
        ansi = [_ansi_style(step) for step in ANSI_RAMPS[self._mode]]
        base = self.rich_style
        separator = self.get_component_rich_style("number-grid--separator")
        emphasis = Style(bold=True, reverse=True)

        strips: list[Strip] = []
        for r in range(rows):
            segments: list[Segment] = []
            for c in range(cols):
                if steps is not None:
                    style = base + ansi[int(steps[r, c])]
                else:
                    style = base + Style(
                        color=RichColor.from_rgb(*foreground[r, c].tolist()),
                        bgcolor=RichColor.from_rgb(*background[r, c].tolist()),
                    )
                left, right = " ", " "
                if (r, c) in self._highlight:
                    style += emphasis
                    left, right = "[", "]"
                segments.append(Segment(f"{left}{texts[r][c]:>{width - 2}}{right}", style))
                if self._is_block_edge(c, cols):
                    segments.append(Segment(VERTICAL, separator))
            strips.append(Strip(segments))
            if self._is_block_edge(r, rows):
                block = self._block or cols
                pieces = [
                    HORIZONTAL * width * min(block, cols - start) for start in range(0, cols, block)
                ]
                strips.append(Strip([Segment(CROSS.join(pieces), separator)]))
        return strips


def _ansi_style(step) -> Style:
    """A 16-colour step as a Rich style whose colours round to exactly those palette entries."""
    def rgb(name: str | None) -> RichColor | None:
        return None if name is None else RichColor.from_rgb(*ANSI_RGB[name])

    attributes = Style.parse(step.attributes) if step.attributes else Style()
    return attributes + Style(color=rgb(step.color), bgcolor=rgb(step.bgcolor))
