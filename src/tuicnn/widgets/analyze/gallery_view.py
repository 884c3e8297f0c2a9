"""GalleryView: the test digits behind a confusion-matrix cell, worst first, and the
highlighted one as a heatmap with both nets' verdicts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from tuicnn.lessons.confusion import Evaluation
from tuicnn.widgets.heatmap import Heatmap

SHOWN = 200
"""Rows listed at most (the worst ones); the caption gives the full count."""


@dataclass(frozen=True)
class GalleryRows:
    """What the gallery lists: test-set ``indices`` (worst first) and what to say about them."""

    indices: np.ndarray
    title: str
    sort_kind: str
    """Whose loss sorts the list: ``"fc"``, ``"cnn"`` or ``"diff"`` (the larger of the two)."""


class GalleryView(Horizontal):
    """A table of digits (index, true class, each net's answer and confidence, loss) and the
    highlighted digit drawn as a heatmap. Enter posts :class:`Open`."""

    DEFAULT_CSS = """
    GalleryView { height: 1fr; }
    GalleryView > Vertical { width: 1fr; height: 1fr; }
    GalleryView #gallery-title { height: auto; }
    GalleryView DataTable { height: 1fr; }
    GalleryView #gallery-side { width: 30; height: auto; padding-left: 1; }
    GalleryView #gallery-verdict { height: auto; }
    """

    @dataclass(eq=False)
    class Open(Message):
        """Enter on the row of test digit ``index``."""

        index: int

    @dataclass(eq=False)
    class Highlighted(Message):
        """The cursor is on test digit ``index``."""

        index: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.indices: np.ndarray = np.zeros(0, dtype=np.int64)
        self._shown_data: tuple[np.ndarray, np.ndarray, tuple[str, ...],
                             dict[str, Evaluation]] | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Choose a cell of a matrix (m) and press Enter.", id="gallery-title")
            yield DataTable(id="gallery-table", cursor_type="row", zebra_stripes=True)
        with Vertical(id="gallery-side"):
            yield Heatmap(None, legend=False, id="gallery-digit")
            yield Static(id="gallery-verdict")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key, width in (("digit", "index", 6), ("true", "true", 4),
                                  ("FC says", "fc", 8), ("CNN says", "cnn", 8),
                                  ("loss", "loss", 5)):
            table.add_column(label, key=key, width=width)

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    @property
    def highlighted(self) -> int | None:
        """Test-set index of the row under the cursor, or None for an empty list."""
        row = self.table.cursor_row
        return int(self.indices[row]) if 0 <= row < len(self.indices) else None

    def show(self, rows: GalleryRows, images: np.ndarray, labels: np.ndarray,
             names: tuple[str, ...], evaluations: dict[str, Evaluation]) -> None:
        """List ``rows.indices`` (the first :data:`SHOWN`)."""
        self.indices = rows.indices[:SHOWN]
        self._shown_data = (images, labels, names, evaluations)
        total = len(rows.indices)
        more = f", the {SHOWN} worst listed" if total > SHOWN else ""
        by = {"fc": "the FC's loss", "cnn": "the CNN's loss",
              "diff": "the larger of the two losses"}[rows.sort_kind]
        self.query_one("#gallery-title", Static).update(
            Text(f"{rows.title}: {total} digit{'s' if total != 1 else ''}{more}, worst first "
                 f"by {by}", style="bold"))
        table = self.table
        table.clear()
        fc, cnn = evaluations["fc"], evaluations["cnn"]
        for index in self.indices.tolist():
            if rows.sort_kind == "diff":
                loss = max(fc.losses[index], cnn.losses[index])
            else:
                loss = evaluations[rows.sort_kind].losses[index]
            table.add_row(f"#{index}", names[int(labels[index])], self._says(fc, index, names),
                          self._says(cnn, index, names), f"{loss:.2f}", key=str(index))
        self._show_digit()

    @staticmethod
    def _says(evaluation: Evaluation, index: int, names: tuple[str, ...]) -> str:
        pred = int(evaluation.predictions[index])
        return f"{names[pred]} {evaluation.probabilities[index, pred]:.0%}"

    def _show_digit(self) -> None:
        digit = self.query_one("#gallery-digit", Heatmap)
        verdict = self.query_one("#gallery-verdict", Static)
        index = self.highlighted
        if index is None or self._shown_data is None:
            digit.update(None, title="no digit")
            verdict.update("No test digit in this list.")
            return
        images, labels, names, evaluations = self._shown_data
        true = int(labels[index])
        digit.update(images[index][:, :, 0], title=f"test digit #{index}, true {names[true]}")
        text = Text()
        for kind in ("fc", "cnn"):
            evaluation = evaluations[kind]
            pred = int(evaluation.predictions[index])
            right = pred == true
            text.append(f"{kind.upper():<4}says {names[pred]} "
                        f"{evaluation.probabilities[index, pred]:.0%} ")
            text.append("✓\n" if right else "✗\n", style="green" if right else "red")
        text.append("Enter: open in Explore\nl: what each net looks at", style="dim")
        verdict.update(text)

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        self._show_digit()
        if self.highlighted is not None:
            self.post_message(self.Highlighted(self.highlighted))

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        if self.highlighted is not None:
            self.post_message(self.Open(self.highlighted))
