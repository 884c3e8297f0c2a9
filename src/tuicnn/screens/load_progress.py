"""A progress line while models load on a worker thread; Escape cancels the load.

The app reads the file off the UI thread (a large or slow file must not freeze the screen)
and shows this meanwhile. It polls a shared fraction rather than receiving a message per
array, so the loading thread never waits for the UI.
"""

from __future__ import annotations

import threading

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

POLL_SECONDS = 0.1


class LoadProgress(ModalScreen[object]):
    """"Loading NAME · 40% · Esc cancels"; dismissed with the loader's outcome.

    Attributes:
        fraction: written by the loading thread (0..1), read here every ``POLL_SECONDS``.
        outcome: written by the loading thread when it is done (the records, or the
            exception that stopped it); the next poll dismisses the screen with it.
        cancel: set by Escape; the loader stops before its next array.
    """

    CSS_PATH = "load_progress.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel loading")]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.file_name = name
        self.fraction = 0.0
        self.outcome: object = None
        self.cancel = threading.Event()

    def compose(self) -> ComposeResult:
        with Vertical(id="load-progress") as box:
            box.border_title = "Load models"
            yield Static(self._line(), id="load-progress-line", markup=False)

    def on_mount(self) -> None:
        self.set_interval(POLL_SECONDS, self._poll)

    def _line(self) -> str:
        if self.cancel.is_set():
            return f"Cancelling the load of {self.file_name}…"
        return f"Loading {self.file_name} · {self.fraction:.0%} · Esc cancels"

    def _poll(self) -> None:
        if self.outcome is not None:
            self.dismiss(self.outcome)
            return
        self.query_one("#load-progress-line", Static).update(self._line())

    def action_cancel(self) -> None:
        self.cancel.set()
        self._poll()
