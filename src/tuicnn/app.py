"""The Textual application: one main screen with a tab per activity."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import TabbedContent, TabPane

from . import __version__
from .data import DataError, Split, bundled_split, idx_split
from .screens.help import HelpScreen
from .screens.main import MainScreen
from .tabs.train_tab import TrainTab
from .workspace import Workspace


class TuicnnApp(App[None]):
    """tuicnn: train a fully-connected net and a CNN on real MNIST, then look inside.

    Args:
        split: the data to train and explore on (the bundled subset when None).
        seed: seed for the untrained models shown before any training.
    """

    TITLE = "tuicnn"
    SUB_TITLE = f"CNN playground · v{__version__}"
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, split: Split | None = None, seed: int = 0) -> None:
        super().__init__()
        self.workspace = Workspace.untrained(split or bundled_split(seed=seed), seed=seed)

    def on_mount(self) -> None:
        self.push_screen(MainScreen())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "List every key binding", self.action_help)
        if isinstance(screen, MainScreen):
            yield from _main_screen_commands(screen)


def _main_screen_commands(screen: MainScreen) -> Iterable[SystemCommand]:
    """Palette entries for training and for each tab (found in the screen, not listed)."""
    train_tab = screen.query_one(TrainTab)

    def train() -> None:
        screen.action_show_tab("train")
        train_tab.action_train()

    yield SystemCommand("Train both models",
                        "Train the FC and the CNN with the Train tab's settings (t)", train)
    yield SystemCommand("Cancel training",
                        "Stop both models after their current batch (c)", train_tab.action_cancel)
    tabs = screen.query_one(TabbedContent)
    for pane in tabs.query(TabPane):
        if pane.id and pane.parent is not None and pane.parent.parent is tabs:  # not nested
            title = tabs.get_tab(pane.id).label.plain
            yield SystemCommand(f"Show tab: {title}", f"Switch to the {title} tab",
                                lambda tab=pane.id: screen.action_show_tab(tab))


def create_app(data_dir: str | None = None, seed: int = 0) -> TuicnnApp:
    """Build the app on the bundled data, or on IDX files in ``data_dir``.

    Raises:
        DataError: the data could not be read (the message says which file and why).
    """
    split = idx_split(data_dir, seed=seed) if data_dir else bundled_split(seed=seed)
    return TuicnnApp(split, seed=seed)


def run_app(data_dir: str | None = None, seed: int = 0) -> int:
    """Entry point used by the CLI; returns the process exit code."""
    try:
        app = create_app(data_dir, seed)
    except DataError as error:
        print(f"tuicnn: error: {error}", file=sys.stderr)
        return 2
    app.run()
    return 0
