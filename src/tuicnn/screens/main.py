"""The main screen: a tab per activity, and the go-between for messages across tabs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane

from ..messages import ModelsChanged
from ..tabs.explore_tab import ExploreTab
from ..tabs.train_tab import TrainTab


class MainScreen(Screen[None]):
    """Header, the tabs, and a footer listing the keys that work right now."""

    CSS_PATH = ["main.tcss", "../tabs/train_tab.tcss", "../tabs/explore_tab.tcss"]
    BINDINGS = [
        Binding("f2", "show_tab('train')", "Train tab", show=False),
        Binding("f3", "show_tab('explore')", "Explore tab", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="train"):
            with TabPane("Train: FC vs CNN", id="train"):
                yield TrainTab()
            with TabPane("Explore the CNN", id="explore"):
                yield ExploreTab()
        yield Footer()

    def action_show_tab(self, tab: str) -> None:
        """Switch to a tab by id (F2, F3 and the command palette)."""
        self.query_one(TabbedContent).active = tab

    def on_models_changed(self, message: ModelsChanged) -> None:
        """Tell every tab that the workspace's models were replaced."""
        for tab in (self.query_one(TrainTab), self.query_one(ExploreTab)):
            if tab is not message.control:
                tab.models_changed()
