"""One line of progress for one model: epoch k/N, a bar over all its batches, time and ETA."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from ..training_run import ModelRun


class ModelProgress(Horizontal):
    """``FC  epoch 2/5  ━━━━━━━━━━━╺━━━━━━━  40%  1.20s · ETA 1.80s``.

    The bar counts batches over the whole run (not per epoch) so it only ever moves forward;
    the text says the epoch. Status and times are words as well as colours, so the line reads
    the same with ``NO_COLOR``.

    Args:
        title: the model's short name, e.g. ``FC``.
    """

    DEFAULT_CSS = """
    ModelProgress {
        height: 1;
        width: 1fr;
        & > .model-progress--title { width: 4; text-style: bold; }
        & > .model-progress--status { width: 23; }
        & > ProgressBar { width: 1fr; }
        & > ProgressBar > Bar { width: 1fr; }
        & > .model-progress--times { width: 24; padding-left: 1; color: $text-muted; }
        &.-cancelled > .model-progress--status { color: $text-warning; }
        &.-done > .model-progress--status { color: $text-success; }
    }
    """

    def __init__(self, title: str, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title

    def compose(self) -> ComposeResult:
        yield Label(self.title, classes="model-progress--title")
        yield Label("not started", classes="model-progress--status")
        yield ProgressBar(total=1, show_eta=False)
        yield Label("", classes="model-progress--times")

    def show(self, run: ModelRun, now: float) -> None:
        """Draw ``run`` as of clock time ``now``."""
        self.query_one(ProgressBar).update(total=run.total_batches, progress=run.done_batches)
        # Both labels have fixed widths (see DEFAULT_CSS): a repaint is enough. A layout
        # pass per batch re-renders the whole screen, plotext charts included (~70 ms).
        self.query_one(".model-progress--status", Label).update(run.status(), layout=False)
        self.query_one(".model-progress--times", Label).update(run.times(now), layout=False)
        self.set_class(run.cancelled is not None, "-cancelled")
        self.set_class(run.finished and run.cancelled is None, "-done")

    def show_waiting(self, text: str) -> None:
        """No run yet (or none in this session): say so instead of drawing progress."""
        self.query_one(ProgressBar).update(total=1, progress=0)
        self.query_one(".model-progress--status", Label).update(text)
        self.query_one(".model-progress--times", Label).update("")
        self.remove_class("-cancelled", "-done")

