"""FiltersView: what each conv1 filter detects, next to filters designed by hand.

For every learned filter: its 3x3 weights as signed numbers and its response after ReLU on
the selected digit (one channel of ``relu1``). Below, four classic kernels (Sobel edges,
blur, sharpen) run through the engine's own ``Conv2D`` on the same digit, so the learned
filters can be compared with something familiar.
"""

from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.containers import ItemGrid, Vertical
from textual.widgets import Static

from tuicnn.lessons.explorer import CLASSIC_FILTERS
from tuicnn.widgets.explore.map_card import MapCard

CARD_COLUMN = 30
"""Minimum grid column: a 28-pixel map plus a gap."""

LEARNED_NOTE = (
    "Each card: one conv1 filter of the CNN — its 3×3 weights (red +, blue −) and its "
    "output after ReLU on this digit (bright = strong, dark = 0)."
)

DIGIT_NOTE = "what every filter below is slid over"

CLASSIC_NOTE = (
    "Designed by hand, not learned — for comparison. The same digit through the engine's "
    "Conv2D with these fixed weights; raw output before ReLU (red +, blue −). Learned "
    "filters need not look like any of these: training keeps whatever helps the later "
    "layers tell the classes apart."
)


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

    def compose(self) -> ComposeResult:
        yield Static(LEARNED_NOTE, id="filters-learned-heading", classes="filters--heading")
        with ItemGrid(id="filters-learned", min_column_width=CARD_COLUMN):
            yield MapCard("the digit (input)", None, caption=DIGIT_NOTE, id="filters-digit")
        yield Static(CLASSIC_NOTE, id="filters-classic-heading", classes="filters--heading")
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
    ) -> None:
        """Draw one digit through the current network's conv1 and the hand-made filters.

        Args:
            image: ``(28, 28)`` input digit.
            weights: ``(3, 3, 1, F)`` conv1 weights (``model.layer("conv1").params["W"]``).
            relu1: ``(28, 28, F)`` conv1 output after ReLU for this digit.
            classic: ``(28, 28, K)`` hand-made filter responses (``classic_responses``).
            selected: the channel the tab's keys point at.
        """
        count = weights.shape[-1]
        self.query_one("#filters-digit", MapCard).update(image)
        grid = self.query_one("#filters-learned", ItemGrid)
        if count != len(self._cards):  # a network with another number of filters
            for card in self._cards:
                card.remove()
            self._cards = [
                MapCard(learned_title(k, count), kernel=weights[:, :, 0, k]) for k in range(count)
            ]
            grid.mount_all(self._cards)
        for k, card in enumerate(self._cards):
            card.update(relu1[:, :, k], kernel=weights[:, :, 0, k])
        for k, card in enumerate(self.classic_cards):
            card.update(classic[:, :, k])
        self.select(selected)

    def select(self, channel: int) -> None:
        """Mark the card of ``channel`` (wrapped into range) as selected."""
        cards = self.learned_cards
        if not cards:
            return
        self._selected = channel % len(cards)
        for k, card in enumerate(cards):
            card.set_selected(k == self._selected)
