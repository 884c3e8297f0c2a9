"""What the widget tests (``tests/test_widget_*.py``) share: a one-widget app and readers
of what a widget draws.

UI tests mount one widget in a tiny app with ``App.run_test`` and read back the strips the
widget renders (``render_line``), so they check characters and styles, not just "no crash".
"""

from __future__ import annotations

import numpy as np
from rich.color import Color as RichColor
from rich.style import Style
from textual.app import App, ComposeResult
from textual.widget import Widget

DIGITS = [str(i) for i in range(10)]
SIZE = (60, 24)


class OneWidgetApp(App[None]):
    """Mounts a single widget; ``CSS`` lets a test constrain its width."""

    def __init__(self, widget: Widget, css: str = "") -> None:
        self.CSS = css
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


def cells(widget: Widget, y: int) -> list[tuple[str, Style]]:
    """Row ``y`` of a widget as (character, style) per terminal cell."""
    return [
        (char, segment.style or Style())
        for segment in widget.render_line(y)
        for char in segment.text
    ]


def text_lines(widget: Widget) -> list[str]:
    """Everything the widget draws, as plain text lines."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


def rgb(color: RichColor | None) -> tuple[int, int, int]:
    """A Rich colour as an RGB tuple (fails the test for default/missing colours)."""
    assert color is not None and color.triplet is not None
    return tuple(color.triplet)


def ring(size: int = 20) -> np.ndarray:
    """A soft ring, the deterministic stand-in picture used by the demo and snapshots."""
    yy, xx = np.mgrid[0:size, 0:size]
    radius = np.hypot(yy - (size - 1) / 2, xx - (size - 1) / 2)
    return np.round(np.exp(-(((radius - size * 0.3) / 1.8) ** 2)), 3)
