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
  up to ``GAP`` unchanged cells between two changes are rewritten rather than moved over;
- the style is reset at the end of the frame, so the next frame starts from the terminal's
  default as Textual's own frames do.

Cells the canvas cannot vouch for are always written: before the first frame, after the
size changes, after another screen drew over this one or the app was suspended
(:meth:`TerminalCanvas.forget`), and for pieces it does not model (double-width or
zero-width characters, hyperlinks), which are written as Textual writes them. The screen
shot path (``simplify=True``, SVG export) is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

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

#: Pen codes: one character per cell naming its pen. A cell the canvas does not know has
#: the code UNKNOWN, which names no pen, so the cell always differs and is written.
UNKNOWN = "\x00"
DEFAULT_CODE = "\x01"
FIRST_CODE = 0x100

#: A piece of a line to write: (column, row, strip).
Piece = tuple[int, int, Strip]

#: Unchanged cells between two changed ones are rewritten (rather than moved over) when
#: there are at most this many: a move costs 4-8 bytes, a cell usually 1-3.
GAP = 4

#: Pieces longer than this are trimmed of their unchanged ends before a cell-by-cell look.
LONG_PIECE = 48

#: Styles remembered (with their pen codes) before the memory is cleared: Textual makes a
#: style per widget and action for its mouse handling, so their number is not bounded.
STYLE_MEMORY = 4096

#: Pens (distinct colour and attribute sets) given codes before the codes start afresh: a
#: screen shows a few hundred; the bound (plus one frame's cells) keeps codes clear of the
#: surrogate code points.
PEN_MEMORY = 40_000


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

    Each row is kept as two strings of one character per cell: the characters, and a code
    per cell naming its pen (``UNKNOWN`` where the canvas cannot vouch for the cell), so a
    piece of a line is compared and stored with string operations, not cell by cell.

    ``draw`` is called once per frame actually written to the terminal (Textual calls
    ``render_segments`` only then), so the canvas never counts a frame that was dropped.
    """

    def __init__(self) -> None:
        self.size = Size(0, 0)
        self._chars: list[str] = []
        self._codes: list[str] = []
        self._style_codes: dict[Style, str] = {}
        self._pen_codes: dict[Pen, str] = {DEFAULT_PEN: DEFAULT_CODE}
        self._pens: dict[str, Pen] = {DEFAULT_CODE: DEFAULT_PEN}
        self._transitions: dict[str, str] = {}
        """SGR sequences from pen to pen, by the two pens' codes."""
        self._last: dict[int, tuple[Strip, tuple[str, str] | None]] = {}
        """The last frame's strips (by id, kept alive) and their encoding: widgets hand
        Textual the same strip objects while they do not change, so most are encoded once."""

    def forget(self) -> None:
        """Something else drew on the terminal: write every cell of the next frames."""
        self._chars, self._codes = [], []

    def _code(self, style: Style, color_system: ColorSystem) -> str:
        """The one-character code of ``style``'s pen (made on first sight)."""
        if len(self._style_codes) >= STYLE_MEMORY:
            self._style_codes.clear()
        attributes = style._attributes & style._set_attributes
        color, bgcolor = style._color, style._bgcolor
        pen = (
            frozenset(SGR_STYLES[bit] for bit in range(attributes.bit_length())
                      if attributes & (1 << bit)),
            ";".join(color.downgrade(color_system).get_ansi_codes()) if color else None,
            ";".join(bgcolor.downgrade(color_system).get_ansi_codes(False)) if bgcolor else None,
        )
        code = self._pen_codes.get(pen)
        if code is None:
            code = self._pen_codes[pen] = chr(FIRST_CODE + len(self._pen_codes))
            self._pens[code] = pen
        self._style_codes[style] = code
        return code

    def _encode(self, strip: Strip, color_system: ColorSystem) -> tuple[str, str] | None:
        """``(characters, pen codes)``, one of each per cell, or None if the strip has text
        this canvas does not model (a character not one cell wide, a hyperlink, control
        codes)."""
        texts: list[str] = []
        codes: list[str] = []
        known = self._style_codes.get
        for text, style, control in strip._segments:
            if not text:
                continue
            if control or (style is not None and style._link) or (
                    not text.isascii() and cell_len(text) != len(text)):
                return None
            code = DEFAULT_CODE if style is None else (
                known(style) or self._code(style, color_system))
            texts.append(text)
            codes.append(code * len(text))
        return "".join(texts), "".join(codes)

    def draw(self, pieces: Iterable[Piece], console: Console, size: Size) -> str:
        """Terminal bytes that make the screen show ``pieces`` (drawn in order)."""
        color_system = console._color_system or ColorSystem.TRUECOLOR
        width = size.width
        if len(self._pen_codes) >= PEN_MEMORY:  # start afresh: codes name pens in the rows
            self.forget()
            self._style_codes.clear()
            self._pen_codes = {DEFAULT_PEN: DEFAULT_CODE}
            self._pens = {DEFAULT_CODE: DEFAULT_PEN}
            self._transitions.clear()
            self._last = {}
        if size != self.size or not self._chars:
            self.size = size
            self._chars = [UNKNOWN * width] * size.height
            self._codes = [UNKNOWN * width] * size.height
        rows_chars, rows_codes = self._chars, self._codes
        writer = _Writer(size, self._pens, self._transitions)
        last, these = self._last, {}
        for x, y, strip in pieces:
            if not 0 <= y < size.height or x >= width:
                continue
            known = last.get(id(strip))
            encoded = known[1] if known is not None and known[0] is strip else self._encode(
                strip, color_system)
            these[id(strip)] = (strip, encoded)
            row_chars, row_codes = rows_chars[y], rows_codes[y]
            if encoded is None:
                writer.write_strip(x, y, strip, color_system)
                n = min(strip.cell_length, width - x)
                rows_chars[y] = row_chars[:x] + UNKNOWN * n + row_chars[x + n:]
                rows_codes[y] = row_codes[:x] + UNKNOWN * n + row_codes[x + n:]
                continue
            chars, codes = encoded
            n = len(chars)
            if n > width - x:
                n = width - x
                chars, codes = chars[:n], codes[:n]
            old_chars, old_codes = row_chars[x:x + n], row_codes[x:x + n]
            if old_codes == codes and old_chars == chars:
                continue
            for start, end in _changed_runs(old_chars, old_codes, chars, codes):
                writer.write(x + start, y, chars[start:end], codes[start:end])
            rows_chars[y] = row_chars[:x] + chars + row_chars[x + n:]
            rows_codes[y] = row_codes[:x] + codes + row_codes[x + n:]
        self._last = these
        return writer.finish()


def _changed_runs(old_chars: str, old_codes: str, chars: str, codes: str
                  ) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the runs of cells that differ (the strings are not equal), runs
    closer than ``GAP`` unchanged cells merged."""
    n = len(chars)
    if old_codes == UNKNOWN * n:
        yield 0, n
        return
    first, last = 0, n
    if n > LONG_PIECE:
        first = _common_prefix(old_chars, chars, old_codes, codes)
        last = n - _common_prefix(old_chars[::-1], chars[::-1], old_codes[::-1], codes[::-1])
    changed = [index for index in range(first, last)
               if codes[index] != old_codes[index] or chars[index] != old_chars[index]]
    start = end = changed[0]
    for index in changed:
        if index - end > GAP:
            yield start, end + 1
            start = index
        end = index
    yield start, end + 1


def _common_prefix(a_chars: str, b_chars: str, a_codes: str, b_codes: str) -> int:
    """How many leading cells two pieces share, found by halving (string comparisons are
    fast; a loop over cells is not)."""
    low, high = 0, len(b_chars)
    while low < high:
        middle = (low + high + 1) // 2
        if a_chars[:middle] == b_chars[:middle] and a_codes[:middle] == b_codes[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


#: Runs of one pen code in a row's codes.
SAME_CODE = re.compile(r"(.)\1*", re.DOTALL)


class _Writer:
    """Builds one frame's bytes, keeping track of the cursor and the pen."""

    def __init__(self, size: Size, pens: dict[str, Pen], transitions: dict[str, str]) -> None:
        self.size = size
        self.pens = pens
        self.transitions = transitions
        self.out: list[str] = []
        self.code = DEFAULT_CODE
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

    def set_pen(self, code: str) -> None:
        """Switch to the pen of ``code``."""
        if code != self.code:
            key = self.code + code
            transition = self.transitions.get(key)
            if transition is None:
                transition = self.transitions[key] = change_pen(self.pens[self.code],
                                                                self.pens[code])
            self.out.append(transition)
            self.code = code

    def write(self, x: int, y: int, chars: str, codes: str) -> None:
        """Cells ``x``… of row ``y``: their characters and pen codes."""
        self.move(x, y)
        append, set_pen = self.out.append, self.set_pen
        for run in SAME_CODE.finditer(codes):
            set_pen(run.group(1))
            append(chars[run.start():run.end()])
        self.cursor = (x + len(chars), y)

    def write_strip(self, x: int, y: int, strip: Strip, color_system: ColorSystem) -> None:
        """A piece the canvas does not model, written as Textual writes it (from the
        default pen); the cursor is then taken as unknown."""
        self.move(x, y)
        self.set_pen(DEFAULT_CODE)
        render = Strip.render_style
        self.out.append("".join(text if style is None else render(style, text, color_system)
                                for text, style, _control in strip._segments))
        self.cursor = None

    def finish(self) -> str:
        self.set_pen(DEFAULT_CODE)
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
