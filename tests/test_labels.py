"""Labels that agree with what they count (issue 20): the export message, a model's time,
the quick-pick highlight, the untrained Explore header."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Static

from tuicnn.app import TuicnnApp
from tuicnn.data.dataset import bundled_split
from tuicnn.lessons import training_run
from tuicnn.lessons.training_run import ModelRun
from tuicnn.nn.events import EpochEnd
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.session.workspace import ModelRecord
from tuicnn.tabs.explore_tab import ExploreTab


def epochs(kind: str, count: int, seconds: float = 0.5) -> list[EpochEnd]:
    return [EpochEnd(kind, epoch=e, epochs=count, train_loss=0.5, train_acc=0.8,
                     test_loss=0.6, test_acc=0.75, seconds=seconds) for e in range(1, count + 1)]


@pytest.fixture(scope="module")
def split():
    return bundled_split(train_size=100, test_size=100)


async def settle(pilot, steps: int = 30) -> None:
    for _ in range(steps):
        await pilot.pause()


async def test_the_export_message_counts_rows_and_says_what_they_are(split, tmp_path,
                                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = TuicnnApp(split)
    notes: list[str] = []
    app.notify = lambda message, **_: notes.append(str(message))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.workspace.fc = ModelRecord(build_fc(16), history=epochs("fc", 5))
        app.workspace.cnn = ModelRecord(build_cnn(4), history=epochs("cnn", 5))
        await pilot.press("ctrl+e")
        await settle(pilot, 5)
        await pilot.press("enter")
        await settle(pilot, 5)
    lines = (tmp_path / "tuicnn-history.csv").read_text().splitlines()
    assert len(lines) == 1 + 10
    assert notes[-1] == "Wrote 10 rows (5 epochs × 2 models) of history to tuicnn-history.csv."


def test_the_export_message_with_uneven_or_single_histories():
    from tuicnn.app import exported_text

    fc = ModelRecord(build_fc(16), history=epochs("fc", 5))
    cnn = ModelRecord(build_cnn(4), history=epochs("cnn", 3))
    none = ModelRecord(build_cnn(4))
    assert exported_text(8, [("FC", fc), ("CNN", cnn)], "h.csv") == (
        "Wrote 8 rows (FC 5 epochs, CNN 3 epochs) of history to h.csv.")
    assert exported_text(5, [("FC", fc), ("CNN", none)], "h.json") == (
        "Wrote 5 rows (5 epochs of the FC) of history to h.json.")


def test_a_finished_model_shows_the_time_its_summary_and_epoch_table_add_up_to():
    """The progress line once read the wall clock since the run started (0.35 s) while the
    summary read the engine's epoch times (0.28 s): now both are the engine's figure."""
    run = ModelRun("fc", n_params=100, epochs=2, batches=4, started=10.0)
    for event in epochs("fc", 2, seconds=0.14):
        run.apply(event, now=10.35)
    assert run.finished and run.elapsed(10.35) == pytest.approx(0.35)
    figure = training_run.format_seconds(run.seconds)
    assert figure == "0.28s"
    assert run.times(10.35) == f"trained {figure}"


async def test_explore_untrained_says_how_to_train_and_a_drawing_unmarks_the_quick_pick(split):
    app = TuicnnApp(split)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        tab = app.screen.query_one(ExploreTab)
        header = str(tab.query_one("#explore-network", Static).render())
        assert "untrained" in header and "Train tab (F2)" in header
        six = tab.query_one("#digit-6", Button)
        assert six.has_class("-active")
        tab.show_drawing(split.x_test[0, :, :, 0], "your drawing")
        await pilot.pause()
        assert [b.id for b in tab.query(".explore--digit") if b.has_class("-active")] == []
        await pilot.press("6")
        await pilot.pause()
        assert six.has_class("-active")
