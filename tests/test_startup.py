"""Start-up: the first frame needs no NumPy; the default session loads after it (issue 7)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import SRC

import tuicnn.app as app_module
from tuicnn.app import TuicnnApp, create_app
from tuicnn.data.errors import DataError
from tuicnn.nn.model import Sequential, cnn_layers, fc_layers
from tuicnn.session.workspace import Workspace, WorkspaceLoader

FIRST_FRAME = r"""
import sys
from tuicnn.session.workspace import WorkspaceLoader
WorkspaceLoader.start = lambda self, on_error=None: None  # the first frame, on its own
from tuicnn.app import create_app

app = create_app()

async def first_frame(pilot):
    await pilot.pause()
    print("numpy" in sys.modules)
    print(app.screen.query_one("#train-params").render())
    print(app.screen.query_one("#train-data").render())
    app.exit()

app.run(headless=True, size=(100, 30), auto_pilot=first_frame)
"""


def test_the_first_frame_imports_no_numpy_and_still_shows_real_numbers():
    """NumPy and the digits cost ~100 ms: the first frame must not wait for them, yet its
    parameter counts and data line must be the ones the loaded session has."""
    out = subprocess.run([sys.executable, "-c", FIRST_FRAME], check=True, text=True,
                         capture_output=True, env={"PYTHONPATH": str(SRC)}).stdout.splitlines()
    assert out[0] == "False"
    fc, cnn = (Sequential(layers).n_params for layers in (fc_layers(128), cnn_layers(8)))
    assert out[1].startswith(f"Parameters: FC {fc:,} · CNN {cnn:,} ")
    assert out[2].startswith("CNN: conv layers 1,248")  # the split, counted without NumPy
    assert out[-1] == "Data: 1,000 train / 1,000 test digits (seed 0)"


def test_the_light_modules_the_first_frame_needs_import_no_numpy():
    code = ("import sys; import tuicnn.nn, tuicnn.data; "
            "from tuicnn.nn.events import BatchEnd; from tuicnn.nn.config import LIMITS; "
            "from tuicnn.data.errors import DataError; "
            "import tuicnn.session.workspace, tuicnn.messages, tuicnn.lessons.train_settings; "
            "assert 'numpy' not in sys.modules, 'numpy was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(SRC)})


@pytest.mark.parametrize("seed", [0, 7])
def test_the_summary_known_in_advance_is_the_loaded_sessions(seed):
    loader = WorkspaceLoader(seed)
    workspace = loader.result()
    assert workspace.summary() == loader.summary
    assert loader.summary.fc_status == f"untrained (random weights, seed {seed})"


async def test_the_default_session_loads_after_the_first_frame():
    app = create_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert not app.workspace_loaded  # first frame drawn, nothing loaded yet
        await pilot.pause(app_module.LOAD_AFTER_SECONDS + 0.1)
        for _ in range(100):  # the loading thread: ~0.1 s, more on a busy machine
            if app.workspace_loaded:
                break
            await pilot.pause(0.05)
        assert app.workspace_loaded
        assert app.workspace.split.n_train == 1000


async def test_a_tab_that_needs_the_data_before_it_is_loaded_waits_for_it(monkeypatch):
    monkeypatch.setattr(app_module, "LOAD_AFTER_SECONDS", 60)  # only on demand
    app = TuicnnApp()
    async with app.run_test(size=(100, 30)) as pilot:
        assert not app.workspace_loaded
        await pilot.press("f3")  # Explore traces a test digit through the CNN
        await pilot.pause()
        assert app.workspace_loaded
        explore = app.screen.tab("explore")
        assert explore is not None and explore.example.count > 0
        assert explore._split is app.workspace.split


async def test_unreadable_bundled_data_ends_the_app_with_the_reason(monkeypatch):
    def broken(cls, data_dir=None, seed=0):
        raise DataError("The bundled digits are damaged: reinstall tuicnn.")

    monkeypatch.setattr(Workspace, "from_data", classmethod(broken))
    app = TuicnnApp()
    exits = []
    monkeypatch.setattr(app, "exit", lambda **kwargs: exits.append(kwargs))
    async with app.run_test(size=(100, 30)) as pilot:
        app.load_workspace_in_background()
        for _ in range(100):
            await pilot.pause(0.02)
            if exits:
                break
    assert exits == [{"return_code": 2, "message": "tuicnn: error: The bundled digits are "
                      "damaged: reinstall tuicnn."}]


WARM_UP = r"""
import sys, threading
from tuicnn.app import create_app

app = create_app()

async def later(pilot):
    assert "plotext" not in sys.modules  # not on the first frame's path
    for _ in range(200):
        await pilot.pause(0.02)
        if "plotext" in sys.modules:
            break
    print("plotext" in sys.modules)
    app.exit()

app.run(headless=True, size=(100, 30), auto_pilot=later)
"""


def test_plotext_is_imported_after_the_first_frame_before_the_first_run():
    """The live charts' plotext is imported on a thread once the app is up: imported by
    the first epoch's points, it held the UI ~40 ms."""
    out = subprocess.run([sys.executable, "-c", WARM_UP], check=True, text=True,
                         capture_output=True, env={"PYTHONPATH": str(SRC)}).stdout
    assert out.strip() == "True"


def test_a_module_that_fails_to_warm_up_is_left_to_its_real_import(monkeypatch):
    tried = []

    def import_module(name):
        tried.append(name)
        if name == "broken":
            raise ImportError(name)

    monkeypatch.setattr(app_module, "WARM_UP_MODULES", ("broken", "fine"))
    monkeypatch.setattr(app_module.importlib, "import_module", import_module)
    app_module.warm_up()  # no exception escapes the thread's function
    assert tried == ["broken", "fine"]
