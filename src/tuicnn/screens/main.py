"""The main screen: a tab per activity, and the go-between for messages across tabs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, TabbedContent, TabPane

from ..messages import ModelsChanged, SendToExplore
from ..tabs.architectures_tab import ArchitecturesTab
from ..tabs.draw_tab import DrawTab
from ..tabs.explore_tab import ExploreTab
from ..tabs.shift_tab import ShiftTab
from ..tabs.train_tab import TrainTab

#: ``(pane id, tab title, tab class, function key)``, in tab-bar order.
TABS: tuple[tuple[str, str, type[Widget], str], ...] = (
    ("train", "Train: FC vs CNN", TrainTab, "f2"),
    ("explore", "Explore the CNN", ExploreTab, "f3"),
    ("draw", "Draw", DrawTab, "f4"),
    ("shift", "Shift test", ShiftTab, "f5"),
    ("architectures", "Architectures", ArchitecturesTab, "f6"),
)


class MainScreen(Screen[None]):
    """Header, the tabs, and a footer listing the keys that work right now."""

    CSS_PATH = ["main.tcss", *(f"../tabs/{pane}_tab.tcss" for pane, *_ in TABS)]
    BINDINGS = [
        Binding(key, f"show_tab('{pane}')", f"{title} tab", show=False)
        for pane, title, _, key in TABS
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="train"):
            for pane, title, tab_class, _ in TABS:
                with TabPane(title, id=pane):
                    yield tab_class()
        yield Footer()

    def tab(self, pane: str) -> Widget:
        """The tab widget inside the pane called ``pane``."""
        return self.query_one(f"#{pane}", TabPane).children[0]

    def action_show_tab(self, pane: str) -> None:
        """Switch to a tab (F-keys, the command palette) and put the keyboard focus in it.

        Focus is cleared first: otherwise Textual hands the focus of a widget being hidden to
        a focusable neighbour that may still sit in the tab being left, which switches the
        tabs straight back.
        """
        tabs = self.query_one(TabbedContent)
        if tabs.active == pane:
            return
        self.set_focus(None)
        tabs.active = pane
        self.call_after_refresh(self._focus_tab, pane)

    def _focus_tab(self, pane: str) -> None:
        tab = self.tab(pane)
        focus_default = getattr(tab, "focus_default", None)
        if callable(focus_default):
            focus_default()
        elif self.focused is None or tab not in self.focused.ancestors:
            first = next((w for w in tab.query("*") if w.focusable), None)
            if first is not None:
                first.focus()

    def on_models_changed(self, message: ModelsChanged) -> None:
        """Tell every tab that the workspace's models were replaced."""
        for pane, *_ in TABS:
            tab = self.tab(pane)
            if tab is not message.control:
                tab.models_changed()  # type: ignore[attr-defined]

    def on_send_to_explore(self, message: SendToExplore) -> None:
        """A drawing from the Draw tab: trace it in the Explore tab and show that tab."""
        message.stop()
        self.tab("explore").show_drawing(message.image, message.label)  # type: ignore[attr-defined]
        self.action_show_tab("explore")
