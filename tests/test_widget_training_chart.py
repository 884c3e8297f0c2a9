"""TrainingChart: no plot until the first data, then a plot and a legend."""

from __future__ import annotations

import pytest
from widget_helpers import OneWidgetApp

pytestmark = pytest.mark.usefixtures("colour_terminal")


async def test_training_chart_builds_its_plot_with_the_first_data() -> None:
    from textual_plotext import PlotextPlot

    from tuicnn.lessons.training_run import ChartSeries
    from tuicnn.widgets.train.training_chart import EMPTY_TEXT, TrainingChart

    chart = TrainingChart("Loss")
    app = OneWidgetApp(chart, css="TrainingChart { width: 60; height: 16; }")
    async with app.run_test(size=(60, 16)) as pilot:
        assert not chart.children  # one widget, drawing the "no data" line itself
        drawn = "".join(strip.text for strip in chart.render_lines(chart.region.reset_offset))
        assert EMPTY_TEXT in drawn
        chart.set_data([ChartSeries("FC", "", (), (), "fc")], epochs=3)
        chart.redraw()  # a series without points is still no data
        await pilot.pause()
        assert not chart.query(PlotextPlot)

        chart.set_data([ChartSeries("FC", "train", (1.0, 2.0), (0.9, 0.5), "fc")], epochs=3)
        chart.redraw()
        await pilot.pause()
        plot = chart.query_one(PlotextPlot)
        assert str(chart.render()) == ""  # the plot covers the chart now
        assert plot.size.height > 0
        picture = "".join(strip.text for strip in plot.render_lines(plot.region.reset_offset))
        assert any("\u2801" <= ch <= "\u28ff" for ch in picture)  # the braille curve
        assert "FC: ⠤⠤ train" in str(chart.query_one(".training-chart--legend").render())
