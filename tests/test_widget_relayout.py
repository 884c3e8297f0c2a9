"""Heatmap, ProbabilityBars and NumberGrid: same-size updates repaint, never re-lay-out."""

from __future__ import annotations

import numpy as np
import pytest
from textual.containers import Vertical
from widget_helpers import DIGITS, SIZE, OneWidgetApp

from tuicnn.widgets.heatmap import Heatmap
from tuicnn.widgets.number_grid import NumberGrid
from tuicnn.widgets.probability_bars import ProbabilityBars

pytestmark = pytest.mark.usefixtures("colour_terminal")


async def test_updates_relayout_the_screen_only_when_the_size_changes() -> None:
    """Same-size updates repaint; a layout would re-arrange and redraw the whole screen."""
    heatmap = Heatmap(np.zeros((4, 4)), legend=False)
    bars = ProbabilityBars(DIGITS, np.full(10, 0.1))
    grid = NumberGrid(np.zeros((3, 3)))
    app = OneWidgetApp(Vertical(heatmap, bars, grid))
    async with app.run_test(size=SIZE) as pilot:
        calls: list[tuple[str, bool]] = []
        for name, widget in (("heatmap", heatmap), ("bars", bars), ("grid", grid)):
            real = widget.refresh

            def spy(*regions, real=real, name=name, **options):
                calls.append((name, bool(options.get("layout"))))
                return real(*regions, **options)

            widget.refresh = spy  # type: ignore[method-assign]
        heatmap.update(np.ones((4, 4)))
        bars.update(np.linspace(0.0, 0.2, 10))
        grid.update(np.full((3, 3), 0.5))
        await pilot.pause()
        assert {("heatmap", False), ("bars", False), ("grid", False)} <= set(calls)
        assert not any(layout for _, layout in calls)
        calls.clear()
        heatmap.update(np.ones((6, 4)))  # taller picture: the screen must make room
        grid.update(np.zeros((4, 4)))
        assert ("heatmap", True) in calls and ("grid", True) in calls
