"""FieldView: a cell of conv1/pool1/conv2/pool2 and the input pixels it can see.

Left, the layer's map (one channel) with the cursor cell ``+``. Right, ``|∂cell/∂input|``
over the whole input, from the engine's backward pass (the effective receptive field), with
the theoretical receptive field marked on the rulers; below, the box in numbers.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from tuicnn.lessons.receptive_field import Box, support_box
from tuicnn.widgets.mechanics.map_text import map_text


def field_text(layer: str, cell: tuple[int, int], box: Box, architectures_rf: int,
               gradient: np.ndarray) -> str:
    nonzero = int((gradient != 0).sum())
    clipped = "; clipped at the edge" if box.height * box.width < architectures_rf ** 2 else ""
    lines = [f"{layer} {cell} sees input rows {box.top}–{box.bottom}, cols {box.left}–"
             f"{box.right}: {box.height}×{box.width} (Architectures: RF {architectures_rf}"
             f"{clipped})"]
    if support_box(gradient) is None:
        lines.append("∂cell/∂input is 0 everywhere: ReLU or max-pool blocks this cell on this "
                     "digit (m: strongest cell)")
    else:
        peak = np.unravel_index(int(np.abs(gradient).argmax()), gradient.shape)
        lines.append(f"backward pass: ∂cell/∂input ≠ 0 on {nonzero} of them, largest "
                     f"{np.abs(gradient).max():.3g} at ({peak[0]}, {peak[1]})")
    return "\n".join(lines)


class FieldView(Vertical):
    DEFAULT_CSS = """
    FieldView { height: auto; }
    FieldView > Horizontal { height: auto; }
    FieldView #field-map { width: auto; margin-right: 2; }
    FieldView #field-gradient { width: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.box: Box | None = None
        self.caption = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="field-caption", markup=False)
        with Horizontal():
            yield Static("", id="field-map")
            yield Static("", id="field-gradient")

    def show(self, layer: str, channel: int, fmap: np.ndarray, cell: tuple[int, int], box: Box,
             architectures_rf: int, gradient: np.ndarray) -> None:
        """Draw the map ``(H, W)``, the cell, its box and the gradient ``(28, 28)``."""
        self.box = box
        left = Text(f"{layer} · channel {channel}\n", style="bold") + map_text(
            fmap, marks=([cell[0]], [cell[1]]), cells={cell: "+"})
        right = Text("input: |∂cell/∂input|, RF box ▶▼\n", style="bold") + map_text(
            gradient, marks=(range(box.top, box.bottom + 1), range(box.left, box.right + 1)))
        self.caption = field_text(layer, cell, box, architectures_rf, gradient)
        self.query_one("#field-map", Static).update(left)
        self.query_one("#field-gradient", Static).update(right)
        self.query_one("#field-caption", Static).update(self.caption)
