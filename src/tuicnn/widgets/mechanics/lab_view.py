"""LabView: kernel size, padding, stride and dilation on the real digit.

Top, the four settings (the one the arrows change is marked ``▸``), the kernel used (the
CNN's conv1 filter, or a hand-made one, labelled) and the output-size formula filled in.
Then the padded digit (``·`` = the zero border) with the rows and columns where the window
starts marked on the rulers, the output map after ReLU, and 2×2 max and average pooling of
that map side by side.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from tuicnn.lessons.conv_lab import (
    LAB_LIMITS,
    SETTING_NAMES,
    LabKernel,
    LabSettings,
    pool,
    window_starts,
)
from tuicnn.widgets.mechanics.map_text import map_text


def settings_text(settings: LabSettings, selected: str, kernel: LabKernel) -> str:
    parts = []
    for name in SETTING_NAMES:
        low, high = LAB_LIMITS[name]
        mark = "▸" if name == selected else " "
        parts.append(f"{mark}{name} {name[0].upper()}={getattr(settings, name)} ({low}–{high})")
    return ("   ".join(parts[:2]) + "   (↑↓ pick, ←→ change)\n" + "   ".join(parts[2:])
            + "   (pgdn: pooling below)" + f"\nkernel: {kernel.label}")


class LabView(Vertical):
    DEFAULT_CSS = """
    LabView { height: auto; }
    LabView > Horizontal { height: auto; margin-top: 1; }
    LabView Horizontal > Static { width: auto; margin-right: 2; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.formula = ""
        self.output: np.ndarray | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="lab-settings", markup=False)
        yield Static("", id="lab-formula", markup=False)
        with Horizontal():
            yield Static("", id="lab-input")
            yield Static("", id="lab-output")
        with Horizontal():
            yield Static("", id="lab-max")
            yield Static("", id="lab-average")

    def show(self, image: np.ndarray, settings: LabSettings, selected: str, kernel: LabKernel,
             output: np.ndarray | None) -> None:
        """Draw the lab for ``image`` ``(28, 28)``; ``output`` is None when the window does
        not fit in the padded input."""
        self.output = output
        self.formula = settings.formula(image.shape[0])
        self.query_one("#lab-settings", Static).update(settings_text(settings, selected, kernel))
        self.query_one("#lab-formula", Static).update(self.formula)
        p = settings.padding
        padded = np.full((image.shape[0] + 2 * p, image.shape[1] + 2 * p), np.nan)
        padded[p:p + image.shape[0], p:p + image.shape[1]] = image
        starts = [s + p for s in window_starts(image.shape[0], settings)]
        taps = {}
        if starts:  # the first window's K×K taps, D pixels apart: dilation's gaps show
            offsets = [starts[0] + i * settings.dilation for i in range(settings.kernel)]
            taps = {(r, c): "x" for r in offsets for c in offsets}
        inputs = Text("input: · zero border, x first window,\n▶▼ where windows start\n",
                      style="bold")
        self.query_one("#lab-input", Static).update(
            inputs + map_text(padded, marks=(starts, starts), cells=taps))
        blank = Text("")
        if output is None:
            for part in ("#lab-output", "#lab-max", "#lab-average"):
                self.query_one(part, Static).update(blank)
            return
        relu = np.maximum(output, 0)
        size = f"{output.shape[0]}×{output.shape[1]}"
        self.query_one("#lab-output", Static).update(
            Text(f"output {size}, after ReLU\n", style="bold") + map_text(relu))
        for kind, part in (("max", "#lab-max"), ("average", "#lab-average")):
            pooled = pool(relu, kind)
            if pooled.size == 0:
                self.query_one(part, Static).update(Text(f"{kind} pool: map too small"))
                continue
            title = Text(f"2×2 {kind} pool {pooled.shape[0]}×{pooled.shape[1]}\n", style="bold")
            scale = float(relu.max()) or None  # both pools on the map's scale: comparable
            self.query_one(part, Static).update(title + map_text(pooled, scale=scale))
