"""How each model looks in the Train tab: its theme colour and its chart markers.

Lines differ in marker as well as colour, so the FC and the CNN stay apart with
``NO_COLOR`` or on a 16-colour terminal.
"""

from __future__ import annotations

from tuicnn.lessons.training_run import ChartSeries

COLORS = {"fc": "primary", "cnn": "accent"}
"""``model.kind`` → a Textual theme variable."""

#: Curves are lines (fine braille dots for FC, bullets for CNN, which tell the two apart
#: without colour); one point per epoch is o for FC, x for CNN. Keyed by (kind, is a line).
MARKERS = {("fc", True): "braille", ("cnn", True): "•", ("fc", False): "o",
           ("cnn", False): "x"}


def series_color(series: ChartSeries) -> str:
    """The theme variable to draw ``series`` in (``foreground`` for another kind)."""
    return COLORS.get(series.kind, "foreground")


def series_marker(series: ChartSeries) -> str:
    """A plotext marker name (``braille``) or one character (``*`` for another kind)."""
    return MARKERS.get((series.kind, series.line), "*")
