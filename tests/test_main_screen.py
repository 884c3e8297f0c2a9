"""The main screen's wiring: tab switching with focus, help, and drawings sent to Explore."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Input

from tuicnn.app import TuicnnApp
from tuicnn.data.dataset import bundled_split
from tuicnn.nn.tracing import trace
from tuicnn.screens.help import HelpScreen
from tuicnn.screens.main import TABS
from tuicnn.widgets.explore.pipeline_view import PipelineView


@pytest.fixture(scope="module")
def split():
    return bundled_split(train_size=100, test_size=200)


async def test_function_keys_switch_tabs_and_focus_inside_them(split):
    app = TuicnnApp(split)
    async with app.run_test(size=(100, 30)) as pilot:
        for pane, _, _, key in [*TABS[1:], TABS[0]]:
            await pilot.press(key)
            await pilot.pause()
            assert app.screen.active_tab == pane
            focused = app.screen.focused
            assert focused is not None and app.screen.tab(pane) in focused.ancestors, pane


async def test_help_lists_the_keys_of_every_tab(split):
    app = TuicnnApp(split)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for _, title, _, key in TABS:
            assert f"{title} tab" in text and key in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_a_drawing_sent_from_the_draw_tab_is_traced_in_explore(split):
    app = TuicnnApp(split)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        for key in ["space", "down", "space", "down", "space", "down", "space", "down", "space"]:
            await pilot.press(key)
        await pilot.press("s")
        await pilot.pause()
        assert app.screen.active_tab == "explore"
        explore, draw = app.screen.tab("explore"), app.screen.tab("draw")
        sent = draw.image
        assert sent is not None
        await pilot.press("l")
        await pilot.pause()
        expected = trace(app.workspace.cnn.model, sent)
        np.testing.assert_allclose(explore.trace.probabilities, expected.probabilities)
        pipeline = explore.query_one(PipelineView)
        np.testing.assert_allclose(pipeline.card("input").heatmap.data, sent)
        assert "your drawing" in str(explore.query_one("#explore-example").render())
        await pilot.press("6")
        await pilot.pause()
        assert "labelled 6" in str(explore.query_one("#explore-example").render())


def test_animations_are_off_unless_asked_for(split, monkeypatch):
    from textual import constants

    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)
    assert TuicnnApp(split).animation_level == "none"
    # Textual reads the variable once, at import: set both, as a user's shell would have.
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "basic")
    monkeypatch.setattr(constants, "TEXTUAL_ANIMATIONS", "basic")
    assert TuicnnApp(split).animation_level == "basic"


async def test_built_tabs_are_frozen_for_the_collector_until_the_app_ends(split):
    """Full garbage collections skip the long-lived widgets (they caused 70-100 ms pauses)."""
    import gc

    def collector_sees(widget) -> bool:
        return any(o is widget for o in gc.get_objects())  # frozen objects are not listed

    app = TuicnnApp(split)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not collector_sees(app.screen.tab("train"))
        await pilot.press("f3")
        await pilot.pause()
        assert not collector_sees(app.screen.tab("explore"))
        screen = app.screen
    assert gc.get_freeze_count() == 0  # given back: nothing leaks from app to app
    assert collector_sees(screen)


# Counts calls to Screen._refresh_layout and textual._compositor.Compositor's render methods,
# private to Textual: written against textual==8.2.8 (the test extra's pin).
@pytest.mark.textual_private
async def test_a_tab_switch_is_one_frame_with_one_layout_and_no_whole_screen_repaint(
        split, monkeypatch):
    """Textual laid the screen out a second time after a switch (the panes' own requests
    arriving late), repainted it whole when the focus moved, and drew what the focus
    restyled (footer, setting, scroll bar) in a later frame: ~40% of the switch, and a
    second frame 20-30 ms after the first."""
    from textual._compositor import Compositor
    from textual.screen import Screen

    calls = {"layout": 0, "full repaint": 0, "frame": 0}

    def counting(name, real):
        def spy(self, *args, **kwargs):
            calls[name] += 1
            return real(self, *args, **kwargs)
        return spy

    monkeypatch.setattr(Screen, "_refresh_layout", counting("layout", Screen._refresh_layout))
    monkeypatch.setattr(Compositor, "render_full_update",
                        counting("full repaint", Compositor.render_full_update))
    monkeypatch.setattr(Compositor, "render_update",
                        counting("frame", Compositor.render_update))
    app = TuicnnApp(split)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")  # built the first time: that may take more frames
        await pilot.pause(0.2)
        for field in app.screen.query(Input):
            field.cursor_blink = False  # a blink is a frame of its own
        await pilot.pause(0.2)
        for key, pane in (("f2", "train"), ("f3", "explore"), ("f2", "train")):
            calls.update({"layout": 0, "full repaint": 0, "frame": 0})
            await pilot.press(key)
            for _ in range(100):  # the switch's frame; then time for a late second one
                if calls["frame"]:
                    break
                await pilot.pause(0.02)
            await pilot.pause(0.1)
            assert app.screen.active_tab == pane
            assert calls == {"layout": 1, "full repaint": 0, "frame": 1}, key
            assert app.screen.tab(pane) in app.screen.focused.ancestors


async def test_clicking_a_title_in_the_tab_bar_switches_to_that_tab(split):
    from tuicnn.widgets.tab_bar import TabBar

    app = TuicnnApp(split)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(TabBar)
        (_, start, _), = [span for span in bar.spans() if span[0] == "draw"]
        await pilot.click(TabBar, offset=(start + 2, 0))
        await pilot.pause()
        assert app.screen.active_tab == bar.active == "draw"
        assert app.screen.tab("draw") in app.screen.focused.ancestors
        assert app.screen.tab("train").display is False


async def test_the_arrows_on_the_tab_bar_step_through_the_tabs_and_keep_the_focus(split):
    from tuicnn.widgets.tab_bar import TabBar

    app = TuicnnApp(split)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(TabBar)
        bar.focus()
        await pilot.press("right")
        await pilot.pause()
        assert app.screen.active_tab == "explore" and app.screen.focused is bar
        await pilot.press("left", "left")
        await pilot.pause()
        assert app.screen.active_tab == TABS[-1][0]  # wrapped round to the last tab
        assert app.screen.focused is bar
        titles, bar_line = bar.render_lines(bar.region.reset_offset)
        colours = [segment.style.color for segment in bar_line for _ in segment.text]
        title = f" {TABS[-1][1]} "
        start = titles.text.index(title)
        lit = {x for x, colour in enumerate(colours) if colour == colours[start + 1]}
        assert lit == set(range(start + 1, start + len(title) - 1))  # the title, not padding


async def test_quick_arrows_on_the_tab_bar_add_up_while_a_tab_is_being_built(split):
    """Keys that arrive together (a terminal's write) are handled before the first tab
    they chose is built: each must step on from the one before."""
    from tuicnn.widgets.tab_bar import TabBar

    app = TuicnnApp(split)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(TabBar)
        bar.focus()
        for _ in range(3):
            bar.action_step(1)  # Explore, Draw and Shift are not built yet
        await pilot.pause(0.5)
        assert app.screen.active_tab == bar.active == "shift"
        assert app.screen.tab("shift").display and not app.screen.tab("draw").display
        assert app.screen.focused is bar


# Counts calls to Screen._refresh_layout, private to Textual: written against textual==8.2.8.
@pytest.mark.textual_private
async def test_a_hidden_tab_changing_size_lays_out_nothing_until_it_is_shown(
        split, monkeypatch):
    """A run's start and end change the Train tab's tables and summary: with another tab
    shown, those changes used to lay out the whole screen (three times a run)."""
    from textual.screen import Screen

    from tuicnn.widgets.train.run_summary import RunSummary

    layouts = []
    real = Screen._refresh_layout
    monkeypatch.setattr(Screen, "_refresh_layout",
                        lambda self, *a, **k: layouts.append(1) or real(self, *a, **k))
    app = TuicnnApp(split)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await pilot.pause(0.2)
        summary = app.screen.query_one(RunSummary)
        before = summary.outer_size.height
        layouts.clear()
        summary.show_text("\n".join(f"line {i}" for i in range(6)))  # taller than before
        await pilot.pause(0.2)
        assert layouts == []  # Explore is shown: nothing there moved
        await pilot.press("f2")
        await pilot.pause(0.2)
        assert layouts  # shown: laid out, at its new height
        assert summary.outer_size.height > before
        assert summary.content_size.height >= 6


async def test_a_chosen_title_cut_off_by_a_narrow_terminal_is_scrolled_into_view(split):
    """At 60 columns "Architectures" does not fit: chosen, the row shifts left to show it,
    underlined, and clicks still land on the titles where they are drawn."""
    from tuicnn.widgets.tab_bar import TabBar

    app = TuicnnApp(split)
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(TabBar)
        first = bar.render_lines(bar.region.reset_offset)[0].text
        assert "Architectures" not in first and first.rstrip().endswith("…")
        await pilot.press("f6")
        await pilot.pause(0.2)
        titles, underline = bar.render_lines(bar.region.reset_offset)
        start = titles.text.index(" Architectures")  # a later title may follow its "…"
        colours = [segment.style.color for segment in underline for _ in segment.text]
        lit = {x for x, colour in enumerate(colours) if colour == colours[start + 1]}
        assert lit == set(range(start + 1, start + 1 + len("Architectures")))
        (_, draw_start, _), = [span for span in bar.spans() if span[0] == "draw"]
        assert titles.text[draw_start:draw_start + 6] == " Draw "
        await pilot.click(TabBar, offset=(draw_start + 2, 0))
        await pilot.pause(0.2)
        assert app.screen.active_tab == "draw"
