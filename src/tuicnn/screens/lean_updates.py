"""Screen updates written in fewer bytes: what a learner pays over SSH for every frame.

Textual writes every cell of every region that was repainted, each run of same-styled text
(a segment) as ``ESC[<full style>m text ESC[0m``, and starts every piece of a line that a
widget drew (a chop) with a cursor move. A tab switch repainted ~3,000 cells in ~450
segments and ~120 pieces; more than half of its bytes were style codes and moves, and much
of the rest redrew cells that already showed the same thing (the second and third frames of
a first visit repaint every widget that was just laid out; a chart redraws all its cells
when one point moves).

A :class:`TerminalCanvas` remembers what each cell of the terminal shows (character and
style), as this screen last wrote it, and writes only the cells that differ, in the same
order and with the same characters and styles as Textual's update would leave them:

- a style is set only when it differs from the one in force, and then only the parts that
  differ (colour or background alone when no attribute has to be switched off; otherwise a
  reset and the whole style in one sequence, ``ESC[0;...m``);
- the cursor is moved only when it is not already where the next changed cell is, with the
  shortest of three moves (forward on the row, to the start of the next row, or absolute);
  unchanged cells between two changes are rewritten when that is shorter than a move;
- the style is reset at the end of the frame, so the next frame starts from the terminal's
  default as Textual's own frames do.

Cells the canvas cannot vouch for are always written: before the first frame, after the
size changes, after another screen drew over this one or the app was suspended
(:meth:`TerminalCanvas.forget`), and for pieces it does not model (double-width or
zero-width characters, hyperlinks), which are written as Textual writes them. The screen
shot path (``simplify=True``, SVG export) is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby, repeat
from operator import itemgetter

from rich.cells import cell_len
from rich.color import ColorSystem
from rich.console import Console
from rich.style import Style
from textual._compositor import ChopsUpdate, Compositor, LayoutUpdate
from textual.geometry import Size
from textual.strip import SGR_STYLES, Strip

#: A style as the terminal holds it: (attributes on, foreground codes, background codes).
Pen = tuple[frozenset[str], str | None, str | None]
DEFAULT_PEN: Pen = (frozenset(), None, None)

#: What one cell shows: (character, pen).
Cell = tuple[str, Pen]

#: A cell the canvas does not know: equal to no cell, so it is always written.
UNKNOWN = object()

#: A piece of a line to write: (column, row, strip).
Piece = tuple[int, int, Strip]

#: Unchanged cells between two changed ones are rewritten (rather than moved over) when
#: there are at most this many: a move costs 4-8 bytes, a cell usually 1-3.
GAP = 4

#: Styles remembered (with their pens) before the memory is cleared: Textual makes a style
#: per widget and action for its mouse handling, so the number of them is not bounded.
PEN_MEMORY = 4096


def change_pen(old: Pen, new: Pen) -> str:
    """The shortest SGR sequence this module knows from ``old`` to ``new`` ('' if equal)."""
    if old == new:
        return ""
    old_attributes, old_fg, old_bg = old
    attributes, fg, bg = new
    if old_attributes <= attributes and (old_fg is None or fg is not None) and (
            old_bg is None or bg is not None):
        codes = sorted(attributes - old_attributes)  # nothing to switch off: add what differs
        if fg != old_fg:
            codes.append(fg)  # type: ignore[arg-type]  # not None: checked above
        if bg != old_bg:
            codes.append(bg)  # type: ignore[arg-type]
        return f"\x1b[{';'.join(codes)}m"
    codes = ["0", *sorted(attributes)]
    if fg is not None:
        codes.append(fg)
    if bg is not None:
        codes.append(bg)
    return f"\x1b[{';'.join(codes)}m"


class TerminalCanvas:
    """What the terminal shows, as far as this screen's frames wrote it; writes differences.

    ``draw`` is called once per frame actually written to the terminal (Textual calls
    ``render_segments`` only then), so the canvas never counts a frame that was dropped.
    """

    def __init__(self) -> None:
        self.size = Size(0, 0)
        self._rows: list[list[object]] = []
        self._pens: dict[Style, Pen] = {}
        self._interned: dict[Pen, Pen] = {}

    def forget(self) -> None:
        """Something else drew on the terminal: write every cell of the next frames."""
        self._rows = []

    def _pen(self, style: Style | None, color_system: ColorSystem) -> Pen:
        if style is None:
            return DEFAULT_PEN
        pen = self._pens.get(style)
        if pen is None:
            if len(self._pens) >= PEN_MEMORY:
                self._pens.clear()
            attributes = style._attributes & style._set_attributes
            color, bgcolor = style._color, style._bgcolor
            pen = (
                frozenset(SGR_STYLES[bit] for bit in range(attributes.bit_length())
                          if attributes & (1 << bit)),
                ";".join(color.downgrade(color_system).get_ansi_codes()) if color else None,
                ";".join(bgcolor.downgrade(color_system).get_ansi_codes(False))
                if bgcolor else None,
            )
            pen = self._pens[style] = self._interned.setdefault(pen, pen)
        return pen

    def _cells(self, strip: Strip, color_system: ColorSystem) -> list[Cell] | None:
        """One (character, pen) per cell, or None if the strip has text this canvas does not
        model (a character not one cell wide, a hyperlink, control codes)."""
        cells: list[Cell] = []
        extend = cells.extend
        for text, style, control in strip._segments:
            if not text:
                continue
            if control or (style is not None and style._link) or (
                    not text.isascii() and cell_len(text) != len(text)):
                return None
            extend(zip(text, repeat(self._pen(style, color_system))))
        return cells

    def draw(self, pieces: Iterable[Piece], console: Console, size: Size) -> str:
        """Terminal bytes that make the screen show ``pieces`` (drawn in order)."""
        color_system = console._color_system or ColorSystem.TRUECOLOR
        if size != self.size or not self._rows:
            self.size = size
            self._rows = [[UNKNOWN] * size.width for _ in range(size.height)]
        writer = _Writer(size)
        for x, y, strip in pieces:
            if not 0 <= y < size.height or x >= size.width:
                continue
            row = self._rows[y]
            cells = self._cells(strip, color_system)
            if cells is None:
                writer.write_strip(x, y, strip, color_system)
                row[x:x + strip.cell_length] = [UNKNOWN] * min(strip.cell_length,
                                                              size.width - x)
                continue
            del cells[size.width - x:]
            old = row[x:x + len(cells)]
            if old == cells:
                continue
            for start, end in _changed_runs(old, cells):
                writer.write_cells(x + start, y, cells[start:end])
            row[x:x + len(cells)] = cells
        return writer.finish()


def _changed_runs(old: list[object], new: list[Cell]) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the runs of ``new`` that differ from ``old``, runs closer than
    ``GAP`` unchanged cells merged."""
    start = end = -1
    for index, (was, cell) in enumerate(zip(old, new, strict=True)):
        if was != cell:
            if start < 0:
                start = index
            elif index - end > GAP:
                yield start, end
                start = index
            end = index + 1
    if start >= 0:
        yield start, end


class _Writer:
    """Builds one frame's bytes, keeping track of the cursor and the pen."""

    def __init__(self, size: Size) -> None:
        self.size = size
        self.out: list[str] = []
        self.pen = DEFAULT_PEN
        self.cursor: tuple[int, int] | None = None

    def move(self, x: int, y: int) -> None:
        cursor = self.cursor
        if cursor == (x, y):
            return
        if cursor is not None and cursor[1] == y and cursor[0] < x < self.size.width:
            step = x - cursor[0]
            self.out.append("\x1b[C" if step == 1 else f"\x1b[{step}C")
        elif cursor is not None and x == 0 and y == cursor[1] + 1:
            self.out.append("\r\n")  # never on the last row (y is a row below another)
        else:
            self.out.append(f"\x1b[{y + 1};{x + 1}H")
        self.cursor = (x, y)

    def set_pen(self, pen: Pen) -> None:
        if pen != self.pen:
            self.out.append(change_pen(self.pen, pen))
            self.pen = pen

    def write_cells(self, x: int, y: int, cells: list[Cell]) -> None:
        self.move(x, y)
        for pen, run in groupby(cells, key=itemgetter(1)):
            self.set_pen(pen)
            self.out.append("".join(char for char, _ in run))
        self.cursor = (x + len(cells), y)

    def write_strip(self, x: int, y: int, strip: Strip, color_system: ColorSystem) -> None:
        """A piece the canvas does not model, written as Textual writes it (from the
        default pen); the cursor is then taken as unknown."""
        self.move(x, y)
        self.set_pen(DEFAULT_PEN)
        render = Strip.render_style
        self.out.append("".join(text if style is None else render(style, text, color_system)
                                for text, style, _control in strip._segments))
        self.cursor = None

    def finish(self) -> str:
        self.set_pen(DEFAULT_PEN)
        return "".join(self.out)


class LeanLayoutUpdate(LayoutUpdate):
    """A whole-screen update (after a layout), written through a :class:`TerminalCanvas`."""

    def __init__(self, strips: list[Iterable[Strip]], region, canvas: TerminalCanvas,
                 size: Size) -> None:
        super().__init__(strips, region)
        self.canvas, self.size = canvas, size

    def render_segments(self, console: Console) -> str:
        return self.canvas.draw(self._pieces(), console, self.size)

    def _pieces(self) -> Iterator[Piece]:
        for y, line in enumerate(self.strips, self.region.y):
            x = self.region.x
            for strip in line:
                yield x, y, strip
                x += strip.cell_length


class LeanChopsUpdate(ChopsUpdate):
    """A partial update (the regions that changed), written through a
    :class:`TerminalCanvas`. The pieces and their cropping are
    ``ChopsUpdate.render_segments``'s, line by line."""

    def __init__(self, chops, spans, chop_ends, canvas: TerminalCanvas, size: Size) -> None:
        super().__init__(chops, spans, chop_ends)
        self.canvas, self.size = canvas, size

    def render_segments(self, console: Console) -> str:
        return self.canvas.draw(self._pieces(), console, self.size)

    def _pieces(self) -> Iterator[Piece]:
        for y, x1, x2 in self.spans:
            line = self.chops[y]
            for end, (x, strip) in zip(self.chop_ends[y], line.items(), strict=False):
                if strip is None or x > x2 or end <= x1:
                    continue
                if x2 > x >= x1 and end <= x2:
                    yield x, y, strip
                else:
                    yield x, y, strip.crop(0, min(end, x2) - x)


class LeanCompositor(Compositor):
    """Textual's compositor, whose frames for the terminal are written by a canvas."""

    def __init__(self) -> None:
        super().__init__()
        self.canvas = TerminalCanvas()

    def render_update(self, full: bool = False, screen_stack: list | None = None,
                      simplify: bool = False):  # noqa: ANN201  (Textual's signature)
        update = super().render_update(full, screen_stack, simplify)
        if simplify:
            return update  # a screen shot: left exactly as Textual makes it
        if isinstance(update, LayoutUpdate):
            return LeanLayoutUpdate(update.strips, update.region, self.canvas, self.size)
        if isinstance(update, ChopsUpdate):
            return LeanChopsUpdate(update.chops, update.spans, update.chop_ends, self.canvas,
                                   self.size)
        return update
