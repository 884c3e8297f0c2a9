"""Every key a tab declares is on screen at 80×24: in the footer, or behind a visible ``?``.

The walk is driven by ``TABS`` and the bindings themselves, so a tab added later is checked
without touching this file.
"""

from __future__ import annotations

from textual.binding import Binding

from tuicnn.app import TuicnnApp
from tuicnn.screens.main import TABS, tab_class
from tuicnn.tabs.base import bindings_of
from tuicnn.widgets.key_footer import MORE_KEYS, FooterItem, KeyCap, KeyFooter, fit_items


def shown_actions(app) -> set[str]:
    """The actions of the keys the footer shows (each key's text carries its key in its
    click meta)."""
    footer = app.screen.query_one(KeyFooter)
    keys = {seg.style.meta["key"] for seg in footer.render_line(0)
            if seg.style is not None and "key" in seg.style.meta}
    active = app.screen.active_bindings
    return {active[key].binding.action for key in keys if key in active}


def footer_text(app) -> str:
    return str(app.screen.query_one(KeyFooter).render())


async def settle(pilot, steps: int = 3) -> None:
    for _ in range(steps):
        await pilot.pause()


async def show_tab(app, pilot, pane: str, key: str) -> None:
    """Press the tab's key and wait until it is built and holds the focus (or has none to
    take), then let the footer catch up."""
    await pilot.press(key)
    for _ in range(200):
        await pilot.pause()
        tab = app.screen.tab(pane)
        focused = app.screen.focused
        if tab is not None and tab.display and (focused is None or tab in focused.ancestors):
            break
    await settle(pilot)


def declared(app, pane: str) -> list[Binding]:
    """The tab's own bindings (shown or not), those its help sections list, and every
    ``show=True`` binding active right now (the focused control's, the app's)."""
    cls = tab_class(pane)
    bindings = bindings_of(cls)
    for _, section in cls.help_sections(pane):
        bindings += section
    bindings += [b for _, b, _, _ in app.screen.active_bindings.values() if b.show]
    return [b for b in bindings if b.description]


async def help_listing(app, pilot) -> str:
    await pilot.press("question_mark")
    for _ in range(100):
        await pilot.pause()
        if app.screen.query("#help-text"):
            break
    text = str(app.screen.query_one("#help-text").render())
    await pilot.press("escape")
    await settle(pilot)
    return text


async def test_every_tab_shows_each_declared_key_or_a_visible_hint_at_80x24(untrained):
    app = TuicnnApp(workspace=untrained)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            await pilot.pause()
            if app.screen.query("TabBar"):
                break
        listing = await help_listing(app, pilot)
        for pane, title, _, fkey in TABS:
            await show_tab(app, pilot, pane, fkey)
            actions, text = shown_actions(app), footer_text(app)
            assert "help" in actions, f"{title}: no visible '?' in {text!r}"
            for binding in declared(app, pane):
                if binding.action in actions:
                    continue
                key = binding.key_display or binding.key
                # Not in the footer: behind the help key, which must say so for a key that
                # asked to be shown, and the help screen must list it.
                if binding.show:
                    assert f"? {MORE_KEYS}" in text, f"{title}: {key} missing from {text!r}"
                assert binding.description in listing, f"{title}: {key} not in help"
            assert "…" not in text  # keys are left out whole, never cut


def caps(*pairs: tuple[str, str], action: str = "") -> list[FooterItem]:
    return [FooterItem((KeyCap(k, k, True, ""),), d, action=action or d) for k, d in pairs]


def test_fit_keeps_whole_items_and_the_help_key_last():
    items = tuple(caps(("a", "Alpha"), ("b", "Bravo bravo"), ("c", "Charlie"))
                  + caps(("?", "Help"), action="help"))
    assert fit_items(items, 200) == (items, True)
    shown, complete = fit_items(items, 38)
    assert not complete
    assert [item.description for item in shown] == ["Alpha", "Bravo bravo", MORE_KEYS]
    assert sum(item.width for item in shown) <= 38


def test_fit_shortens_labels_before_leaving_keys_out():
    items = tuple(caps(("n", "Next example"), ("p", "Previous example"),
                       ("f", "Filters view"), ("l", "Layers view"),
                       ("]", "Next channel (also .)")))
    full = sum(item.width for item in items)
    shown, complete = fit_items(items, full - 10)
    assert complete
    assert [item.description for item in shown] == [
        "Example", "Filters view", "Layers view", "Next channel"]
    assert [cap.key for cap in shown[0].caps] == ["n", "p"]


def test_fit_marks_left_out_keys_without_a_help_key():
    items = tuple(caps(("a", "Alpha"), ("b", "Bravo")))
    shown, complete = fit_items(items, 12)
    assert not complete and shown[-1].description == "…"
