"""The closing verdict of a run: both accuracies, the gap, sizes, times and one sentence."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from tuicnn.lessons import training_run
from tuicnn.lessons.training_run import ModelRun, Outcome, summary_sentence
from tuicnn.widgets.train.model_style import COLORS


class RunSummary(Static):
    """Says what the run showed, once it is over (or why there is nothing to compare).

    The sentence comes from ``summary_sentence`` with the run's own numbers, so the words
    can never disagree with the table above them.
    """

    DEFAULT_CSS = """
    RunSummary {
        height: auto;
        border: round $foreground 30%;
        padding: 0 1;
        &.-cancelled { border: round $warning; }
        &.-done { border: round $success; }
    }
    """

    def on_mount(self) -> None:
        self.border_title = "Result"

    def show_text(self, text: str) -> None:
        """A plain remark in place of a result (before a run, during one, after a failure)."""
        self.remove_class("-done", "-cancelled")
        self.update(escape(text))

    def show_outcome(self, fc: ModelRun, cnn: ModelRun, n_train: int, wall: float,
                     origin: str | None = None) -> None:
        """Compare the last finished epoch of each model; ``wall`` is the whole run's time.

        ``origin`` names where stored models came from (``loaded from run.npz``): the head
        line then says so instead of a run time measured now."""
        cancelled = fc.cancelled is not None or cnn.cancelled is not None
        self.set_class(cancelled, "-cancelled")
        self.set_class(not cancelled, "-done")
        outcome = Outcome.of(fc, cnn, n_train)
        head = "Cancelled" if cancelled else "Done"
        seconds = training_run.format_seconds
        if outcome is None:
            self.update(f"[b]{head}[/b] before both models finished an epoch: nothing to "
                        "compare yet, and the models you had before are kept.")
            return
        when = f"[b]{head}[/b] in {seconds(wall)}" if origin is None else (
            f"[b]Stored run[/b] ({escape(origin)})")
        lines = [
            f"{when}: test accuracy "
            f"[b ${COLORS['fc']}]FC {outcome.fc_acc:.1%}[/] vs "
            f"[b ${COLORS['cnn']}]CNN {outcome.cnn_acc:.1%}[/] "
            f"([b]CNN {outcome.points:+.1f} points[/b])",
            f"FC {outcome.fc_params:,} parameters, trained {seconds(fc.seconds)}; "
            f"CNN {outcome.cnn_params:,} ({outcome.ratio:.2f}×), trained {seconds(cnn.seconds)}",
            escape(summary_sentence(outcome)),
        ]
        self.update("\n".join(lines))
