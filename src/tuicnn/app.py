"""The Textual application: one main screen with a tab per activity.

The app also owns the session's files: ``ctrl+s`` saves both models, ``ctrl+o`` loads them
and ``ctrl+e`` exports the training history, each through a :class:`FilePrompt`. Saves and
exports are small and written on the UI thread; a load runs on a thread behind a progress
line that Escape cancels (a file may be large or on a slow disk). A failure is one
notification and leaves the session exactly as it was. Quitting (``q``, ctrl+q, ctrl+c)
asks first when it would lose a run under way or trained models not saved.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from tuicnn import __version__
from tuicnn.data.errors import DataError
from tuicnn.hangup import watch_for_hangup
from tuicnn.idle_collector import IdleCollector
from tuicnn.messages import ModelsChanged
from tuicnn.screens.main import TABS, MainScreen
from tuicnn.session.workspace import ModelRecord, Workspace, WorkspaceLoader, WorkspaceSummary
from tuicnn.tabs.train_tab import TrainTab
from tuicnn.widgets.tab_bar import TabBar

if TYPE_CHECKING:
    from pathlib import Path

    from tuicnn.data.dataset import Split
    from tuicnn.screens.file_prompt import FileChoice
    from tuicnn.screens.load_progress import LoadProgress

# ``model_file`` (and with it NumPy) and the help and file screens are imported by the
# actions that use them: the first frame does not wait for them (issue 7, start-up).

MODEL_FILE = "tuicnn-models.npz"
HISTORY_FILE = "tuicnn-history.csv"
HISTORY_SUFFIXES = (".csv", ".json")
FILE_ACTIONS = frozenset({"save_models", "load_models", "export_history"})
LOAD_AFTER_SECONDS = 0.3
"""When the default session starts loading, counted from the app's start. The first frame
takes several repaints to settle (~0.2 s on two cores), and loading on a thread meanwhile
slowed them by as long as the loading took: NumPy holds the interpreter while it imports."""

WARM_UP_MODULES = ("tuicnn.widgets.train.cached_plot",)
"""Imported on a thread once the app is up, for the first training run: plotext (behind the
live charts) held the UI thread ~40 ms when the first epoch's points arrived."""


def exported_text(rows: int, records: Iterable[tuple[str, ModelRecord]], path: object) -> str:
    """What an export wrote, in the file's own terms: ``rows`` rows, one per epoch of each
    model of ``records``.

    5 epochs of ``[("FC", fc), ("CNN", cnn)]``: ``Wrote 10 rows (5 epochs × 2 models) of
    history to …``; the models' counts one by one when they differ.
    """
    counts = [(name, len(record.history)) for name, record in records if record.history]

    def epochs(n: int) -> str:
        return f"{n} epoch{'s' if n != 1 else ''}"

    if len(counts) == 1:
        detail = f"{epochs(counts[0][1])} of the {counts[0][0]}"
    elif len({count for _, count in counts}) == 1:
        detail = f"{epochs(counts[0][1])} × {len(counts)} models"
    else:
        detail = ", ".join(f"{name} {epochs(count)}" for name, count in counts)
    return f"Wrote {rows} row{'s' if rows != 1 else ''} ({detail}) of history to {path}."


class TuicnnApp(App[None]):
    """tuicnn: train a fully-connected net and a CNN on real MNIST, then look inside.

    Args:
        split: the data to train and explore on (the bundled subset when None).
        seed: seed for the untrained models shown before any training.
        models: an FC and a CNN record to start with instead (e.g. from ``load_models``).
        model_file: the name the save and load prompts offer first (the file the models came
            from, if any).
        workspace: the data (and where it came from) to start with instead of ``split``,
            e.g. ``Workspace.from_data`` on IDX files, so the Train tab can re-split them.
    """

    #: The main screen's and its tabs' CSS. Loaded with the app's, not as the screen's
    #: ``CSS_PATH``: Textual re-parses every stylesheet from scratch when a pushed screen
    #: brings CSS of its own, and that second parse cost ~15 ms of the start-up.
    CSS_PATH = ["screens/main.tcss", *(f"tabs/{pane}_tab.tcss" for pane, *_ in TABS)]
    TITLE = "tuicnn"
    SUB_TITLE = f"CNN playground · v{__version__}"
    #: The file keys are priority bindings so they work from a text field too (an ``Input``
    #: takes ctrl+e as "end of line"); they are off in modal screens (``check_action``), where
    #: the key falls through to the field. Not in the footer: it is full at 80 columns; the
    #: help screen and the command palette list them.
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("ctrl+s", "save_models", "Save models", show=False, priority=True),
        Binding("ctrl+o", "load_models", "Load models", show=False, priority=True),
        Binding("ctrl+e", "export_history", "Export history", show=False, priority=True),
    ]

    def __init__(self, split: Split | None = None, seed: int = 0,
                 models: tuple[ModelRecord, ModelRecord] | None = None,
                 model_file: str = MODEL_FILE, workspace: Workspace | None = None) -> None:
        super().__init__()
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # Off unless asked for: over SSH every animation frame is bytes on the wire, and
            # on a shared two-core machine the tab underline's 0.3 s slide alone cost a tab
            # switch ~15 ms of its 50 ms budget (issue 7). TEXTUAL_ANIMATIONS=full restores it.
            self.animation_level = "none"
        self._workspace: Workspace | None = None
        self._loader: WorkspaceLoader | None = None
        if workspace is None and split is None and models is None:
            self._loader = WorkspaceLoader(seed)  # the default session: loaded after frame 1
        else:
            if workspace is None:
                from tuicnn.data.dataset import bundled_split

                workspace = Workspace.untrained(split or bundled_split(seed=seed), seed=seed)
            if models is not None:
                workspace.fc, workspace.cnn = models
            self._workspace = workspace
        self.model_file = model_file
        """The name the next save or load prompt offers: the last file saved or loaded."""
        self.history_file = HISTORY_FILE
        self.idle_collector = IdleCollector()
        self._saved: tuple[ModelRecord, ...] = models or ()
        """The records last saved or loaded: trained records not among them are unsaved."""
        self._quit_after_save = False

    @property
    def workspace(self) -> Workspace:
        """The session's data and models. Right after start-up the default session may still
        be loading (``WorkspaceLoader``); asking for it then waits until it is ready."""
        if self._workspace is None:
            assert self._loader is not None
            self._workspace = self._loader.result()
        return self._workspace

    @property
    def workspace_summary(self) -> WorkspaceSummary:
        """What the Train tab shows of the session, without waiting for it to load."""
        if not self.workspace_loaded:
            assert self._loader is not None
            return self._loader.summary
        return self.workspace.summary()

    @property
    def workspace_loaded(self) -> bool:
        """False while the default session is still loading (``workspace`` would wait)."""
        return self._workspace is not None or self._loader is None or self._loader.done

    def load_workspace_in_background(self) -> None:
        """Start loading the default session, if it is not loaded yet. If the bundled digits
        cannot be read, the app ends with the reason (as it would have before starting)."""
        if self._workspace is None and self._loader is not None:
            self._loader.start(on_error=lambda error: self.call_from_thread(
                self.exit, return_code=2, message=f"tuicnn: error: {error}"))

    def on_mount(self) -> None:
        self.push_screen(MainScreen())
        self.set_timer(LOAD_AFTER_SECONDS, self._start_background_work)
        self.idle_collector.start()
        self.set_interval(1.0, self.idle_collector.tick)
        if not self.is_headless:
            watch_for_hangup(sys.__stdin__.fileno() if sys.__stdin__ else -1, self._hung_up)

    def _hung_up(self) -> None:
        """The terminal is gone (see ``tuicnn.hangup``): end as SIGHUP would have."""
        with contextlib.suppress(Exception):  # the app may already be on its way out
            self.call_from_thread(self.exit, None, 129)

    def _start_background_work(self) -> None:
        self.load_workspace_in_background()
        threading.Thread(target=warm_up, name="tuicnn-warm-up", daemon=True).start()

    def on_unmount(self) -> None:
        self.idle_collector.stop()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.idle_collector.input_seen()
        await super().on_event(event)

    def action_help(self) -> None:
        from tuicnn.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "List every key binding", self.action_help)
        if isinstance(screen, MainScreen):
            yield from _main_screen_commands(screen)
            yield SystemCommand("Save models", "Save the FC and the CNN to a file (ctrl+s)",
                                self.action_save_models)
            yield SystemCommand("Load models", "Replace the FC and the CNN with saved ones "
                                "(ctrl+o)", self.action_load_models)
            yield SystemCommand("Export history", "Write every epoch's numbers to a .csv or "
                                ".json file (ctrl+e)", self.action_export_history)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """File keys are off in modal screens: no prompt over a prompt, the help or the
        palette, and ctrl+e reaches the prompt's text field as "end of line"."""
        return not (action in FILE_ACTIONS and isinstance(self.screen, ModalScreen))

    # -- files ----------------------------------------------------------------------------

    def _main_screen(self) -> MainScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def _training(self) -> bool:
        main = self._main_screen()
        return main is not None and any(tab.training for tab in main.query(TrainTab))

    def _ask_for_file(self, title: str, default: str,
                      callback: Callable[[FileChoice | None], None], **options: Any) -> None:
        """Show a :class:`FilePrompt` (options as it takes them); ``callback`` gets the
        choice, or None if the user backed out."""
        from tuicnn.screens.file_prompt import FilePrompt

        self.push_screen(FilePrompt(title, default, **options), callback)

    def action_save_models(self) -> None:
        """Ask for a file name, then save both models (asking before replacing a file)."""
        self._ask_for_file("Save models", self.model_file, self._save_models,
                           confirm_overwrite=True)

    def _save_models(self, choice: FileChoice | None) -> None:
        quit_after, self._quit_after_save = self._quit_after_save, False
        if choice is None:
            return
        from tuicnn.data.files import shown
        from tuicnn.session.model_file import ModelFileError, save_workspace_models

        workspace = self.workspace
        try:
            path = save_workspace_models(choice.path, workspace.fc, workspace.cnn,
                                         overwrite=choice.overwrite)
        except ModelFileError as error:
            self.notify(str(error), severity="error")
            return
        except Exception as error:  # never lose the session to an unforeseen file problem
            self.notify(f"Cannot save models to '{shown(choice.path)}': "
                        f"{type(error).__name__}: {error}.", severity="error")
            return
        self._saved = (workspace.fc, workspace.cnn)
        if quit_after:
            self.exit()
            return
        self.model_file = str(path)
        untrained = [name for name, record in (("FC", workspace.fc), ("CNN", workspace.cnn))
                     if not record.trained]
        if untrained:  # allowed (a seeded start is reproducible), but it must not pass as a result
            self.notify(f"Saved to {path}, but the {' and the '.join(untrained)} "
                        f"{'is' if len(untrained) == 1 else 'are'} untrained (random weights).",
                        severity="warning")
        else:
            self.notify(f"Saved the FC and the CNN to {path}.")

    def action_load_models(self) -> None:
        """Ask for a file name, then replace both models with the ones saved in it.

        Refused while training: the run's models would replace the loaded ones when it ends.
        """
        if self._training():
            self.notify("Training is under way: cancel it (c) or let it finish before "
                        "loading models.", severity="warning")
            return
        self._ask_for_file("Load models", self.model_file, self._load_models)

    def _load_models(self, choice: FileChoice | None) -> None:
        """Read the file on a thread behind a progress line; ``_loaded`` takes the result."""
        if choice is None:
            return
        from tuicnn.data.files import shown
        from tuicnn.screens.load_progress import LoadProgress

        progress = LoadProgress(shown(choice.path))
        self.push_screen(progress, lambda outcome: self._loaded(choice.path, outcome))
        threading.Thread(target=_load_in_thread, args=(choice.path, progress),
                         name="tuicnn-load-models", daemon=True).start()

    def _loaded(self, path: Path, outcome: object) -> None:
        from tuicnn.data.files import shown
        from tuicnn.session.model_file import LoadCancelled

        if isinstance(outcome, LoadCancelled):
            self.notify(f"Loading {shown(path)} cancelled: your models are unchanged.")
            return
        if isinstance(outcome, BaseException):
            self.notify(str(outcome), severity="error")
            return
        if self._training():  # started while the file was read: the run's end would win
            self.notify("Training started while the file was read: not loaded, your models "
                        "are unchanged.", severity="warning")
            return
        fc, cnn = outcome  # type: ignore[misc]
        self.workspace.fc, self.workspace.cnn = fc, cnn
        self._saved = (fc, cnn)
        self.model_file = str(path)
        main = self._main_screen()
        if main is not None:
            main.post_message(ModelsChanged())
        self.notify(f"Loaded {shown(path)}. FC: {fc.status}. CNN: {cnn.status}.")

    # -- quitting -------------------------------------------------------------------------

    def _unsaved(self) -> list[tuple[str, ModelRecord]]:
        """Trained models in use that were not saved (or loaded) as they are."""
        if not self.workspace_loaded:
            return []
        records = (("FC", self.workspace.fc), ("CNN", self.workspace.cnn))
        return [(name, record) for name, record in records
                if record.trained and not any(record is saved for saved in self._saved)]

    def quit_losses(self) -> list[str]:
        """One line per thing quitting now would lose; empty when nothing would be."""
        losses = []
        if self._training():
            losses.append("Training is under way: quitting stops it, and the models it is "
                          "training are lost.")
        for name, record in self._unsaved():
            losses.append(f"The {name} in use ({record.status}) is not saved.")
        main = self._main_screen()
        for tab in main.query(TrainTab) if main is not None else ():
            for kind, record in tab.partial.items():
                losses.append(f"The cancelled run's {kind.upper()} ({record.status}), "
                              "offered with u, is not kept.")
        return losses

    async def action_quit(self) -> None:
        """Quit, asking first if a run or unsaved models would be lost. Asked already, a
        second ctrl+q or ctrl+c quits."""
        from tuicnn.screens.confirm_quit import ConfirmQuit

        if isinstance(self.screen, ConfirmQuit):
            self.exit()
            return
        losses = self.quit_losses()
        if not losses:
            self.exit()
            return
        self.push_screen(ConfirmQuit(losses, can_save=bool(self._unsaved())),
                         self._quit_answered)

    def _quit_answered(self, answer: str | None) -> None:
        if answer == "quit":
            self.exit()
        elif answer == "save":
            self._quit_after_save = True
            self.action_save_models()

    def action_export_history(self) -> None:
        """Ask for a .csv or .json name, then write every finished epoch of both models."""
        workspace = self.workspace
        if not (workspace.fc.history or workspace.cnn.history):
            self.notify("Nothing to export yet: no epoch has finished. Train first "
                        "(t on the Train tab).", severity="warning")
            return
        self._ask_for_file("Export history", self.history_file, self._export_history,
                           confirm_overwrite=True, suffixes=HISTORY_SUFFIXES)

    def _export_history(self, choice: FileChoice | None) -> None:
        if choice is None:
            return
        from tuicnn.session.model_file import (
            ModelFileError,
            export_history_csv,
            export_history_json,
        )

        write = export_history_json if choice.path.suffix.lower() == ".json" else export_history_csv
        try:
            rows = write(choice.path, [self.workspace.fc, self.workspace.cnn],
                         overwrite=choice.overwrite)
        except ModelFileError as error:
            self.notify(str(error), severity="error")
            return
        except Exception as error:  # never lose the session to an unforeseen file problem
            self.notify(f"Cannot export the history to '{choice.path}': "
                        f"{type(error).__name__}: {error}.", severity="error")
            return
        self.history_file = str(choice.path)
        models = (("FC", self.workspace.fc), ("CNN", self.workspace.cnn))
        self.notify(exported_text(rows, models, choice.path))


def _load_in_thread(path: Path, progress: LoadProgress) -> None:
    """Read ``path`` (on a worker thread) and hand the outcome to ``progress``, which
    dismisses itself with it: the records, or the exception (a ``ModelFileError``, a
    ``LoadCancelled``, or anything unforeseen, worded as a ``ModelFileError``)."""
    from tuicnn.data.files import shown
    from tuicnn.session.model_file import LoadCancelled, ModelFileError, load_models

    def report(fraction: float) -> None:
        progress.fraction = fraction

    try:
        progress.outcome = load_models(path, progress=report, cancel=progress.cancel)
    except (ModelFileError, LoadCancelled) as error:
        progress.outcome = error
    except Exception as error:
        progress.outcome = ModelFileError(f"Cannot load models from '{shown(path)}': "
                                          f"{type(error).__name__}: {error}.")


def warm_up() -> None:
    """Import ``WARM_UP_MODULES`` (on a background thread). A module that fails to import
    is left alone here: the UI imports it again where it is used, and reports it there."""
    for name in WARM_UP_MODULES:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def _main_screen_commands(screen: MainScreen) -> Iterable[SystemCommand]:
    """Palette entries for training and for each tab (read from the screen's tab bar)."""
    train_tab = screen.query_one(TrainTab)

    def train() -> None:
        screen.action_show_tab("train")
        train_tab.action_train()

    yield SystemCommand("Train both models",
                        "Train the FC and the CNN with the Train tab's settings (t)", train)
    yield SystemCommand("Cancel training",
                        "Stop both models after their current batch (c)", train_tab.action_cancel)
    if train_tab.partial:
        yield SystemCommand("Use the cancelled run's models", "Replace the models in use with "
                            "the partial ones a cancelled run kept aside (u)",
                            train_tab.action_use_partial)
    for pane, title in screen.query_one(TabBar).tabs:
        yield SystemCommand(f"Show tab: {title}", f"Switch to the {title} tab",
                            lambda tab=pane: screen.action_show_tab(tab))


def create_app(data_dir: str | None = None, seed: int | None = 0,
               load: str | os.PathLike[str] | None = None) -> TuicnnApp:
    """Build the app on the bundled data, or on IDX files in ``data_dir``.

    Either way the session starts, like ``tuicnn train``, on 1,000 class-balanced training
    and 1,000 test images; the Train tab can draw a larger training set, up to the whole
    IDX training file.

    Args:
        data_dir: a directory of MNIST-style IDX files, or None for the bundled digits.
        seed: seed of the data split and of the untrained models; None means the loaded
            models' own seed (so the bundled test digits are ones they were not trained
            on), or 0 without ``load``.
        load: a model file to start with, read before anything else so a bad file fails
            fast, before the UI takes over the terminal.

    Raises:
        DataError: the data could not be read (the message says which file and why).
        ModelFileError: ``load`` could not be read (one sentence naming the file).
    """
    if not data_dir and load is None:  # the default: loaded once the first frame is drawn
        return TuicnnApp(seed=seed or 0)
    from tuicnn.session.model_file import load_models

    models = load_models(load) if load is not None else None
    if seed is None:
        seed = models[0].seed if models is not None else 0
    workspace = Workspace.from_data(data_dir or None, seed=seed)
    model_file = str(load) if load is not None else MODEL_FILE
    return TuicnnApp(seed=seed, models=models, model_file=model_file, workspace=workspace)


def run_app(data_dir: str | None = None, seed: int | None = 0,
            load: str | os.PathLike[str] | None = None) -> int:
    """Entry point used by the CLI; returns the process exit code (2: bad data or file)."""
    from tuicnn.session.model_file import ModelFileError

    try:
        app = create_app(data_dir, seed, load)
    except (DataError, ModelFileError) as error:
        print(f"tuicnn: error: {error}", file=sys.stderr)
        return 2
    app.run()
    return 0
