"""KeyFooter through Pilot: the keys it lists, how it follows focus, and clicks on keys."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget

from tuicnn.app import TuicnnApp
from tuicnn.widgets.key_footer import KeyFooter

SIZE = (80, 10)


class Counter(Widget, can_focus=True):
    """Adds one on ``a``; ``x`` is listed but switched off (check_action returns None)."""

    BINDINGS = [
        Binding("a", "add", "Add one"),
        Binding("h", "add", "Hidden add", show=False),
        Binding("x", "off", "Switched off"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def action_add(self) -> None:
        self.count += 1

    def action_off(self) -> None:
        raise AssertionError("a disabled binding ran")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "off" else True


BRUSH = Binding.Group("Brush size")


class Other(Widget, can_focus=True):
    BINDINGS = [
        Binding("o", "other", "Other thing"),
        Binding("minus", "brush(-1)", "Smaller", key_display="-", group=BRUSH),
        Binding("plus", "brush(1)", "Bigger", key_display="+", group=BRUSH),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.brush = 3

    def action_other(self) -> None:
        pass

    def action_brush(self, step: int) -> None:
        self.brush += step


class FooterApp(App[None]):
    CSS = "Counter, Other { height: 3; }"
    BINDINGS = [Binding("z", "noop", "Snooze"), Binding("s", "noop", "Secret", show=False)]

    def compose(self) -> ComposeResult:
        yield Counter()
        yield Other()
        yield KeyFooter()

    def action_noop(self) -> None:
        pass


def footer_text(app: App) -> str:
    return str(app.screen.query_one(KeyFooter).render())


async def focus(pilot, widget_type: type[Widget]) -> Widget:
    """Focus the app's widget of that type and let the footer catch up."""
    widget = pilot.app.query_one(widget_type)
    widget.focus()
    await pilot.pause()
    return widget


async def test_lists_the_shown_keys_of_the_focused_widget_and_the_app():
    app = FooterApp()
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, Counter)
        text = footer_text(app)
        assert "a Add one" in text and "z Snooze" in text
        assert "Hidden add" not in text and "Secret" not in text and "Other thing" not in text
        # The palette key sits at the right end of the line, as with Textual's Footer.
        assert len(text) == SIZE[0] and text.endswith("^p palette ")


async def test_follows_focus_by_repainting_only():
    app = FooterApp()
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, Counter)
        footer = app.query_one(KeyFooter)
        refreshes = []
        real_refresh = footer.refresh

        def spy(*regions, **options):
            refreshes.append(options)
            return real_refresh(*regions, **options)

        footer.refresh = spy
        app.query_one(Other).focus()
        await pilot.pause()
        text = footer_text(app)
        assert "o Other thing" in text and "Add one" not in text and "z Snooze" in text
        assert len(footer.children) == 0
        assert refreshes, "the footer did not repaint"
        assert not any(o.get("layout") or o.get("recompose") for o in refreshes)


async def test_a_disabled_key_is_listed_and_a_click_on_it_only_rings_the_bell():
    app = FooterApp()
    async with app.run_test(size=SIZE) as pilot:
        counter = await focus(pilot, Counter)
        text = footer_text(app)
        assert "x Switched off" in text
        bells = []
        app.bell = lambda: bells.append(True)
        await pilot.click(KeyFooter, offset=(text.index("Switched off"), 0))
        await pilot.pause()
        assert counter.count == 0 and bells == [True]  # action_off would have raised


async def test_clicking_a_key_or_its_description_presses_it():
    app = FooterApp()
    async with app.run_test(size=SIZE) as pilot:
        counter = await focus(pilot, Counter)
        text = footer_text(app)
        await pilot.click(KeyFooter, offset=(text.index("a Add"), 0))
        await pilot.pause()
        await pilot.click(KeyFooter, offset=(text.index("Add one") + 2, 0))
        await pilot.pause()
        assert counter.count == 2
        await pilot.click(KeyFooter, offset=(text.index("▏") - 2, 0))  # empty part
        await pilot.pause()
        assert counter.count == 2


async def test_a_binding_group_shows_its_keys_then_its_name():
    app = FooterApp()
    async with app.run_test(size=SIZE) as pilot:
        other = await focus(pilot, Other)
        text = footer_text(app)
        assert " -  + Brush size " in text and "Smaller" not in text and "Bigger" not in text
        await pilot.click(KeyFooter, offset=(text.index(" + ") + 1, 0))
        await pilot.pause()
        assert other.brush == 4


async def test_the_key_under_the_mouse_is_highlighted():
    app = FooterApp()
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, Counter)
        footer = app.query_one(KeyFooter)
        text = footer_text(app)
        add, snooze = text.index("Add one"), text.index("Snooze")

        def background(x: int):
            cells = [(seg.style.bgcolor if seg.style else None)
                     for seg in footer.render_line(0) for _ in seg.text]
            return cells[x]

        assert background(add) == background(snooze)
        await pilot.hover(KeyFooter, offset=(add, 0))
        await pilot.pause()
        assert background(add) != background(snooze)


async def settled_text(app: App, pilot, wanted: str) -> str:
    """The footer's text once it contains ``wanted`` (the app builds and focuses a tab
    over a few messages), or as it is after a generous number of pauses."""
    for _ in range(50):
        await pilot.pause()
        text = footer_text(app)
        if wanted in text:
            break
    return text


async def test_in_the_app_the_footer_follows_the_tabs(untrained):
    app = TuicnnApp(workspace=untrained)
    async with app.run_test(size=(80, 24)) as pilot:
        footer = app.screen.query_one(KeyFooter)
        assert "Train both" in await settled_text(app, pilot, "Train both")
        await pilot.press("f3")
        text = await settled_text(app, pilot, "m View")  # f l m grouped (issue 14)
        assert "m View" in text and "Train both" not in text
        # More keys than 80 columns hold: whole keys left out (never cut), behind the help key.
        assert len(text) <= 80 and "…" not in text
        assert text.endswith("▏^p palette ") or text.endswith(" ? more keys ")
        await pilot.press("f2")
        text = await settled_text(app, pilot, "Train both")
        assert "Train both" in text and "m View" not in text
        assert footer.size.height == 1 and len(footer.children) == 0
