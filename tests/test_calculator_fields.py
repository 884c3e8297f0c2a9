"""The output-size calculator shows the whole number it computes with; hints only when true."""

from __future__ import annotations

from textual.widgets import Input, Static

from tuicnn.app import TuicnnApp
from tuicnn.lessons.output_size import CALC_MAX

HINT = "Enter: try it in the calculator"


def shown(field: Input) -> str:
    """The text the field shows on screen (its one content line)."""
    return "".join(segment.text for segment in field.render_line(0)).strip()


async def settle(pilot, steps: int = 20) -> None:
    for _ in range(steps):
        await pilot.pause()


async def open_architectures(app, pilot) -> None:
    """F6 once the main screen is up, then wait for the tab to be built and focused."""
    for _ in range(100):
        await pilot.pause()
        if app.screen.query("TabBar"):
            break
    await pilot.press("f6")
    for _ in range(100):
        await pilot.pause()
        if app.screen.query("#layer-detail") and app.screen.focused is not None:
            break


async def test_each_field_shows_the_whole_number_the_formula_uses(untrained):
    app = TuicnnApp(workspace=untrained)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_architectures(app, pilot)
        await pilot.press("c")
        for typed in ("9876", str(CALC_MAX), str(CALC_MAX * 10)):
            await pilot.press("home", "ctrl+k", *typed)
            await pilot.pause()
            field = app.screen.query_one("#calc-h", Input)
            result = str(app.screen.query_one("#calc-result", Static).render())
            assert field.value == typed and shown(field) == typed, (typed, shown(field))
            if int(typed) <= CALC_MAX:
                assert f"({typed} + 2·1 − 3)" in result
            else:
                assert "too large" in result


async def test_the_enter_hint_shows_only_while_enter_would_copy_the_layer(untrained):
    app = TuicnnApp(workspace=untrained)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_architectures(app, pilot)
        detail = app.screen.query_one("#layer-detail", Static)
        await pilot.press("n")  # the app's CNN: its first layer is a 3×3 conv
        await settle(pilot, 5)
        assert str(detail.render()).startswith("conv1")
        assert HINT not in str(detail.render())  # the list has the focus: Enter picks it
        await pilot.press("l")  # the layer table: now Enter copies the layer
        await settle(pilot, 5)
        assert HINT in str(detail.render())
        await pilot.press("enter")
        await settle(pilot, 5)
        assert app.screen.query_one("#calc-k", Input).value == "3"
        await pilot.press("c")
        await settle(pilot, 5)
        assert HINT not in str(detail.render())
