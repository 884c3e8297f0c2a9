"""A small modal that asks for a file name: Enter confirms, Escape cancels.

Used by the app's save, load and export commands. It only *chooses* a file; the caller
does the reading or writing, so every file problem is reported in one place, the same way.
When saving onto a file that already exists, it asks "Overwrite X? (y/n)" first and tells
the caller the user agreed (``overwrite=True``), so nothing is replaced without a yes. A name
that cannot work (``~nosuchuser/x``, a directory or device to save over, a name too long) is
explained in the prompt, which stays open for another try.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tuicnn.data.files import PathProblem, check_writable_target, expand, shown


@dataclass(frozen=True)
class FileChoice:
    """The prompt's answer.

    Attributes:
        path: the file named, as typed (relative names are relative to the working
            directory, which the prompt shows).
        overwrite: the file existed and the user said yes to replacing it.
    """

    path: Path
    overwrite: bool = False


class FilePrompt(ModalScreen[FileChoice | None]):
    """Ask for a file name; dismiss with a :class:`FileChoice`, or None when cancelled.

    Args:
        title: what the file is for, e.g. ``"Save models"``.
        default: the name filled in, selected so typing replaces it.
        confirm_overwrite: ask before returning a name that exists (for saving); otherwise
            any name is returned (for loading, where the caller reports a missing file).
        suffixes: if given, the name must end in one of these (e.g. ``(".csv", ".json")``);
            anything else is explained in the prompt instead of being returned.
    """

    CSS_PATH = "file_prompt.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, default: str, *, confirm_overwrite: bool = False,
                 suffixes: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.title_text = title
        self.default = default
        self.confirm_overwrite = confirm_overwrite
        self.suffixes = suffixes
        self.asking: Path | None = None
        """The existing file the user is being asked about, or None while typing."""

    def compose(self) -> ComposeResult:
        with Vertical(id="file-prompt") as box:
            box.border_title = self.title_text
            yield Label("File name:", id="file-prompt-label")
            field = Input(self.default, id="file-prompt-input", select_on_focus=True)
            field.cursor_blink = False  # a blinking cursor is bytes over SSH twice a second
            yield field
            yield Static(self._hint(), id="file-prompt-message", markup=False)

    def _hint(self) -> str:
        where = Path.cwd()
        return f"Enter confirms · Esc cancels · relative names are in {where}"

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#file-prompt-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Check the name; ask about an existing file, or dismiss with the choice."""
        event.stop()
        name = event.value.strip()
        if not name:
            self._say("Type a file name (Esc cancels).", error=True)
            return
        try:
            path = expand(name)
        except PathProblem as problem:
            self._say(f"{problem}: type another name.", error=True)
            return
        if self.suffixes and path.suffix.lower() not in self.suffixes:
            self._say(f"Name a {' or a '.join(self.suffixes)} file.", error=True)
            return
        if self.confirm_overwrite:
            try:
                check_writable_target(path, overwrite=False)
            except PathProblem as problem:
                if str(problem) != "the file already exists":
                    self._say(f"Cannot save there: {problem}.", error=True)
                    return
                self._ask(path)
                return
        self.dismiss(FileChoice(path))

    def _ask(self, path: Path) -> None:
        """Switch to the overwrite question; the field is disabled so y/n are not typed."""
        self.asking = path
        self.query_one(Input).disabled = True
        self._say(f"Overwrite {shown(path)}? (y/n) · n lets you change the name", error=True)

    def on_key(self, event: events.Key) -> None:
        """While asking, y replaces the file, n goes back to the name, other keys do nothing.

        Stopping the other keys matters: with the field disabled nothing else is focused, and
        an app shortcut such as q (quit) must not fire from inside a question.
        """
        if self.asking is None or event.key == "escape":
            return
        event.stop()
        event.prevent_default()
        if event.key == "y":
            self.dismiss(FileChoice(self.asking, overwrite=True))
        elif event.key == "n":
            self.asking = None
            field = self.query_one(Input)
            field.disabled = False
            field.focus()
            self._say(self._hint())

    def action_cancel(self) -> None:
        """Close without choosing a file."""
        self.dismiss(None)
