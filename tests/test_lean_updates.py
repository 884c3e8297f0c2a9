"""Lean screen updates draw exactly the cells Textual's own updates draw, in fewer bytes.

Both byte streams go through a small terminal written for the tests (tests/terminal_screen.py),
and every cell (character, attributes, colours) must agree after every frame. The app's own
frames are checked the same way in tests/test_ssh_bytes.py.
"""

from __future__ import annotations

import pytest
from rich.segment import Segment
from rich.style import Style
from terminal_screen import TerminalScreen
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.geometry import Region, Size
from textual.strip import Strip

from tuicnn.screens.lean_updates import (
    DEFAULT_PEN,
    LeanChopsUpdate,
    LeanLayoutUpdate,
    TerminalCanvas,
    change_pen,
)

pytestmark = pytest.mark.textual_private


def test_change_pen_sets_only_what_differs_and_resets_to_switch_off():
    red_on_blue = (frozenset(), "31", "44")
    assert change_pen(red_on_blue, red_on_blue) == ""
    assert change_pen(red_on_blue, (frozenset(), "32", "44")) == "\x1b[32m"
    assert change_pen(red_on_blue, (frozenset({"1"}), "31", "44")) == "\x1b[1m"
    assert change_pen((frozenset({"1"}), "31", "44"), red_on_blue) == "\x1b[0;31;44m"
    assert change_pen(red_on_blue, (frozenset(), None, "44")) == "\x1b[0;44m"
    assert change_pen(red_on_blue, DEFAULT_PEN) == "\x1b[0m"


def strips_of_every_kind(shade: int) -> list[Strip]:
    """Runs of one style, style changes of every kind, unstyled text, a link, wide text.

    ``shade`` varies the styles from call to call: Rich and Textual keep a style's codes
    once made (for one colour system per process), so reusing a style with another colour
    system would give the stock rendering stale codes."""
    fg, bg = Style(color="red", bgcolor="blue"), Style(color="green", bgcolor="blue")
    bold = Style(bold=True, color="red", bgcolor="blue")
    link = Style(link="https://example.org", color="yellow")
    truecolor = Style(color=f"#1234{shade:02x}", bgcolor=f"#ab{shade:02x}ef", italic=True)
    return [
        Strip([Segment("ab", fg), Segment("cd", fg), Segment("ef", bg)]),
        Strip([Segment("x", bold), Segment("y", fg), Segment("z", None), Segment("w", fg)]),
        Strip([Segment("link", link), Segment("·after", bg), Segment("", fg)]),
        Strip([Segment("漢字", truecolor), Segment("▀▄█", Style(bgcolor="blue"))]),
    ]


@pytest.mark.parametrize("shade, color_system",
                         [(0x10, "standard"), (0x20, "256"), (0x30, "truecolor")])
def test_synthetic_updates_draw_the_same_cells(shade, color_system):
    from rich.console import Console

    console = Console(color_system=color_system, force_terminal=True)
    strips = strips_of_every_kind(shade)
    size = Size(20, 6)
    canvas = TerminalCanvas()
    stock, lean = TerminalScreen(*size), TerminalScreen(*size)
    layout = LayoutUpdate([[strip] for strip in strips], Region(1, 1, 12, len(strips)))
    chops = [dict.fromkeys(range(0, 20, 5)) for _ in range(6)]
    for y, strip in enumerate(strips):  # four pieces a line, the last cropped by the span
        for x in (0, 10):
            chops[y][x] = strip
    spans = [(y, 2, 14) for y in range(len(strips))]
    chop_ends = [[5, 10, 15, 20] for _ in range(6)]
    frames = [
        (layout, LeanLayoutUpdate(layout.strips, layout.region, canvas, size)),
        (ChopsUpdate(chops, spans, chop_ends),
         LeanChopsUpdate(chops, spans, chop_ends, canvas, size)),
    ]
    for update, lean_update in frames:
        stock.feed(update.render_segments(console))
        lean.feed(lean_update.render_segments(console))
        assert lean.cells == stock.cells
        assert lean.pen == stock.pen == (frozenset(), "", "")  # each frame ends reset
    # The same frame again changes no cell: only the pieces the canvas does not model
    # (the link, the wide characters) are written again.
    again = LeanChopsUpdate(chops, spans, chop_ends, canvas, size).render_segments(console)
    assert "ab" not in again and "link" in again and "漢" in again
    canvas.forget()  # e.g. a help screen drew over it: everything is written again
    again = LeanChopsUpdate(chops, spans, chop_ends, canvas, size).render_segments(console)
    assert "abcd" in again


def test_an_unchanged_frame_writes_nothing_and_a_change_only_its_cells():
    from rich.console import Console

    console = Console(color_system="256", force_terminal=True)
    canvas, size = TerminalCanvas(), Size(30, 3)
    style, other = Style(color="red", bgcolor="black"), Style(color="green", bgcolor="black")
    line = Strip([Segment("loss 0.123 acc 91.2%  ", style)])
    changed = Strip([Segment("loss 0.120 acc 91.2%  ", style)])

    def frame(strip):
        return LeanLayoutUpdate([[strip]] * 3, Region(0, 0, 22, 3), canvas, size
                                ).render_segments(console)

    first = frame(line)
    assert first.count("loss") == 3
    assert frame(line) == ""
    delta = frame(changed)  # one digit changed on each row
    assert "0" in delta and "loss" not in delta and len(delta) < 40, repr(delta)
    screen = TerminalScreen(*size)
    screen.feed(first + delta)
    assert "".join(c for c, _ in screen.cells[2][:22]) == "loss 0.120 acc 91.2%  "
    assert frame(Strip([Segment("loss 0.120 acc 91.2%  ", other)])).count("\x1b[") == 1 + 2


def test_codes_start_afresh_when_too_many_pens_were_seen(monkeypatch):
    from rich.console import Console

    import tuicnn.screens.lean_updates as lean

    monkeypatch.setattr(lean, "PEN_MEMORY", 3)
    console = Console(color_system="256", force_terminal=True)
    canvas, size = TerminalCanvas(), Size(10, 1)
    screen = TerminalScreen(*size)
    bold = Strip([Segment("cd", Style(bold=True))])  # the same strip object in every frame
    for colour in ("red", "green", "blue", "yellow", "red"):
        line = [Strip([Segment("ab", Style(color=colour))]), bold]
        screen.feed(LeanLayoutUpdate([line], Region(0, 0, 4, 1), canvas, size
                                     ).render_segments(console))
        expected = TerminalScreen(*size)
        expected.feed(LayoutUpdate([line], Region(0, 0, 4, 1)).render_segments(console))
        assert screen.cells == expected.cells
        assert len(canvas._pen_codes) <= 3 + 2
