"""The main screen: a tab per activity, and the go-between for messages across tabs."""

from __future__ import annotations

import asyncio
import importlib
from typing import TYPE_CHECKING, cast

from textual import messages
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Header

from tuicnn.messages import ModelsChanged, SendToExplore
from tuicnn.screens.lean_updates import LeanCompositor
from tuicnn.tabs.base import BaseTab, session_of
from tuicnn.widgets.key_footer import KeyFooter
from tuicnn.widgets.tab_bar import TabBar

if TYPE_CHECKING:
    from tuicnn.tabs.explore_tab import ExploreTab
    from tuicnn.widgets.lesson.lesson_panel import LessonPanel

#: ``(pane id, tab title, class name in tuicnn.tabs.<pane>_tab, function key)``, in order.
TABS: tuple[tuple[str, str, str, str], ...] = (
    ("train", "Train: FC vs CNN", "TrainTab", "f2"),
    ("explore", "Explore the CNN", "ExploreTab", "f3"),
    ("draw", "Draw", "DrawTab", "f4"),
    ("shift", "Shift test", "ShiftTab", "f5"),
    ("architectures", "Architectures", "ArchitecturesTab", "f6"),
    ("mechanics", "Mechanics", "MechanicsTab", "f7"),
    ("analyze", "Mistakes", "AnalyzeTab", "f8"),
)


#: Event-loop steps a tab switch waits (drawing nothing) for the focus change to settle.
SETTLE_STEPS = 2


def tab_class(pane: str) -> type[BaseTab]:
    """The class of a tab, imported on first use (only the first tab is needed at start)."""
    class_name = next(name for pane_id, _, name, _ in TABS if pane_id == pane)
    cls = getattr(importlib.import_module(f"tuicnn.tabs.{pane}_tab"), class_name)
    assert issubclass(cls, BaseTab), f"{class_name} must derive from BaseTab"
    return cls


class MainScreen(Screen[None]):
    """Header, the tabs, and a footer listing the keys that work right now.

    Only the first tab is built at start-up; each other tab is built the first time it is
    shown (composing all five up front made the first frame four times slower than a bare
    Textual app's). A tab reads the workspace when it mounts, so it is never stale.
    """

    # Its CSS (main.tcss and the tabs' .tcss files) is the app's CSS_PATH: see TuicnnApp.
    BINDINGS = [
        *(Binding(key, f"show_tab('{pane}')", f"{title} tab", show=False)
          for pane, title, _, key in TABS),
        Binding("L,shift+l", "toggle_lesson", "Lesson", key_display="L"),
        Binding("ctrl+l", "redraw", "Redraw the whole screen", show=False),
    ]

    #: No automatic focus: Textual would focus the tab bar as the screen starts, and the first
    #: tab then moves it to its own first control; each move restyled ~10 widgets.
    AUTO_FOCUS = ""

    #: Textual repaints the whole screen when the focus moves, on top of restyling the two
    #: widgets concerned; that second full render was ~20% of a tab switch's frame.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    _resumed = False
    """True once the screen has been shown: tabs may be built from then on."""

    def __init__(self) -> None:
        super().__init__()
        #: Frames write only the cells that changed, in few bytes (``lean_updates``).
        self._compositor: LeanCompositor = LeanCompositor()

    def on_mount(self) -> None:
        # Suspended (ctrl+z) and resumed, the terminal may show anything: write every cell
        # (at once: the app repaints right after it publishes the signal).
        self.app.app_resume_signal.subscribe(
            self, lambda _app: self._compositor.canvas.forget(), immediate=True)

    def on_screen_suspend(self) -> None:
        """Another screen (help, a prompt, the palette) draws over this one from now on."""
        self._compositor.canvas.forget()

    def action_redraw(self) -> None:
        """``ctrl+l``: write every cell again (the terminal was garbled by something else)."""
        self._compositor.canvas.forget()
        self.refresh()

    def compose(self) -> ComposeResult:
        yield Header()
        yield TabBar([(pane, title) for pane, title, _, _ in TABS], TABS[0][0])
        yield ContentSwitcher(id="tab-panes")  # the tabs are mounted here as they are built
        yield KeyFooter()

    @property
    def active_tab(self) -> str:
        """Id of the tab chosen in the tab bar (its widget may still be being built)."""
        return self.query_one(TabBar).active

    def on_screen_resume(self) -> None:
        """Build the first tab once the screen is up.

        Textual restyles the whole screen when it is shown (after this handler). A tab
        composed with the screen would be styled twice before the first frame; built
        just after, it is styled once, which takes ~40 ms off the start-up.
        """
        if not self._resumed:
            self._resumed = True
            self.call_later(self._build_first_tab, self.active_tab)

    async def _build_first_tab(self, pane: str) -> None:
        await self.ensure_tab(pane)
        self.query_one(ContentSwitcher).current = pane
        self._focus_tab(pane)

    def tab(self, pane: str) -> BaseTab | None:
        """The widget of tab ``pane``, or None if not built yet."""
        return next((tab for tab in self.query_one(ContentSwitcher).children
                     if isinstance(tab, BaseTab) and tab.id == pane), None)

    async def ensure_tab(self, pane: str) -> BaseTab:
        """The widget of tab ``pane``, built and mounted (hidden) now if it was not yet."""
        tab = self.tab(pane)
        if tab is None:
            tab = tab_class(pane)(id=pane)
            tab.display = False  # until the switcher shows it
            await self.query_one(ContentSwitcher).mount(tab)
            session_of(self).idle_collector.freeze()
        return tab

    async def on_tab_bar_chosen(self, message: TabBar.Chosen) -> None:
        """A title clicked, or the bar's arrow keys: the arrows leave the focus on the bar."""
        await self.show_tab(message.tab, focus_inside=not message.keep_focus)

    def action_show_tab(self, pane: str) -> None:
        """Switch to a tab (F-keys, the command palette) and put the keyboard focus in it."""
        self.call_next(self.show_tab, pane)

    async def show_tab(self, pane: str, focus_inside: bool = True) -> None:
        """Build the tab if needed, switch to it and (unless told not to) focus inside it.

        Focus is cleared first: otherwise Textual hands the focus of a widget being hidden to
        a focusable neighbour that may still sit in the tab being left, which switches the
        tabs straight back. The new tab is focused at once, so the frame that lays it out
        also shows the focus; with the focus change no longer repainting the whole screen
        (see ``focused``), that is the only large frame of a switch.

        No frame is drawn until the event loop has gone round ``SETTLE_STEPS`` times: the
        focus is set, and the widgets it restyles (the footer's keys, the setting's
        highlight, a scroll bar) ask for their repaint, a step or two after the switch.
        Drawn at once, those came in a second frame 20-30 ms later, which anything waiting
        for a settled screen waited for. Should they come later still, they just make that
        second frame, as before.
        """
        switcher = self.query_one(ContentSwitcher)
        if switcher.current == pane:
            return
        await self.ensure_tab(pane)
        with self.app.batch_update():  # no frame until the switch has settled
            if focus_inside:
                self.set_focus(None)
            switcher.current = pane
            self.query_one(TabBar).active = pane
            if focus_inside:
                self._focus_tab(pane)
            for _ in range(SETTLE_STEPS):
                await asyncio.sleep(0)

    def _focus_tab(self, pane: str) -> None:
        tab = self.tab(pane)
        if tab is not None:
            tab.focus_default()

    def on_layout(self, message: messages.Layout) -> None:
        """Drop layout requests from inside a hidden tab: nothing on screen would move.

        A run's start and end change the Train tab's tables, summary and charts; shown or
        not, each change asked for a layout of the whole screen, and with Explore shown
        that was three layouts of 22-53 ms in a row. The request has already cleared the
        arrangements it concerns, so the tab is laid out afresh when it is shown (its own
        display change, whose parent is visible, always gets through).
        """
        for node in message.widget.ancestors:
            if node is self:
                return
            if not node.display:
                message.stop()
                message.prevent_default()  # Screen's own handler would lay out the screen
                return

    def on_models_changed(self, message: ModelsChanged) -> None:
        """Tell every tab that the workspace's models were replaced."""
        for pane, *_ in TABS:
            tab = self.tab(pane)
            if tab is not None and tab is not message.control:
                tab.models_changed()

    async def action_toggle_lesson(self) -> None:
        """``L``: open, focus or close the guided lesson (``screens/lesson_dock.py``)."""
        from tuicnn.screens.lesson_dock import toggle_lesson

        await toggle_lesson(self)

    async def on_lesson_panel_go_to(self, message: LessonPanel.GoTo) -> None:
        from tuicnn.screens.lesson_dock import go_to

        await go_to(self, message, [pane for pane, *_ in TABS])

    def on_lesson_panel_focus_tab(self, message: LessonPanel.FocusTab) -> None:
        self._focus_tab(self.active_tab)

    async def on_send_to_explore(self, message: SendToExplore) -> None:
        """A drawing from the Draw tab: trace it in the Explore tab and show that tab."""
        message.stop()
        explore = cast("ExploreTab", await self.ensure_tab("explore"))
        explore.show_drawing(message.image, message.label)
        await self.show_tab("explore")
