"""ChannelView: the test digits that excite one conv2 channel most, at half size, each with
the part of the digit that channel's strongest unit sees left bright and the rest dimmed."""

from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Static

from tuicnn.widgets.analyze.thumbnails import dim_outside, half_size
from tuicnn.widgets.heatmap import Heatmap

SLOTS = 10
"""Digits shown per channel: two rows of five fit 80x24."""


class ChannelView(Vertical, can_focus=True):
    """A caption and a 5x2 grid of digit thumbnails; :meth:`show` fills them."""

    DEFAULT_CSS = """
    ChannelView { height: 1fr; }
    ChannelView #channel-caption { height: auto; }
    ChannelView Grid { grid-size: 5; grid-gutter: 0 1; height: auto; grid-rows: 8; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Evaluating…", id="channel-caption")
        with Grid():
            for slot in range(SLOTS):
                yield Heatmap(None, legend=False, id=f"channel-slot-{slot}")

    def show(self, caption: str, pictures: list[tuple[np.ndarray, tuple[int, int, int, int],
                                                      str]]) -> None:
        """``pictures``: up to :data:`SLOTS` ``(image (28, 28), field box, title)``."""
        self.query_one("#channel-caption", Static).update(caption)
        for slot in range(SLOTS):
            heatmap = self.query_one(f"#channel-slot-{slot}", Heatmap)
            if slot < len(pictures):
                image, box, title = pictures[slot]
                heatmap.update(half_size(dim_outside(image, box)), title=title)
                heatmap.display = True
            else:
                heatmap.display = False
