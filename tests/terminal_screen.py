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
