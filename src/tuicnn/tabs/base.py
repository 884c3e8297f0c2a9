"""What every tab offers the main screen: one small, typed interface instead of ``getattr``.

The main screen builds tabs on first use, focuses them and tells them when the session's
models change, and the help screen lists their keys: all through the methods below, which a
tab overrides where the default does not fit.

A tab names the Textual container it is first and ``BaseTab`` second (``class
DrawTab(Vertical, BaseTab)``): Textual takes a widget's default CSS and CSS type names from
its first base only, so the container's must come first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from textual.binding import Binding
from textual.widget import Widget

if TYPE_CHECKING:
    from tuicnn.idle_collector import IdleCollector
    from tuicnn.session.workspace import Workspace, WorkspaceSummary


class SessionHost(Protocol):
    """What tabs and screens need of the app (``TuicnnApp`` provides it).

    Named here, not imported, so tabs and screens do not import the app that composes them.
    """

    @property
    def workspace(self) -> Workspace: ...

    @property
    def workspace_summary(self) -> WorkspaceSummary: ...

    @property
    def workspace_loaded(self) -> bool: ...

    idle_collector: IdleCollector


def session_of(widget: Widget) -> SessionHost:
    """The app of ``widget``, typed as the session host it is."""
    return cast("SessionHost", widget.app)


class BaseTab(Widget):
    """A tab's top widget: ``class DrawTab(Vertical, BaseTab)``."""

    @property
    def session(self) -> SessionHost:
        """The app's session: its data and models, read each time (never stale)."""
        return session_of(self)

    @property
    def workspace(self) -> Workspace:
        """The data and the FC and CNN in use."""
        return self.session.workspace

    def focus_default(self) -> None:
        """Put the keyboard focus where the tab's keys work (after F-keys and the palette).

        The default focuses the first focusable widget inside, unless the focus is inside
        already.
        """
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors:
            first = next((w for w in self.query("*") if w.focusable), None)
            if first is not None:
                first.focus()

    def models_changed(self) -> None:
        """The workspace's models were replaced elsewhere (a run ended, a file was loaded)."""

    @classmethod
    def help_sections(cls, title: str) -> list[tuple[str, list[Binding]]]:
        """The key sections the help screen lists for this tab, titled from ``title``."""
        return [(f"{title} tab", bindings_of(cls))]


def bindings_of(owner: type) -> list[Binding]:
    """``owner.BINDINGS`` as ``Binding`` objects (a class may list plain tuples too)."""
    return [b if isinstance(b, Binding) else Binding(*b) for b in owner.BINDINGS]


def digit_bindings() -> list[Binding]:
    """``0``-``9`` run ``digit(d)``: pick a test example of that class (Explore, Mechanics).
    One help line covers all ten (the others need none)."""
    bindings = [Binding("0", "digit(0)", "Show a test example of that digit", key_display="0–9",
                        show=False)]
    return bindings + [Binding(str(d), f"digit({d})", "", show=False) for d in range(1, 10)]
