"""A text field for numbers that leaves letter keys to the app's key bindings."""

from __future__ import annotations

from textual.widgets import Input


class NumberInput(Input):
    """An ``Input`` that claims only the keys a number is typed with.

    A plain ``Input`` claims every printable key, which hides the bindings of the widgets
    around it: with a field focused, ``t`` (train) would be typed instead. This field still
    accepts any key typed into it (so a letter shows as an error beside the field), but only
    digits and ``. , _ e`` keep the surrounding widgets' bindings from firing.
    """

    NUMBER_CHARACTERS = frozenset("0123456789.,_eE")

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character in self.NUMBER_CHARACTERS
