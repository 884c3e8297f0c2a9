"""An epoch-by-epoch table of one model's training, in the CLI's number formats."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from tuicnn.lessons import training_run
from tuicnn.nn.events import EpochEnd

COLUMNS = ("epoch", "train loss", "train acc", "test loss", "test acc", "time")
GAP = "  "


def row_cells(event: EpochEnd) -> tuple[str, ...]:
    """One epoch as the table shows it: the same formats as ``tuicnn train``'s table."""
    return (
        f"{event.epoch}/{event.epochs}", f"{event.train_loss:.4f}", f"{event.train_acc:.1%}",
        f"{event.test_loss:.4f}", f"{event.test_acc:.1%}",
        training_run.format_seconds(event.seconds),
    )


class HistoryTable(Widget):
    """One row per finished epoch; the border says which model and how the run went.

    A table so the numbers line up for comparison with the other model's table beside it.
    It draws itself as text rather than being a ``DataTable``: a run has at most 20 epochs,
    which always fit (see ``start``), so there is nothing to scroll or select, and a
    ``DataTable`` cost a focus stop and ~20 ms of every start-up.

    Args:
        title: the model's name and size, shown on the border.
    """

    COMPONENT_CLASSES = {"history-table--header"}

    DEFAULT_CSS = """
    HistoryTable {
        height: auto;
        max-height: 24;
        border: round $foreground 30%;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;  /* a narrow terminal: the cut column is marked with … */
        & > .history-table--header { text-style: bold; }
    }
    """

    def __init__(self, title: str, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = title
        self._rows: list[tuple[str, ...]] = []

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def start(self, title: str, epochs: int) -> None:
        """Empty the table for a new run of ``epochs`` epochs of the model ``title``.

        The table takes its full height (a row per epoch to come, up to ``max-height``)
        straight away. Growing by a row per epoch re-laid-out the whole screen each time,
        and the page below the table jumped while the user was reading it.
        """
        self._rows = []
        self.border_title = title
        self.border_subtitle = ""
        self.styles.height = epochs + 1 + self.styles.gutter.height
        self.refresh()

    def add_epoch(self, event: EpochEnd) -> None:
        """Append the row of an epoch that just finished (a repaint: the height is set)."""
        self._rows.append(row_cells(event))
        self.refresh()

    def rows_text(self) -> list[tuple[str, ...]]:
        """The cells as plain strings, top to bottom (what a reader or a test sees)."""
        return list(self._rows)

    def render(self) -> Text:
        columns = zip(COLUMNS, *self._rows, strict=True)
        widths = [max(len(cell) for cell in column) for column in columns]

        def line(cells: tuple[str, ...]) -> str:
            return GAP.join(cell.rjust(width) for cell, width in zip(cells, widths, strict=True))

        text = Text(no_wrap=True, overflow="crop", end="")
        text.append(line(COLUMNS), self.get_component_rich_style("history-table--header"))
        for row in self._rows:
            text.append("\n" + line(row))
        return text
