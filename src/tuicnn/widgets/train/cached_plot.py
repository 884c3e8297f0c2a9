"""A plotext plot drawn once per change, straight from plotext's output to Textual strips."""

from __future__ import annotations

import re
from functools import lru_cache

from rich.ansi import AnsiDecoder
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual_plotext import PlotextPlot

from tuicnn.widgets.strip_cache import StripCacheWidget

#: One SGR escape (``ESC [ ... m``): plotext colours every run of cells with these.
_SGR = re.compile(r"(\x1b\[[0-9;]*m)")
_RESET = "\x1b[0m"


class CachedPlot(PlotextPlot, StripCacheWidget):
    """``PlotextPlot`` that keeps its last picture, as strips, until the figure, size or
    theme changes.

    ``PlotextPlot.render`` rebuilds the figure, has Rich parse plotext's ANSI text, and
    Textual turn that into strips, every time Textual asks; Textual asks whenever the widget
    is shown. Each chart cost ~4 ms a redraw that way, four times a second while training,
    half of it in the two conversions. Here the picture is built once per change, and the
    ANSI text goes to strips in one pass, looking up the style of each escape sequence once.
    The owner calls ``invalidate()`` after changing the figure through ``plt``.

    ``PlotextPlot`` comes first among the bases: Textual matches CSS type selectors along
    the first base only, and the charts' CSS styles ``PlotextPlot``.
    """

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._version = 0

    def invalidate(self) -> None:
        """The figure changed: draw it again at the next screen update."""
        self._version += 1
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (self._version, width, height, self.app.theme, self.theme)
        return self.strip_line(self.cached_strips(key, self._build), y)

    def _build(self) -> list[Strip]:
        """Build the figure at the widget's size and theme, as ``PlotextPlot.render`` does."""
        width, height = self.size
        if not width or not height:
            return []
        plot = self.plt
        plot.plotsize(width, height)
        plot._set_size(width, height)  # textual-plotext's own belt and braces (its issue 5)
        plot.theme(self._get_plotext_theme_name(self.app.theme))
        return ansi_strips(plot.build(), self.rich_style)


def ansi_strips(text: str, base: Style) -> list[Strip]:
    """One strip per line of ``text``, which is coloured by SGR escapes; ``base`` (the
    widget's style) lies under every cell, as it would under a rendered ``Text``.

    Blank runs keep only their background. They look the same, and they stay separate
    segments from the glyphs beside them: an SVG screenshot draws a run of equal segments
    as one stretch of text, and braille or bullets in it pushed the plot's frame sideways.
    """
    strips = []
    for line in text.split("\n"):
        segments, codes = [], ""
        for piece in _SGR.split(line):
            if not piece:
                continue
            if piece.startswith("\x1b["):
                codes = "" if piece == _RESET else codes + piece
                continue
            style = base + _style_of(codes)
            if piece.isspace():
                style = Style(bgcolor=style.bgcolor)
            segments.append(Segment(piece, style))
        strips.append(Strip(segments))
    return strips


@lru_cache(maxsize=256)
def _style_of(codes: str) -> Style:
    """The style that the escapes ``codes`` set, as Rich's ANSI decoder reads them."""
    if not codes:
        return Style.null()
    decoded = AnsiDecoder().decode_line(codes + " ")
    return sum((span.style for span in decoded.spans if isinstance(span.style, Style)),
               Style.null())
