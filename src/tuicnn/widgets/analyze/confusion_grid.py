"""ConfusionGrid: a 10x10 confusion matrix as numbers, with a cell cursor.

It reads without colour: counts are digits (``·`` for 0), the cursor is marked by ``▼`` over
its column, ``▶`` beside its row and reverse video; a background tint on the mistakes (red)
or, for a difference, on fixes (green) and additions (red) is only an extra. The last column
is each true class's accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

CELL = 4
"""Characters per count: three digits and a space."""

ZERO = "·"


def cell_text(value: int, signed: bool) -> str:
    """A count as the grid prints it: ``·`` for 0, a sign for a difference."""
    if value == 0:
        return ZERO
    return f"{value:+d}".replace("-", "−") if signed else str(value)


def tint(value: int, largest: int, good: bool) -> Style:
    """A dark red (or green) background whose strength grows with ``value / largest``."""
    strength = 0.25 + 0.75 * min(abs(value) / max(largest, 1), 1.0)
    level = int(40 + 110 * strength)
    rgb = f"rgb(0,{level},0)" if good else f"rgb({level},0,0)"
    return Style(bgcolor=rgb, color="white")


class ConfusionGrid(Widget, can_focus=True):
    """A focusable grid of ``matrix[true][pred]``; arrows move the cursor, Enter chooses.

    Attributes:
        matrix: ``(10, 10)`` ints shown, or None before the first evaluation.
        cursor: ``(true, pred)`` of the cursor cell.
    """

    DEFAULT_CSS = """
    ConfusionGrid {
        width: auto;
        height: auto;
    }
    """

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Cell up", show=False),
        Binding("down", "move(1, 0)", "Cell down", show=False),
        Binding("left", "move(0, -1)", "Cell left", show=False),
        Binding("right", "move(0, 1)", "Cell right", show=False),
        Binding("enter", "choose", "List these digits"),
    ]

    @dataclass(eq=False)
    class CellChosen(Message):
        """Enter on cell ``(true, pred)``."""

        true: int
        pred: int

    @dataclass(eq=False)
    class CursorMoved(Message):
        """The cursor is now on ``(true, pred)``."""

        true: int
        pred: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.matrix: np.ndarray | None = None
        self.signed = False
        self.accuracy: np.ndarray | None = None
        self.cursor = (0, 0)

    def show(self, matrix: np.ndarray, accuracy: np.ndarray | None, signed: bool) -> None:
        """Show ``matrix`` (a difference when ``signed``), with per-class ``accuracy`` (or its
        change, for a difference)."""
        self.matrix, self.accuracy, self.signed = np.asarray(matrix), accuracy, signed
        self.refresh(layout=True)

    def action_move(self, rows: int, cols: int) -> None:
        size = 10 if self.matrix is None else self.matrix.shape[0]
        self.cursor = ((self.cursor[0] + rows) % size, (self.cursor[1] + cols) % size)
        self.post_message(self.CursorMoved(*self.cursor))
        self.refresh()

    def action_choose(self) -> None:
        if self.matrix is not None:
            self.post_message(self.CellChosen(*self.cursor))

    def lines(self) -> list[str]:
        """The grid as plain text (what :meth:`render` shows, without styles)."""
        return self.render().plain.splitlines()

    def render(self) -> Text:
        if self.matrix is None:
            return Text("Evaluating both nets on the test set…")
        matrix, size = self.matrix, self.matrix.shape[0]
        true, pred = self.cursor
        text = Text(no_wrap=True)
        text.append("·=0 " + "".join(("▼" if c == pred else " ").rjust(CELL) for c in range(size)))
        text.append("\ntrue" + "".join(f"{c:>{CELL}}" for c in range(size)), style="bold")
        text.append("   acc" if not self.signed else "  Δacc", style="bold")
        off = matrix - np.diag(np.diag(matrix))
        largest = int(np.abs(off).max()) if off.size else 0
        for t in range(size):
            text.append(f"\n{'▶' if t == true else ' '}{t:>2} ", style="bold")
            for p in range(size):
                value = int(matrix[t, p])
                style = Style()
                if t != p and value:
                    style = tint(value, largest, good=self.signed and value < 0)
                if (t, p) == (true, pred):
                    style += Style(reverse=True, bold=True)
                text.append(" " + cell_text(value, self.signed).rjust(CELL - 1), style)
            text.append(self._accuracy_text(t))
        return text

    def _accuracy_text(self, row: int) -> str:
        if self.accuracy is None or np.isnan(self.accuracy[row]):
            return "     -"
        value = 100 * self.accuracy[row]
        return f"{value:+5.0f}" if self.signed else f"{value:5.0f}%"
