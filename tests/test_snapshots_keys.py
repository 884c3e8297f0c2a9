"""Snapshots of the Draw tab and the output-size calculator holding a long number, at 80x24
and 100x30 (issue 20: nothing cut mid-word, every digit typed on screen, keys in the footer)."""

from __future__ import annotations

import pytest

from tuicnn.app import TuicnnApp
from tuicnn.data.dataset import bundled_split

SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])


@pytest.fixture(scope="module")
def split():
    return bundled_split(train_size=100, test_size=200)


@SIZES
def test_draw_empty_canvas(snap_compare, monkeypatch, split, size):
    """"no prediction" whole beside each label column; the help text all on screen."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = TuicnnApp(split, seed=0)
    assert snap_compare(app, press=["f4"], terminal_size=size)


@SIZES
def test_calculator_with_a_long_number(snap_compare, monkeypatch, split, size):
    """H = 98765: all five digits in the field, the same number in the formula."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = TuicnnApp(split, seed=0)
    keys = ["f6", "c", "home", "ctrl+k", "9", "8", "7", "6", "5"]
    assert snap_compare(app, press=keys, terminal_size=size)
