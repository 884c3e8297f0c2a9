"""An epoch-by-epoch table of one model's training, in the CLI's number formats."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from .. import training_run
from ..nn import EpochEnd

COLUMNS = ("epoch", "train loss", "train acc", "test loss", "test acc", "time")


def row_cells(event: EpochEnd) -> tuple[str, ...]:
    """One epoch as the table shows it: the same formats as ``tuicnn train``'s table."""
    return (
        f"{event.epoch}/{event.epochs}", f"{event.train_loss:.4f}", f"{event.train_acc:.1%}",
        f"{event.test_loss:.4f}", f"{event.test_acc:.1%}",
        training_run.format_seconds(event.seconds),
    )


class HistoryTable(DataTable):
    """One row per finished epoch; the border says which model and how the run went.

    A table rather than a log so the numbers line up for comparison with the other model's
    table beside it, and so the keyboard can scroll a 20-epoch history in a small terminal.

    Args:
        title: the model's name and size, shown on the border.
    """

    DEFAULT_CSS = """
    HistoryTable {
        height: auto;
        max-height: 24;
        border: round $foreground 30%;
        &:focus { border: round $primary; }
    }
    """

    def __init__(self, title: str, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(cursor_type="none", id=id, classes=classes)
        self.border_title = title

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(Text(name, justify="right"), key=name)

    def start(self, title: str, epochs: int) -> None:
        """Empty the table for a new run of ``epochs`` epochs of the model ``title``.

        The table takes its full height (a row per epoch to come, up to ``max-height``)
        straight away. Growing by a row per epoch re-laid-out the whole screen each time,
        and the page below the table jumped while the user was reading it.
        """
        self.clear()
        self.border_title = title
        self.border_subtitle = ""
        self.styles.height = epochs + self.header_height + self.styles.gutter.height

    def add_epoch(self, event: EpochEnd) -> None:
        """Append the row of an epoch that just finished."""
        self.add_row(*(Text(cell, justify="right") for cell in row_cells(event)))
        self.scroll_end(animate=False)

    def rows_text(self) -> list[tuple[str, ...]]:
        """The cells as plain strings, top to bottom (what a reader or a test sees)."""
        return [tuple(str(c) for c in self.get_row_at(i)) for i in range(self.row_count)]
