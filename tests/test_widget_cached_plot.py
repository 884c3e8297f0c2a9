"""CachedPlot: one plotext build per change, and the same cells as PlotextPlot."""

from __future__ import annotations

import pytest
from textual.containers import Vertical
from widget_helpers import OneWidgetApp

pytestmark = pytest.mark.usefixtures("colour_terminal")


async def test_cached_plot_draws_once_per_change(monkeypatch: pytest.MonkeyPatch) -> None:
    from tuicnn.widgets.train.cached_plot import CachedPlot

    plot = CachedPlot()
    app = OneWidgetApp(plot, css="CachedPlot { width: 40; height: 10; }")
    async with app.run_test(size=(60, 12)) as pilot:
        builds = []
        real_build = plot.plt.build
        monkeypatch.setattr(plot.plt, "build", lambda: builds.append(1) or real_build())
        plot.plt.plot([1, 2, 3], [3, 1, 2])
        plot.invalidate()
        first = [plot.render_line(y) for y in range(10)]
        assert [plot.render_line(y) for y in range(10)] == first and len(builds) == 1
        plot.plt.plot([1, 2, 3], [1, 2, 3])
        plot.invalidate()
        assert [plot.render_line(y) for y in range(10)] != first and len(builds) == 2
        plot.styles.width = 30
        await pilot.pause()
        plot.render_line(0)
        assert len(builds) == 3  # a new size is a new picture
        assert plot.render_line(0).cell_length == 30


async def test_cached_plot_looks_like_plotext_plot() -> None:
    """The strips parsed from plotext's ANSI text show what ``PlotextPlot`` shows: the same
    characters with the same colours, cell for cell."""
    from textual_plotext import PlotextPlot

    from tuicnn.widgets.train.cached_plot import CachedPlot

    ours, reference = CachedPlot(), PlotextPlot()
    app = OneWidgetApp(Vertical(ours, reference),
                       css="CachedPlot, PlotextPlot { width: 44; height: 12; }")
    async with app.run_test(size=(60, 30)) as pilot:
        for plot in (ours, reference):
            plot.plt.plot([0, 1, 2, 3], [3, 2, 1.5, 1.2], marker="braille", color=(200, 100, 50))
            plot.plt.scatter([1, 2, 3], [2.5, 1.8, 1.4], marker="x", color=(50, 100, 200))
            plot.plt.ylim(1.0, 3.0)  # a fixed range, as TrainingChart sets it
            plot.plt.title("loss")
        ours.invalidate()
        reference.refresh()
        await pilot.pause()

        def cells(plot) -> list[tuple[str, object, object]]:
            """(character, colour, background) of every cell; blanks show no colour."""
            found = []
            for strip in plot.render_lines(plot.region.reset_offset):
                for text, style, _ in strip:
                    for char in text:
                        found.append((char, None if char == " " else style.color, style.bgcolor))
            return found

        assert cells(ours) == cells(reference)
        assert any("\u2801" <= char <= "\u28ff" for char, _, _ in cells(ours))  # the curve
        assert any(char == "x" and color.triplet == (50, 100, 200)
                   for char, color, _ in cells(ours) if color is not None)
