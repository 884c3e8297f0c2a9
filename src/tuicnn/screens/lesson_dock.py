"""The main screen's side of the guided lesson: open and close its panel, and put the app
where a step needs it (a tab by pane id; in the Explore tab a view and the question's digit).

Kept out of ``screens/main.py`` so that module stays a short list of tabs and go-betweens;
imported when ``L`` is first pressed (the lesson's modules import NumPy).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Protocol, cast

from tuicnn.tabs.base import session_of
from tuicnn.widgets.key_footer import KeyFooter
from tuicnn.widgets.lesson.lesson_panel import LessonPanel

if TYPE_CHECKING:

    from tuicnn.tabs.base import BaseTab
    from tuicnn.tabs.explore_tab import ExploreTab


class TabHost(Protocol):
    """What the lesson needs of the main screen (named here: main imports this module)."""

    @property
    def active_tab(self) -> str: ...

    def tab(self, pane: str) -> BaseTab | None: ...

    async def ensure_tab(self, pane: str) -> BaseTab: ...

    async def show_tab(self, pane: str, focus_inside: bool = True) -> None: ...


class MainScreen(TabHost, Protocol):
    """The main screen as this module uses it: a Textual screen hosting the tabs."""

    def query(self, selector: Any) -> Any: ...

    def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...

    async def mount(self, *widgets: Any, before: Any = None) -> Any: ...

    def set_focus(self, widget: Any) -> None: ...


async def toggle_lesson(screen: MainScreen) -> None:
    """``L``: open the panel (built on first use), focus it if the focus is elsewhere,
    close it (keeping its state) if the focus is already in it."""
    panels = screen.query(LessonPanel)
    if not panels:
        session = session_of(screen)
        panel = LessonPanel(lambda: session.workspace, lambda: session.workspace_loaded)
        await screen.mount(panel, before=screen.query_one(KeyFooter))
        panel.focus_answer()
        return
    panel = panels.first()
    if not panel.display:
        panel.display = True
        panel.show_step()
        panel.focus_answer()
    elif panel.has_focus or panel.has_focus_within:
        panel.display = False
        screen.set_focus(None)
        tab = screen.tab(screen.active_tab)
        if tab is not None:
            tab.focus_default()
    else:
        panel.focus_answer()


async def go_to(screen: MainScreen, message: LessonPanel.GoTo, panes: Collection[str]) -> None:
    """Show the step's tab (the focus stays in the panel), its view and its digit.

    ``panes`` are the tabs this build has (``TABS``); a step for another is left in place.
    """
    place = message.step.place
    if place.pane not in panes:
        return  # a step written for a tab this build does not have
    await screen.show_tab(place.pane, focus_inside=False)
    if place.pane != "explore":
        return
    explore = cast("ExploreTab", await screen.ensure_tab("explore"))
    if place.view is not None and explore.view != place.view:
        await explore.action_view(place.view)
    example = message.example
    if not place.show_example or example is None:
        return
    shown = explore.shown_image
    if shown is None or shown[0] != example.index:
        explore.action_digit(example.digit)
        if example.position:
            explore.action_example(example.position)

