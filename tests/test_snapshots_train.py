"""Snapshots of the Train tab before and after a tiny seeded run, at 100x30 and 80x24.

Stable by construction: a seeded 100-digit split, seeded models, and every duration shown
through ``training_run.format_seconds``, replaced here by a constant. The chart's finished
picture holds only per-epoch points, so it does not depend on which progress snapshots the
UI happened to draw during the run.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tuicnn.app import TuicnnApp
from tuicnn.data.dataset import bundled_split
from tuicnn.lessons import training_run

SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])


@pytest.fixture(scope="module")
def split():
    return bundled_split(train_size=100, test_size=100, seed=0)


@pytest.fixture
def app(split, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(training_run, "format_seconds", lambda seconds: "1.00s")
    return TuicnnApp(split, seed=0)


async def train_two_epochs(pilot) -> None:
    """Epochs 5 -> 2 from the keyboard (as a user would), train, wait for the end."""
    await pilot.pause()  # the first tab is built just after the screen is shown
    pilot.app.screen.query_one("#set-epochs Input").focus()
    await pilot.press("left", "left", "left", "t")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    # Back to the button (as after pressing it): no text cursor in the picture.
    pilot.app.screen.query_one("#train-start").focus(scroll_visible=False)
    await pilot.pause()


async def steady_cursor(pilot) -> None:
    """The first setting has focus at start; a blinking cursor would make shots differ."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


@SIZES
def test_train_tab_before_training(snap_compare, app, size):
    """Focus starts on the first setting, so the arrows and t work at once."""
    assert snap_compare(app, run_before=steady_cursor, terminal_size=size)


@SIZES
def test_train_tab_after_a_tiny_run(snap_compare, app, size):
    """Training scrolls the progress and charts into view."""
    assert snap_compare(app, run_before=train_two_epochs, terminal_size=size)


def test_train_tab_result_and_tables(snap_compare, app):
    """The verdict and both epoch tables, scrolled to the end."""

    async def run_before(pilot) -> None:
        await train_two_epochs(pilot)
        pilot.app.screen.query_one("#train-body").scroll_end(animate=False)
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=(100, 30))
