"""A footer that rebuilds only when the keys it shows change."""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer, minus redundant rebuilds.

    The stock Footer recomposes after every bindings refresh, and Textual refreshes
    bindings on each focus change: switching tabs caused about five rebuilds, each forcing
    a layout of the whole screen (~50 ms here, charts included). This footer remembers what
    it last showed and skips the rebuild when the visible keys are the same.
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple | None = None

    def _visible_keys(self) -> tuple:
        return tuple(
            (key, b.action, b.description, b.key_display, enabled)
            for key, (_, b, enabled, _) in self.screen.active_bindings.items()
            if b.show
        )

    async def recompose(self) -> None:
        keys = self._visible_keys()
        if keys == self._shown and self.children:
            return
        self._shown = keys
        await super().recompose()
