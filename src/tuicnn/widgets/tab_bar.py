"""The row of tab titles, drawn by one widget."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.renderables.bar import Bar
from textual.widget import Widget


class TabBar(Widget, can_focus=True):
    """Tab titles with the chosen one underlined, as Textual's ``Tabs`` shows them.

    ``Tabs`` (inside ``TabbedContent``) is a dozen widgets: a tab per title, an underline,
    and the containers that scroll them. Each was styled at start-up and laid out and drawn
    on every switch; this widget draws the same two lines by itself. It only says what was
    chosen (``Chosen``); the screen does the switching.

    Args:
        tabs: ``(id, title)`` of every tab, in order.
        active: id of the tab shown first.
    """

    DEFAULT_CSS = """
    TabBar {
        width: 1fr;
        height: 2;
        pointer: pointer;
        & > .tab-bar--tab { color: $foreground 50%; }
        & > .tab-bar--active { color: $foreground; }
        & > .tab-bar--bar { color: $block-cursor-background; background: $foreground 10%; }
        &:focus {
            & > .tab-bar--active {
                text-style: $block-cursor-text-style;
                color: $block-cursor-foreground;
                background: $block-cursor-background;
            }
            & > .tab-bar--bar { background: $foreground 30%; }
        }
        &:ansi {
            & > .tab-bar--tab { text-style: dim; }
            & > .tab-bar--active { text-style: not dim bold; }
            & > .tab-bar--bar { background: $border-blurred; }
        }
    }
    """

    COMPONENT_CLASSES = {"tab-bar--tab", "tab-bar--active", "tab-bar--bar"}

    BINDINGS = [
        Binding("left", "step(-1)", "Previous tab", show=False),
        Binding("right", "step(1)", "Next tab", show=False),
    ]

    ALLOW_SELECT = False

    active: reactive[str] = reactive("")
    """Id of the tab shown as chosen."""

    class Chosen(Message):
        """The user chose a tab: clicked its title, or stepped to it with an arrow key.

        Attributes:
            tab: the tab's id.
            keep_focus: True when chosen from the keyboard here: the focus stays on the bar,
                so the arrows keep stepping through the tabs.
        """

        def __init__(self, tab: str, keep_focus: bool) -> None:
            super().__init__()
            self.tab = tab
            self.keep_focus = keep_focus

    def __init__(self, tabs: Sequence[tuple[str, str]], active: str, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.tabs = tuple(tabs)
        self.set_reactive(TabBar.active, active)

    def title(self, tab: str) -> str:
        """The title of the tab with id ``tab``."""
        return next(title for tab_id, title in self.tabs if tab_id == tab)

    def spans(self) -> list[tuple[str, int, int]]:
        """``(id, first cell, end cell)`` of each title on screen, one cell of padding either
        side, shifted left by ``offset``."""
        spans, x = [], -self.offset
        for tab, title in self.tabs:
            spans.append((tab, x, x + len(title) + 2))
            x += len(title) + 2
        return spans

    @property
    def offset(self) -> int:
        """Cells the row is shifted left by, so that the chosen title is on screen when the
        titles do not all fit (the last ones are cut at the right end otherwise)."""
        x = 0
        for tab, title in self.tabs:
            x += len(title) + 2
            if tab == self.active:
                return max(0, x - self.size.width) if self.size.width else 0
        return 0

    def render(self) -> RenderResult:
        tab_style = self.get_component_rich_style("tab-bar--tab")
        active_style = self.get_component_rich_style("tab-bar--active")
        bar_style = self.get_component_rich_style("tab-bar--bar")
        titles = Text(no_wrap=True, overflow="ellipsis")
        highlight = (0, 0)
        for (tab, title), (_, start, end) in zip(self.tabs, self.spans(), strict=True):
            chosen = tab == self.active
            titles.append(f" {title} ", active_style if chosen else tab_style)
            if chosen:  # under the title, not its padding
                highlight = (start + 1, end - 1)
        shown = titles[self.offset:]
        shown.no_wrap, shown.overflow = True, "ellipsis"  # a slice keeps neither
        return Group(shown, Bar(highlight, Style.from_color(bar_style.color),
                                Style.from_color(bar_style.bgcolor)))

    def on_resize(self) -> None:
        self.refresh()  # the offset depends on the width

    def on_click(self, event: events.Click) -> None:
        for tab, start, end in self.spans():
            if start <= event.x < end:
                self._choose(tab, keep_focus=False)
                return

    def action_step(self, step: int) -> None:
        """The previous or next tab (wrapping round), chosen with the focus kept here."""
        ids = [tab for tab, _ in self.tabs]
        index = ids.index(self.active) if self.active in ids else 0
        self._choose(ids[(index + step) % len(ids)], keep_focus=True)

    def _choose(self, tab: str, keep_focus: bool) -> None:
        """Underline ``tab`` now and tell the screen. The next arrow then steps on from it,
        even while the screen is still building this tab (three quick presses of right
        move three tabs, not one)."""
        self.active = tab
        self.post_message(self.Chosen(tab, keep_focus))
