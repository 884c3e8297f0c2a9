"""Explore tab: one real test digit through the workspace's CNN, in three views.

* **Filters** (``f``): every conv1 filter's weights and its response, how far it moved from
  its start, beside hand-made filters for comparison. ``w`` flips the numbers between the
  weights now, at the start and the change ``W − W₀``; ``<``/``>`` step through training
  (conv1 at the start and after each epoch, the digit run through each).
* **Layers** (``l``): the digit stage by stage, the softmax, the shapes and parameters.
* **Max-pool** (``m``): a 4x4 window of a ReLU map and the 2x2 max-pool result over it.

Keys: ``0``-``9`` pick the digit (the number a user wants to see is the key they press),
``n``/``p`` step through its test examples, ``f``/``l``/``m`` switch views (mnemonic
letters, so the number keys stay digits), ``[``/``]`` (or ``,``/``.``) change channel, in
the filters view ``w`` and ``<``/``>`` flip the weights and step through the epochs, and in
the max-pool view the arrows move the window (which then stays where it was put).

All numbers come from the engine: the tab traces each (network, image) pair once, caches the
trace and only redraws what a key press changed. A trace of one image costs well under a
millisecond, so it runs on the UI thread even while a training thread is busy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, ContentSwitcher, Label, Static

from tuicnn.lessons.explorer import (
    QUICK_DIGITS,
    Example,
    TraceCache,
    channel_count,
    classic_responses,
    first_available_digit,
    pick_example,
    stage_channel,
    step_position,
)
from tuicnn.lessons.filter_change import (
    WEIGHT_VIEW_TITLES,
    WEIGHT_VIEWS,
    experiment_note,
    filter_changes,
    layer_verdict,
    short_caption,
    verdict,
    weights_to_show,
)
from tuicnn.lessons.time_machine import Conv1Frame, conv1_frames, conv1_maps, loss_marks
from tuicnn.nn.tracing import Trace
from tuicnn.tabs.base import BaseTab, digit_bindings
from tuicnn.widgets.explore.filters_view import FiltersView, learned_title
from tuicnn.widgets.explore.maxpool_view import MaxPoolView
from tuicnn.widgets.explore.pipeline_view import PipelineView
from tuicnn.widgets.repeat_button import RepeatButton
from tuicnn.widgets.scroll_body import ScrollBody

if TYPE_CHECKING:
    from tuicnn.data.dataset import Split
    from tuicnn.session.workspace import ModelRecord

VIEWS = ("filters", "layers", "maxpool")
"""Content switcher ids, in the order of the view buttons."""

VIEW_NAMES = {"filters": "Filters", "layers": "Layers", "maxpool": "Max-pool"}

START_DIGIT = 6
"""Opens on a 6: a loop and a stroke, more interesting than a 0 or a 1."""

CLASSIC_CACHE = 32

TRAIN_HINT = "train it in the Train tab (F2)"
"""Ends the header while the CNN is untrained, as the Draw and Shift tabs' notices do."""


class ExploreTab(Vertical, BaseTab):
    """Shows one digit flowing through the CNN; every number is the engine's."""

    BINDINGS = [
        *digit_bindings(),
        Binding("n", "example(1)", "Next example", group=Binding.Group("Example")),
        Binding("p", "example(-1)", "Previous example", group=Binding.Group("Example")),
        Binding("f", "view('filters')", "Filters view", group=Binding.Group("View")),
        Binding("l", "view('layers')", "Layers view", group=Binding.Group("View")),
        Binding("m", "view('maxpool')", "Max-pool view", group=Binding.Group("View")),
        Binding(
            "right_square_bracket,full_stop",
            "channel(1)",
            "Next channel / filter (also .)",
            key_display="]",
            group=Binding.Group("Filter"),
        ),
        Binding(
            "left_square_bracket,comma",
            "channel(-1)",
            "Previous channel / filter (also ,)",
            key_display="[",
            group=Binding.Group("Filter"),
        ),
        Binding("less_than_sign", "epoch(-1)", "Filters: an epoch back in training",
                key_display="<", group=Binding.Group("Epoch")),
        Binding("greater_than_sign", "epoch(1)", "Filters: an epoch on in training",
                key_display=">", group=Binding.Group("Epoch")),
        Binding("w", "weights", "Weights", tooltip="Filters view: the cards' numbers are "
                "the weights now, at the start, or the change W − W₀"),
        Binding(
            "up", "move(-1, 0)", "Max-pool view: window up 2 pixels", show=False, priority=True
        ),
        Binding(
            "down", "move(1, 0)", "Max-pool view: window down 2 pixels", show=False, priority=True
        ),
        Binding(
            "left", "move(0, -1)", "Max-pool view: window left 2 pixels", show=False, priority=True
        ),
        Binding(
            "right", "move(0, 1)", "Max-pool view: window right 2 pixels", show=False, priority=True
        ),
    ]

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._traces = TraceCache()
        self._classic: dict[int, np.ndarray] = {}
        self._split: Split | None = None
        self.digit = START_DIGIT
        self.position = 0
        self.view = "filters"
        self.channel = 0
        self.weight_view = "now"
        """What the filter cards' numbers show: one of ``WEIGHT_VIEWS``."""
        self.frame: int | None = None
        """The time machine's moment (index into ``conv1_frames``); None = the model now."""
        self._drawn: dict[str, tuple[object, ...]] = {}
        self._drawing: tuple[int, np.ndarray, str] | None = None
        """``(cache key, (28, 28, 1) image, caption)`` of a drawing shown instead of a test
        example; keys are negative so they never collide with test-set indices."""
        self._drawings_seen = 0

    # -- composition --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        split = self.workspace.split
        yield Static("", id="explore-network", markup=False)
        yield Static("", id="explore-example", markup=False)
        with Horizontal(id="explore-controls"):
            yield Label("Digit", classes="explore--label")
            for digit in QUICK_DIGITS:
                yield Button(
                    self._digit_label(split, digit),
                    id=f"digit-{digit}",
                    compact=True,
                    tooltip=f"a test example of {split.class_names[digit]} (key {digit})",
                    classes="explore--digit",
                )
            yield RepeatButton("◀ p", id="example-prev", compact=True,
                               tooltip="previous example (p)")
            yield RepeatButton("n ▶", id="example-next", compact=True,
                               tooltip="next example (n)")
            yield Label("View", classes="explore--label")
            for view in VIEWS:
                key = view[0]
                yield Button(
                    f"{key} {VIEW_NAMES[view]}",
                    id=f"view-{view}",
                    compact=True,
                    tooltip=f"{VIEW_NAMES[view]} view (key {key})",
                    classes="explore--view",
                )
        with (
            ScrollBody(id="explore-body"),
            ContentSwitcher(initial=self.view, id="explore-views"),
        ):
            yield self._make_view(self.view)

    def _make_view(self, view: str) -> FiltersView | PipelineView | MaxPoolView:
        """Build a view widget. Views are mounted on first use: most visits need one or two,
        and each saves Textual styling and layout work at start-up."""
        if view == "filters":
            return FiltersView(id="filters")
        if view == "layers":
            return PipelineView(self.workspace.split.class_names, id="layers")
        return MaxPoolView(id="maxpool")

    def on_mount(self) -> None:
        self._reset_split()
        self._redraw()

    def on_show(self) -> None:
        """Shown with nothing focused (the previous tab's focus was hidden): take it."""
        if self.screen.focused is None:
            self.focus_default()

    def focus_default(self) -> None:
        """Focus the scrolling body (the main screen calls this after F3 and the palette)."""
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors:
            self.screen.set_focus(self.query_one("#explore-body"))

    # -- what is shown --------------------------------------------------------------------

    @property
    def record(self) -> ModelRecord:
        """The network explored: always the workspace's current CNN."""
        return self.workspace.cnn

    @property
    def example(self) -> Example:
        """The test example shown (digit, position among its class, test-set index)."""
        split = self.workspace.split
        return pick_example(split.y_test, self.digit, self.position)

    @property
    def shown_image(self) -> tuple[int, np.ndarray] | None:
        """``(cache key, (28, 28, 1) image)`` on screen: a drawing, or the test example."""
        if self._drawing is not None:
            return self._drawing[0], self._drawing[1]
        example = self.example
        if example.index < 0:
            return None
        return example.index, self.workspace.split.x_test[example.index]

    @property
    def trace(self) -> Trace | None:
        """The engine's trace of the shown image through the current CNN (cached)."""
        shown = self.shown_image
        return None if shown is None else self._traces.get(self.record.model, *shown)

    def show_drawing(self, image: np.ndarray, caption: str) -> None:
        """Trace a drawing (``(28, 28)`` float in [0, 1]) instead of a test example.

        Picking a digit or stepping examples returns to the test set.
        """
        self._drawings_seen += 1
        pixels = np.asarray(image, dtype=np.float32).reshape(28, 28, 1).copy()
        self._drawing = (-1 - self._drawings_seen, pixels, caption)
        self._redraw()

    @property
    def filters(self) -> int:
        """Number of conv1 filters of the current network."""
        return channel_count(self.record.model, "relu1")

    def models_changed(self) -> None:
        """The workspace's models were replaced elsewhere: re-trace and redraw with the new CNN."""
        self.frame = None
        self._reset_split()
        self._drawn.clear()
        self._redraw()

    # -- actions ----------------------------------------------------------------------------

    def action_digit(self, digit: int) -> None:
        """Show the first test example of ``digit``."""
        if digit >= self.workspace.split.n_classes:
            self.notify(f"this data set has no class {digit}", severity="warning")
            return
        self.digit, self.position, self._drawing = digit, 0, None
        self._redraw()

    def action_example(self, step: int) -> None:
        """Step to the next/previous test example of the same digit, wrapping around."""
        example = self.example
        if self._drawing is not None:  # back to the test set, where we were
            self._drawing = None
            self._redraw()
        elif example.count:
            self.position = step_position(example.position, example.count, step)
            self._redraw()

    async def action_view(self, view: str) -> None:
        """Switch view; the view is drawn now if its numbers are out of date."""
        switcher = self.query_one(ContentSwitcher)
        if not switcher.query_children(f"#{view}"):
            await switcher.add_content(self._make_view(view))
        self.view = view
        switcher.current = view
        self.query_one("#explore-body", ScrollBody).scroll_home(animate=False)
        self._redraw()
        self.refresh_bindings()

    def action_channel(self, step: int) -> None:
        """Select the next/previous channel. Filters and max-pool views cycle conv1's
        filters; the layers view cycles conv2's (twice as many), conv1 stages wrap."""
        channels = self.filters
        if self.view == "layers":
            channels = channel_count(self.record.model, "relu2")
        self.channel = (stage_channel(self.channel, channels) + step) % channels
        self._redraw()
        if self.view == "filters":  # bring the newly marked filter card into view
            cards = self.query_one(FiltersView).learned_cards
            if cards:
                cards[stage_channel(self.channel, len(cards))].scroll_visible(animate=False)

    @property
    def frames(self) -> list[Conv1Frame]:
        """conv1 at the start and after each epoch (the last one is the model now)."""
        return conv1_frames(self.record)

    def action_epoch(self, step: int) -> None:
        """Step the filters view through training: conv1 one epoch earlier or later."""
        frames = self.frames
        if len(frames) < 2:
            self.notify("No earlier epochs to show: " + (
                "this model was saved before tuicnn kept them." if self.record.trained
                else "train the CNN first (F2, then t)."), severity="warning")
            return
        current = len(frames) - 1 if self.frame is None else self.frame
        wanted = min(max(current + step, 0), len(frames) - 1)
        self.frame = None if wanted == len(frames) - 1 else wanted
        self._redraw()

    def action_weights(self) -> None:
        """Cycle the cards' numbers: weights now, at the start, the change W − W₀."""
        self.weight_view = WEIGHT_VIEWS[(WEIGHT_VIEWS.index(self.weight_view) + 1)
                                        % len(WEIGHT_VIEWS)]
        self._redraw()

    def action_move(self, rows: int, cols: int) -> None:
        """Move the max-pool window by whole 2x2 blocks."""
        self.query_one(MaxPoolView).move(rows, cols)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Arrow keys move the window only in the max-pool view; elsewhere they scroll."""
        if action == "move":
            return self.view == "maxpool"
        if action in ("epoch", "weights"):
            return self.view == "filters"
        return True

    # -- buttons ----------------------------------------------------------------------------

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button.startswith("digit-"):
            self.action_digit(int(button.removeprefix("digit-")))
        elif button == "example-prev":
            self.action_example(-1)
        elif button == "example-next":
            self.action_example(1)
        elif button.startswith("view-"):
            await self.action_view(button.removeprefix("view-"))
        event.stop()

    # -- drawing ----------------------------------------------------------------------------

    def _reset_split(self) -> None:
        """Adopt the workspace's data (first mount, or a data set replaced elsewhere)."""
        split = self.workspace.split
        if split is self._split:
            return
        self._split = split
        self._classic.clear()
        self.digit = first_available_digit(split.y_test, self.digit)
        self.position = 0

    def _classic_responses(self, index: int, image: np.ndarray) -> np.ndarray:
        """Hand-made filter responses ``(28, 28, 4)`` for image key ``index`` (cached)."""
        cached = self._classic.get(index)
        if cached is None:
            if len(self._classic) >= CLASSIC_CACHE:
                self._classic.pop(next(iter(self._classic)))
            cached = self._classic[index] = classic_responses(image)
        return cached

    def _redraw(self) -> None:
        """Update the status lines and whatever the active view needs, nothing more."""
        split = self.workspace.split
        record = self.record
        example = self.example
        trace = self.trace
        to_train = "" if record.trained else f" · {TRAIN_HINT}"
        self.query_one("#explore-network", Static).update(
            f"Network: the CNN, {record.status} · {self.filters} conv1 filters{to_train}"
        )
        if self._drawing is not None:
            text = f"Input: {self._drawing[2]} (press a digit or n/p to return to test examples)"
        else:
            text = f"Input: {example.describe(split.class_names[self.digit])}"
        if trace is not None:
            predicted = trace.prediction
            text += (
                f" · the CNN says {split.class_names[predicted]} "
                f"({trace.probabilities[predicted]:.1%})"
            )
        self.query_one("#explore-example", Static).update(text)
        for view in VIEWS:
            self.query_one(f"#view-{view}", Button).set_class(view == self.view, "-active")
        for digit in QUICK_DIGITS:
            picked = self._drawing is None and digit == self.digit  # not while a drawing shows
            self.query_one(f"#digit-{digit}", Button).set_class(picked, "-active")
        if trace is None:
            return
        index, pixels = self.shown_image
        key = (record.model, index)
        channel = stage_channel(self.channel, self.filters)
        image = pixels[:, :, 0]
        true_label = None if self._drawing is not None else self.digit
        if self.view == "filters":
            view = self.query_one(FiltersView)
            filters_key = (*key, self.frame, self.weight_view)
            if self._drawn.get("filters") != filters_key:
                self._show_filters(view, trace, index, image, channel)
                self._drawn["filters"] = filters_key
            else:
                view.select(channel)
            self._show_change(view, channel)
        elif self.view == "layers":
            pipeline = self.query_one(PipelineView)
            if self._drawn.get("layers") != key:
                pipeline.show(trace, record.model, self.channel, true_label)
                self._drawn["layers"] = key
            else:
                pipeline.set_channel(self.channel)
        else:
            zoom_key = (*key, channel)
            if self._drawn.get("maxpool") != zoom_key:
                self.query_one(MaxPoolView).show(
                    trace["relu1"].values[:, :, channel],
                    trace["pool1"].values[:, :, channel],
                    f"relu1 · {learned_title(channel, self.filters)}",
                )
                self._drawn["maxpool"] = zoom_key

    def _show_filters(self, view: FiltersView, trace: Trace, index: int, image: np.ndarray,
                      channel: int) -> None:
        """The cards at the time machine's moment: its weights (or start, or change) and
        the digit's relu1 computed with them (the trace's own relu1 for the model now)."""
        frames = self.frames
        frame = frames[-1 if self.frame is None else self.frame]
        relu1 = trace["relu1"].values if self.frame is None else conv1_maps(
            image, frame.weights, frame.bias)
        start = self.record.start_weights
        shown = weights_to_show(self.weight_view, start, frame.weights)
        changes = filter_changes(start, frame.weights)
        view.show(image, frame.weights if shown is None else shown, relu1,
                  self._classic_responses(index, image), channel,
                  captions=[short_caption(change) for change in changes])

    def _show_change(self, view: FiltersView, channel: int) -> None:
        """The lines above the cards: which moment and numbers are shown, and what the
        selected filter's measured change says."""
        frames = self.frames
        index = len(frames) - 1 if self.frame is None else self.frame
        frame = frames[index]
        start = self.record.start_weights
        changes = filter_changes(start, frame.weights)
        numbers = WEIGHT_VIEW_TITLES[self.weight_view]
        if start is None and self.weight_view != "now":
            numbers = "weights now (start unknown)"
        keys = "w: now/start/change" + (" · < >: epochs" if len(frames) > 1 else "")
        selected = stage_channel(channel, len(changes))
        lines = [
            f"conv1 {frame.label} · numbers: {numbers} · {keys}",
            loss_marks(self.record, frame.epoch),
            layer_verdict(changes),
            f"{learned_title(selected, len(changes)).capitalize()}: {verdict(changes[selected])}.",
            experiment_note(str(self.record.model.hparams.get("conv1_init", "he")), changes,
                            self.record.trained),
        ]
        view.set_status("\n".join(line for line in lines if line))

    @staticmethod
    def _digit_label(split: Split, digit: int) -> str:
        name = split.class_names[digit]
        return name if name == str(digit) else f"{digit} {name}"
