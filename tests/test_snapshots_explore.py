"""Snapshots of the Explore tab's three views, seeded untrained CNN, at 100x30 and 80x24."""

from __future__ import annotations

import pytest

from tuicnn.app import TuicnnApp
from tuicnn.data.dataset import bundled_split

VIEW_KEYS = {"filters": "f", "layers": "l", "maxpool": "m"}


@pytest.fixture(scope="module")
def split():
    return bundled_split(train_size=100, test_size=200)


@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
@pytest.mark.parametrize("view", list(VIEW_KEYS))
def test_explore_view(snap_compare, monkeypatch, split, view, size):
    monkeypatch.delenv("NO_COLOR", raising=False)
    # A truecolor terminal whatever TERM the tests run under: on 16 colours (TERM=xterm)
    # the weight grids switch to order-keeping steps (tests/test_explore_learning.py).
    monkeypatch.setenv("COLORTERM", "truecolor")
    app = TuicnnApp(split, seed=0)
    assert snap_compare(app, press=["f3", VIEW_KEYS[view]], terminal_size=size)


def test_explore_maxpool_without_colour(snap_compare, monkeypatch, split):
    """NO_COLOR: heatmaps fall back to shades; rulers and [x] still mark everything."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = TuicnnApp(split, seed=0)
    assert snap_compare(app, press=["f3", "m"], terminal_size=(80, 24))
