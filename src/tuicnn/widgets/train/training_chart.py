"""A plotext line chart of training curves, with its legend written underneath."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.color import Color, ColorParseError
from textual.content import Content
from textual.markup import escape
from textual.widget import Widget
from textual.widgets import Static

from tuicnn.lessons.training_run import ChartSeries
from tuicnn.widgets.train.model_style import series_color, series_marker

if TYPE_CHECKING:
    from tuicnn.widgets.train.cached_plot import CachedPlot

EMPTY_TEXT = "no data yet: press t to train"


class TrainingChart(Widget):
    """Curves against epoch. Data is set often; the plot is rebuilt only on ``redraw()``.

    Plotext rebuilds the whole picture on every render, so the owner decides when that
    happens (a few times a second at most) by calling ``redraw()``, which does nothing when
    the data has not changed since the last draw.

    The legend sits below the plot rather than inside it, where it would hide the first
    epochs (the highest losses sit in the top-left corner). Each line has its own marker as
    well as its own theme colour.

    Until there is data the chart has no children and draws one line of text itself;
    plotext is imported, and the plot and legend are mounted, with the first data. An empty
    plotext figure cost the first frame ~60 ms of imports and drawing to say "no data yet",
    and the two widgets that said it instead still cost a few ms.

    Args:
        title: shown on the border, e.g. ``Loss (lower is better)``.
        percent: y is a percentage: the axis ends at 100 and starts near the data.
    """

    COMPONENT_CLASSES = {"training-chart--empty"}
    DEFAULT_CSS = """
    TrainingChart {
        layout: vertical;
        height: 14;
        border: round $foreground 30%;
        content-align: center middle;
        & > .training-chart--empty { color: $text-muted; }
        & > PlotextPlot { height: 1fr; }
        & > .training-chart--legend { height: auto; }
    }
    """

    def __init__(self, title: str, *, percent: bool = False, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = title
        self.percent = percent
        self._series: list[ChartSeries] = []
        self._epochs = 1
        self._stale = True
        self._shown_legend = ""
        self._plot_widget: CachedPlot | None = None

    def render(self) -> Content:
        """The "no data" line, until the plot covers it."""
        if self._plot_widget:
            return Content("")
        return Content(EMPTY_TEXT).stylize(self.get_visual_style("training-chart--empty"))

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())
        self.redraw()

    def on_resize(self) -> None:
        self._restyle()  # the tick spacing depends on the width

    def set_data(self, series: Sequence[ChartSeries], epochs: int) -> None:
        """Replace the curves; ``epochs`` fixes the x axis so it does not jump as data grows."""
        self._series = list(series)
        self._epochs = max(1, epochs)
        self._stale = True

    @property
    def stale(self) -> bool:
        """True when the data changed since the last ``redraw()``."""
        return self._stale

    def redraw(self) -> None:
        """Rebuild the plot and legend from the current data, if it changed."""
        if not self._stale or not self.is_mounted:
            return
        self._stale = False
        drawn = [s for s in self._series if s.xs]
        plot = self._plot(create=bool(drawn))
        if plot is None:  # still no data: the text says so
            return
        plt = plot.plt
        plt.clear_figure()
        for s in drawn:
            draw = plt.plot if s.line else plt.scatter
            draw(list(s.xs), list(s.ys), marker=series_marker(s),
                 color=self._rgb(series_color(s)))
        plt.xlim(0, self._epochs)
        plt.xticks(self._ticks(plot.size.width or self.size.width))
        ys = [y for s in drawn for y in s.ys]
        if self.percent:
            low, high = max(0.0, 10 * math.floor((min(ys, default=0.0) - 5) / 10)), 100.0
        else:  # loss: frame the data (a loss has no natural top, and 0 is never reached)
            top, bottom = max(ys, default=1.0), min(ys, default=0.0)
            margin = max(0.05, 0.1 * (top - bottom))
            low, high = max(0.0, bottom - margin), top + margin
        plt.ylim(low, high)
        plt.yticks(_nice_ticks(low, high, max(2, plot.size.height // 2)))
        if not drawn:
            plt.title(EMPTY_TEXT)
        plot.invalidate()
        legend = self._legend()
        labels = self.query(".training-chart--legend")  # none while the app quits mid-run
        if legend != self._shown_legend and labels:  # rarely changes; relayout only then
            self._shown_legend = legend
            labels.first(Static).update(legend)

    def _plot(self, create: bool) -> CachedPlot | None:
        """The plotext plot; mounted in place of the "no data" text when ``create``."""
        if self._plot_widget is None and create:
            from tuicnn.widgets.train.cached_plot import (
                CachedPlot,  # plotext is imported with the first data
            )

            self._plot_widget = CachedPlot()
            self.mount_all([self._plot_widget, Static("", classes="training-chart--legend")])
            # Ticks depend on the plot's size, known once it has been laid out.
            self.call_after_refresh(self._restyle)
        return self._plot_widget

    def _restyle(self) -> None:
        self._stale = True
        self.redraw()

    def _ticks(self, width: int) -> list[int]:
        """Whole epochs, spaced so the labels do not run into each other."""
        room = max(2, (width - 8) // 5)
        step = max(1, math.ceil(self._epochs / room))
        return list(range(0, self._epochs + 1, step))

    def _rgb(self, variable: str) -> tuple[int, int, int] | str:
        try:
            return Color.parse(self.app.theme_variables[variable]).rgb
        except (KeyError, ColorParseError):
            return "default"

    def _legend(self) -> str:
        """``FC: ⠤⠤ train  o test   CNN: • train  x test``, each model in its colour."""
        groups: dict[str, list[ChartSeries]] = {}
        for s in self._series:
            if s.label:
                groups.setdefault(s.group, []).append(s)
        parts = []
        for group, members in groups.items():
            entries = "  ".join(
                f"{LEGEND_SAMPLES.get(series_marker(s), series_marker(s))} {s.label}"
                for s in members
            )
            parts.append(f"[${series_color(members[0])}]{escape(f'{group}: {entries}')}[/]")
        return "   ".join(parts)


#: What a named plotext marker looks like, for the legend.
LEGEND_SAMPLES = {"braille": "⠤⠤", "hd": "▄▄", "dot": "••"}


def _nice_ticks(low: float, high: float, count: int) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 times a power of ten) covering ``[low, high]``."""
    raw = (high - low) / max(1, count)
    if raw <= 0:
        return [low]
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step) + 1)]
