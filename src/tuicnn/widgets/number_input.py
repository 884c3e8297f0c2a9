"""A text field for numbers that leaves the app's letter shortcuts working."""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class NumberInput(Input):
    """An ``Input`` that claims only the keys a number is typed with.

    A plain ``Input`` takes every printable key, so with a field focused ``q`` would be
    typed instead of quitting and ``t`` instead of training. This field lets a key that is
    bound somewhere around it (and is not part of a number) go to its binding; any other
    key is typed as usual, so a stray letter still shows up as an error beside the field.
    """

    NUMBER_CHARACTERS = frozenset("0123456789.,_eE")

    def __init__(self, *args, **kwargs) -> None:
        # A steady cursor: a blinking one redraws twice a second for as long as the field
        # has the focus, and the Train tab focuses one at start, so an idle app sent ~180
        # bytes a second over SSH (benchmarks/bench_ssh_bytes.py).
        super().__init__(*args, **kwargs)
        self.cursor_blink = False

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character in self.NUMBER_CHARACTERS

    def on_key(self, event: events.Key) -> None:
        if (event.character is not None and event.character not in self.NUMBER_CHARACTERS
                and event.key in self.screen.active_bindings):
            event.prevent_default()  # not typed: the binding (e.g. q to quit) handles it
