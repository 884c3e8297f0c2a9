"""Below 80 columns the Train tab's lines keep their bars and mark what they cut (issue 20)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tuicnn.lessons.training_run import ModelRun
from tuicnn.nn.events import EpochEnd
from tuicnn.widgets.train.history_table import COLUMNS, HistoryTable
from tuicnn.widgets.train.model_progress import ModelProgress


def epochs(count: int) -> list[EpochEnd]:
    return [EpochEnd("fc", epoch=e, epochs=count, train_loss=0.5, train_acc=0.8,
                     test_loss=0.6, test_acc=0.75, seconds=0.1) for e in range(1, count + 1)]


class Lines(App[None]):
    CSS = "HistoryTable { width: 50; }"  # as beside a 60-column terminal's border and padding

    def compose(self) -> ComposeResult:
        yield ModelProgress("FC")
        yield HistoryTable("FC")


def line(widget, y: int = 0) -> str:
    return "".join(segment.text for segment in widget.render_line(y)).rstrip()


async def test_at_60_columns_the_progress_bar_stays():
    app = Lines()
    async with app.run_test(size=(60, 20)) as pilot:
        run = ModelRun("fc", n_params=100, epochs=5, batches=4, started=0.0)
        for event in epochs(5)[:2]:
            run.apply(event, now=1.0)
        progress = app.query_one(ModelProgress)
        progress.show(run, now=1.0)
        await pilot.pause()
        shown = line(progress)
        assert shown.count("━") + shown.count("─") >= 10, shown
        assert "40%" in shown and "ETA" in shown


async def test_a_table_too_wide_marks_its_cut_and_never_wraps_a_row():
    app = Lines()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(HistoryTable)
        table.start("FC", 5)
        for event in epochs(5)[:2]:
            table.add_epoch(event)
        await pilot.pause()
        header, first = line(table, 0), line(table, 1)
        assert first.lstrip().startswith("1/5"), "a row wrapped onto the next line"
        assert header.endswith(("…", COLUMNS[-1])), header  # whole, or the cut is marked
        assert first.endswith(("…", "s")), first
