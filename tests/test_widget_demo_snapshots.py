"""Heatmap, NumberGrid and ProbabilityBars together: colour and shade snapshots."""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label
from widget_helpers import DIGITS, SIZE, ring

from tuicnn.widgets.heatmap import Heatmap
from tuicnn.widgets.number_grid import NumberGrid
from tuicnn.widgets.probability_bars import ProbabilityBars

pytestmark = pytest.mark.usefixtures("colour_terminal")


PATCH = np.array(
    [
        [0.10, -0.40, 0.90, 0.20],
        [0.30, 0.05, -0.20, 0.60],
        [-0.70, 0.25, 0.00, -0.10],
        [0.50, -0.30, 0.15, 0.35],
    ]
)
POOL_WINNERS = [(1, 0), (0, 2), (3, 0), (3, 3)]


class WidgetDemo(App[None]):
    """The three widgets together on a 60x24 screen, all data deterministic."""

    CSS = """
    Horizontal { height: auto; }
    #side { width: auto; height: auto; margin-left: 3; }
    """

    def __init__(self, shades: bool = False) -> None:
        super().__init__()
        self.shades = shades

    def compose(self) -> ComposeResult:
        logits = np.array([0.1, 0.3, 1.0, 0.2, 0.0, 0.4, 0.1, 4.0, 0.2, 1.5])
        probs = np.exp(logits) / np.exp(logits).sum()
        with Horizontal():
            heatmap = Heatmap(ring(), title="ring (illustrative)")
            heatmap.shades = self.shades
            yield heatmap
            with Vertical(id="side"):
                if self.shades:
                    kernel = np.linspace(-1, 1, 49).reshape(7, 7)
                    side = Heatmap(kernel, mode="diverging", scale=2, title="7x7 ramp")
                    side.shades = True
                    yield side
                else:
                    yield Label("4x4 patch, 2x2 max-pool")
                    yield NumberGrid(PATCH, block=2, highlight=POOL_WINNERS)
        yield ProbabilityBars(DIGITS, probs, true_label=9 if self.shades else 7)


def test_snapshot_colour(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert snap_compare(WidgetDemo(), terminal_size=SIZE)


def test_snapshot_shades(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert snap_compare(WidgetDemo(shades=True), terminal_size=SIZE)
