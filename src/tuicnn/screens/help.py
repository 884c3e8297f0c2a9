"""A help screen listing every key binding, generated from the bindings themselves."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tuicnn.screens.main import TABS, MainScreen, tab_class
from tuicnn.tabs.base import bindings_of
from tuicnn.widgets.lesson.lesson_panel import LessonPanel

INTRO = (
    "tuicnn trains a fully-connected net and a CNN on the same real MNIST digits, "
    "then lets you look inside the CNN.\n"
    "Tab / Shift+Tab move between controls; arrows and + / - change values; "
    "Enter presses a button; Ctrl+P opens the command palette.\n"
)


def _key_label(binding: Binding) -> str:
    keys = binding.key_display or binding.key
    return " / ".join(k.strip() for k in keys.split(","))


def help_text(sections: list[tuple[str, list[Binding]]]) -> Text:
    """Sections of ``key  description`` lines, keys aligned in one column."""
    text = Text(INTRO)
    for title, bindings in sections:
        rows = [(_key_label(b), b.description) for b in bindings if b.description]
        if not rows:
            continue
        text.append(f"\n{title}\n", style="bold underline")
        for key, description in rows:
            text.append(f"  {key:<14}", style="bold")
            text.append(f"{description}\n")
    return text


class HelpScreen(ModalScreen[None]):
    """Lists the keys of the app and of each tab. Escape, ``q`` or ``?`` closes it."""

    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close help")]

    def compose(self) -> ComposeResult:
        sections = [("Everywhere", bindings_of(type(self.app))),
                    ("Tabs", bindings_of(MainScreen))]
        for pane, title, _, _ in TABS:
            sections += tab_class(pane).help_sections(title)
        sections.append(("Lesson panel (L)", bindings_of(LessonPanel)))
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys · Esc closes"
            yield Static(help_text(sections), id="help-text")
