"""LooksView: where each net looks in one digit, as two 28x28 maps side by side (FC, CNN),
a line naming the method, and a side panel with the digit at half size and the nets' answers.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from tuicnn.widgets.analyze.thumbnails import half_size
from tuicnn.widgets.colormaps import Mode
from tuicnn.widgets.heatmap import Heatmap


class LooksView(Vertical, can_focus=True):
    """The method line, then ``FC map | CNN map | side panel``. Focusable, so the tab's arrow
    keys (which move the occlusion patch) reach the tab while it is shown."""

    DEFAULT_CSS = """
    LooksView { height: 1fr; }
    LooksView #looks-method { height: auto; }
    LooksView #looks-maps { height: auto; }
    LooksView .looks-map { margin-right: 1; }
    LooksView #looks-side { width: 1fr; min-width: 20; height: auto; }
    LooksView #looks-info { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="looks-method")
        with Horizontal(id="looks-maps"):
            yield Heatmap(None, id="looks-fc", classes="looks-map")
            yield Heatmap(None, id="looks-cnn", classes="looks-map")
            with Vertical(id="looks-side"):
                yield Heatmap(None, legend=False, id="looks-digit")
                yield Static("", id="looks-info")

    def show(self, maps: dict[str, np.ndarray | None], titles: dict[str, str], mode: Mode,
             method: Text | str, digit: np.ndarray, digit_title: str, info: Text) -> None:
        """Draw both maps (None while one is being computed), the digit and the texts."""
        self.query_one("#looks-method", Static).update(method)
        for kind in ("fc", "cnn"):
            self.query_one(f"#looks-{kind}", Heatmap).update(maps[kind], mode=mode,
                                                             title=titles[kind])
        self.query_one("#looks-digit", Heatmap).update(half_size(digit), title=digit_title)
        self.query_one("#looks-info", Static).update(info)

    def map_data(self, kind: str) -> np.ndarray | None:
        """The map on screen for ``"fc"`` or ``"cnn"`` (for tests)."""
        return self.query_one(f"#looks-{kind}", Heatmap).data
