"""The Train tab through Pilot: settings by keyboard, a tiny real run, cancelling, errors.

Every app here trains on 100 digits and tests on 100, so a run takes a fraction of a second
and Pilot (which waits for the app to look idle) is not slowed by a busy training thread.
Tests that need a run to be *in progress* hold the training threads at a gate instead of
relying on timing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest
from textual.widgets import Input, Static

import tuicnn.nn.concurrent as concurrent
from tuicnn.app import TuicnnApp
from tuicnn.data.dataset import bundled_split
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import EpochEnd
from tuicnn.nn.model import Sequential, build_cnn, build_fc, cnn_layers, fc_layers
from tuicnn.nn.training import train
from tuicnn.screens.main import MainScreen
from tuicnn.tabs.train_tab import TrainTab
from tuicnn.widgets.stepper import Stepper
from tuicnn.widgets.train.history_table import HistoryTable, row_cells
from tuicnn.widgets.train.model_progress import ModelProgress
from tuicnn.widgets.train.run_summary import RunSummary

SIZE = (100, 30)


@pytest.fixture(scope="module")
def split():
    return bundled_split(train_size=100, test_size=100, seed=0)


def text_of(widget: Static) -> str:
    return str(widget.render())


def tab(app: TuicnnApp) -> TrainTab:
    return app.screen.query_one(TrainTab)


def stepper(app: TuicnnApp, name: str) -> Stepper:
    return app.screen.query_one(f"#set-{name}", Stepper)


async def set_by_keys(pilot, name: str, *keys: str, clear: bool = False) -> None:
    """Focus a setting's field (as Tab would) and press keys there, maybe into a blank field."""
    field = stepper(pilot.app, name).query_one(Input)
    field.focus()
    if clear:
        field.clear()
    await pilot.pause()
    await pilot.press(*keys)


async def run_to_end(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot, condition: Callable[[], bool], seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time")


def gate_train(monkeypatch, hold_before: bool = False, hold_after_epoch: bool = False) -> list:
    """Make each model's training wait for the stop event at a chosen point.

    ``hold_before``: no batch runs until cancelled (a run with zero finished epochs).
    ``hold_after_epoch``: exactly one epoch runs, then training waits to be cancelled.
    Returns the list of models ``train`` was called with (one call per model per run).
    """
    calls = []
    real_train = concurrent.train

    def gated(model, x_train, y_train, x_test, y_test, config=None, stop=None,
              watch=None) -> Iterator:
        calls.append(model)
        if hold_before:
            stop.wait(10)
        for event in real_train(model, x_train, y_train, x_test, y_test, config, stop, watch):
            yield event
            if hold_after_epoch and isinstance(event, EpochEnd):
                stop.wait(10)

    monkeypatch.setattr(concurrent, "train", gated)
    # The gate is set in this process: train in its threads, not in a child process.
    monkeypatch.setattr(TrainTab, "trainer", "thread")
    return calls


# -- settings -------------------------------------------------------------------------------


async def test_parameter_counts_follow_the_keys(split):
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        await set_by_keys(pilot, "hidden", "right", "right", "plus")  # 128 -> 320
        await set_by_keys(pilot, "filters", "left", "minus", "minus")  # 8 -> 4 (clamped)
        assert tab(app).settings.hidden == 320
        assert tab(app).settings.filters == 4
        fc = Sequential(fc_layers(320)).n_params
        cnn = Sequential(cnn_layers(4)).n_params
        shown = text_of(app.screen.query_one("#train-params", Static))
        assert f"FC {fc:,}" in shown and f"CNN {cnn:,}" in shown
        assert f"{cnn / fc:.2f}×" in shown
        assert stepper(app, "hidden").query_one(Input).value == "320"


async def test_the_mouse_steps_a_setting_with_its_minus_and_plus(split):
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        plus, minus = Stepper.UP_X + 1, Stepper.DOWN_X + 1  # the glyphs, mid-button
        await pilot.click("#set-hidden", offset=(plus, 0))
        await pilot.click("#set-hidden", offset=(plus, 0))  # quick clicks each count
        await pilot.click("#set-epochs", offset=(minus, 0))
        await pilot.pause()
        assert tab(app).settings.hidden == 256 and tab(app).settings.epochs == 4
        assert stepper(app, "hidden").query_one(Input).value == "256"
        fc = Sequential(fc_layers(256)).n_params
        assert f"FC {fc:,}" in text_of(app.screen.query_one("#train-params", Static))


async def test_every_setting_is_reachable_with_tab(split):
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        def focused_setting() -> str | None:
            focused = app.screen.focused
            return focused.parent.name if isinstance(focused, Input) else None

        assert focused_setting() == "hidden"  # focus starts on the first setting
        seen = []
        for _ in range(3):
            await pilot.press("tab")
            seen.append(focused_setting())
        assert seen == ["filters", "epochs", "batch_size"]
        # The advanced settings are folded away: Tab reaches the fold, Enter opens it.
        await pilot.press("tab", "enter", "tab")
        assert focused_setting() == "lr"
        await pilot.press("tab", "tab", "right")
        assert focused_setting() == "train_size"
        assert tab(app).settings.train_size == 200


async def test_invalid_input_keeps_the_last_valid_value(split):
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        hidden = stepper(app, "hidden")
        await set_by_keys(pilot, "hidden", "x", "y", clear=True)
        assert tab(app).settings.hidden == 128
        assert "not a number" in hidden.message_text and "128 kept" in hidden.message_text
        assert hidden.has_class("-invalid")
        await pilot.press("tab")  # leaving the field puts the valid value back
        assert hidden.query_one(Input).value == "128"
        assert "not a number" in hidden.message_text  # still says why, muted
        assert not hidden.has_class("-invalid")

        await set_by_keys(pilot, "hidden", "9", "9", "9", clear=True)
        assert tab(app).settings.hidden == 128
        assert "64–512" in hidden.message_text

        await set_by_keys(pilot, "hidden", "1", "0", "0", clear=True)
        assert "steps of 64" in hidden.message_text
        assert tab(app).settings.hidden == 128

        await set_by_keys(pilot, "hidden", "2", "5", "6", clear=True)
        assert tab(app).settings.hidden == 256
        assert hidden.message_text == ""

        batch = stepper(app, "batch_size")
        await set_by_keys(pilot, "batch_size", "5", "0", clear=True)
        assert "32, 64 or 128" in batch.message_text
        assert tab(app).settings.batch_size == 64


async def test_app_shortcuts_still_work_from_a_field(split):
    """A focused number field types digits, but ? and q keep their meaning."""
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        field = app.screen.focused
        assert isinstance(field, Input)
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        assert field.value == "128"


# -- training -------------------------------------------------------------------------------


async def test_tiny_run_matches_the_engine_and_replaces_the_models(split, monkeypatch):
    forwarded = []
    original = MainScreen.on_models_changed

    def spy(self, message):
        forwarded.append(message)
        original(self, message)

    monkeypatch.setattr(MainScreen, "on_models_changed", spy)
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        old_cnn = app.workspace.cnn.model
        await set_by_keys(pilot, "epochs", "left", "left", "left")  # 5 -> 2
        await pilot.press("t")
        await run_to_end(pilot)

        config = TrainConfig(epochs=2, batch_size=64, lr=1e-3, seed=0)
        for kind, build in (("fc", lambda: build_fc(128, seed=0)),
                            ("cnn", lambda: build_cnn(8, seed=0))):
            reference_model = build()
            reference = [e for e in train(reference_model, split.x_train, split.y_train,
                                          split.x_test, split.y_test, config)
                         if isinstance(e, EpochEnd)]
            table = app.screen.query_one(f"#{kind}-table", HistoryTable)
            assert [r[:5] for r in table.rows_text()] == [row_cells(e)[:5] for e in reference]
            record = getattr(app.workspace, kind)
            assert [e.test_acc for e in record.history] == [e.test_acc for e in reference]
            assert record.config == config and not record.cancelled
            for (_, trained, _), (_, expected, _) in zip(record.model.parameters(),
                                                         reference_model.parameters(),
                                                         strict=True):
                # Same maths; BLAS may sum in another order with another thread count.
                np.testing.assert_allclose(trained, expected, rtol=1e-4, atol=1e-6)
            if kind == "fc":
                fc_acc = reference[-1].test_acc
            else:
                cnn_acc = reference[-1].test_acc

        assert app.workspace.cnn.model is not old_cnn
        assert forwarded, "ModelsChanged did not reach the main screen"
        summary = text_of(app.screen.query_one(RunSummary))
        assert summary.startswith("Done")
        assert f"FC {fc_acc:.1%}" in summary and f"CNN {cnn_acc:.1%}" in summary
        assert f"CNN {100 * (cnn_acc - fc_acc):+.1f} points" in summary
        progress = app.screen.query_one("#cnn-progress", ModelProgress)
        assert "done: 2/2 epochs" in progress.status_text
        assert "done: 2/2 epochs" in str(progress.render()) and "100%" in str(progress.render())
        assert not tab(app).training


async def test_cancel_before_any_epoch_keeps_the_previous_models(split, monkeypatch):
    gate_train(monkeypatch, hold_before=True)
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        before = (app.workspace.fc, app.workspace.cnn)
        await pilot.press("t")
        assert tab(app).training
        await pilot.press("c")
        await run_to_end(pilot)
        assert (app.workspace.fc, app.workspace.cnn) == before
        assert app.workspace.cnn.model is before[1].model
        summary = text_of(app.screen.query_one(RunSummary))
        assert "Cancelled" in summary and "kept" in summary
        progress = app.screen.query_one("#fc-progress", ModelProgress)
        assert "cancelled in epoch 1/5" in progress.status_text
        assert progress.has_class("-cancelled")
        # Still responsive: settings still change, and a new run may start.
        await set_by_keys(pilot, "epochs", "right")
        assert tab(app).settings.epochs == 6


async def test_cancel_mid_run_keeps_the_partial_history(split, monkeypatch):
    gate_train(monkeypatch, hold_after_epoch=True)
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        tables = [app.screen.query_one(f"#{k}-table", HistoryTable) for k in ("fc", "cnn")]
        await wait_until(pilot, lambda: all(t.row_count == 1 for t in tables))
        await pilot.press("escape")
        await run_to_end(pilot)
        for kind, table in zip(("fc", "cnn"), tables, strict=True):
            assert table.row_count == 1
            assert table.border_subtitle == "cancelled after 1/5 epochs"
            record = getattr(app.workspace, kind)
            assert len(record.history) == 1 and record.cancelled
            assert record.status.startswith("cancelled after 1 epoch")
        assert text_of(app.screen.query_one(RunSummary)).startswith("Cancelled")


async def test_epoch_tables_take_their_height_when_the_run_starts(split, monkeypatch):
    """A row per epoch is reserved up front, so arriving rows never re-lay-out the tab."""
    gate_train(monkeypatch, hold_after_epoch=True)
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        tables = [app.screen.query_one(f"#{k}-table", HistoryTable) for k in ("fc", "cnn")]
        idle_height = tables[0].outer_size.height
        await pilot.press("t")
        await pilot.pause()
        # 5 epochs + the header row + the top and bottom border.
        assert [t.outer_size.height for t in tables] == [5 + 1 + 2] * 2
        assert idle_height < 5 + 1 + 2
        await wait_until(pilot, lambda: all(t.row_count == 1 for t in tables))
        await pilot.pause()
        assert [t.outer_size.height for t in tables] == [5 + 1 + 2] * 2
        await pilot.press("c")
        await run_to_end(pilot)


async def test_pressing_t_twice_starts_one_run(split, monkeypatch):
    calls = gate_train(monkeypatch, hold_before=True)
    app = TuicnnApp(split)
    notes = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(message))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", "t")
        assert any("Already training" in n for n in notes)
        await pilot.press("c")
        await run_to_end(pilot)
    assert len(calls) == 2  # one FC and one CNN: a single run


async def test_training_failure_is_reported_not_raised(split, monkeypatch):
    def broken(*args, **kwargs):
        raise MemoryError("out of memory")
        yield  # pragma: no cover

    monkeypatch.setattr(concurrent, "train", broken)
    monkeypatch.setattr(TrainTab, "trainer", "thread")  # broken in this process only
    app = TuicnnApp(split)
    notes = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(message))
    async with app.run_test(size=SIZE) as pilot:
        before = app.workspace.cnn
        await pilot.press("t")
        await run_to_end(pilot)
        assert app.workspace.cnn is before
        assert any("MemoryError" in n for n in notes)
        assert not tab(app).training


async def test_new_size_or_seed_draws_a_new_split(split):
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#train-advanced").collapsed = False
        await pilot.pause()
        await set_by_keys(pilot, "train_size", "right")  # 100 -> 200
        await set_by_keys(pilot, "epochs", "1", clear=True)
        assert "new split of 200" in text_of(app.screen.query_one("#train-data", Static))
        await pilot.press("t")
        await run_to_end(pilot)
        assert app.workspace.split.n_train == 200
        assert app.workspace.split.n_test == split.n_test  # the test set keeps its size
        assert "new split" not in text_of(app.screen.query_one("#train-data", Static))


async def test_palette_offers_training_and_tabs(split):
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Train both models", "Cancel training"} <= set(titles)
        assert "Show tab: Train: FC vs CNN" in titles


def test_bindings_have_descriptions():
    keys = {b.key: b.description for b in TrainTab.BINDINGS}
    assert keys["t"] == "Train both" and keys["c,escape"] == "Cancel training"


# -- IDX data -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def idx_dir(tmp_path_factory):
    """MNIST-style IDX files: 2,000 random training images (200 per class), 100 test."""
    from tuicnn.data.idx import write_idx

    directory = tmp_path_factory.mktemp("idx")
    rng = np.random.default_rng(7)
    for prefix, n in (("train", 2000), ("t10k", 100)):
        write_idx(directory / f"{prefix}-images-idx3-ubyte",
                  rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        write_idx(directory / f"{prefix}-labels-idx1-ubyte",
                  rng.permutation(np.arange(n) % 10).astype(np.uint8))
    return str(directory)


def test_idx_session_starts_like_the_cli_and_resplits_from_the_files(idx_dir):
    from tuicnn.data.dataset import idx_split
    from tuicnn.lessons.train_settings import TRAIN_SIZE, train_size_scale
    from tuicnn.session.workspace import Workspace

    workspace = Workspace.from_data(idx_dir, seed=3)
    expected = idx_split(idx_dir, 1000, 100, seed=3)  # tuicnn train's 1,000 (test: all 100)
    np.testing.assert_array_equal(workspace.split.x_train, expected.x_train)
    np.testing.assert_array_equal(workspace.split.y_test, expected.y_test)
    assert workspace.data_dir == idx_dir and workspace.max_train_size == 2000
    again = workspace.resplit(1500, seed=4)
    np.testing.assert_array_equal(again.x_train, idx_split(idx_dir, 1500, 100, seed=4).x_train)

    assert train_size_scale(4000) == TRAIN_SIZE
    assert train_size_scale(60000).hint == "100–60,000, steps of 100"
    assert train_size_scale(650).high == 600 and train_size_scale(40).parse("40") == 40


async def test_idx_training_size_is_set_in_the_tab_and_trained_on(idx_dir):
    from tuicnn.app import create_app
    from tuicnn.data.dataset import idx_split

    app = create_app(data_dir=idx_dir)
    async with app.run_test(size=SIZE) as pilot:
        assert app.workspace.split.n_train == 1000
        assert not app.screen.query("#set-train_size")  # built when first unfolded
        app.screen.query_one("#train-advanced").collapsed = False
        await pilot.pause()
        size = stepper(app, "train_size")
        assert not size.disabled and size.scale.high == 2000 and size.value == 1000
        data = app.screen.query_one("#train-data", Static)
        assert "1,000 train / 100 test images" in text_of(data) and idx_dir in text_of(data)

        app.screen.query_one("#train-advanced").collapsed = False
        await pilot.pause()
        await set_by_keys(pilot, "train_size", *"1500", clear=True)
        await set_by_keys(pilot, "epochs", "1", clear=True)
        await set_by_keys(pilot, "hidden", *"64", clear=True)
        await set_by_keys(pilot, "filters", "4", clear=True)
        assert "new split of 1,500 train / 100 test" in text_of(data)
        await pilot.press("t")
        await run_to_end(pilot)

        split = idx_split(idx_dir, 1500, 100, seed=0)
        assert app.workspace.split.n_train == 1500 and app.workspace.data_dir == idx_dir
        np.testing.assert_array_equal(app.workspace.split.y_train, split.y_train)
        assert "1,500 train / 100 test images" in text_of(data)
        assert "new split" not in text_of(data)
        config = TrainConfig(epochs=1, batch_size=64, lr=1e-3, seed=0)
        for kind, model in (("fc", build_fc(64, seed=0)), ("cnn", build_cnn(4, seed=0))):
            reference = [e for e in train(model, split.x_train, split.y_train, split.x_test,
                                          split.y_test, config) if isinstance(e, EpochEnd)]
            table = app.screen.query_one(f"#{kind}-table", HistoryTable)
            assert [r[:5] for r in table.rows_text()] == [row_cells(e)[:5] for e in reference]
            record = getattr(app.workspace, kind)
            assert [e.test_acc for e in record.history] == [e.test_acc for e in reference]


async def test_idx_training_size_above_the_file_is_refused(idx_dir):
    from tuicnn.app import create_app

    app = create_app(data_dir=idx_dir)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#train-advanced").collapsed = False
        await pilot.pause()
        size = stepper(app, "train_size")
        await set_by_keys(pilot, "train_size", *"2100", clear=True)
        assert "must be 100–2,000" in size.message_text
        assert tab(app).settings.train_size == 1000
        await set_by_keys(pilot, "train_size", *"2000", clear=True)
        await pilot.press("right")  # the arrows stop at the whole file
        assert tab(app).settings.train_size == 2000 and size.message_text == ""
