"""Draw tab: draw a digit and watch the FC and the CNN read it as you draw.

What the models see is not the canvas itself but the canvas prepared the way MNIST digits
were (cropped to the ink, scaled to fit 20x20, centred by centre of mass), shown in the
middle. Predictions are recomputed at most :data:`PREDICT_INTERVAL` apart while drawing:
one image costs well under a millisecond per model, so this runs on the UI thread.

Layout: canvas | what the nets see | FC bars | CNN bars in one row. Below
:data:`NARROW_WIDTH` columns (an 80x24 terminal) the middle picture is hidden so that both
sets of bars stay readable; ``p`` swaps it in place of the canvas.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Static

from tuicnn.data.transforms import preprocess_drawing
from tuicnn.messages import SendToExplore
from tuicnn.nn.kinds import display_name
from tuicnn.session.workspace import ModelRecord
from tuicnn.tabs.base import BaseTab, bindings_of
from tuicnn.widgets.draw.draw_canvas import DrawCanvas
from tuicnn.widgets.heatmap import Heatmap
from tuicnn.widgets.probability_bars import ProbabilityBars

PREDICT_INTERVAL = 0.05
"""Seconds between prediction updates while drawing (at most 20 per second)."""

NARROW_WIDTH = 100
"""Below this many columns the preprocessed picture is hidden (``p`` shows it)."""

CANVAS_TITLE = "Your drawing"
CANVAS_TITLE_NARROW = "Drawing · p: nets' view"
SEEN_TITLE = "What the nets see"
SEEN_TITLE_SWAPPED = "Nets' view · p: back"

SEND_LABEL = "your drawing"
"""Caption sent with the image to the Explore tab."""

UNTRAINED_NOTICE = "Untrained models (random weights): train them in the Train tab (F2) first."
TRAINED_NOTICE = "Draw a digit (mouse, or arrows + space): both trained nets read it live."
HELP = (
    "Mouse: drag to draw, right-drag to erase. Keys: arrows move the cursor, space paints, "
    "shift+arrows draw lines, e eraser, [ ] or 1-3 brush size, x clear, u undo, "
    "s send to Explore, ? all keys.\n"
    "The nets never see your canvas as drawn: like every MNIST digit it is cropped to the "
    "ink, scaled to fit 20×20 and centred by its centre of mass (the middle picture)."
)
HELP_NARROW = (
    "Drag to draw, right-drag to erase; ? lists every key. The nets see your drawing "
    "cropped, scaled to 20×20 and centred like MNIST digits (p shows it)."
)
"""The help in two lines of an 80-column terminal, where only two are left for it."""


class DrawTab(Vertical, BaseTab):
    """Draw a digit; see it preprocessed like MNIST and both models' predictions, live.

    Keys of the canvas itself are :attr:`DrawCanvas.BINDINGS`; this tab adds ``s`` (send the
    preprocessed digit to the Explore tab as :class:`~tuicnn.messages.SendToExplore`) and
    ``p`` (show/hide what the nets see).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "send", "Send to Explore"),
        Binding("p", "toggle_seen", "Show/hide what the nets see", show=False),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._timer: Timer | None = None
        self._image: np.ndarray | None = None  # (28, 28) float32 the models were last fed

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        labels = self.workspace.split.class_names
        yield Static(id="draw-notice")
        with Horizontal(id="draw-row"):
            with Vertical(id="draw-canvas-panel"):
                yield DrawCanvas(id="draw-canvas")
            with Vertical(id="draw-seen-panel"):
                yield Heatmap(None, legend=False, title=SEEN_TITLE, id="draw-seen")
            for kind in ("fc", "cnn"):
                with Vertical(id=f"draw-{kind}-panel", classes="draw-bars-panel"):
                    yield Static(display_name(kind), classes="draw-bars-title")
                    yield Static(id=f"draw-{kind}-status", classes="draw-bars-status")
                    yield ProbabilityBars(labels, id=f"draw-{kind}-bars")
        yield Static(HELP, id="draw-help")

    def on_mount(self) -> None:
        self._update_titles()
        self._show_model_status()
        self.predict()

    def on_show(self) -> None:
        """Shown with nothing focused (the previous tab's focus was hidden): take it."""
        if self.screen.focused is None:
            self.focus_default()

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW_WIDTH
        self.set_class(narrow, "-narrow")
        self.query_one("#draw-help", Static).update(HELP_NARROW if narrow else HELP)
        self._update_titles()

    # -- public API -------------------------------------------------------------------------

    @property
    def canvas(self) -> DrawCanvas:
        """The drawing widget."""
        return self.query_one("#draw-canvas", DrawCanvas)

    @property
    def image(self) -> np.ndarray | None:
        """The preprocessed ``(28, 28)`` float32 image last shown to the models, or ``None``."""
        return None if self._image is None else self._image.copy()

    def focus_default(self) -> None:
        """Focus the canvas, so the drawing keys work straight away."""
        self.canvas.focus()

    @classmethod
    def help_sections(cls, title: str) -> list[tuple[str, list[Binding]]]:
        """The tab's keys, then the canvas's (they work while it has the focus)."""
        return [*super().help_sections(title), ("Drawing canvas", bindings_of(DrawCanvas))]

    def predict(self) -> None:
        """Preprocess the canvas and update the middle picture and both sets of bars now.

        An empty canvas shows "no prediction": the models' guess for a blank image would
        only be noise.
        """
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._image = preprocess_drawing(self.canvas.canvas)
        seen = self.query_one("#draw-seen", Heatmap)
        workspace = self.workspace
        if self._image is None:
            seen.update(None)
            for kind in ("fc", "cnn"):
                self.query_one(f"#draw-{kind}-bars", ProbabilityBars).update(None)
            return
        seen.update(self._image)
        batch = self._image[np.newaxis, :, :, np.newaxis]
        for kind, record in (("fc", workspace.fc), ("cnn", workspace.cnn)):
            probs = record.model.predict_proba(batch)[0]
            self.query_one(f"#draw-{kind}-bars", ProbabilityBars).update(probs)

    def models_changed(self) -> None:
        """The workspace's models were replaced: relabel and re-predict with the new ones."""
        self._show_model_status()
        self.predict()

    # -- events and actions -----------------------------------------------------------------

    def on_draw_canvas_changed(self, message: DrawCanvas.Changed) -> None:
        """Schedule a prediction; changes during the wait are picked up by the same one."""
        message.stop()
        if self._timer is None:
            self._timer = self.set_timer(PREDICT_INTERVAL, self.predict)

    def action_send(self) -> None:
        """Post the preprocessed drawing for the Explore tab."""
        self.predict()  # what is sent is what the canvas holds right now
        if self._image is None:
            self.notify("Nothing to send: draw a digit first.", severity="warning", timeout=3)
            return
        self.post_message(SendToExplore(self._image.copy(), SEND_LABEL))
        self.notify("Sent to the Explore tab.", timeout=2)

    def action_toggle_seen(self) -> None:
        """Wide: show/hide the preprocessed picture. Narrow: swap it with the canvas."""
        self.toggle_class("-swap")
        self._update_titles()
        if self.has_class("-narrow") and self.has_class("-swap"):
            self.query_one("#draw-seen", Heatmap).focus()
        else:
            self.canvas.focus()

    # -- internals --------------------------------------------------------------------------

    def _update_titles(self) -> None:
        """Point to ``p`` where the preprocessed picture is hidden (narrow terminals)."""
        narrow = self.has_class("-narrow")
        self.canvas.border_title = CANVAS_TITLE_NARROW if narrow else CANVAS_TITLE
        swapped = narrow and self.has_class("-swap")
        seen = self.query_one("#draw-seen", Heatmap)
        seen.title = SEEN_TITLE_SWAPPED if swapped else SEEN_TITLE
        # While it replaces the canvas, the picture takes focus so that p still reaches us.
        seen.can_focus = swapped

    def _show_model_status(self) -> None:
        workspace = self.workspace
        trained = workspace.fc.trained and workspace.cnn.trained
        notice = self.query_one("#draw-notice", Static)
        notice.update(TRAINED_NOTICE if trained else UNTRAINED_NOTICE)
        notice.set_class(not trained, "-untrained")
        for kind, record in (("fc", workspace.fc), ("cnn", workspace.cnn)):
            status = self.query_one(f"#draw-{kind}-status", Static)
            status.update(_status(record))
            status.set_class(not record.trained, "-untrained")


def _status(record: ModelRecord) -> str:
    """Short status under a model's name: ``94.1% test accuracy`` or the untrained warning."""
    if not record.trained:
        return "untrained — random weights"
    return f"{record.history[-1].test_acc:.1%} test accuracy"
