"""The app under hostile input and at the end of the day (issue 17), through Pilot.

Bad names typed into ctrl+s / ctrl+o / ctrl+e, devices, FIFOs, unreadable and damaged files:
each gives one clear line (in the prompt, or a notification), the app keeps running and the
models in use are the same objects with the same weights. Loads run off the UI thread and
Escape cancels them. Quitting asks first when a run or unsaved models would be lost, and a
cancelled run never replaces trained models.

Permissions: as root, mode 000 is ignored, so ``os.open`` is made to refuse the file as the
kernel would for a normal user.
"""

from __future__ import annotations

import errno
import io
import os
import threading
import time
import zipfile

import numpy as np
import pytest
from conftest import tiny_workspace
from textual.widgets import Input, Static

from tuicnn.app import TuicnnApp
from tuicnn.screens.confirm_quit import ConfirmQuit
from tuicnn.screens.file_prompt import FilePrompt
from tuicnn.screens.load_progress import LoadProgress
from tuicnn.screens.main import MainScreen
from tuicnn.session import model_file
from tuicnn.session.model_file import save_workspace_models
from tuicnn.tabs.train_tab import TrainTab

SIZE = (80, 24)
LONG = "n" * 300


@pytest.fixture(scope="module")
def trained_records():
    """A trained FC and CNN (one epoch on 100 digits), and their split."""
    workspace = tiny_workspace(trained=True)
    return workspace


@pytest.fixture
def app(trained_records, tmp_path, monkeypatch) -> TuicnnApp:
    """The app on the tiny trained workspace, in ``tmp_path``, notifications recorded."""
    monkeypatch.chdir(tmp_path)
    workspace = trained_records
    app = TuicnnApp(workspace.split, models=(workspace.fc, workspace.cnn))
    app.notes = []

    def notify(message: str, *, severity: str = "information", **_: object) -> None:
        app.notes.append((severity, str(message)))

    app.notify = notify
    return app


def snapshot(app: TuicnnApp):
    """The models in use and a copy of their weights."""
    records = (app.workspace.fc, app.workspace.cnn)
    return records, [{n: v.copy() for n, v, _ in r.model.parameters()} for r in records]


def assert_unchanged(app: TuicnnApp, before) -> None:
    records, weights = before
    assert (app.workspace.fc, app.workspace.cnn) == records
    assert app.workspace.fc is records[0] and app.workspace.cnn is records[1]
    for record, saved in zip(records, weights, strict=True):
        for name, value, _ in record.model.parameters():
            np.testing.assert_array_equal(value, saved[name])


def assert_running(app: TuicnnApp) -> None:
    assert app.is_running and app.return_code is None
    assert any(isinstance(s, MainScreen) for s in app.screen_stack)


async def wait_for(pilot, condition, seconds: float = 20) -> None:
    """Pause until ``condition()`` holds (a busy machine can take seconds)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


async def submit(pilot, name: str) -> None:
    """Type ``name`` into the open prompt, Enter, and wait for any load to end."""
    pilot.app.screen.query_one(Input).value = name
    await pilot.press("enter")
    await pilot.pause()
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, LoadProgress))
    await pilot.pause()  # the prompt's or the load's callback runs after the screen is gone


def prompt_message(app: TuicnnApp) -> str:
    return str(app.screen.query_one("#file-prompt-message", Static).content)


# -- names typed into the prompts, and files that are not what they claim ------------------

#: (key, name typed, what must be said, where: the prompt stays open, or a notification).
CASES = [
    ("ctrl+s", "~nosuchuser/x.npz", "~nosuchuser is not a user on this machine", "prompt"),
    ("ctrl+o", "~nosuchuser/x.npz", "~nosuchuser is not a user on this machine", "prompt"),
    ("ctrl+e", "~nosuchuser/x.csv", "~nosuchuser is not a user on this machine", "prompt"),
    ("ctrl+s", f"{LONG}.npz", "the name is too long", "prompt"),
    ("ctrl+s", f"{LONG}/m.npz", "the name is too long", "prompt"),
    ("ctrl+e", f"{LONG}.csv", "the name is too long", "prompt"),
    ("ctrl+o", f"{LONG}.npz", "the name is too long", "note"),
    ("ctrl+s", "fifo.npz", "it is a FIFO (named pipe); only regular files are ever replaced",
     "prompt"),
    ("ctrl+s", "/dev/full", "it is a device; only regular files are ever replaced", "prompt"),
    ("ctrl+o", "/dev/zero", "'/dev/zero': it is a device, not a regular file.", "note"),
    ("ctrl+o", "fifo.npz", "'fifo.npz': it is a FIFO (named pipe), not a regular file.", "note"),
    ("ctrl+o", ".", "'.': it is a directory", "note"),
    ("ctrl+o", "locked.npz", "'locked.npz': Permission denied.", "note"),
    ("ctrl+s", "missing/x.npz", "No such file or directory in 'missing'", "note"),
    ("ctrl+o", "odd.npz", "'odd.npz': its entry 'metadata' is not NumPy data.", "note"),
    ("ctrl+o", "nan.npz", "holds nan values", "note"),
]


def hostile_files(app: TuicnnApp, folder, monkeypatch) -> None:
    """A FIFO, a file only root could read, a zip whose metadata is not NumPy data, and a
    model file with NaN weights, in ``folder``."""
    os.mkfifo(folder / "fifo.npz")
    fc, cnn = app.workspace.fc, app.workspace.cnn
    save_workspace_models(folder / "locked.npz", fc, cnn)
    (folder / "locked.npz").chmod(0)
    real_open = os.open

    def refusing_open(target, *args, **kwargs):  # as the kernel does for a normal user
        if os.fsdecode(target).endswith("locked.npz"):
            raise PermissionError(errno.EACCES, "Permission denied", target)
        return real_open(target, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("metadata.npy", b"not an array")
    (folder / "odd.npz").write_bytes(buffer.getvalue())
    save_workspace_models(folder / "nan.npz", fc, cnn)
    data = dict(np.load(folder / "nan.npz"))
    name, value, _ = next(iter(fc.model.parameters()))
    data[f"fc/{name}"] = np.full_like(value, np.nan)
    np.savez(folder / "nan.npz", **data)


async def test_bad_names_and_hostile_files_are_one_line_and_nothing_changes(
        app, tmp_path, monkeypatch):
    hostile_files(app, tmp_path, monkeypatch)
    files = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    async with app.run_test(size=SIZE) as pilot:
        before = snapshot(app)
        for key, name, expected, where in CASES:
            app.notes.clear()
            await pilot.press(key)
            await submit(pilot, name)
            if where == "prompt":
                assert isinstance(app.screen, FilePrompt), (key, name)
                assert expected in prompt_message(app), (key, name, prompt_message(app))
                await pilot.press("escape")
            else:
                await wait_for(pilot, lambda: app.notes)
                assert len(app.notes) == 1, (key, name, app.notes)
                severity, text = app.notes[0]
                assert severity == "error" and expected in text, (key, name, text)
                assert "\n" not in text and len(text) < 300
            assert_running(app)
            assert_unchanged(app, before)
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == files


async def test_a_slow_load_shows_progress_and_escape_cancels_it(app, tmp_path, monkeypatch):
    save_workspace_models(tmp_path / "big.npz", app.workspace.fc, app.workspace.cnn)
    gate = threading.Event()
    real_read = model_file._ArchiveReader.read

    def slow_read(self, key, check):
        gate.wait(10)  # as if the disk were slow
        return real_read(self, key, check)

    monkeypatch.setattr(model_file._ArchiveReader, "read", slow_read)
    async with app.run_test(size=SIZE) as pilot:
        before = snapshot(app)
        await pilot.press("ctrl+o")
        app.screen.query_one(Input).value = "big.npz"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LoadProgress))
        line = str(app.screen.query_one("#load-progress-line", Static).content)
        assert line.startswith("Loading big.npz · 0%") and "Esc cancels" in line
        await pilot.press("right")  # the UI answers keys meanwhile
        await pilot.press("escape")
        gate.set()
        await wait_for(pilot, lambda: not isinstance(app.screen, LoadProgress) and app.notes)
        assert app.notes[-1] == ("information", "Loading big.npz cancelled: your models are "
                                 "unchanged.")
        assert_running(app)
        assert_unchanged(app, before)


# -- quitting -------------------------------------------------------------------------------


async def test_quit_with_nothing_to_lose_quits_at_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = TuicnnApp(tiny_workspace(trained=False).split)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_quit_with_unsaved_models_asks_and_esc_stays(trained_records, tmp_path,
                                                            monkeypatch):
    """Models trained in this session (not from a file) are unsaved: q, ctrl+q and ctrl+c
    all ask; Esc and n stay; q in the question quits."""
    monkeypatch.chdir(tmp_path)
    app = TuicnnApp(trained_records.split)
    app.workspace.fc, app.workspace.cnn = trained_records.fc, trained_records.cnn
    async with app.run_test(size=SIZE) as pilot:
        for key, stay in (("q", "escape"), ("ctrl+q", "n"), ("ctrl+c", "escape")):
            await pilot.press(key)
            assert isinstance(app.screen, ConfirmQuit), key
            losses = str(app.screen.query_one("#confirm-quit-losses", Static).content)
            assert "The FC in use (trained 1 epoch" in losses and "is not saved" in losses
            assert "The CNN in use" in losses
            await pilot.press(stay)
            assert_running(app)
        await pilot.press("ctrl+c")
        await pilot.press("q")  # quit without saving
        await pilot.pause()
        assert not app.is_running
    assert list(tmp_path.iterdir()) == []


async def test_save_then_quit_writes_the_models_before_leaving(trained_records, tmp_path,
                                                                monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = TuicnnApp(trained_records.split)
    app.workspace.fc, app.workspace.cnn = trained_records.fc, trained_records.cnn
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+c", "s")
        assert isinstance(app.screen, FilePrompt)
        await submit(pilot, "kept.npz")
        assert not app.is_running
    fc, cnn = model_file.load_models(tmp_path / "kept.npz")
    assert fc.history == trained_records.fc.history


async def test_saved_or_loaded_models_quit_without_asking(app):
    """The app fixture's models came from a file (``models=``): nothing to lose."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


def gate_training(monkeypatch) -> None:
    """Each model trains one epoch, then waits for the stop event (a run to cancel)."""
    from tuicnn.nn import concurrent
    from tuicnn.nn.events import EpochEnd

    real_train = concurrent.train

    def gated(model, x_train, y_train, x_test, y_test, config=None, stop=None,
              watch=None):
        for event in real_train(model, x_train, y_train, x_test, y_test, config, stop,
                                watch):
            yield event
            if isinstance(event, EpochEnd):
                stop.wait(10)

    monkeypatch.setattr(concurrent, "train", gated)
    monkeypatch.setattr(TrainTab, "trainer", "thread")  # the gate lives in this process


async def test_cancel_keeps_the_trained_models_and_offers_the_partial_ones(app, monkeypatch):
    gate_training(monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        before = snapshot(app)
        tab = app.screen.query_one(TrainTab)
        await pilot.press("t")
        await wait_for(pilot, lambda: tab.training)
        await pilot.press("q")  # quitting mid-run asks, and says the run would be lost
        assert isinstance(app.screen, ConfirmQuit)
        losses = str(app.screen.query_one("#confirm-quit-losses", Static).content)
        assert losses.startswith("Training is under way")
        await pilot.press("n")
        assert_running(app) and tab.training
        await wait_for(pilot, lambda: all(len(r.history) == 1 for r in tab._runs.values()))
        await pilot.press("c")
        await wait_for(pilot, lambda: not tab.training)
        await pilot.pause()
        assert_unchanged(app, before)  # the good models stay in use
        assert set(tab.partial) == {"fc", "cnn"}
        assert all(r.cancelled and len(r.history) == 1 for r in tab.partial.values())
        severity, text = app.notes[-1]
        assert text.startswith("Cancelled: kept the FC (trained 1 epoch") and "press u" in \
            text.lower()
        assert "u" in app.screen.active_bindings
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Use the cancelled run's models" in titles
        partial = dict(tab.partial)
        await pilot.press("u")
        assert app.workspace.fc is partial["fc"] and app.workspace.cnn is partial["cnn"]
        assert not tab.partial
        assert app.notes[-1][1] == "Now using the cancelled run's FC and CNN."
