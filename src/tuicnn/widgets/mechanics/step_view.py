"""StepView: one convolution step with every number plugged in, beside the feature map.

Left, the ReLU map of the chosen filter with the cursor cell lit (``+``) and marked on the
rulers. Right, the input window (``pad`` where it hangs over the image, i.e. the zero
padding), the weights, the nine products, then the sum, the bias and the result before and
after ReLU, and the value the engine's own forward pass gave the same cell. For conv2 the
window and weights are those of one input channel (``{``/``}``), and every input channel's
partial sum is listed: conv2 adds them all up.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from tuicnn.lessons.conv_step import ConvStep
from tuicnn.widgets.mechanics.map_text import grid_lines, map_text

PER_LINE = 4
"""Partial sums listed per line (conv2)."""


def step_text(step: ConvStep, in_channel: int) -> str:
    """The numbers column for ``step``, showing input channel ``in_channel`` in detail."""
    c = in_channel % step.window.shape[0]
    conv2 = step.window.shape[0] > 1
    source = f"pool1 channel {c}" if conv2 else "the digit"
    lines = [f"{step.layer} filter {step.channel}, cell ({step.row}, {step.col})",
             f"window of {source}       weights"]
    window = grid_lines(step.window[c], step.padded)
    weights = grid_lines(step.weights[c])
    lines += [f"{w}  × {k}" for w, k in zip(window, weights, strict=True)]
    lines.append("= products, their sum " + f"{step.partial_sums[c]:+.4f}")
    lines += grid_lines(step.products[c])
    if conv2:
        lines.append(f"sums over the {step.window.shape[0]} pool1 channels ([n] = shown):")
        items = [f"{'[' if i == c else ' '}{i}{']' if i == c else ' '}{s:+.3f}"
                 for i, s in enumerate(step.partial_sums)]
        lines += ["  ".join(items[i:i + PER_LINE]) for i in range(0, len(items), PER_LINE)]
        lines.append(f"Σ all channels {step.partial_sums.sum():+.4f}")
    else:
        lines.append(f"Σ products {step.partial_sums.sum():+.4f}")
    lines += [f"+ bias {step.bias:+.4f} = {step.total:+.4f} before ReLU",
              f"ReLU → {step.relu:.4f}   forward pass: {step.map_value:.4f}"]
    return "\n".join(lines)


class StepView(Horizontal):
    """The map with its cursor and the step's numbers; :meth:`show` redraws both."""

    DEFAULT_CSS = """
    StepView { height: auto; }
    StepView > #step-map { width: auto; margin-right: 2; }
    StepView > #step-numbers { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.step: ConvStep | None = None
        self.numbers = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="step-map")
        yield Static("", id="step-numbers", markup=False)

    def show(self, step: ConvStep, fmap: np.ndarray, in_channel: int) -> None:
        """Draw ``step`` and ``fmap`` (``(H, W)``, the ReLU map of the step's filter)."""
        self.step = step
        self.numbers = step_text(step, in_channel)
        title = Text(f"relu{step.layer[-1]} · filter {step.channel}\n", style="bold")
        picture = map_text(fmap, marks=([step.row], [step.col]),
                           cells={(step.row, step.col): "+"})
        self.query_one("#step-map", Static).update(title + picture)
        self.query_one("#step-numbers", Static).update(self.numbers)
