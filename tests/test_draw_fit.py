"""The Draw tab cuts no text: whole words (or a marked cut) at 100x30, 80x24 and 60x20."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from tuicnn.app import TuicnnApp
from tuicnn.tabs.draw_tab import DrawTab
from tuicnn.widgets.probability_bars import NO_PREDICTION, ProbabilityBars


async def open_draw(app, pilot) -> DrawTab:
    for _ in range(100):
        await pilot.pause()
        if app.screen.query("TabBar"):
            break
    await pilot.press("f4")
    for _ in range(100):
        await pilot.pause()
        if app.screen.query(DrawTab) and app.screen.query_one(DrawTab).size.height:
            break
    for _ in range(5):
        await pilot.pause()
    return app.screen.query_one(DrawTab)


def bars_text(bars: ProbabilityBars) -> str:
    return "\n".join("".join(s.text for s in bars.render_line(y)) for y in range(10))


@pytest.mark.parametrize("size", [(100, 30), (80, 24), (60, 20)])
async def test_no_text_cut_without_a_mark(untrained, size):
    """"no prediction" whole (or marked with …); the help text on screen at 80×24 and above,
    scrolled to (the tab shows a scroll bar) below that."""
    app = TuicnnApp(workspace=untrained)
    async with app.run_test(size=size) as pilot:
        tab = await open_draw(app, pilot)
        for bars in tab.query(ProbabilityBars):
            text = bars_text(bars)
            wanted = NO_PREDICTION if size[0] >= 80 else "no predic…"
            assert wanted in text or NO_PREDICTION in text, (size, text)
        help_text = tab.query_one("#draw-help", Static)
        if size[0] >= 80:  # fits as it is: nothing to scroll
            assert tab.max_scroll_y == 0
        else:  # too small: the tab scrolls (and shows a scroll bar) rather than cutting
            assert tab.max_scroll_y > 0 and tab.show_vertical_scrollbar
            tab.scroll_end(animate=False)
            await pilot.pause()
        assert tab.region.contains_region(help_text.region), (tab.region, help_text.region)
        assert help_text.region.height >= 2
