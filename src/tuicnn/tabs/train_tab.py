"""The Train tab: train the FC net and the CNN side by side, watch them learn, compare.

Threading contract: a training run is a Textual *thread* worker that owns brand-new model
objects and talks to this tab only through ``post_message`` (thread-safe). Everything the UI
shows is updated here, on the UI thread, from those messages. The workspace's models are
replaced only when the run is over, so the Explore tab never reads weights being changed.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.message import Message
from textual.widgets import Button, Checkbox, Collapsible, Static
from textual.worker import get_current_worker

from tuicnn.lessons.train_settings import (
    AUGMENT,
    BATCH_SIZE,
    CNN_HEAD,
    EPOCHS,
    FILTERS,
    HIDDEN,
    LEARNING_RATE,
    SEED,
    TrainSettings,
    train_size_scale,
)
from tuicnn.lessons.training_run import ModelRun, accuracy_series, loss_series
from tuicnn.messages import ModelsChanged
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import BatchEnd, EpochEnd, LayerSnapshot
from tuicnn.session.workspace import ModelRecord, Workspace
from tuicnn.tabs.base import BaseTab
from tuicnn.widgets.scroll_body import ScrollBody
from tuicnn.widgets.stepper import Stepper
from tuicnn.widgets.train.history_table import HistoryTable
from tuicnn.widgets.train.model_progress import ModelProgress
from tuicnn.widgets.train.run_summary import RunSummary
from tuicnn.widgets.train.training_chart import TrainingChart

if TYPE_CHECKING:
    from tuicnn.data.dataset import Split
    from tuicnn.nn.events import Cancelled, TrainEvent
    from tuicnn.nn.model import Sequential
    from tuicnn.nn.process_training import TrainingProcess

TRAINING_NICENESS = 10
"""How much lower the training's OS priority is than the UI's (Linux)."""
BLAS_THREADS_PER_MODEL = 1
"""BLAS threads each model may use (the FC and the CNN train side by side, a core each).
Measured: two per model were 4-5x slower on a busy machine, and no faster on a quiet one
for the default nets (benchmarks/bench_inapp_wall.py, benchmarks/README.md)."""

PRESTART_SECONDS = 2.0
"""When the training child is started ahead of the first run, counted from the tab's mount:
after the start-up's frames and the session's load. Its start (Python and NumPy: ~0.3 s of
CPU, several seconds at nice +10 on a busy server) is then over before the first ``t``,
which trains at once; it costs ~30 MB while it waits."""

#: Widths (in cells) at which the layout spreads out; see train_tab.tcss.
MEDIUM_WIDTH = 90
WIDE_WIDTH = 130
#: Live widgets are redrawn at most this often (plotext rebuilds a chart on every draw).
REDRAW_SECONDS = 0.5
#: The charts, at most this often while a run goes (and once more when it ends): plotext
#: rebuilds a chart on each redraw. Redrawn at REDRAW_SECONDS, when every frame still rewrote
#: whole chart rows, a default run sent ~106 KB over SSH (benchmarks/bench_ssh_bytes.py);
#: frames now write only the cells that changed (screens/lean_updates.py).
CHART_SECONDS = 1.0
#: The training thread reports batches at most this often. Every batch (~150 a second on the
#: largest config) kept the UI's message loop busy between key presses for nothing: the
#: screen is redrawn every REDRAW_SECONDS, and epoch ends are always reported.
PROGRESS_SECONDS = 0.05

INTRO = "Train an FC net and a CNN on the same digits and batches, then compare."


def _model_title(kind: str, settings: TrainSettings) -> str:
    shifted = f" · shifted ±{settings.augment} px" if settings.augment else ""
    if kind == "fc":
        return f"FC · hidden {settings.hidden} · {settings.fc_params:,} parameters{shifted}"
    head = " · GAP head" if settings.cnn_head == "gap" else ""
    return (f"CNN · {settings.filters}/{2 * settings.filters} filters{head} · "
            f"{settings.cnn_params:,} parameters{shifted}")


def _stored_title(record: ModelRecord) -> str:
    """A stored model's table title, from the model itself (its settings may not be the
    ones the controls show)."""
    model, hparams = record.model, record.model.hparams
    augment = record.config.augment if record.config is not None else 0
    shifted = f" · shifted ±{augment} px" if augment else ""
    if model.kind == "fc":
        return f"FC · hidden {hparams['hidden']} · {model.n_params:,} parameters{shifted}"
    head = " · GAP head" if hparams.get("head") == "gap" else ""
    filters = hparams["filters"]
    return (f"CNN · {filters}/{2 * filters} filters{head} · {model.n_params:,} "
            f"parameters{shifted}")


def _conv1_init_label(conv1_init: str) -> str:
    """The checkbox says its state in words too: its mark differs only by colour."""
    state = "near zero (on)" if conv1_init == "small" else "usual size (off)"
    return f"CNN conv1 starts {state}"


def _failure(error: Exception) -> str:
    """One line for a failed run; a dead child process already says it in words."""
    from tuicnn.nn.process_training import TrainingProcessDied

    if isinstance(error, TrainingProcessDied):
        return str(error)
    return f"{type(error).__name__}: {error}"



class TrainTab(Vertical, BaseTab):
    """Settings, live progress and charts, epoch tables and the verdict, in one scroll.

    Attributes:
        clock: the time source for elapsed time and ETA (replaceable in tests).
    """

    # -- from the training thread to this tab (``post_message`` is thread-safe) ----------

    @dataclass(eq=False)
    class Progress(Message, bubble=False):
        """The latest ``BatchEnd`` of each model still training, one snapshot per step.

        A later snapshot holds everything an earlier one does, so queued snapshots collapse
        (``can_replace``): a burst of fast batches costs the UI one update, not one per batch.
        """

        latest: tuple[BatchEnd, ...]

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, TrainTab.Progress)


    @dataclass(eq=False)
    class EpochFinished(Message, bubble=False):
        """One model finished an epoch (never collapsed: each is a table row)."""

        event: EpochEnd


    @dataclass(eq=False)
    class ModelStopped(Message, bubble=False):
        """One model stopped early because the run was cancelled."""

        event: Cancelled


    @dataclass(eq=False)
    class Ended(Message, bubble=False):
        """The training thread is done; its models are no longer being changed.

        Attributes:
            models: the new FC and CNN, in that order, trained (or partly trained) in place.
            split: the data they were trained on (None if it could not be made).
            config: the settings used.
            error: a one-line reason when training failed, else None.
            snapshots: per model kind, conv1 ``(W, b)`` at the start and after each epoch.
        """

        models: tuple[Sequential, ...]
        split: Split | None
        config: TrainConfig
        error: str | None = None
        snapshots: dict | None = None


    BINDINGS = [
        # Priority: these letters must work while a number field has focus (a field would
        # otherwise take the keystroke as typing; no field accepts letters anyway).
        Binding("t", "train", "Train both", priority=True),
        Binding("c,escape", "cancel", "Cancel training", key_display="c/esc", priority=True),
        # Only while a cancelled run has models to offer; the notification names the key.
        Binding("u", "use_partial", "Use partial run", show=False, priority=True),
    ]

    clock: Callable[[], float] = staticmethod(time.monotonic)
    trainer: str = "process"
    """Where a run trains: ``"process"`` (a niced child process; the interpreter lock stays
    the UI's) or ``"thread"`` (niced threads of the app). See nn/process_training.py."""
    training_pid: int | None = None
    """The training child's process id, once a ``"process"`` run started it."""
    prestart_seconds: float | None = PRESTART_SECONDS
    """Start the child this long after mount, before any run (None: at the first run)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._stop: threading.Event | None = None
        self._runs: dict[str, ModelRun] = {}
        self._run_settings = TrainSettings()
        self._run_started = 0.0
        self._run_wall = 0.0
        self._live_stale = False
        self._charts_drawn_at = -math.inf
        self.settings = TrainSettings()
        self._split_seed = 0
        self._stored_models: tuple[int, int] | None = None  # ids of the models charted
        self.partial: dict[str, ModelRecord] = {}
        """A cancelled run's models ("fc"/"cnn"), kept aside instead of replacing trained ones."""
        self._partial_split: Split | None = None
        self._partial_seed = 0
        self._child: TrainingProcess | None = None  # see _in_child
        self._child_lock = threading.Lock()
        self._child_busy = False
        self._unmounted = False

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # Pick the layout from the terminal's width now: switching it later in on_resize
        # would restyle every widget of the tab a second time before the first frame.
        self._set_layout_classes(self.app.size.width)
        # The summary, not the workspace: at start-up the data may still be loading.
        summary = self.session.workspace_summary
        self._split_seed = summary.seed
        sizes = train_size_scale(summary.max_train_size)
        size = summary.n_train if self._valid(sizes, summary.n_train) else min(1000, sizes.high)
        self.settings = TrainSettings(seed=self._split_seed, train_size=size)
        s = self.settings
        with ScrollBody(id="train-body"):
            with Horizontal(id="train-top"):
                with Vertical(id="train-controls"):
                    yield Static(INTRO, id="train-intro")
                    yield Stepper("FC hidden units", HIDDEN, s.hidden, name="hidden",
                                  id="set-hidden",
                                  tooltip="Units in the FC net's hidden layer: "
                                  f"{HIDDEN.hint}. Each is wired to all 784 pixels.")
                    yield Stepper("CNN filters", FILTERS, s.filters, name="filters",
                                  id="set-filters",
                                  tooltip=f"3×3 filters in the CNN's first layer: {FILTERS.hint}"
                                  "; the second layer has twice as many.")
                    yield Stepper("Epochs", EPOCHS, s.epochs, name="epochs", id="set-epochs",
                                  tooltip=f"Passes over the training digits: {EPOCHS.hint}.")
                    yield Stepper("Batch size", BATCH_SIZE, s.batch_size, name="batch_size",
                                  id="set-batch_size",
                                  tooltip=f"Digits per optimisation step: {BATCH_SIZE.hint}.")
                    yield Collapsible(title="Advanced: learning rate, seed, data, conv1 start, "
                                      "CNN head, shifts", id="train-advanced")
                    yield Static(id="train-params")
                    yield Static(id="train-data")
                    with Horizontal(id="train-buttons"):
                        yield Button("Train both (t)", id="train-start", variant="primary",
                                     compact=True)
                        yield Button("Cancel (c)", id="train-cancel", variant="warning",
                                     compact=True, disabled=True)
                    yield Static(id="train-workspace")
                with Vertical(id="train-live"):
                    yield ModelProgress("FC", id="fc-progress", classes="fc")
                    yield ModelProgress("CNN", id="cnn-progress", classes="cnn")
                    with Horizontal(id="train-charts"):
                        yield TrainingChart("Loss by epoch (lower is better)", id="loss-chart")
                        yield TrainingChart("Test accuracy % by epoch",
                                            percent=True, id="acc-chart")
            yield RunSummary(id="train-summary")
            with Horizontal(id="train-tables"):
                yield HistoryTable(_model_title("fc", s), id="fc-table")
                yield HistoryTable(_model_title("cnn", s), id="cnn-table")

    @on(Collapsible.Expanded, "#train-advanced")
    async def _build_advanced(self, event: Collapsible.Expanded) -> None:
        """The advanced settings are built the first time they are unfolded: most runs
        never open them, and their 18 widgets were a tenth of the first frame's cost."""
        event.stop()
        contents = event.collapsible.query_one(Collapsible.Contents)
        if not contents.children:
            await contents.mount_all(self._advanced_steppers())

    def _advanced_steppers(self) -> list[Stepper | Checkbox]:
        s = self.settings
        sizes = train_size_scale(self.session.workspace_summary.max_train_size)
        return [
            Stepper("Learning rate", LEARNING_RATE, s.lr, name="lr", id="set-lr",
                    tooltip=f"Adam's step size: {LEARNING_RATE.hint}; the arrows go "
                    "0.0001 · 0.0003 · 0.001 · 0.003 · 0.01."),
            Stepper("Seed", SEED, s.seed, name="seed", id="set-seed",
                    tooltip="Seeds the data split, both nets' starting weights and the "
                    "batch order."),
            Stepper("Training digits", sizes, s.train_size, name="train_size",
                    id="set-train_size",
                    tooltip=f"Class-balanced training images: {sizes.hint}. The test set "
                    "stays the same size."),
            Checkbox(_conv1_init_label(s.conv1_init), s.conv1_init == "small", id="set-conv1_init",
                     compact=True,
                     tooltip="Start the CNN's first-layer filters at a hundredth of their usual "
                     "random size, so what Explore shows after training is what was learned "
                     "(tuicnn train --conv1-init small)."),
            Stepper("CNN head", CNN_HEAD, CNN_HEAD.parse(s.cnn_head), name="cnn_head",
                    id="set-cnn_head",
                    tooltip="How the CNN's maps reach its dense layer: flatten (one weight per "
                    "position) or GAP, global average pooling (one mean per channel)."),
            Stepper("Shift digits ±px", AUGMENT, s.augment, name="augment", id="set-augment",
                    tooltip=f"Train on copies moved by a random -N..N px across and down, "
                    f"new each batch: {AUGMENT.hint}. 0 = as they are."),
        ]

    @on(Checkbox.Changed, "#set-conv1_init")
    def _conv1_init_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.settings = self.settings.with_value("conv1_init",
                                                 "small" if event.value else "he")
        event.checkbox.label = _conv1_init_label(self.settings.conv1_init)

    def on_mount(self) -> None:
        self._ticker = self.set_interval(REDRAW_SECONDS, self._tick, pause=True)
        self._show_settings()
        self._show_workspace()
        for kind in ("fc", "cnn"):
            self.query_one(f"#{kind}-progress", ModelProgress).show_waiting("not started")
        self.query_one(RunSummary).show_text(
            "Press t (or the button) to train both models; the result appears here.")
        if self.app.workspace_loaded:
            self._show_stored()
        self._live_stale = True
        self._tick(force=True)
        if self.screen.focused is None:
            self.focus_default()
        if self.prestart_seconds is not None:
            self.set_timer(self.prestart_seconds, self._prestart_child)

    def _prestart_child(self) -> None:
        """Start the training child now, so that the first run does not wait for it."""
        if not self._uses_child:
            return
        with self._child_lock:
            if not self._unmounted:
                with contextlib.suppress(OSError):  # tried again, and reported, at the run
                    self._ready_child()

    def focus_default(self) -> None:
        """Focus the first setting rather than the tab bar: the arrows change it at once,
        Tab walks down the settings to the Train button, and t and c work (and show in the
        footer) straight away."""
        self.query_one("#set-hidden NumberInput").focus()

    def on_resize(self, event: Resize) -> None:
        """Spread out when there is room: the CSS keys off these classes."""
        self._set_layout_classes(event.size.width)

    def _set_layout_classes(self, width: int) -> None:
        self.set_class(width >= MEDIUM_WIDTH, "-medium")
        self.set_class(width >= WIDE_WIDTH, "-wide")

    def on_unmount(self) -> None:
        """Quitting mid-run: stop the training at its next batch; end the training child
        (now if idle, else when the run's thread lets go of it)."""
        if self._stop is not None:
            self._stop.set()
        with self._child_lock:
            self._unmounted = True
            if self._child is not None and not self._child_busy:
                self._child.close()

    # -- settings -------------------------------------------------------------------------
    @staticmethod
    def _valid(scale, value) -> bool:
        try:
            scale.parse(str(value))
        except ValueError:
            return False
        return True

    @on(Stepper.Changed)
    def _setting_changed(self, event: Stepper.Changed) -> None:
        event.stop()
        self.settings = self.settings.with_value(event.stepper.name or "", event.value)
        self._show_settings()

    def _show_settings(self) -> None:
        s = self.settings
        self.query_one("#train-params", Static).update(
            f"Parameters: {s.params_line()}\n{s.split_line()}\n{s.first_layer_line()}")
        summary = self.session.workspace_summary
        # IDX files: say which, and "images" (they are not always digits).
        idx = summary.source is not None
        unit, source = ("images", f" of {summary.source}") if idx else ("digits", "")
        if self._needs_new_split():
            data = (f"Data: a new split of {s.train_size:,} train / {summary.n_test:,} test "
                    f"{unit} (seed {s.seed}){source} is drawn when you train")
        else:
            data = (f"Data: {summary.n_train:,} train / {summary.n_test:,} test {unit} "
                    f"(seed {self._split_seed}){source}")
        self.query_one("#train-data", Static).update(data)

    def _needs_new_split(self) -> bool:
        """The data is re-split when the size or the seed differ from the current split's."""
        return (self.settings.train_size != self.session.workspace_summary.n_train
                or self.settings.seed != self._split_seed)

    def _show_workspace(self) -> None:
        summary = self.session.workspace_summary
        self.query_one("#train-workspace", Static).update(
            f"FC in use: {summary.fc_status}\nCNN in use: {summary.cnn_status}")

    def models_changed(self) -> None:
        """The workspace's models were replaced elsewhere (e.g. loaded from a file)."""
        self._show_workspace()
        self._show_settings()
        if not self.training:
            self._show_stored()
            self._live_stale = True
            self._tick(force=True)

    def _show_stored(self) -> None:
        """Chart and tabulate the history the workspace's models bring (``--load``, ctrl+o),
        unless it is already shown; untrained models leave the tab as it is."""
        workspace = self.workspace
        ids = (id(workspace.fc.model), id(workspace.cnn.model))
        if ids == self._stored_models or not (workspace.fc.trained or workspace.cnn.trained):
            return
        self._stored_models = ids
        runs = {}
        for kind, record in (("fc", workspace.fc), ("cnn", workspace.cnn)):
            run = ModelRun.stored(kind, record.model.n_params, record.history,
                                  record.cancelled)
            runs[kind] = run
            table = self.query_one(f"#{kind}-table", HistoryTable)
            table.start(_stored_title(record), max(1, len(record.history)))
            for event in record.history:
                table.add_epoch(event)
            if not record.trained:
                table.border_subtitle = "untrained"
        self._runs = runs
        epochs = max((run.epochs for run in runs.values()), default=1)
        self._run_settings = replace(self.settings, epochs=max(1, epochs))
        origin = f"loaded from {self.app.model_file}" if self.app.model_file else "in use"
        self.query_one(RunSummary).show_outcome(
            runs["fc"], runs["cnn"], workspace.split.n_train,
            sum(run.seconds for run in runs.values()), origin=origin)

    # -- actions --------------------------------------------------------------------------
    @property
    def training(self) -> bool:
        """True from ``t`` until the training thread has reported its end."""
        return self._stop is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel" and not self.training:
            return None  # shown dimmed; the key falls through (Escape still works elsewhere)
        # u is hidden until a cancelled run has models to offer.
        return not (action == "use_partial" and not self.partial)

    def action_train(self) -> None:
        """Start a run with the current settings, unless one is under way."""
        if self.training:
            self.notify("Already training — press c to cancel.", severity="warning")
            return
        settings = self.settings
        try:
            config = settings.config()
        except ValueError as error:  # the steppers keep values valid; belt and braces
            self.notify(str(error), severity="error")
            return
        split = None if self._needs_new_split() else self.workspace.split
        n_train = settings.train_size if split is None else split.n_train
        batches = math.ceil(n_train / settings.batch_size)
        now = self.clock()
        self._runs = {
            "fc": ModelRun("fc", settings.fc_params, settings.epochs, batches, now),
            "cnn": ModelRun("cnn", settings.cnn_params, settings.epochs, batches, now),
        }
        self._run_settings = settings
        self._run_started = now
        self._stop = threading.Event()
        for kind in ("fc", "cnn"):
            self.query_one(f"#{kind}-table", HistoryTable).start(
                _model_title(kind, settings), settings.epochs)
        self.query_one(RunSummary).show_text(
            f"Training both models for {settings.epochs} epochs on {n_train:,} digits… "
            "press c to cancel.")
        self._set_training(True)
        self._live_stale = True
        self._tick(force=True)
        self.query_one("#train-live").scroll_visible(top=True)  # small terminals: show it
        self._train(settings, config, split, self.app.workspace, self._stop)

    def action_cancel(self) -> None:
        """Ask both models to stop before their next batch; finished epochs are kept."""
        if self._stop is not None and not self._stop.is_set():
            self._stop.set()
            self.query_one(RunSummary).show_text("Cancelling: stopping after the current batch…")

    @on(Button.Pressed, "#train-start")
    def _train_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_train()

    @on(Button.Pressed, "#train-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def _set_training(self, training: bool) -> None:
        self.query_one("#train-cancel", Button).disabled = not training
        if training:
            self._ticker.resume()
        else:
            self._ticker.pause()
        self.refresh_bindings()

    # -- the training thread --------------------------------------------------------------
    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    def _train(self, settings: TrainSettings, config: TrainConfig, split: Split | None,
               workspace: Workspace, stop: threading.Event) -> None:
        """Build new models and train them; report only through ``post_message``.

        Runs in a worker thread. ``split`` is None when ``workspace`` must draw a new one
        (here, off the UI thread: IDX files are read again). Errors end the run with a
        message instead of crashing the app.
        """
        from tuicnn.nn.model import build_cnn, build_fc  # NumPy: not for frame 1

        worker = get_current_worker()
        models: tuple = ()
        try:
            if split is None:
                split = workspace.resplit(settings.train_size, settings.seed)
            models = (build_fc(settings.hidden, seed=settings.seed),
                      build_cnn(settings.filters, seed=settings.seed,
                                conv1_init=settings.conv1_init, head=settings.cnn_head))
            snapshots: dict[str, list] = {}
            latest: dict[str, BatchEnd] = {}
            posted = 0.0
            for event in self._training_events(models, split, config, stop):
                if worker.is_cancelled:
                    stop.set()
                if isinstance(event, BatchEnd):
                    latest[event.model] = event
                    now = time.monotonic()
                    if now - posted >= PROGRESS_SECONDS:
                        posted = now
                        self.post_message(TrainTab.Progress(tuple(latest.values())))
                elif isinstance(event, EpochEnd):
                    self.post_message(TrainTab.EpochFinished(event))
                elif isinstance(event, LayerSnapshot):  # kept with the model at the end
                    snapshots.setdefault(event.model, []).append((event.weights, event.bias))
                else:
                    self.post_message(TrainTab.ModelStopped(event))
        except Exception as error:  # reported in the UI; the previous models stay
            self.post_message(TrainTab.Ended((), split, config, _failure(error)))
            return
        self.post_message(TrainTab.Ended(models, split, config, snapshots=snapshots))

    def _training_events(self, models: tuple, split: Split, config: TrainConfig,
                         stop: threading.Event) -> Iterator[TrainEvent]:
        """Both models' events, from a niced child process (``trainer == "process"``) or
        from niced threads of this one. Either way the UI thread is scheduled first."""
        arrays = (split.x_train, split.y_train, split.x_test, split.y_test)
        if self._uses_child:
            return self._in_child(models, arrays, config, stop)
        from tuicnn.nn.concurrent import train_concurrently

        return train_concurrently(models, *arrays, config, stop, nice=TRAINING_NICENESS,
                                  watch="conv1", blas_threads=BLAS_THREADS_PER_MODEL)

    @property
    def _uses_child(self) -> bool:
        """Whether runs train in a child process (the ``"process"`` trainer, on POSIX)."""
        from tuicnn.nn import process_training

        return self.trainer == "process" and process_training.available()

    def _ready_child(self) -> TrainingProcess:
        """The tab's child, alive and at today's niceness: kept, or started now (replacing a
        dead one). The caller holds ``_child_lock``."""
        from tuicnn.nn.process_training import TrainingProcess

        child = self._child
        if child is None or not child.alive or child.nice != TRAINING_NICENESS:
            if child is not None:
                child.close()
            child = self._child = TrainingProcess(TRAINING_NICENESS)
        return child

    def _in_child(self, models: tuple, arrays: tuple, config: TrainConfig,
                  stop: threading.Event) -> Iterator[TrainEvent]:
        """Train in the tab's child process, started ahead of the first run (or by it) and
        kept for the next; ended when the tab goes (see ``on_unmount``)."""
        with self._child_lock:
            child = self._ready_child()
            self.training_pid = child.pid
            self._child_busy = True
        try:
            yield from child.train(models, *arrays, config, stop, watch="conv1",
                                   blas_threads=BLAS_THREADS_PER_MODEL)
        finally:
            with self._child_lock:
                self._child_busy = False
                if self._unmounted:
                    child.close()

    # -- messages from the training thread ------------------------------------------------
    def on_train_tab_progress(self, message: TrainTab.Progress) -> None:
        now = self.clock()
        for event in message.latest:
            if event.model in self._runs:
                self._runs[event.model].apply(event, now)
        self._live_stale = True

    def on_train_tab_epoch_finished(self, message: TrainTab.EpochFinished) -> None:
        event = message.event
        if event.model in self._runs:
            self._runs[event.model].apply(event, self.clock())
            self.query_one(f"#{event.model}-table", HistoryTable).add_epoch(event)
            self._live_stale = True

    def on_train_tab_model_stopped(self, message: TrainTab.ModelStopped) -> None:
        event = message.event
        if event.model in self._runs:
            run = self._runs[event.model]
            run.apply(event, self.clock())
            done = len(run.history)
            self.query_one(f"#{event.model}-table", HistoryTable).border_subtitle = (
                f"cancelled after {done}/{run.epochs} epochs")
            self._live_stale = True

    def on_train_tab_ended(self, message: TrainTab.Ended) -> None:
        self._run_wall = self.clock() - self._run_started
        self._stop = None
        self._set_training(False)
        summary = self.query_one(RunSummary)
        if message.error is not None:
            self.notify(f"Training failed: {message.error}", severity="error", timeout=10)
            summary.show_text(f"Training failed ({message.error}); your models are unchanged.")
        else:
            fc, cnn = self._runs["fc"], self._runs["cnn"]
            stored = self._store(message)
            workspace = self.workspace
            self._stored_models = (id(workspace.fc.model), id(workspace.cnn.model))
            summary.show_outcome(fc, cnn, message.split.n_train if message.split else 0,
                                 self._run_wall)
            if len(stored) == 1 and not self.partial:
                self.notify(f"Only the {stored[0]} finished an epoch: kept your previous "
                            f"{'CNN' if stored[0] == 'FC' else 'FC'}.")
        self._live_stale = True
        self._tick(force=True)

    def _store(self, message: TrainTab.Ended) -> list[str]:
        """Put models that finished at least one epoch into the workspace; say which.

        A cancelled run does not replace a *trained* model in use: its partial model is kept
        aside in ``partial`` and offered (``u`` uses it), so ``t`` then ``c`` never swaps a
        good model for a worse one. It does replace an untrained one (random weights).
        """
        workspace = self.workspace
        stored = []
        self.partial = {}
        for model in message.models:
            run = self._runs.get(model.kind)
            if run is None or not run.history:
                continue
            kept = (message.snapshots or {}).get(model.kind, [])
            record = ModelRecord(model, list(run.history), message.config,
                                 cancelled=run.cancelled is not None,
                                 snapshots=kept[: len(run.history) + 1])
            if record.cancelled and getattr(workspace, model.kind).trained:
                self.partial[model.kind] = record
                continue
            setattr(workspace, model.kind, record)
            stored.append(run.name)
        self._partial_split = message.split
        self._partial_seed = self._run_settings.seed
        if self.partial:
            self._offer_partial()
        if stored:
            self._use_split(message.split, self._run_settings.seed)
        self.refresh_bindings()
        return stored

    def _use_split(self, split: Split | None, seed: int) -> None:
        """The models in use were trained on ``split``: show it and tell the other tabs."""
        workspace = self.workspace
        if split is not None and split is not workspace.split:
            workspace.split = split
            self._split_seed = seed
        self._show_workspace()
        self._show_settings()
        self.post_message(ModelsChanged())

    def _offer_partial(self) -> None:
        kept = " and ".join(f"{kind.upper()} ({getattr(self.workspace, kind).status})"
                            for kind in self.partial)
        offered = ", ".join(f"{kind.upper()} {record.status}"
                            for kind, record in self.partial.items())
        self.notify(f"Cancelled: kept the {kept} in use. Press u to use the partial run "
                    f"instead ({offered}).", timeout=15)

    def action_use_partial(self) -> None:
        """Replace the models in use with the cancelled run's partial ones (``u``)."""
        if not self.partial:
            self.notify("No cancelled run to use: u offers the models of a run you cancelled.",
                        severity="warning")
            return
        for kind, record in self.partial.items():
            setattr(self.workspace, kind, record)
        used = " and ".join(kind.upper() for kind in self.partial)
        self.partial = {}
        self._use_split(self._partial_split, self._partial_seed)
        self.refresh_bindings()
        self.notify(f"Now using the cancelled run's {used}.")

    # -- drawing --------------------------------------------------------------------------
    def _tick(self, force: bool = False) -> None:
        """Redraw progress (always, for the clock) and charts (when their data changed, at
        most every CHART_SECONDS unless ``force``: a run's start and end draw at once)."""
        now = self.clock()
        for kind, run in self._runs.items():
            self.query_one(f"#{kind}-progress", ModelProgress).show(run, now)
        if self._live_stale and (force or now - self._charts_drawn_at >= CHART_SECONDS):
            self._live_stale = False
            self._charts_drawn_at = now
            self._refresh_charts()

    def _refresh_charts(self) -> None:
        runs = list(self._runs.values())
        epochs = self._run_settings.epochs if runs else self.settings.epochs
        loss = self.query_one("#loss-chart", TrainingChart)
        accuracy = self.query_one("#acc-chart", TrainingChart)
        loss.set_data(loss_series(runs), epochs)
        accuracy.set_data(accuracy_series(runs), epochs)
        loss.redraw()
        accuracy.redraw()
