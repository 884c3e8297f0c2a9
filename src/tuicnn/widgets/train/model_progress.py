"""One line of progress for one model: epoch k/N, a bar over all its batches, time and ETA."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from tuicnn.lessons.training_run import ModelRun

TITLE_WIDTH = 4
STATUS_WIDTH = 23
TIMES_WIDTH = 24
PERCENT_WIDTH = 5
MIN_BAR = 10
"""Below this many cells for the bar (a terminal under 80 columns), the status and times
columns shrink to their words instead, so the bar never vanishes."""
#: The bar's done and to-do parts differ in shape as well as colour (readable in NO_COLOR).
DONE, TODO = "━", "─"


class ModelProgress(Widget):
    """``FC  epoch 2/5            ━━━━━━━━━━━─────────   40%  1.20s · ETA 1.80s``.

    The bar counts batches over the whole run (not per epoch) so it only ever moves forward;
    the text says the epoch. Status and times are words as well as colours, so the line reads
    the same with ``NO_COLOR``.

    One widget that draws its own line, rather than labels around Textual's ProgressBar
    (eight widgets): updating it four times a second while training is a repaint of one
    line, never a layout, and the Train tab starts faster.

    Args:
        title: the model's short name, e.g. ``FC``.
    """

    COMPONENT_CLASSES = {
        "model-progress--title",
        "model-progress--status",
        "model-progress--bar-done",
        "model-progress--bar-todo",
        "model-progress--times",
    }

    DEFAULT_CSS = """
    ModelProgress {
        height: 1;
        width: 1fr;
        & > .model-progress--title { text-style: bold; }
        & > .model-progress--bar-done { color: $accent; }
        & > .model-progress--bar-todo { color: $foreground 25%; }
        & > .model-progress--times { color: $text-muted; }
        &.-cancelled > .model-progress--status { color: $text-warning; }
        &.-done > .model-progress--status { color: $text-success; }
    }
    """

    def __init__(self, title: str, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title
        self.status_text = "not started"
        """The words after the title, e.g. ``epoch 2/5`` or ``done: 5/5 epochs``."""
        self.times_text = ""
        """Elapsed time and ETA, e.g. ``1.20s · ETA 1.80s``."""
        self._fraction = 0.0

    def show(self, run: ModelRun, now: float) -> None:
        """Draw ``run`` as of clock time ``now``."""
        self._fraction = run.done_batches / max(1, run.total_batches)
        self.status_text = run.status()
        self.times_text = run.times(now)
        self.set_class(run.cancelled is not None, "-cancelled")
        self.set_class(run.finished and run.cancelled is None, "-done")
        self.refresh()

    def show_waiting(self, text: str) -> None:
        """No run yet (or none in this session): say so instead of drawing progress."""
        self._fraction = 0.0
        self.status_text = text
        self.times_text = ""
        self.remove_class("-cancelled", "-done")
        self.refresh()

    def render(self) -> Text:
        style = self.get_component_rich_style
        width = self.content_size.width
        status_width, times_width = STATUS_WIDTH, TIMES_WIDTH
        bar_width = width - TITLE_WIDTH - status_width - PERCENT_WIDTH - times_width - 2
        if bar_width < MIN_BAR:  # narrow: columns as wide as their words, so the bar stays
            status_width, times_width = len(self.status_text) + 1, len(self.times_text)
            bar_width = width - TITLE_WIDTH - status_width - PERCENT_WIDTH - times_width - 2
        bar_width = max(0, bar_width)
        done = round(self._fraction * bar_width)
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append(f"{self.title:<{TITLE_WIDTH}}", style("model-progress--title"))
        line.append(f"{self.status_text:<{status_width}}", style("model-progress--status"))
        line.append(DONE * done, style("model-progress--bar-done"))
        line.append(TODO * (bar_width - done), style("model-progress--bar-todo"))
        line.append(f"{self._fraction:>{PERCENT_WIDTH}.0%}", Style())
        line.append(f"  {self.times_text:<{times_width}}", style("model-progress--times"))
        return line
