"""A tiny terminal for tests: what the cells show after some bytes, written independently of
Textual and Rich (it knows cursor moves, SGR styles, OSC 8 links, CR and LF)."""

from __future__ import annotations

import re
import unicodedata

TOKEN = re.compile(r"\x1b\[(\d+);(\d+)H|\x1b\[([0-9;]*)m|\x1b\[(\d*)C|\x1b\]8;[^\x1b]*\x1b\\"
                   r"|(\n)|(\r)|(.)", re.DOTALL)

#: SGR attribute codes (bold, dim, italic, underline, ...), each on until a reset.
ATTRIBUTES = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "21", "51", "52", "53"}


def width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


class TerminalScreen:
    """A grid of (character, pen) cells; the pen is (attributes, foreground, background)."""

    def __init__(self, columns: int, rows: int) -> None:
        self.columns, self.rows = columns, rows
        blank = (" ", (frozenset(), "", ""))
        self.cells = [[blank] * columns for _ in range(rows)]
        self.x = self.y = 0
        self.attributes: set[str] = set()
        self.fg = self.bg = ""

    def feed(self, data: str) -> None:
        for match in TOKEN.finditer(data):
            row, column, sgr, forward, line_feed, carriage_return, char = match.groups()
            if row is not None:
                self.y, self.x = int(row) - 1, int(column) - 1
            elif forward is not None:
                self.x = min(self.x + int(forward or 1), self.columns - 1)
            elif carriage_return:
                self.x = 0
            elif sgr is not None:
                self._sgr(sgr.split(";") if sgr else ["0"])
            elif line_feed:
                self.y = min(self.y + 1, self.rows - 1)
            elif char is not None:
                if self.x < self.columns:
                    pen = (frozenset(self.attributes), self.fg, self.bg)
                    self.cells[self.y][self.x] = (char, pen)
                self.x += width(char)

    def _sgr(self, codes: list[str]) -> None:
        i = 0
        while i < len(codes):
            code = codes[i]
            if code in ("38", "48"):
                length = 3 if codes[i + 1] == "5" else 5
                colour = ";".join(codes[i:i + length])
                if code == "38":
                    self.fg = colour
                else:
                    self.bg = colour
                i += length
                continue
            if code in ("0", ""):
                self.attributes.clear()
                self.fg = self.bg = ""
            elif code in ATTRIBUTES:
                self.attributes.add(code)
            elif code == "39":
                self.fg = ""
            elif code == "49":
                self.bg = ""
            elif 30 <= int(code) <= 37 or 90 <= int(code) <= 97:
                self.fg = code
            elif 40 <= int(code) <= 47 or 100 <= int(code) <= 107:
                self.bg = code
            else:
                raise AssertionError(f"SGR code {code} not known to this test terminal")
            i += 1

    @property
    def pen(self) -> tuple[frozenset[str], str, str]:
        return frozenset(self.attributes), self.fg, self.bg


def use_256_colours(monkeypatch) -> None:
    """A 256-colour terminal, as ``ssh -t`` gives one (COLORTERM is not passed on).

    The tests that render frames the stock way all use it: Rich and Textual keep a style's
    codes once made, for the first colour system they were made for."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


class FrameRecorder:
    """Counts the bytes of every frame the app writes, and checks each one.

    Headless apps (``run_test``) write nothing; this stands in for the terminal: each frame
    the app would write is rendered as the app renders it (``render_segments``) and counted,
    and also rendered the stock Textual way; both go through a :class:`TerminalScreen`,
    whose cells must agree after every frame. Patches ``App._display``, private to Textual
    (written against textual==8.2.8, the test extra's pin).
    """

    def __init__(self, monkeypatch, app_class, size: tuple[int, int]) -> None:
        self.bytes = 0
        self.frames = 0
        self.stock_bytes = 0
        self.lean, self.stock = TerminalScreen(*size), TerminalScreen(*size)
        recorder = self

        def display(app, screen, update) -> None:
            recorder.record(app, update)

        monkeypatch.setattr(app_class, "_display", display)

    def record(self, app, update) -> None:
        if update is None or app._batch_count:
            return
        written = update.render_segments(app.console)
        # the stock rendering of the same update: every cell it covers, written in full
        # (screens other than the main one, e.g. help, use Textual's own updates)
        lean = type(update).__name__.startswith("Lean")
        stock = super(type(update), update).render_segments(app.console) if lean else written
        self.lean.feed(written)
        self.stock.feed(stock)
        self.frames += 1
        self.bytes += len(written.encode())
        self.stock_bytes += len(stock.encode())
        assert self.lean.cells == self.stock.cells, f"frame {self.frames} differs"
