"""MapCard: re-showing the same words and selection does not lay the screen out."""

from __future__ import annotations

import numpy as np
import pytest
from widget_helpers import SIZE, OneWidgetApp

pytestmark = pytest.mark.usefixtures("colour_terminal")


async def test_a_map_card_relays_out_only_when_its_words_or_selection_change() -> None:
    """Explore re-shows every card after each change (a new model, a new digit): cards
    whose title, caption and selection stay the same must not lay the screen out."""
    from tuicnn.widgets.explore.map_card import MapCard

    card = MapCard("conv1 #1", np.zeros((4, 4)), kernel=np.zeros((3, 3)), caption="max 0")
    app = OneWidgetApp(card)
    async with app.run_test(size=SIZE) as pilot:
        layouts: list[str] = []
        for widget in card.query("*"):
            real = widget.refresh

            def spy(*regions, real=real, widget=widget, **options):
                if options.get("layout"):
                    layouts.append(type(widget).__name__)
                return real(*regions, **options)

            widget.refresh = spy  # type: ignore[method-assign]
        card.update(np.ones((4, 4)), title="conv1 #1", kernel=np.ones((3, 3)), caption="max 0")
        card.set_selected(False)
        await pilot.pause()
        assert layouts == []
        card.set_selected(True)
        card.update(np.ones((4, 4)), caption="max 1")
        assert len(layouts) == 2
        assert str(card.query_one(".map-card--title").render()) == "▶ conv1 #1"
