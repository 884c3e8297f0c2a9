"""What the Train tab knows about a run in progress, and how it words the result.

Plain Python (no Textual): the tab feeds training events in and reads progress, ETA, chart
series and the closing sentence out, so all of that is tested without a UI. The UI thread
owns these objects; the training thread only sends events (as messages) to it.

All durations shown to the user go through :func:`format_seconds`, looked up as a module
attribute (``training_run.format_seconds``) at call time, so a snapshot test can replace
that one function and get the same picture on every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tuicnn.nn.events import BatchEnd, Cancelled, EpochEnd, TrainEvent
from tuicnn.nn.kinds import display_name


def format_seconds(seconds: float) -> str:
    """A duration for people: ``0.46s``, ``12.3s``, ``2m 05s``."""
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s"


@dataclass
class ModelRun:
    """One model's side of a run, updated from its events in order.

    Attributes:
        kind: ``"fc"`` or ``"cnn"`` (the engine's ``model.kind``).
        n_params: trainable parameters of the model being trained.
        epochs: epochs asked for.
        batches: batches per epoch (corrected from the first ``BatchEnd``).
        started: clock reading when the run started.
        history: one ``EpochEnd`` per finished epoch.
        last_batch: the latest ``BatchEnd`` seen, if any.
        cancelled: the ``Cancelled`` event, when the model was stopped.
        ended: clock reading when the model finished or was cancelled.
        partial: ``(fractional epoch, running loss)`` points of the epoch in progress.
    """

    kind: str
    n_params: int
    epochs: int
    batches: int
    started: float
    history: list[EpochEnd] = field(default_factory=list)
    last_batch: BatchEnd | None = None
    cancelled: Cancelled | None = None
    ended: float | None = None
    partial: list[tuple[float, float]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return display_name(self.kind)

    @property
    def total_batches(self) -> int:
        return self.epochs * self.batches

    @property
    def done_batches(self) -> int:
        """Optimisation steps taken so far in this run."""
        done = len(self.history) * self.batches
        if self.last_batch is not None:
            done = max(done, (self.last_batch.epoch - 1) * self.batches + self.last_batch.batch)
        return min(done, self.total_batches)

    @property
    def finished(self) -> bool:
        return self.ended is not None

    @property
    def seconds(self) -> float:
        """Training time as the engine measured it (sum of finished epochs)."""
        return sum(e.seconds for e in self.history)

    def apply(self, event: TrainEvent, now: float) -> None:
        """Take in one of this model's events, received at clock time ``now``."""
        if isinstance(event, BatchEnd):
            if self.finished or event.epoch <= len(self.history):
                return  # a late progress snapshot: this batch is already counted
            self.batches = event.batches
            if self.last_batch is None or self.last_batch.epoch != event.epoch:
                self.partial = []
            self.last_batch = event
            self.partial.append((event.epoch - 1 + event.batch / event.batches, event.loss))
        elif isinstance(event, EpochEnd):
            self.history.append(event)
            self.partial = []
            if event.epoch == event.epochs:
                self.ended = now
        elif isinstance(event, Cancelled):
            self.cancelled = event
            self.partial = []
            self.ended = now

    @classmethod
    def stored(cls, kind: str, n_params: int, history: list[EpochEnd],
               cancelled: bool = False) -> ModelRun:
        """A finished run rebuilt from a saved history (e.g. ``tuicnn --load``): the
        charts and tables show it as they showed it live; its time is the epochs' own."""
        epochs = history[-1].epochs if history else 0
        run = cls(kind, n_params, epochs, 1, 0.0, history=list(history),
                  ended=sum(e.seconds for e in history))
        if cancelled:
            run.cancelled = Cancelled(kind, len(history) + 1, 0)
        return run

    def elapsed(self, now: float) -> float:
        return (self.ended if self.ended is not None else now) - self.started

    def eta(self, now: float) -> float | None:
        """Seconds left, extrapolated from the pace so far; None before the first step."""
        done = self.done_batches
        if self.finished:
            return 0.0
        if done == 0:
            return None
        return self.elapsed(now) * (self.total_batches - done) / done

    def status(self) -> str:
        """E.g. ``epoch 2/5``, ``done: 5/5 epochs``, ``cancelled in epoch 3/5``."""
        if self.cancelled is not None:
            return f"cancelled in epoch {self.cancelled.epoch}/{self.epochs}"
        if self.finished:
            return f"done: {self.epochs}/{self.epochs} epochs"
        epoch = self.last_batch.epoch if self.last_batch else 1
        return f"epoch {epoch}/{self.epochs}"

    def times(self, now: float) -> str:
        """Elapsed time and ETA, e.g. ``1.20s · ETA 3.41s``; once finished, the training
        time the engine measured (``trained 1.18s``), the figure the run's summary and the
        epoch table add up to (the wall clock also counts the wait for the first batch)."""
        if self.finished:
            return f"trained {format_seconds(self.seconds)}"
        elapsed = format_seconds(self.elapsed(now))
        eta = self.eta(now)
        return f"{elapsed} · ETA {'…' if eta is None else format_seconds(eta)}"


@dataclass(frozen=True)
class Outcome:
    """The numbers the closing summary compares (taken from each model's last epoch)."""

    fc_acc: float
    cnn_acc: float
    fc_params: int
    cnn_params: int
    fc_epochs: int
    cnn_epochs: int
    epochs: int
    n_train: int

    @classmethod
    def of(cls, fc: ModelRun, cnn: ModelRun, n_train: int) -> Outcome | None:
        """The outcome of a run, or None when a model has no finished epoch to compare."""
        if not fc.history or not cnn.history:
            return None
        return cls(fc.history[-1].test_acc, cnn.history[-1].test_acc, fc.n_params,
                   cnn.n_params, len(fc.history), len(cnn.history), fc.epochs, n_train)

    @property
    def points(self) -> float:
        """CNN minus FC test accuracy, in percentage points."""
        return 100 * (self.cnn_acc - self.fc_acc)

    @property
    def ratio(self) -> float:
        """CNN parameters per FC parameter."""
        return self.cnn_params / self.fc_params


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def summary_sentence(o: Outcome) -> str:
    """One sentence saying what the result shows, chosen from the actual numbers.

    A lead under one point on a 1,000-image test set is within what a different seed can
    change, so it is called a tie; a CNN win with far more parameters is not credited to
    convolution; a cancelled run with unequal epochs is flagged as not like for like.
    """
    if o.fc_epochs != o.cnn_epochs:
        return (
            f"Not a like-for-like comparison: the FC finished {_plural(o.fc_epochs, 'epoch')} "
            f"and the CNN {_plural(o.cnn_epochs, 'epoch')} before the run was cancelled."
        )
    points, ratio = o.points, o.ratio
    size = ("a similar number of" if 0.8 <= ratio <= 1.25
            else f"{1 / ratio:.1f}× fewer" if ratio < 0.8 else f"{ratio:.1f}× more")
    seen = f"{_plural(o.cnn_epochs, 'epoch')} on {o.n_train:,} digits"
    if abs(points) < 1:
        return (
            f"A tie within a point after {seen}: here the CNN's built-in idea of local "
            "patterns gave no clear edge; more epochs or more digits may separate them."
        )
    if points > 0 and ratio <= 1.25:
        return (
            f"The CNN scored {points:.1f} points higher with {size} parameters. What differs "
            "is the design: each 3×3 filter uses the same nine weights at every position, "
            "where the FC has a weight per pixel per unit. How far the filters moved from "
            "their random start: Explore (F3)."
        )
    if points > 0:
        return (
            f"The CNN scored {points:.1f} points higher, but with {size} parameters, so this "
            "run alone does not show that convolution made the difference; try sizes that "
            "give both nets a similar count."
        )
    return (
        f"The FC net scored {-points:.1f} points higher after {seen} with {size} "
        "parameters for the CNN: this time weight sharing did not pay off; CNNs often need "
        "more epochs or data before their local filters win."
    )


@dataclass(frozen=True)
class ChartSeries:
    """One line (or row of points) on a chart: its points, legend label and model.

    How it looks (colour and marker) is the chart widget's choice, made from ``kind`` and
    ``line`` (see ``tuicnn.widgets.train.model_style``).
    """

    group: str  # the model, e.g. "FC": the legend lists each group's lines together
    label: str  # e.g. "train"; empty to leave the series out of the legend
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    kind: str  # the model's kind, "fc" or "cnn"
    line: bool = True  # False: points only


def loss_series(runs: list[ModelRun]) -> list[ChartSeries]:
    """Train and test loss against epoch for each model.

    Train loss has a point at the end of each finished epoch and, for the epoch in progress,
    the running mean after each step seen (fractional epochs), so the line grows during an
    epoch; once the epoch ends those points give way to the epoch's own value (the last
    running mean), which keeps the finished picture the same whatever the redraw timing.
    """
    out = []
    for run in runs:
        train = [(float(e.epoch), e.train_loss) for e in run.history] + run.partial
        test = [(float(e.epoch), e.test_loss) for e in run.history]
        for part, points in (("train", train), ("test", test)):
            out.append(ChartSeries(
                run.name, part, tuple(x for x, _ in points), tuple(y for _, y in points),
                run.kind, line=part == "train",
            ))
    return out


def accuracy_series(runs: list[ModelRun]) -> list[ChartSeries]:
    """Test accuracy (in %) against epoch for each model: a line through the epoch points."""
    out = []
    for run in runs:
        xs = tuple(float(e.epoch) for e in run.history)
        ys = tuple(100 * e.test_acc for e in run.history)
        # The legend names the point marker (o FC, x CNN), the same as on the Shift tab.
        out.append(ChartSeries(run.name, "", xs, ys, run.kind))
        out.append(ChartSeries(run.name, "test", xs, ys, run.kind, line=False))
    return out
