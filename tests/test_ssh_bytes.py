"""Bytes the app writes to its terminal, counted by logic (no clock): what a learner pays
over SSH. Issue 18's budgets: at most 15 KB for any tab switch, first visit or later, and
40 KB for a default training run. ``benchmarks/bench_ssh_bytes.py`` measures the real app
in a pseudo-terminal; these pin the same budgets in-process (frames are rendered as the app
writes them, see ``FrameRecorder``), and check that every frame draws the cells Textual's
own frames would.
"""

from __future__ import annotations

import math

import pytest
from conftest import tiny_workspace
from terminal_screen import FrameRecorder, use_256_colours

from tuicnn.app import TuicnnApp
from tuicnn.nn.events import BatchEnd, EpochEnd
from tuicnn.screens.main import TABS
from tuicnn.tabs.train_tab import REDRAW_SECONDS, TrainTab

pytestmark = pytest.mark.textual_private

SWITCH_BUDGET = 15_000
RUN_BUDGET = 40_000


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_every_tab_switch_first_and_later_fits_the_budget(size, untrained, monkeypatch):
    """F3 … F8 and back to F2, twice. Every frame draws the cells Textual's frame would, in
    at most a third of its bytes over the tour (Textual wrote 9-40 KB a switch)."""
    use_256_colours(monkeypatch)
    recorder = FrameRecorder(monkeypatch, TuicnnApp, size)
    app = TuicnnApp(workspace=untrained)
    spent: dict[str, int] = {}
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.2)
        keys = [key for *_, key in TABS[1:]] + [TABS[0][3]]  # F3 … F8, then back to F2
        for visit in ("first", "later"):
            for key in keys:
                before = recorder.bytes
                await pilot.press(key)
                await pilot.pause()
                spent[f"{visit} {key}"] = recorder.bytes - before
    assert all(spent.values()), spent  # every switch drew something
    over = {visit: size for visit, size in spent.items() if size > SWITCH_BUDGET}
    assert not over, f"over {SWITCH_BUDGET:,} B: {over} (all: {spent})"
    assert recorder.bytes <= recorder.stock_bytes / 3, (recorder.bytes, recorder.stock_bytes)


def default_run_events(seconds: float, fc_seconds: float):
    """What a default run reports (5 epochs of 16 batches per model, 1,000 digits in
    batches of 64), as ``(time, events)`` every REDRAW_SECONDS: the FC done in
    ``fc_seconds``, the CNN in ``seconds``. Losses and accuracies are made up (smooth
    curves): only how much of the screen changes matters here."""
    epochs, batches = 5, 16
    steps = round(seconds / REDRAW_SECONDS)
    done = {"fc": 0, "cnn": 0}
    for step in range(1, steps + 1):
        now = step * REDRAW_SECONDS
        batch_events, epoch_events = [], []
        for model, length in (("fc", fc_seconds), ("cnn", seconds)):
            total = min(epochs * batches, math.floor(epochs * batches * now / length))
            if total == done[model]:
                continue
            for count in range(done[model] + 1, total + 1):
                epoch, batch = divmod(count - 1, batches)
                fraction = count / (epochs * batches)
                loss, acc = 2.3 * math.exp(-3 * fraction), 1 - 0.9 * math.exp(-4 * fraction)
                batch_events.append(BatchEnd(model, epoch + 1, epochs, batch + 1, batches,
                                             loss, acc))
                if batch + 1 == batches:
                    epoch_events.append(EpochEnd(model, epoch + 1, epochs, loss, acc,
                                                 loss * 1.1, acc * 0.98, length / epochs))
            done[model] = total
        yield now, batch_events, epoch_events


async def test_a_default_run_of_training_events_fits_the_budget(monkeypatch):
    """A 20-second default run fed to the Train tab (fixed events, a fake clock, the charts
    redrawn at most once a second as in a real run), from ``t`` to the end summary."""
    use_256_colours(monkeypatch)
    workspace = tiny_workspace(trained=False)
    recorder = FrameRecorder(monkeypatch, TuicnnApp, (100, 30))
    app = TuicnnApp(workspace=workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        tab = app.screen.query_one(TrainTab)
        now = [1000.0]
        tab.clock = lambda: now[0]
        monkeypatch.setattr(tab, "_train", lambda *args: None)  # events are fed below
        before, stock_before = recorder.bytes, recorder.stock_bytes
        await pilot.press("t")
        tab._ticker.pause()  # ticks come from the loop below, on the fake clock
        await pilot.pause()
        ticks = 0
        for at, batch_events, epoch_events in default_run_events(20.0, fc_seconds=4.0):
            now[0] = 1000.0 + at
            latest = {event.model: event for event in batch_events}
            if latest:
                tab.on_train_tab_progress(TrainTab.Progress(tuple(latest.values())))
            for event in epoch_events:
                tab.on_train_tab_epoch_finished(TrainTab.EpochFinished(event))
            tab._tick()
            ticks += 1
            await pilot.pause()
        tab.on_train_tab_ended(TrainTab.Ended(
            (workspace.fc.model, workspace.cnn.model), workspace.split,
            tab.settings.config()))
        await pilot.pause()
        spent = recorder.bytes - before
        spent_stock = recorder.stock_bytes - stock_before
    print(f"default run: {spent:,} B ({spent_stock:,} B rendered as Textual renders)")
    assert ticks == 40
    assert all(len(tab._runs[kind].history) == 5 for kind in ("fc", "cnn"))
    assert spent <= RUN_BUDGET, f"{spent:,} B for a default run (budget {RUN_BUDGET:,})"


async def test_every_cell_is_written_again_after_ctrl_l_another_screen_or_a_suspend(
        untrained, monkeypatch):
    """The canvas skips cells the terminal already shows; whenever something else may have
    drawn on the terminal, it must write them all again."""
    use_256_colours(monkeypatch)
    recorder = FrameRecorder(monkeypatch, TuicnnApp, (80, 24))
    app = TuicnnApp(workspace=untrained)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        canvas = screen._compositor.canvas
        before = recorder.bytes
        screen.refresh()  # a repaint of the whole screen: nothing changed, nothing written
        await pilot.pause()
        assert recorder.bytes - before < 100
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert recorder.bytes - before > 80 * 24  # every cell, written again
        await pilot.press("question_mark")  # the help screen draws over the main one
        await pilot.pause()
        assert app.screen is not screen and not canvas._chars
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and canvas._chars
        app.app_resume_signal.publish(app)  # back from ctrl+z: the shell drew meanwhile
        assert not canvas._chars
