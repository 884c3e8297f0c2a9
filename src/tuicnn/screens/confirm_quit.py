"""Asked before quitting would lose something: a run under way or models not yet saved.

The app decides *whether* to ask and words what would be lost; this modal only shows it
and returns the answer: ``"save"`` (save, then quit), ``"quit"`` (quit anyway) or None
(stay). A second ctrl+q or ctrl+c while it is shown quits, as a double ctrl+c does in a shell.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

CHOICES = "s  save, then quit\nq  quit without saving\nEsc / n  stay"


class ConfirmQuit(ModalScreen[str | None]):
    """Say what quitting would lose; dismiss with ``"save"``, ``"quit"`` or None.

    Args:
        losses: one line per thing that would be lost, e.g. ``"The CNN (trained 5 epochs ·
            91.3% test) is not saved."``.
        can_save: offer ``s`` (False while nothing trained is in use to save).
    """

    CSS_PATH = "confirm_quit.tcss"
    BINDINGS = [
        Binding("s", "answer('save')", "Save, then quit"),
        Binding("q", "answer('quit')", "Quit without saving"),
        Binding("escape,n", "answer(None)", "Stay", key_display="esc/n"),
    ]

    def __init__(self, losses: list[str], *, can_save: bool = True) -> None:
        super().__init__()
        self.losses = losses
        self.can_save = can_save

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-quit") as box:
            box.border_title = "Quit tuicnn?"
            yield Static("\n".join(self.losses), id="confirm-quit-losses", markup=False)
            choices = CHOICES if self.can_save else CHOICES.split("\n", 1)[1]
            yield Static(choices, id="confirm-quit-choices", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "answer" and parameters == ("save",) and not self.can_save)

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer)
