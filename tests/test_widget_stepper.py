"""Stepper: its label, glyphs, clicks, hover, disabled look and messages."""

from __future__ import annotations

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Input
from widget_helpers import SIZE, cells, text_lines

from tuicnn.lessons.train_settings import HIDDEN
from tuicnn.widgets.number_input import NumberInput
from tuicnn.widgets.stepper import Stepper

pytestmark = pytest.mark.usefixtures("colour_terminal")


class StepperApp(App[None]):
    """One Stepper (its field focused) and another field to leave it for."""

    AUTO_FOCUS = "#stepper NumberInput"

    def __init__(self, width: int = 60) -> None:
        self.CSS = f"Stepper {{ width: {width}; }}"
        super().__init__()
        self.changes: list[float] = []

    def compose(self) -> ComposeResult:
        yield Stepper("Hidden units", HIDDEN, 128, id="stepper")
        yield Input(id="elsewhere")

    def on_stepper_changed(self, event: Stepper.Changed) -> None:
        self.changes.append(event.value)


def line_style(widget: Widget, x: int) -> Style:
    """The style of cell ``x`` of a widget's first line."""
    return cells(widget, 0)[x][1]


async def test_stepper_is_two_widgets_and_draws_its_own_label_and_glyphs() -> None:
    app = StepperApp()
    async with app.run_test(size=SIZE) as pilot:
        stepper = app.query_one(Stepper)
        (field,) = stepper.children
        assert isinstance(field, NumberInput) and app.focused is field
        assert field.region.x - stepper.region.x == Stepper.FIELD_X
        assert field.region.width == Stepper.FIELD_WIDTH and stepper.region.height == 1
        line = stepper.render_line(0).text
        assert line.startswith("Hidden units ")
        assert line[Stepper.DOWN_X:Stepper.FIELD_X] == " − "
        assert line[Stepper.UP_X:Stepper.UP_X + Stepper.BUTTON_WIDTH] == " + "
        assert line[Stepper.FIELD_X:Stepper.UP_X].strip() == ""  # the field covers it
        assert field.tooltip == HIDDEN.hint
        # Focus within: the label is bold; leaving the setting makes it plain again.
        assert line_style(stepper, 0).bold
        app.query_one("#elsewhere").focus()
        await pilot.pause()
        assert not line_style(stepper, 0).bold


async def test_stepper_clicks_on_the_glyphs_step_and_nothing_else_does() -> None:
    app = StepperApp()
    async with app.run_test(size=SIZE) as pilot:
        stepper = app.query_one(Stepper)
        for x in range(Stepper.DOWN_X):  # the label and the gap after it
            await pilot.click(Stepper, offset=(x, 0))
        for x in range(Stepper.MESSAGE_X - 1, 60):  # the message line
            await pilot.click(Stepper, offset=(x, 0))
        await pilot.click(Stepper, offset=(Stepper.FIELD_X + 1, 0))  # into the field
        await pilot.pause()
        assert stepper.value == 128 and app.changes == []
        for x in range(Stepper.DOWN_X, Stepper.FIELD_X):  # each cell of " − "
            await pilot.click(Stepper, offset=(x, 0))
        await pilot.pause()
        assert stepper.value == 64 and app.changes == [64]  # three clicks; 64 is the low end
        await pilot.click(Stepper, offset=(Stepper.UP_X, 0))
        await pilot.click(Stepper, offset=(Stepper.UP_X + 2, 0))
        await pilot.pause()
        assert stepper.value == 192 and app.changes == [64, 128, 192]
        assert stepper.query_one(Input).value == "192"


async def test_stepper_hover_lights_up_the_glyph_under_the_mouse() -> None:
    app = StepperApp()
    async with app.run_test(size=SIZE) as pilot:
        stepper = app.query_one(Stepper)
        plain = line_style(stepper, Stepper.UP_X + 1).bgcolor
        await pilot.hover(Stepper, offset=(Stepper.UP_X + 1, 0))
        assert line_style(stepper, Stepper.UP_X + 1).bgcolor != plain
        assert line_style(stepper, Stepper.DOWN_X + 1).bgcolor == plain
        await pilot.hover(Stepper, offset=(0, 0))
        assert line_style(stepper, Stepper.UP_X + 1).bgcolor == plain


async def test_disabled_stepper_ignores_clicks_and_keys_and_looks_dim() -> None:
    app = StepperApp()
    async with app.run_test(size=SIZE) as pilot:
        stepper = app.query_one(Stepper)
        assert not line_style(stepper, 0).dim
        stepper.disabled = True
        await pilot.pause()
        await pilot.click(Stepper, offset=(Stepper.UP_X + 1, 0))
        await pilot.click(Stepper, offset=(Stepper.DOWN_X + 1, 0))
        await pilot.press("right", "plus", "left", "minus")
        stepper.action_step(1)
        await pilot.pause()
        assert stepper.value == 128 and app.changes == []
        assert stepper.query_one(Input).value == "128"
        assert all(line_style(stepper, x).dim for x in (0, Stepper.DOWN_X + 1, Stepper.UP_X + 1))
        assert all(style.dim for _, style in cells(stepper.query_one(Input), 0))


async def test_stepper_draws_its_message_and_marks_an_invalid_field() -> None:
    app = StepperApp()
    async with app.run_test(size=SIZE) as pilot:
        stepper = app.query_one(Stepper)
        field = stepper.query_one(NumberInput)
        assert not any(style.reverse for _, style in cells(field, 0))
        field.clear()
        await pilot.press("9", "9", "9")
        message = "✗ must be 64–512; 128 kept"
        assert stepper.message_text == message and stepper.has_class("-invalid")
        line = stepper.render_line(0).text
        assert line[Stepper.MESSAGE_X:].rstrip() == message
        assert all(style.reverse and style.bold for _, style in cells(field, 0))
        error = line_style(stepper, Stepper.MESSAGE_X).color
        assert error != line_style(stepper, 0).color  # the error colour, not the text's

        await pilot.press("tab")  # leaving puts 128 back and keeps the reason, muted
        assert field.value == "128" and not stepper.has_class("-invalid")
        assert not any(style.reverse for _, style in cells(field, 0))
        assert stepper.render_line(0).text[Stepper.MESSAGE_X:].startswith("'999': must be")
        assert line_style(stepper, Stepper.MESSAGE_X).color != error

        stepper.set_value(192)
        await pilot.pause()
        assert stepper.render_line(0).text[Stepper.MESSAGE_X:].strip() == ""
        assert app.changes == [192]


async def test_stepper_wraps_a_long_message_under_itself() -> None:
    """Right of the + there is little room in the wide layout: the message wraps there,
    indented, and the stepper grows to fit it (then shrinks again)."""
    app = StepperApp(width=Stepper.MESSAGE_X + 16)
    async with app.run_test(size=SIZE) as pilot:
        stepper = app.query_one(Stepper)
        stepper.note("one two three four five six seven")
        await pilot.pause()
        assert stepper.size.height == 3
        lines = [line[Stepper.MESSAGE_X:].rstrip() for line in text_lines(stepper)]
        assert lines == ["one two three", "four five six", "seven"]
        assert all(not line[:Stepper.MESSAGE_X].strip() for line in text_lines(stepper)[1:])
        for x in (Stepper.DOWN_X + 1, Stepper.UP_X + 1):  # below the glyphs: not a click
            await pilot.click(Stepper, offset=(x, 1))
        await pilot.pause()
        assert stepper.value == 128 and app.changes == []
        stepper.note("")
        await pilot.pause()
        assert stepper.size.height == 1
