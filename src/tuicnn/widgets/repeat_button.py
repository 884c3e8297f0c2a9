"""A button meant to be clicked several times in a row."""

from __future__ import annotations

from textual.widgets import Button


class RepeatButton(Button):
    """A ``Button`` that counts every click, for next/previous arrows (Explore's ◀ p, n ▶).

    Textual's ``Button`` ignores clicks during its 0.2 s "pressed" flash, so clicking + twice
    quickly stepped once. This one has no flash.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.active_effect_duration = 0
