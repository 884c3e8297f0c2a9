"""Training in a child process: the same events and bit-identical weights as threads,
cancelling, errors in one line, and no child left behind (engine and Train tab)."""

from __future__ import annotations

import os
import signal
import threading

import numpy as np
import pytest

from tuicnn.app import TuicnnApp
from tuicnn.data.dataset import bundled_split
from tuicnn.nn.concurrent import train_concurrently
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import BatchEnd, Cancelled, EpochEnd, LayerSnapshot
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.nn.process_training import (
    TrainingProcess,
    TrainingProcessDied,
    available,
    train_in_process,
)
from tuicnn.tabs.train_tab import TrainTab
from tuicnn.widgets.train.run_summary import RunSummary

pytestmark = pytest.mark.skipif(not available(), reason="needs a POSIX system")


@pytest.fixture(scope="module")
def data():
    split = bundled_split(train_size=96, test_size=64, seed=0)
    return split.x_train, split.y_train, split.x_test, split.y_test


def gone(pid: int) -> bool:
    """True when no process has ``pid`` (reaped: a zombie would still answer)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def per_model(events) -> dict[str, list]:
    """Each model's events in order, with what may differ (the epoch's wall time) left out
    and snapshots as plain arrays."""
    seen: dict[str, list] = {}
    for event in events:
        if isinstance(event, EpochEnd):
            kept = (event.epoch, event.train_loss, event.train_acc, event.test_loss,
                    event.test_acc)
        elif isinstance(event, LayerSnapshot):
            kept = (event.layer, event.epoch, event.weights.tobytes(), event.bias.tobytes())
        else:
            kept = event
        seen.setdefault(event.model, []).append((type(event).__name__, kept))
    return seen


def test_a_process_and_threads_give_the_same_events_and_identical_weights(data):
    config = TrainConfig(epochs=2, batch_size=32, seed=3)
    runs = {}
    for name, trainer, blas in (("thread", train_concurrently, None),
                                ("process", train_in_process, 1)):  # as the app: 1 thread each
        models = [build_fc(16, seed=3), build_cnn(4, seed=3)]
        events = list(trainer(models, *data, config, watch="conv1", blas_threads=blas))
        runs[name] = (models, per_model(events))
    (thread_models, thread_events), (process_models, process_events) = runs.values()
    assert process_events == thread_events
    assert [kind for kind, _ in process_events["cnn"]].count("LayerSnapshot") == 3
    for mine, theirs in zip(process_models, thread_models, strict=True):
        for (name, a, _), (_, b, _) in zip(mine.parameters(), theirs.parameters(),
                                           strict=True):
            assert a.tobytes() == b.tobytes(), name


def test_stop_ends_every_model_after_its_current_batch(data):
    stop = threading.Event()
    seen = []
    models = [build_fc(8), build_cnn(2)]
    before = [p.copy() for _, p, _ in models[1].parameters()]
    for event in train_in_process(models, *data, TrainConfig(epochs=20, batch_size=8),
                                  stop):
        seen.append(event)
        if isinstance(event, BatchEnd):
            stop.set()
    for kind in ("fc", "cnn"):
        mine = [e for e in seen if e.model == kind]
        assert isinstance(mine[-1], Cancelled) and sum(
            isinstance(e, Cancelled) for e in mine) == 1
        assert len(mine) < 20 * 12  # far from every batch of every epoch
    # The weights of the batches that ran came back.
    after = [p for _, p, _ in models[1].parameters()]
    assert any(not np.array_equal(a, b) for a, b in zip(after, before, strict=True))


def test_an_error_in_the_child_is_raised_here_and_the_child_serves_again(data):
    x_train, y_train, x_test, y_test = data
    child = TrainingProcess()
    try:
        bad = [build_fc(8)]
        weights = [p.copy() for _, p, _ in bad[0].parameters()]
        with pytest.raises(ValueError) as raised:  # images of the wrong size
            list(child.train(bad, x_train[:, :20, :20], y_train, x_test, y_test))
        assert "\n" not in str(raised.value)
        assert all(np.array_equal(a, p) for a, (_, p, _) in
                   zip(weights, bad[0].parameters(), strict=True))
        assert child.alive
        events = list(child.train([build_fc(8)], *data, TrainConfig(epochs=1)))
        assert isinstance(events[-1], EpochEnd)
    finally:
        child.close()
    assert gone(child.pid)


def test_a_child_that_dies_is_reported_in_one_line(data):
    pids = []
    with pytest.raises(TrainingProcessDied) as raised:
        for _ in train_in_process([build_fc(8), build_cnn(2)], *data,
                                  TrainConfig(epochs=20, batch_size=8),
                                  on_start=pids.append):
            os.kill(pids[0], signal.SIGKILL)
    assert str(raised.value) == (
        "the training process ended unexpectedly (killed by signal 9)")
    assert gone(pids[0])


def test_every_thread_of_the_child_runs_at_the_lower_priority(data):
    if not os.path.isdir("/proc/self/task"):
        pytest.skip("needs Linux's /proc")
    base = os.getpriority(os.PRIO_PROCESS, 0)
    child = TrainingProcess(nice=3)
    try:
        list(child.train([build_fc(8)], *data, TrainConfig(epochs=1)))  # imports done
        tasks = os.listdir(f"/proc/{child.pid}/task")
        assert len(tasks) >= 2  # the main thread and the one reading the parent's orders
        assert {os.getpriority(os.PRIO_PROCESS, int(t)) for t in tasks} == {min(base + 3, 19)}
    finally:
        child.close()


def test_the_child_leaves_the_apps_session_and_nices_its_own_autogroup(data):
    """Niced inside the app's session only, the child would still take a whole session's
    share of the CPU from the other sessions on the machine (see _yield_to_other_sessions)."""
    child = TrainingProcess(nice=3)
    try:
        list(child.train([build_fc(8)], *data, TrainConfig(epochs=1)))
        assert os.getsid(child.pid) == child.pid != os.getsid(0)
        autogroup = f"/proc/{child.pid}/autogroup"
        if os.path.exists(autogroup):
            with open(autogroup) as f:
                assert f.read().split()[-1] == "3"  # "/autogroup-N nice 3"
    finally:
        child.close()


def test_closing_the_stream_early_ends_the_child(data):
    pids = []
    stream = train_in_process([build_fc(8)], *data, TrainConfig(epochs=20, batch_size=8),
                              on_start=pids.append)
    next(stream)
    stream.close()
    assert gone(pids[0])


# -- the Train tab ----------------------------------------------------------------------------

SIZE = (100, 30)


@pytest.fixture(autouse=True)
def _not_nice(monkeypatch):
    """At the UI's priority here, so a busy machine does not starve these tests' children."""
    import tuicnn.tabs.train_tab as train_tab

    monkeypatch.setattr(train_tab, "TRAINING_NICENESS", 0)


@pytest.fixture(scope="module")
def split():
    return bundled_split(train_size=100, test_size=100, seed=0)


async def wait_until(pilot, condition, seconds: float = 20) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time")


async def test_the_train_tab_keeps_its_child_between_runs_and_ends_it_on_quit(split):
    assert TrainTab.trainer == "process"
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.screen.query_one(TrainTab)
        app.screen.query_one("#set-epochs").set_value(1)
        await pilot.pause()
        for _ in range(2):
            await pilot.press("t")
            await wait_until(pilot, lambda: tab.training_pid and not tab.training)
            if _ == 0:
                first = tab.training_pid
        assert tab.training_pid == first  # the same child trained both runs
        assert len(app.workspace.cnn.history) == 1 and not gone(first)
    assert gone(first)


async def test_the_child_is_started_ahead_and_trains_the_first_run(split, monkeypatch):
    monkeypatch.setattr(TrainTab, "prestart_seconds", 0.1)
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.screen.query_one(TrainTab)
        await wait_until(pilot, lambda: tab._child is not None)
        ahead = tab._child.pid
        assert not gone(ahead) and tab.training_pid is None  # started, no run yet
        app.screen.query_one("#set-epochs").set_value(1)
        await pilot.pause()
        await pilot.press("t")
        await wait_until(pilot, lambda: tab.training_pid and not tab.training)
        assert tab.training_pid == ahead and app.workspace.cnn.history
    assert gone(ahead)


@pytest.mark.parametrize("trainer", ["process", "thread"])
async def test_a_child_started_ahead_ends_with_an_app_that_never_trained(
        split, monkeypatch, trainer):
    monkeypatch.setattr(TrainTab, "prestart_seconds", 0.05)
    monkeypatch.setattr(TrainTab, "trainer", trainer)
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.screen.query_one(TrainTab)
        await pilot.pause(0.5)
        child = tab._child
        assert (child is not None) == (trainer == "process")  # threads need no child
        pid = child.pid if child else None
    if pid is not None:
        await wait_until_gone(pid)


async def test_quitting_mid_run_leaves_no_child(split):
    app = TuicnnApp(split)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.screen.query_one(TrainTab)
        app.screen.query_one("#set-epochs").set_value(20)
        await pilot.pause()
        await pilot.press("t")
        await wait_until(pilot, lambda: tab.training_pid is not None)
        pid = tab.training_pid
        assert tab.training
        await pilot.press("ctrl+q")  # asks first: a run is under way
        await pilot.press("ctrl+q")  # a second ctrl+q quits
    await wait_until_gone(pid)


async def wait_until_gone(pid: int, seconds: float = 10) -> None:
    import asyncio

    for _ in range(int(seconds / 0.02)):
        if gone(pid):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"child {pid} still alive")


async def test_a_child_killed_mid_run_is_one_line_and_the_models_stay(split, monkeypatch):
    app = TuicnnApp(split)
    notes = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(message))
    async with app.run_test(size=SIZE) as pilot:
        tab = app.screen.query_one(TrainTab)
        before = (app.workspace.fc, app.workspace.cnn)
        app.screen.query_one("#set-epochs").set_value(20)
        await pilot.pause()
        await pilot.press("t")
        await wait_until(pilot, lambda: tab.training_pid is not None)
        os.kill(tab.training_pid, signal.SIGKILL)
        await wait_until(pilot, lambda: not tab.training)
        line = "the training process ended unexpectedly (killed by signal 9)"
        assert notes == [f"Training failed: {line}"]
        assert line in str(app.screen.query_one(RunSummary).render())
        assert (app.workspace.fc, app.workspace.cnn) == before
        app.screen.query_one("#set-epochs").set_value(1)
        await pilot.pause()
        await pilot.press("t")  # a new child trains the next run
        await wait_until(pilot, lambda: not tab.training)
        assert app.workspace.cnn.history
