"""A labelled number field you can step with the keyboard or the mouse, or type into."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from tuicnn.lessons.train_settings import Scale
from tuicnn.widgets.number_input import NumberInput


class Stepper(Widget, can_focus=False):
    """``label  [−] value [+]  message``: one setting, always holding a valid value.

    Only the text field takes focus, so Tab visits each setting once. While it has focus,
    Left/Down/− step down and Right/Up/+ step up (priority bindings, so they win over the
    field's cursor keys: the values are short, and Home/End/Backspace still edit). The field
    claims only digit-like keys, so letter bindings of the app (e.g. ``t``) still work. A typed
    value takes effect as soon as it is valid; an invalid one leaves the last valid value in
    force and says why beside the field, and leaving the field puts the valid value back.

    It is two widgets, not six: the stepper draws its label, the − and + glyphs and the
    message itself and handles clicks on the glyphs by their x offset; only the field, which
    needs an ``Input`` for typing, is a child, laid over the gap the drawing leaves for it.
    Start-up and tab switches cost time per widget styled, laid out and rendered, and the
    Train tab shows four steppers on its first frame. Every click on a glyph counts, however
    quick (Textual's ``Button`` ignored clicks during its pressed flash).

    Args:
        label: what the setting is, shown to the left.
        scale: which values are allowed and how to step through them.
        value: the starting value (must be valid for ``scale``).
        tooltip: a longer explanation, shown when hovering over the field.
        name: which setting this is (the owner's key for it).
    """

    # Columns of line 0, from x=0: the label (cropped to LABEL_WIDTH - 1), " − ", the field
    # (drawn by the child), " + ", a space, then the message (wrapped below if it is long).
    LABEL_WIDTH = 18
    BUTTON_WIDTH = 3
    FIELD_WIDTH = 9
    DOWN_X = LABEL_WIDTH
    FIELD_X = DOWN_X + BUTTON_WIDTH
    UP_X = FIELD_X + FIELD_WIDTH
    MESSAGE_X = UP_X + BUTTON_WIDTH + 1

    ALLOW_SELECT = False  # a quick double click on + would otherwise select the line
    COMPONENT_CLASSES = {"stepper--label", "stepper--button", "stepper--hover",
                         "stepper--message", "stepper--note"}
    # The field sits over the blank the drawing leaves for it. The buttons look like compact
    # Buttons. Disabled, the drawn text and the field (text-style is inherited) are dimmed,
    # which also reads under NO_COLOR.
    DEFAULT_CSS = f"""
    Stepper {{ layout: horizontal; height: auto; width: 1fr; text-wrap: nowrap; }}
    Stepper > NumberInput {{ width: {FIELD_WIDTH}; margin-left: {FIELD_X}; }}
    """ + """
    Stepper {
        & > .stepper--button { text-style: bold; background: $surface; }
        & > .stepper--hover { background: $block-hover-background; }
        & > .stepper--message { color: $text-error; }
        & > .stepper--note { color: $text-muted; }
        &.-invalid > NumberInput { text-style: bold reverse; }
        &:focus-within { background: $boost; }
        &:focus-within > .stepper--label { text-style: bold; color: $text-primary; }
        &:disabled { text-style: dim; }
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
        self._note = False
        self._hover = 0  # the glyph under the mouse: -1 (−), 1 (+) or 0 (neither)

    def compose(self) -> ComposeResult:
        field = NumberInput(self.scale.format(self.value), compact=True, select_on_focus=False)
        field.tooltip = self._tooltip or self.scale.hint
        yield field

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
        if not self.is_disabled:
            self.set_value(self.scale.step(self.value, direction))

    def _say(self, text: str, note: bool = False) -> None:
        if (text, note) != (self._message, self._note):  # repaint only when it changed
            before = len(self._message_lines(self.size.width))
            self._message, self._note = text, note
            # Lay the screen out again only if the message now takes more or fewer lines.
            self.refresh(layout=len(self._message_lines(self.size.width)) != before)
        self.set_class(bool(text) and not note, "-invalid")

    # -- drawing ----------------------------------------------------------------------------

    def _message_lines(self, width: int) -> list[str]:
        """The message wrapped to the room right of the + (one line if there is no room)."""
        room = width - self.MESSAGE_X
        if not self._message or room < 8:
            return [self._message]
        return textwrap.wrap(self._message, room) or [""]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """One line, or as many as a long message wraps to."""
        return max(super().get_content_height(container, viewport, width),
                   len(self._message_lines(width)))

    def render(self) -> Content:
        """The label, ``" − "``, a blank the field covers, ``" + "`` and the message."""
        def glyph(text: str, direction: int) -> Content:
            # Resolved in full: a ".stepper--button" span would drop the opaque background
            # (Textual's partial component styles keep only translucent ones).
            hover = ("stepper--hover",) if direction == self._hover else ()
            return Content.styled(f" {text} ", self.get_visual_style("stepper--button", *hover))

        label = self.label[:self.LABEL_WIDTH - 1]
        message, *more = self._message_lines(self.size.width)
        style = ".stepper--note" if self._note else ".stepper--message"
        first = Content.assemble(
            (label, ".stepper--label"), " " * (self.LABEL_WIDTH - len(label)),
            glyph("−", -1), " " * self.FIELD_WIDTH, glyph("+", 1), " ", (message, style))
        indent = " " * self.MESSAGE_X
        return Content("\n").join([first, *(Content.assemble(indent, (line, style))
                                            for line in more)])

    # -- the mouse --------------------------------------------------------------------------

    def _glyph_under(self, event: events.MouseEvent) -> int:
        """-1 over the −, 1 over the +, 0 elsewhere: the label, the message, the lines
        below, and the field (whose mouse events bubble up here with the field's offsets)."""
        if event.widget is not self or event.y != 0:
            return 0
        if self.DOWN_X <= event.x < self.DOWN_X + self.BUTTON_WIDTH:
            return -1
        return 1 if self.UP_X <= event.x < self.UP_X + self.BUTTON_WIDTH else 0

    def on_click(self, event: events.Click) -> None:
        """Each click on − or + is one step, however quick (no pressed flash to wait for).
        Disabled widgets get no clicks from Textual; ``action_step`` checks again."""
        direction = self._glyph_under(event)
        if direction:
            event.stop()
            self.action_step(direction)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._glyph_under(event))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(0)

    def _set_hover(self, direction: int) -> None:
        if direction != self._hover:
            self._hover = direction
            self.refresh()

    # -- typing -----------------------------------------------------------------------------

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
