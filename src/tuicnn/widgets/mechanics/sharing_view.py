"""SharingView: the CNN's nine weights at two places against the FC unit's weights there.

Left, the digit with the two window centres ``A`` and ``B``. Right, for each place the conv1
filter's 3×3 weights (the same array at both: that is weight sharing) beside the FC hidden
unit's weights on the same nine pixels (different at every place), and the two layers'
weight counts from the models.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from tuicnn.lessons.weight_sharing import WeightSharing
from tuicnn.widgets.mechanics.map_text import grid_lines, map_text


def sharing_text(result: WeightSharing, moving: str) -> str:
    lines = []
    for name, side in (("A", result.a), ("B", result.b)):
        arrow = " ← arrows" if name == moving else ""
        lines.append(f"{name} at ({side.row}, {side.col}){arrow}")
        lines.append(f" CNN filter {result.filter_index:<11} FC unit {result.unit}")
        cnn, fc = grid_lines(side.cnn_weights), grid_lines(side.fc_weights)
        lines += [f" {c} │ {f}" for c, f in zip(cnn, fc, strict=True)]
    same = "the same 9 numbers" if result.cnn_same else "different numbers"
    fc_same = "the same numbers" if result.fc_same else "different numbers"
    filters = result.conv_shape[-1]
    lines += [f"CNN at A and B: {same}.", f"FC at A and B: {fc_same}.",
              f"conv1: 9 × {filters} filters = {result.conv_weights:,} weights",
              f"FC layer 1: {result.fc_shape[0]} × {result.fc_shape[1]} = "
              f"{result.fc_weights:,} weights"]
    return "\n".join(lines)


class SharingView(Horizontal):
    DEFAULT_CSS = """
    SharingView { height: auto; }
    SharingView > #sharing-map { width: auto; margin-right: 2; }
    SharingView > #sharing-numbers { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.result: WeightSharing | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="sharing-map")
        yield Static("", id="sharing-numbers", markup=False)

    def show(self, result: WeightSharing, image: np.ndarray, moving: str) -> None:
        """Draw ``result`` over ``image`` (``(28, 28)``); ``moving`` is ``"A"`` or ``"B"``."""
        self.result = result
        a, b = (result.a.row, result.a.col), (result.b.row, result.b.col)
        title = Text("the digit, windows A and B\n", style="bold")
        picture = map_text(image, marks=([a[0], b[0]], [a[1], b[1]]), cells={a: "A", b: "B"})
        self.query_one("#sharing-map", Static).update(title + picture)
        self.query_one("#sharing-numbers", Static).update(sharing_text(result, moving))
