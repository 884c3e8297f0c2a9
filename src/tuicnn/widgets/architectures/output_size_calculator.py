"""OutputSizeCalculator: type H, K, P, S and read the output size (or what is wrong) beside them.

The arithmetic and every message come from ``tuicnn.nn.architectures.output_size``; this
widget only lays out four inputs and a result line. Plain text inputs (not ``type="integer"``)
on purpose: a learner who types ``2.5`` or ``-1`` is told why it cannot work, rather than
finding the key silently ignored. Nothing typed can raise.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Static

from tuicnn.lessons.output_size import CALC_MAX, OutputSize, output_size

#: (letter on the input's border, tooltip).
FIELDS = (("H", "H: input height or width"), ("K", "K: kernel (window) size"),
          ("P", "P: padding on each side"), ("S", "S: stride, the step between windows"))

FIELD_CHARS = len(str(CALC_MAX)) + 1
"""Characters a field takes: the largest value accepted and one more digit (which is then
explained as too large). Each field is wide enough to show all of them and the cursor, so
the number on screen is always the number in the formula."""

FIELD_WIDTH = FIELD_CHARS + 1 + 2 + 2
"""The cursor's cell, 1 cell of padding and 1 of border on each side."""


class OutputSizeCalculator(Horizontal):
    """Four small inputs (``#calc-h``, ``#calc-k``, ``#calc-p``, ``#calc-s``) and a result.

    Args:
        size, kernel, padding, stride: the starting values.
    """

    DEFAULT_CSS = """
    OutputSizeCalculator {
        height: auto;
    }
    OutputSizeCalculator Input {
        padding: 0 1;
        border-title-color: $foreground;
        border-title-style: bold;
    }
    OutputSizeCalculator #calc-result {
        width: 1fr;
        height: auto;
        min-height: 3;
        padding: 0 1;
        content-align: left middle;
    }
    OutputSizeCalculator #calc-result.-invalid {
        text-style: bold;
    }
    """

    def __init__(
        self,
        size: int = 28,
        kernel: int = 3,
        padding: int = 1,
        stride: int = 1,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._start = (size, kernel, padding, stride)

    def compose(self) -> ComposeResult:
        for (letter, meaning), value in zip(FIELDS, self._start, strict=True):
            field = Input(str(value), id=f"calc-{letter.lower()}", max_length=FIELD_CHARS,
                          tooltip=meaning)
            field.cursor_blink = False  # a blinking cursor is bytes over SSH twice a second
            field.border_title = letter
            field.styles.width = FIELD_WIDTH
            yield field
        yield Static(id="calc-result")

    def on_mount(self) -> None:
        self._recompute()

    @property
    def result(self) -> OutputSize:
        """The answer for what is typed now."""
        h, k, p, s = (self.query_one(f"#calc-{letter.lower()}", Input).value
                      for letter, _ in FIELDS)
        return output_size(h, k, p, s)

    def set_values(self, size: int, kernel: int, padding: int, stride: int) -> None:
        """Fill the four inputs (e.g. from a layer of an architecture) and recompute."""
        for (letter, _), value in zip(FIELDS, (size, kernel, padding, stride), strict=True):
            self.query_one(f"#calc-{letter.lower()}", Input).value = str(value)
        self._recompute()

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._recompute()

    def _recompute(self) -> None:
        result = self.result
        text = f"H_out = {result.message}" if result.ok else f"✗ {result.message}"
        label = self.query_one("#calc-result", Static)
        label.update(Text(text))  # typed text may contain "[...]": never parse it as markup
        label.set_class(not result.ok, "-invalid")
