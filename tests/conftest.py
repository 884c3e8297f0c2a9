"""Shared fixtures: a tiny, seeded data set so engine and UI tests stay fast."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

# Allow running the tests from a checkout without installing (the CI installs the package).
SRC = Path(__file__).resolve().parents[1] / "src"
if SRC.is_dir() and str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _quiet_colour_env(monkeypatch):
    """Tests decide colour themselves; an inherited NO_COLOR must not change results."""
    if "NO_COLOR" in os.environ:
        monkeypatch.delenv("NO_COLOR")


@pytest.fixture(autouse=True)
def _no_training_child_ahead(monkeypatch):
    """Apps in tests start their training child at the first run, not 2 s after mount
    (``TrainTab.prestart_seconds``): hundreds of apps would start as many Pythons.
    ``tests/test_process_training.py`` turns it back on where it tests it."""
    from tuicnn.tabs.train_tab import TrainTab

    monkeypatch.setattr(TrainTab, "prestart_seconds", None)


@pytest.fixture
def colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make colour detection deterministic: a truecolor terminal without ``NO_COLOR``.

    Textual reads these when an ``App`` is created, so tests that want another terminal
    change them again before building their app. The widget tests use it for every test
    (``pytestmark = pytest.mark.usefixtures("colour_terminal")``).
    """
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


def tiny_workspace(trained: bool):
    """100 training and 100 test digits; 'trained' = one epoch of each model with the engine."""
    from tuicnn.data.dataset import bundled_split
    from tuicnn.nn.config import TrainConfig
    from tuicnn.nn.events import EpochEnd
    from tuicnn.nn.training import train
    from tuicnn.session.workspace import Workspace

    workspace = Workspace.untrained(bundled_split(train_size=100, test_size=100))
    if trained:
        split = workspace.split
        for record in (workspace.fc, workspace.cnn):
            for event in train(record.model, split.x_train, split.y_train, split.x_test,
                               split.y_test, TrainConfig(epochs=1, batch_size=32)):
                if isinstance(event, EpochEnd):
                    record.history.append(event)
    return workspace


@pytest.fixture(scope="module")
def untrained():
    """A tiny untrained workspace (one per test module)."""
    return tiny_workspace(trained=False)


@pytest.fixture(scope="module")
def trained():
    """A tiny workspace whose FC and CNN trained one epoch (one per test module)."""
    return tiny_workspace(trained=True)
