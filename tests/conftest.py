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
