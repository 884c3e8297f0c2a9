"""A plotext plot that draws its picture once per change, not once per screen update."""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot


class CachedPlot(PlotextPlot):
    """``PlotextPlot`` that keeps its last picture until the figure, size or theme changes.

    ``PlotextPlot.render`` rebuilds the figure and re-parses plotext's ANSI output every
    time Textual asks for it, and Textual asks again whenever the widget is shown: each F2
    back to the Train tab rebuilt both charts (~10-20 ms of a 50 ms budget). The owner calls
    ``invalidate()`` after changing the figure through ``plt``.
    """

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._version = 0
        self._cached: tuple[tuple, Text] | None = None

    def invalidate(self) -> None:
        """The figure changed: draw it again at the next screen update."""
        self._version += 1
        self.refresh()

    def render(self) -> RenderResult:
        key = (self._version, self.size, self.app.theme, self.theme)
        if self._cached is None or self._cached[0] != key:
            picture = super().render()
            assert isinstance(picture, Text)
            self._cached = (key, picture)
        return self._cached[1]
