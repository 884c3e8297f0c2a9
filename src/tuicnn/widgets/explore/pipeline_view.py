"""PipelineView: one digit through the CNN, stage by stage, with the real numbers.

Input → Conv1+ReLU → MaxPool → Conv2+ReLU → MaxPool as heatmaps of one selected channel,
then the flattened vector and the fully-connected layer as strips, the softmax as ten bars,
and a table of every layer's output shape and parameter count from ``model.summary()``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.table import Table
from textual.app import ComposeResult
from textual.containers import ItemGrid, Vertical
from textual.widgets import Static

from tuicnn.lessons.explorer import (
    CAPTIONS,
    PIPELINE_STAGES,
    as_strip,
    dimension_table,
    format_shape,
    stage_channel,
)
from tuicnn.nn.model import Sequential
from tuicnn.nn.tracing import Trace
from tuicnn.widgets.explore.map_card import MapCard
from tuicnn.widgets.probability_bars import ProbabilityBars

MAP_PIXELS = 28
"""Every spatial stage is zoomed to about this many columns, so the pictures line up."""

CARD_COLUMN = 30

FLATTEN_WIDTH = 56
"""Columns of the flatten strip: 784 numbers become 14 rows of 56 (7 terminal lines)."""

FC_WIDTH = 64
"""Columns of the FC strip: 128 units become 2 rows of 64 (1 terminal line)."""


def stage_title(title: str, channel: int | None, channels: int) -> str:
    """``Conv1+ReLU · channel 3 of 8`` (1-based), or just the title for one-channel maps."""
    if channel is None or channels == 1:
        return title
    return f"{title} · channel {channel + 1} of {channels}"


def zoom_for(height: int) -> int:
    """Integer heatmap zoom that brings an ``height``-pixel map close to 28 columns."""
    return max(1, MAP_PIXELS // max(height, 1))


class PipelineView(Vertical):
    """The layer-by-layer view. :meth:`show` draws a trace; :meth:`set_channel` redraws only
    the four channel-dependent maps."""

    DEFAULT_CSS = """
    PipelineView {
        height: auto;
    }
    """

    def __init__(
        self, labels: Sequence[str], *, name: str | None = None, id: str | None = None
    ) -> None:
        """Create the view.

        Args:
            labels: class names for the softmax bars, e.g. ``"0".."9"``.
            name: Widget name.
            id: Widget id.
        """
        super().__init__(name=name, id=id)
        self._labels = tuple(labels)
        self._trace: Trace | None = None
        self._channel = 0

    def compose(self) -> ComposeResult:
        with ItemGrid(id="pipeline-maps", min_column_width=CARD_COLUMN):
            for stage, title in PIPELINE_STAGES:
                yield MapCard(title, None, caption=CAPTIONS[stage], id=f"stage-{stage}")
        yield MapCard("Flatten", None, caption=CAPTIONS["flatten"], id="stage-flatten")
        yield MapCard("FC + ReLU", None, caption=CAPTIONS["fc_relu"], id="stage-fc_relu")
        yield Static("Softmax", id="pipeline-softmax-title", classes="pipeline--heading")
        yield Static(CAPTIONS["softmax"], classes="pipeline--caption")
        yield ProbabilityBars(self._labels, None, id="pipeline-bars")
        yield Static("What each layer did to the shape", classes="pipeline--heading")
        yield Static("", id="pipeline-table")

    def card(self, stage: str) -> MapCard:
        """The card of a trace stage, e.g. ``"pool1"`` (tests read its heatmap data)."""
        return self.query_one(f"#stage-{stage}", MapCard)

    def show(
        self, trace: Trace, model: Sequential, channel: int, true_label: int | None
    ) -> None:
        """Draw every stage of ``trace``.

        Args:
            trace: the engine's trace of one image through ``model``.
            model: the network (for the dimension table).
            channel: selected channel; each stage wraps it into its own channel count.
            true_label: class index of the image, marked on the softmax bars; None for an
                image nobody labelled (a drawing).
        """
        self._trace = trace
        self.set_channel(channel)
        if "flatten" in trace.names:
            flatten = trace["flatten"].values
            self.card("flatten").update(
                as_strip(flatten, FLATTEN_WIDTH),
                title=f"Flatten · {flatten.size} numbers in one row (wrapped to fit)",
                caption=CAPTIONS["flatten"],
            )
        else:  # a CNN with a global-average-pool head (the Train tab's head choice)
            means = trace["gap"].values
            self.card("flatten").update(
                as_strip(means, FLATTEN_WIDTH),
                title=f"Global average pool · {means.size} numbers, one mean per map",
                caption="Each map averaged to one number: what was found, not where.",
            )
        fc = trace["fc_relu"].values
        self.card("fc_relu").update(as_strip(fc, FC_WIDTH), title=f"FC + ReLU · {fc.size} units")
        probs = trace.probabilities
        predicted = int(np.argmax(probs))
        title = f"Softmax · predicts {self._labels[predicted]} ({probs[predicted]:.1%})"
        if true_label is None:
            title += " · no true label (your drawing)"
        else:
            verdict = "right" if predicted == true_label else "wrong"
            title += f" · true label {self._labels[true_label]} · {verdict}"
        self.query_one("#pipeline-softmax-title", Static).update(title)
        self.query_one("#pipeline-bars", ProbabilityBars).update(probs, true_label)
        self.query_one("#pipeline-table", Static).update(self._table(model))

    def set_channel(self, channel: int) -> None:
        """Show ``channel`` on the spatial stages (the input has a single channel)."""
        self._channel = channel
        if self._trace is None:
            return
        for stage, title in PIPELINE_STAGES:
            values = self._trace[stage].values
            channels = values.shape[-1]
            shown = stage_channel(channel, channels)
            card = self.card(stage)
            card.heatmap.scale = zoom_for(values.shape[0])
            card.update(
                values[:, :, shown],
                title=stage_title(title, shown, channels)
                + ("" if stage != "input" else f" · {format_shape(values.shape[:2])}"),
            )

    @staticmethod
    def _table(model: Sequential) -> Table:
        table = Table(box=None, pad_edge=False, header_style="bold", show_edge=False)
        table.add_column("stage")
        table.add_column("output", justify="right")
        table.add_column("params", justify="right")
        table.add_column("what happened")
        for row in dimension_table(model):
            table.add_row(row.stage, row.shape, f"{row.params:,}", row.happened)
        return table
