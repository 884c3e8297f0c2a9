"""FiltersView: what each conv1 filter responds to, next to filters designed by hand.

For every learned filter: its 3x3 weights as signed numbers (now, at the start, or the
change), its response after ReLU on the selected digit (one channel of ``relu1``) and how
far it moved from its start. Below, four classic kernels (Sobel edges, blur, sharpen) run
through the engine's own ``Conv2D`` on the same digit, so the learned filters can be
compared with something familiar. The headings' words follow the screen: colour names only
when colours are shown, "below" or "to the right" as the grid is laid out.
"""

from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.containers import ItemGrid, Vertical
from textual.widgets import Static

from tuicnn.lessons.explorer import (
    CLASSIC_FILTERS,
    classic_note,
    digit_note,
    grid_columns,
    weights_note,
)
from tuicnn.widgets.explore.map_card import MapCard
from tuicnn.widgets.heatmap import prefers_shades

CARD_COLUMN = 30
"""Minimum grid column: a 28-pixel map plus a gap."""

GRID_GUTTER = 2
"""Columns between cards (``grid-gutter: 1 2`` in explore_tab.tcss)."""


def learned_title(channel: int, count: int) -> str:
    """Card title of a learned filter, 1-based like every count in the UI."""
    return f"filter {channel + 1} of {count}"


class FiltersView(Vertical):
    """Every conv1 filter with its ReLU response, then the hand-made filters.

    Call :meth:`show` with a new trace's arrays; :meth:`select` only moves the ``▶`` mark
    (the channel keys), so it costs nothing.
    """

    DEFAULT_CSS = """
    FiltersView {
        height: auto;
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._cards: list[MapCard] = []
        self._selected = 0
        self._status = ""

    def compose(self) -> ComposeResult:
        colour = not prefers_shades(self.app)
        yield Static(weights_note(colour), id="filters-learned-heading",
                     classes="filters--heading")
        yield Static("", id="filters-change", markup=False)
        with ItemGrid(id="filters-learned", min_column_width=CARD_COLUMN):
            yield MapCard("the digit (input)", None, caption=digit_note(1, 1),
                          id="filters-digit")
        yield Static(classic_note(colour), id="filters-classic-heading",
                     classes="filters--heading")
        with ItemGrid(id="filters-classic", min_column_width=CARD_COLUMN):
            for classic in CLASSIC_FILTERS:
                yield MapCard(
                    classic.name,
                    None,
                    mode=classic.mode,  # type: ignore[arg-type]
                    kernel=classic.kernel,
                    caption=classic.what,
                )

    @property
    def learned_cards(self) -> list[MapCard]:
        """One card per conv1 filter, in channel order."""
        return list(self._cards)

    @property
    def classic_cards(self) -> list[MapCard]:
        """One card per hand-made filter, in :data:`CLASSIC_FILTERS` order."""
        return list(self.query_one("#filters-classic", ItemGrid).query_children(MapCard))

    def show(
        self,
        image: np.ndarray,
        weights: np.ndarray,
        relu1: np.ndarray,
        classic: np.ndarray,
        selected: int,
        captions: list[str] | None = None,
        status: str = "",
    ) -> None:
        """Draw one digit through the current network's conv1 and the hand-made filters.

        Args:
            image: ``(28, 28)`` input digit.
            weights: ``(3, 3, 1, F)`` the numbers the cards show: conv1's weights at the
                moment shown, at the start, or the change (the tab chooses).
            relu1: ``(28, 28, F)`` conv1 output after ReLU for this digit at that moment.
            classic: ``(28, 28, K)`` hand-made filter responses (``classic_responses``).
            selected: the channel the tab's keys point at.
            captions: one line per filter under its map (how far it moved), or None.
            status: the time machine and change line above the cards.
        """
        count = weights.shape[-1]
        if status:
            self.set_status(status)
        self.query_one("#filters-digit", MapCard).update(image)
        grid = self.query_one("#filters-learned", ItemGrid)
        if count != len(self._cards):  # a network with another number of filters
            for card in self._cards:
                card.remove()
            self._cards = [
                MapCard(learned_title(k, count), kernel=weights[:, :, 0, k], caption="")
                for k in range(count)
            ]
            grid.mount_all(self._cards)
            self._place_digit_note()
        for k, card in enumerate(self._cards):
            card.update(relu1[:, :, k], kernel=weights[:, :, 0, k],
                        caption=captions[k] if captions else "")
        for k, card in enumerate(self.classic_cards):
            card.update(classic[:, :, k])
        self.select(selected)

    def set_status(self, text: str) -> None:
        """The time machine and change lines above the cards (laid out only on a change)."""
        if text != self._status:
            self._status = text
            self.query_one("#filters-change", Static).update(text)

    @property
    def status(self) -> str:
        """The status lines as shown (tests read them)."""
        return self._status

    def on_resize(self) -> None:
        self._place_digit_note()

    def _place_digit_note(self) -> None:
        """Say "below" or "to the right" as the grid has actually laid the cards out."""
        grid = self.query_one("#filters-learned", ItemGrid)
        if grid.size.width == 0:
            return
        count = len(self._cards)
        columns = grid_columns(grid.size.width, CARD_COLUMN, GRID_GUTTER, count + 1)
        self.query_one("#filters-digit", MapCard).set_caption(digit_note(columns, count))

    @property
    def digit_caption(self) -> str:
        """The digit card's caption as shown (tests check its direction words)."""
        return self.query_one("#filters-digit", MapCard).caption

    def select(self, channel: int) -> None:
        """Mark the card of ``channel`` (wrapped into range) as selected."""
        cards = self.learned_cards
        if not cards:
            return
        self._selected = channel % len(cards)
        for k, card in enumerate(cards):
            card.set_selected(k == self._selected)
