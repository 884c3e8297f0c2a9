"""Mechanics tab: how a convolution works, shown with the numbers of the CNN in use.

Four views of one real test digit through the workspace's CNN (trained or the seeded
untrained one; the status line says which):

* **Step** (``s``): one output cell of conv1 or conv2 with its window, weights, products,
  sum, bias and ReLU; arrows move the cell.
* **Sharing** (``w``): the conv1 filter's weights at two places against an FC hidden unit's.
* **Kernel lab** (``k``): kernel size, padding, stride and dilation on the digit, the
  output-size formula, and max against average pooling.
* **Receptive field** (``r``): the input pixels a cell of conv1/pool1/conv2/pool2 can see,
  shaded by the gradient of that cell with respect to the input.

Every number comes from ``tuicnn.lessons`` (conv_step, weight_sharing, conv_lab,
receptive_field), the same code behind ``tuicnn explain``. Each redraw costs about a
millisecond (one cached trace, a 3×3 dot product, a small NumPy convolution or one backward
pass through four layers), so it runs on the UI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Static

from tuicnn.lessons.conv_lab import SETTING_NAMES, LabSettings, lab_conv, lab_kernel
from tuicnn.lessons.conv_step import conv_step
from tuicnn.lessons.explorer import (
    Example,
    TraceCache,
    first_available_digit,
    pick_example,
    step_position,
)
from tuicnn.lessons.receptive_field import (
    RF_LAYERS,
    input_box,
    input_gradient,
    layer_shape,
)
from tuicnn.lessons.weight_sharing import first_dense, weight_sharing
from tuicnn.nn.architectures import app_architectures, summarize
from tuicnn.nn.tracing import Trace
from tuicnn.tabs.base import BaseTab, digit_bindings
from tuicnn.widgets.mechanics.field_view import FieldView
from tuicnn.widgets.mechanics.lab_view import LabView
from tuicnn.widgets.mechanics.sharing_view import SharingView
from tuicnn.widgets.mechanics.step_view import StepView
from tuicnn.widgets.scroll_body import ScrollBody

if TYPE_CHECKING:
    from tuicnn.nn.model import Sequential

VIEWS = {"step": "Step", "sharing": "Sharing", "lab": "Kernel lab", "field": "Receptive field"}
STEP_LAYERS = ("conv1", "conv2")
START_DIGIT = 6
RELU_OF = {"conv1": "relu1", "conv2": "relu2"}


def _arrow(key: str, rows: int, cols: int, what: str) -> Binding:
    return Binding(key, f"move({rows}, {cols})", what, show=False, priority=True)


class MechanicsTab(Vertical, BaseTab):
    """The four mechanics views; the tab holds the selection, the views draw it."""

    BINDINGS = [
        Binding("s", "view('step')", "Step"),
        Binding("w", "view('sharing')", "Sharing"),
        Binding("k", "view('lab')", "Kernel lab"),
        Binding("r", "view('field')", "Receptive field"),
        Binding("l", "layer", "Layer"),
        Binding("right_square_bracket", "channel(1)", "Next filter", key_display="]"),
        Binding("left_square_bracket", "channel(-1)", "Previous filter",
                key_display="[", show=False),
        Binding("right_curly_bracket", "in_channel(1)", "Step, conv2: next input channel",
                key_display="}", show=False),
        Binding("left_curly_bracket", "in_channel(-1)", "Step, conv2: previous input channel",
                key_display="{", show=False),
        Binding("m", "strongest", "Step, receptive field: the strongest cell", show=False),
        Binding("u", "unit(1)", "Sharing: next FC unit", show=False),
        Binding("U", "unit(-1)", "Sharing: previous FC unit", show=False),
        Binding("x", "swap", "Sharing: move the other window (A/B)", show=False),
        Binding("h", "hand_made", "Kernel lab: hand-made / CNN filter", show=False),
        Binding("n", "example(1)", "Next example", show=False),
        Binding("p", "example(-1)", "Previous example", show=False),
        *digit_bindings(),
        _arrow("up", -1, 0, "Move the cell up (lab: previous setting)"),
        _arrow("down", 1, 0, "Move the cell down (lab: next setting)"),
        _arrow("left", 0, -1, "Move the cell left (lab: decrease the setting)"),
        _arrow("right", 0, 1, "Move the cell right (lab: increase the setting)"),
    ]

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._traces = TraceCache()
        self._split = None
        self.digit = START_DIGIT
        self.position = 0
        self.view = "step"
        self.channel = 0
        self.in_channel = 0
        self.step_layer = "conv1"
        self.field_layer = "pool2"
        self.cells: dict[str, tuple[int, int]] = {}
        """The cursor of each layer; a layer not yet visited starts on its strongest cell."""
        self.sharing = {"A": (8, 8), "B": (18, 16)}
        self.moving = "A"
        self.unit = 0
        self.lab = LabSettings()
        self.lab_setting = "kernel"
        self.hand_made = False

    # -- composition ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="mechanics-network", markup=False)
        yield Static("", id="mechanics-example", markup=False)
        with ScrollBody(id="mechanics-body"), ContentSwitcher(initial="step",
                                                             id="mechanics-views"):
            yield StepView(id="step")
            yield SharingView(id="sharing")
            yield LabView(id="lab")
            yield FieldView(id="field")

    def on_mount(self) -> None:
        self._reset_split()
        self._redraw()

    def focus_default(self) -> None:
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors:
            self.screen.set_focus(self.query_one("#mechanics-body"))

    def models_changed(self) -> None:
        self._reset_split()
        self._redraw()

    # -- what is shown ----------------------------------------------------------------------

    @property
    def cnn(self) -> Sequential:
        return self.workspace.cnn.model

    @property
    def example(self) -> Example:
        return pick_example(self.workspace.split.y_test, self.digit, self.position)

    @property
    def trace(self) -> Trace | None:
        index = self.example.index
        if index < 0:
            return None
        return self._traces.get(self.cnn, index, self.workspace.split.x_test[index])

    def channels_of(self, layer: str) -> int:
        return layer_shape(self.cnn, layer)[2]

    def _reset_split(self) -> None:
        split = self.workspace.split
        if split is not self._split:
            self._split = split
            self.digit = first_available_digit(split.y_test, self.digit)
            self.position = 0

    # -- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that mean nothing in the current view are hidden from the footer."""
        only = {"layer": ("step", "field"), "strongest": ("step", "field"),
                "in_channel": ("step",), "unit": ("sharing",), "swap": ("sharing",),
                "hand_made": ("lab",)}
        if action in only:
            if action == "in_channel" and self.step_layer != "conv2":
                return False
            return self.view in only[action]
        return True

    def action_view(self, view: str) -> None:
        self.view = view
        self.query_one(ContentSwitcher).current = view
        self.query_one("#mechanics-body", ScrollBody).scroll_home(animate=False)
        self._redraw()
        self.refresh_bindings()

    def action_layer(self) -> None:
        if self.view == "step":
            self.step_layer = "conv2" if self.step_layer == "conv1" else "conv1"
        else:
            self.field_layer = RF_LAYERS[(RF_LAYERS.index(self.field_layer) + 1) % 4]
        self._redraw()
        self.refresh_bindings()

    def action_strongest(self) -> None:
        """Put the cursor on the largest value of the map shown (after ReLU for the step)."""
        layer = self.step_layer if self.view == "step" else self.field_layer
        self.cells.pop(layer, None)
        self._redraw()

    def _cell(self, layer: str, fmap: np.ndarray) -> tuple[int, int]:
        """The cursor on ``layer``, starting on the strongest cell of ``fmap`` ``(H, W)``."""
        if layer not in self.cells:
            row, col = np.unravel_index(int(np.argmax(fmap)), fmap.shape)
            self.cells[layer] = (int(row), int(col))
        return self.cells[layer]

    def action_channel(self, step: int) -> None:
        self.channel += step
        self._redraw()

    def action_in_channel(self, step: int) -> None:
        self.in_channel = (self.in_channel + step) % self.channels_of("pool1")
        self._redraw()

    def action_unit(self, step: int) -> None:
        self.unit = (self.unit + step) % first_dense(self.workspace.fc.model).out_features
        self._redraw()

    def action_swap(self) -> None:
        self.moving = "B" if self.moving == "A" else "A"
        self._redraw()

    def action_hand_made(self) -> None:
        self.hand_made = not self.hand_made
        self._redraw()

    def action_digit(self, digit: int) -> None:
        if digit >= self.workspace.split.n_classes:
            self.notify(f"this data set has no class {digit}", severity="warning")
            return
        self.digit, self.position = digit, 0
        self._redraw()

    def action_example(self, step: int) -> None:
        example = self.example
        if example.count:
            self.position = step_position(example.position, example.count, step)
            self._redraw()

    def action_move(self, rows: int, cols: int) -> None:
        """Arrows: move the cell (clamped to the map), or in the lab pick/change a setting."""
        if self.view == "lab":
            if rows:
                index = SETTING_NAMES.index(self.lab_setting) + rows
                self.lab_setting = SETTING_NAMES[index % len(SETTING_NAMES)]
            else:
                value = getattr(self.lab, self.lab_setting) + cols
                self.lab = self.lab.with_setting(self.lab_setting, value)
            self._redraw()
            return
        if self.view == "sharing":
            row, col = self.sharing[self.moving]
            self.sharing[self.moving] = (min(max(row + rows, 0), 27), min(max(col + cols, 0), 27))
        else:
            layer = self.step_layer if self.view == "step" else self.field_layer
            height, width, _ = layer_shape(self.cnn, layer)
            row, col = self.cells.get(layer, (height // 2, width // 2))
            self.cells[layer] = (min(max(row + rows, 0), height - 1),
                                 min(max(col + cols, 0), width - 1))
        self._redraw()

    # -- drawing ------------------------------------------------------------------------

    def _redraw(self) -> None:
        split = self.workspace.split
        example = self.example
        trace = self.trace
        self.query_one("#mechanics-network", Static).update(
            f"{VIEWS[self.view]} · the CNN, {self.workspace.cnn.status}")
        text = f"Input: {example.describe(split.class_names[self.digit])}"
        if example.index >= 0:
            text += f" (test index {example.index})"
        self.query_one("#mechanics-example", Static).update(text)
        if trace is None:
            return
        image = split.x_test[example.index]
        getattr(self, f"_draw_{self.view}")(trace, image)

    def _draw_step(self, trace: Trace, image: np.ndarray) -> None:
        layer = self.step_layer
        channel = self.channel % self.channels_of(layer)
        fmap = trace[RELU_OF[layer]].values[:, :, channel]
        cell = self._cell(layer, fmap)
        step = conv_step(self.cnn, trace, layer, channel, *cell)
        self.query_one(StepView).show(step, fmap, self.in_channel)

    def _draw_sharing(self, trace: Trace, image: np.ndarray) -> None:
        channel = self.channel % self.channels_of("conv1")
        fc = self.workspace.fc.model
        self.unit %= first_dense(fc).out_features  # a loaded FC may have fewer units
        result = weight_sharing(self.cnn, fc, trace, channel, self.unit, self.sharing["A"],
                                self.sharing["B"])
        self.query_one(SharingView).show(result, image[:, :, 0], self.moving)

    def _draw_lab(self, trace: Trace, image: np.ndarray) -> None:
        weights = self.cnn.layer("conv1").params["W"]
        kernel = lab_kernel(weights, self.lab.kernel, self.channel, self.hand_made)
        try:
            output = lab_conv(image[:, :, 0], kernel.weights, self.lab)
        except ValueError:  # the window is wider than the padded digit: the formula says so
            output = None
        self.query_one(LabView).show(image[:, :, 0], self.lab, self.lab_setting, kernel, output)

    def _draw_field(self, trace: Trace, image: np.ndarray) -> None:
        layer = self.field_layer
        channel = self.channel % self.channels_of(layer)
        fmap = trace[layer].values[:, :, channel]
        cell = self._cell(layer, fmap)
        box = input_box(self.cnn, layer, *cell)
        gradient = input_gradient(self.cnn, image, layer, channel, *cell)
        filters = self.channels_of("conv1")
        rows = summarize(app_architectures(128, filters)[1]).rows
        rf = next(row.receptive_field for row in rows if row.name == layer)
        self.query_one(FieldView).show(layer, channel, fmap, cell, box, rf or 0, gradient)
