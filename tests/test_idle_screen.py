"""An idle app sends nothing to the terminal: over SSH every redraw is bytes on the wire.

benchmarks/bench_ssh_bytes.py measures the bytes; this checks the cause it found, a text
field's blinking cursor (two redraws a second while a field has the focus), on every tab.
"""

from __future__ import annotations

from textual.widgets import Input

from tuicnn.app import TuicnnApp
from tuicnn.screens.main import TABS


async def test_no_text_field_blinks_on_any_tab(untrained):
    app = TuicnnApp(workspace=untrained)
    async with app.run_test(size=(80, 24)) as pilot:
        for *_, key in TABS:
            await pilot.press(key)
            await pilot.pause()
        await pilot.press("ctrl+s")  # the file prompt has a text field too
        await pilot.pause()
        fields = list(app.screen_stack[-1].query(Input)) + list(app.query(Input))
        assert fields, "expected text fields (settings, calculator, file prompt)"
        blinking = [f for f in fields if f.cursor_blink]
        assert not blinking, f"these fields blink: {blinking}"
