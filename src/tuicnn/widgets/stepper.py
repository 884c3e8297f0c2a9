"""A labelled number field you can step with the keyboard or the mouse, or type into."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from ..train_settings import Scale
from .number_input import NumberInput
from .repeat_button import RepeatButton


class Stepper(Horizontal):
    """``label  [−] value [+]  message``: one setting, always holding a valid value.

    Only the text field takes focus, so Tab visits each setting once. While it has focus,
    Left/Down/− step down and Right/Up/+ step up (priority bindings, so they win over the
    field's cursor keys: the values are short, and Home/End/Backspace still edit). The field
    claims only digit-like keys, so letter bindings of the app (e.g. ``t``) still work. A typed
    value takes effect as soon as it is valid; an invalid one leaves the last valid value in
    force and says why beside the field, and leaving the field puts the valid value back.

    Args:
        label: what the setting is, shown to the left.
        scale: which values are allowed and how to step through them.
        value: the starting value (must be valid for ``scale``).
        tooltip: a longer explanation, shown on hover.
        name: which setting this is (the owner's key for it).
    """

    DEFAULT_CSS = """
    Stepper {
        height: auto;
        width: 1fr;
        & > .stepper--label { width: 18; padding-right: 1; }
        & > Button { width: 3; min-width: 3; }
        & > Input { width: 9; }
        & > .stepper--message { width: 1fr; padding-left: 1; color: $text-error; }
        & > .stepper--message.-note { color: $text-muted; }
        &.-invalid > Input { text-style: bold reverse; }
        &:focus-within { background: $boost; }
        &:focus-within > .stepper--label { text-style: bold; color: $text-primary; }
    }
    """

    BINDINGS = [
        Binding("right,up,plus,equals_sign", "step(1)", "Increase", show=False, priority=True),
        Binding("left,down,minus", "step(-1)", "Decrease", show=False, priority=True),
    ]

    @dataclass
    class Changed(Message):
        """The value changed (by a step or a valid typed value)."""

        stepper: Stepper
        value: float

        @property
        def control(self) -> Stepper:
            return self.stepper

    def __init__(self, label: str, scale: Scale, value: float, *, tooltip: str | None = None,
                 name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.label = label
        self.scale = scale
        self.value = value
        self._tooltip = tooltip
        self._message = ""

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="stepper--label")
        down = RepeatButton("−", classes="stepper--down", compact=True)
        up = RepeatButton("+", classes="stepper--up", compact=True)
        down.can_focus = up.can_focus = False  # one Tab stop per setting: the field
        yield down
        yield NumberInput(self.scale.format(self.value), compact=True, select_on_focus=False)
        yield up
        yield Static("", classes="stepper--message")

    def on_mount(self) -> None:
        self.query_one(Input).tooltip = self._tooltip or self.scale.hint

    @property
    def message_text(self) -> str:
        """The message beside the field ('' when the typed text is valid)."""
        return self._message

    def set_value(self, value: float, *, announce: bool = True) -> None:
        """Show ``value`` (assumed valid) in the field; post ``Changed`` if it is new."""
        field = self.query_one(Input)
        text = self.scale.format(value)
        if field.value != text:
            with field.prevent(Input.Changed):
                field.value = text
            field.cursor_position = len(text)
        self._accept(value, announce)

    def _accept(self, value: float, announce: bool = True) -> None:
        changed = value != self.value
        self.value = value
        self._say("")
        if changed and announce:
            self.post_message(self.Changed(self, value))

    def note(self, text: str) -> None:
        """Show a neutral remark beside the field (e.g. why it is disabled)."""
        self._say(text, note=True)

    def action_step(self, direction: int) -> None:
        """Move one step; an invalid typed text is replaced by the stepped valid value."""
        if not self.disabled:
            self.set_value(self.scale.step(self.value, direction))

    def _say(self, text: str, note: bool = False) -> None:
        message = self.query_one(".stepper--message", Static)
        if text != self._message:  # an update re-lays-out the screen: only when it changed
            message.update(text)
        self._message = text
        message.set_class(note, "-note")
        self.set_class(bool(text) and not note, "-invalid")

    @on(Button.Pressed, ".stepper--down")
    def _down(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_step(-1)

    @on(Button.Pressed, ".stepper--up")
    def _up(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_step(1)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        try:
            value = self.scale.parse(event.value)
        except ValueError as error:
            self._say(f"✗ {error}; {self.scale.format(self.value)} kept")
            return
        self._accept(value)  # the text stays as typed until the field is left

    @on(Input.Submitted)
    @on(Input.Blurred)
    def _leave(self, event: Input.Submitted | Input.Blurred) -> None:
        """Leaving (or Enter on) an invalid text restores the value that is in force."""
        event.stop()
        try:
            self.set_value(self.scale.parse(event.value))
        except ValueError as error:
            self.set_value(self.value, announce=False)
            # Still say why the text was replaced, but muted: the field is valid again.
            self._say(f"{event.value!r}: {error}; {self.scale.format(self.value)} kept",
                      note=True)
