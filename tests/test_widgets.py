"""Tests for the display widgets: colour maps, Heatmap, NumberGrid, ProbabilityBars, Stepper.

UI tests mount one widget in a tiny app with ``App.run_test`` and read back the strips the
widget renders (``render_line``), so they check characters and styles, not just "no crash".
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from rich.color import Color as RichColor
from rich.style import Style
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input, Label

from tuicnn.lessons.train_settings import HIDDEN
from tuicnn.widgets.colormaps import (
    SHADES,
    colormap,
    contrast_text,
    diverging,
    normalize,
    sequential,
    shade_chars,
    value_range,
)
from tuicnn.widgets.heatmap import Heatmap, format_values
from tuicnn.widgets.number_grid import NumberGrid
from tuicnn.widgets.number_input import NumberInput
from tuicnn.widgets.probability_bars import ProbabilityBars, bar_text
from tuicnn.widgets.stepper import Stepper

DIGITS = [str(i) for i in range(10)]
SIZE = (60, 24)


@pytest.fixture(autouse=True)
def colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make colour detection deterministic: a truecolor terminal without ``NO_COLOR``.

    Textual reads these when an ``App`` is created, so tests that want another terminal
    change them again before building their app.
    """
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


class OneWidgetApp(App[None]):
    """Mounts a single widget; ``CSS`` lets a test constrain its width."""

    def __init__(self, widget: Widget, css: str = "") -> None:
        self.CSS = css
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


def cells(widget: Widget, y: int) -> list[tuple[str, Style]]:
    """Row ``y`` of a widget as (character, style) per terminal cell."""
    return [
        (char, segment.style or Style())
        for segment in widget.render_line(y)
        for char in segment.text
    ]


def text_lines(widget: Widget) -> list[str]:
    """Everything the widget draws, as plain text lines."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


def rgb(color: RichColor | None) -> tuple[int, int, int]:
    """A Rich colour as an RGB tuple (fails the test for default/missing colours)."""
    assert color is not None and color.triplet is not None
    return tuple(color.triplet)


def ring(size: int = 20) -> np.ndarray:
    """A soft ring, the deterministic stand-in picture used by the demo and snapshots."""
    yy, xx = np.mgrid[0:size, 0:size]
    radius = np.hypot(yy - (size - 1) / 2, xx - (size - 1) / 2)
    return np.round(np.exp(-(((radius - size * 0.3) / 1.8) ** 2)), 3)


# -- colour maps --------------------------------------------------------------------------


def test_ramp_endpoints() -> None:
    np.testing.assert_array_equal(sequential(0.0), [68, 1, 84])
    np.testing.assert_array_equal(sequential(1.0), [253, 231, 37])
    np.testing.assert_array_equal(diverging(0.0), [33, 102, 172])
    np.testing.assert_array_equal(diverging(1.0), [178, 24, 43])
    # Out of range values clip to the ends instead of extrapolating.
    np.testing.assert_array_equal(sequential(-3.0), sequential(0.0))
    np.testing.assert_array_equal(diverging(7.0), diverging(1.0))


def test_sequential_gets_brighter() -> None:
    luminance = sequential(np.linspace(0, 1, 101)) @ np.array([0.2126, 0.7152, 0.0722])
    assert np.all(np.diff(luminance) >= 0)


def test_ramps_are_vectorised() -> None:
    t = np.linspace(0, 1, 12).reshape(3, 4)
    for ramp in (sequential, diverging):
        out = ramp(t)
        assert out.shape == (3, 4, 3)
        assert out.dtype == np.uint8
        np.testing.assert_array_equal(out[1, 2], ramp(t[1, 2]))
    assert sequential(0.3).shape == (3,)
    assert shade_chars(t).shape == (3, 4)
    assert contrast_text(sequential(t)).shape == (3, 4, 3)


def test_normalize_constant_arrays_have_no_nan() -> None:
    with np.errstate(all="raise"):  # any division by zero would raise here
        zeros_seq = normalize(np.zeros((3, 3)), "sequential")
        zeros_div = normalize(np.zeros((3, 3)), "diverging")
        threes = normalize(np.full((2, 2), 3.0), "sequential")
        negative = normalize(np.full(4, -2.0), "diverging")
    np.testing.assert_array_equal(zeros_seq, 0.0)
    np.testing.assert_array_equal(zeros_div, 0.5)
    np.testing.assert_array_equal(threes, 1.0)
    np.testing.assert_array_equal(negative, 0.0)
    assert not np.isnan(normalize([np.nan, 1.0, np.inf], "sequential")).any()


def test_normalize_sequential_uses_zero_to_max() -> None:
    np.testing.assert_allclose(normalize([-1.0, 0.0, 1.0, 4.0], "sequential"), [0, 0, 0.25, 1])
    assert value_range([1.0, 4.0], "sequential") == (0.0, 4.0)


def test_diverging_is_symmetric_around_zero() -> None:
    np.testing.assert_allclose(normalize([-2.0, 0.0, 1.0], "diverging"), [0.0, 0.5, 0.75])
    assert value_range([-2.0, 1.0], "diverging") == (-2.0, 2.0)
    red, green, blue = diverging(0.5).tolist()
    assert red == green == blue and red > 200  # zero is a light neutral grey
    for d in (0.1, 0.3, 0.5):
        low, high = diverging(0.5 - d).astype(int), diverging(0.5 + d).astype(int)
        assert low[2] > low[0]  # negative: blue wins
        assert high[0] > high[2]  # positive: red wins


def test_shade_chars_cover_the_range() -> None:
    assert SHADES == " ░▒▓█"
    assert "".join(shade_chars([0.0, 0.25, 0.5, 0.7, 1.0])) == " ░▒▓█"


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="mode"):
        normalize([1.0], "rainbow")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mode"):
        colormap("rainbow")  # type: ignore[arg-type]


def test_legend_values_share_one_format() -> None:
    assert format_values((2.8e-9, 1.0)) == ("0.00", "1.00")
    assert format_values((-0.3, 0.42), signed=True) == ("-0.30", "+0.42")
    assert format_values((-0.0, 0.0)) == ("0.00", "0.00")
    assert format_values((0.0, 2e-5)) == ("0.00e+00", "2.00e-05")


# -- Heatmap ------------------------------------------------------------------------------


@pytest.mark.parametrize(("shape", "expected"), [((28, 28), (28, 14)), ((5, 5), (5, 3))])
async def test_heatmap_content_size(shape: tuple[int, int], expected: tuple[int, int]) -> None:
    heatmap = Heatmap(np.ones(shape), legend=False)
    async with OneWidgetApp(heatmap).run_test(size=SIZE):
        assert heatmap.content_size == Size(*expected)
        assert len(text_lines(heatmap)) == expected[1]
        assert all(line == "▀" * expected[0] for line in text_lines(heatmap))


async def test_heatmap_title_and_legend_add_rows() -> None:
    heatmap = Heatmap(np.ones((28, 28)), title="digit")
    async with OneWidgetApp(heatmap).run_test(size=SIZE):
        lines = text_lines(heatmap)
        assert heatmap.content_size == Size(28, 16)
        assert lines[0].rstrip() == "digit"
        assert re.fullmatch(r"min 1\.00 ▕█+▏ max 1\.00", lines[-1])
        assert len(lines[-1]) == 28  # the legend fills the picture's width


async def test_heatmap_scale_widens_and_heightens_pixels() -> None:
    heatmap = Heatmap(np.arange(49.0).reshape(7, 7), scale=2, legend=False)
    async with OneWidgetApp(heatmap).run_test(size=SIZE):
        assert heatmap.content_size == Size(14, 7)
        # With scale 2 each pixel row fills a whole cell: top and bottom colours agree.
        row = cells(heatmap, 3)
        assert all(style.color == style.bgcolor for _char, style in row)
        assert row[0][1] == row[1][1] != row[2][1]  # pixel 0 spans two columns


async def test_heatmap_pixel_colour_matches_colormap() -> None:
    data = np.zeros((4, 4))
    data[2, 1] = 2.0  # the maximum → t = 1
    data[3, 1] = 1.0  # half the maximum → t = 0.5
    heatmap = Heatmap(data, legend=False)
    async with OneWidgetApp(heatmap).run_test(size=SIZE):
        assert heatmap.using_shades is False
        char, style = cells(heatmap, 1)[1]  # cell row 1 holds pixel rows 2 (top) and 3
        assert char == "▀"
        assert rgb(style.color) == tuple(sequential(1.0).tolist())
        assert rgb(style.bgcolor) == tuple(sequential(0.5).tolist())
        _char, zero_style = cells(heatmap, 0)[0]
        assert rgb(zero_style.color) == tuple(sequential(0.0).tolist())


async def test_heatmap_diverging_colours_follow_the_sign() -> None:
    heatmap = Heatmap(np.array([[-1.0, 0.0, 0.5]]), mode="diverging", legend=False)
    async with OneWidgetApp(heatmap).run_test(size=SIZE):
        colours = [rgb(style.color) for _char, style in cells(heatmap, 0)]
        assert colours[0] == tuple(diverging(0.0).tolist())
        assert colours[1] == tuple(diverging(0.5).tolist())
        assert colours[2] == tuple(diverging(0.75).tolist())


async def test_heatmap_odd_height_pads_with_widget_background() -> None:
    heatmap = Heatmap(np.ones((5, 5)), legend=False)
    async with OneWidgetApp(heatmap).run_test(size=SIZE):
        last = cells(heatmap, 2)
        assert all(style.bgcolor == heatmap.rich_style.bgcolor for _char, style in last)
        assert all(rgb(style.color) == tuple(sequential(1.0).tolist()) for _c, style in last)


async def test_heatmap_all_zero_data() -> None:
    heatmap = Heatmap(np.zeros((6, 6)))
    async with OneWidgetApp(heatmap).run_test(size=SIZE):
        lines = text_lines(heatmap)
        assert lines[-1].startswith("min 0.00 ▕")
        assert "max 0.00" in lines[-1]
        darkest = tuple(sequential(0.0).tolist())
        assert all(rgb(style.color) == darkest for _char, style in cells(heatmap, 0)[:6])


async def test_heatmap_builds_strips_on_change_not_per_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    heatmap = Heatmap(ring())
    async with OneWidgetApp(heatmap).run_test(size=SIZE) as pilot:
        await pilot.pause()
        builds: list[bool] = []
        build = heatmap._build_strips
        monkeypatch.setattr(
            heatmap, "_build_strips", lambda shades: builds.append(shades) or build(shades)
        )
        for _ in range(3):
            heatmap.refresh()
            await pilot.pause()
            text_lines(heatmap)
        assert builds == []  # repaints reuse the cached strips
        heatmap.update(ring() * 2)
        await pilot.pause()
        text_lines(heatmap)
        assert len(builds) == 1
        legend_colour = cells(heatmap, heatmap.size.height - 1)[0][1].color
        heatmap.app.theme = "textual-light"  # styles are baked into the strips: rebuild
        await pilot.pause()
        assert cells(heatmap, heatmap.size.height - 1)[0][1].color != legend_colour
        assert len(builds) == 2


async def test_heatmap_update_changes_the_picture() -> None:
    heatmap = Heatmap(np.zeros((4, 4)), legend=False)
    async with OneWidgetApp(heatmap).run_test(size=SIZE) as pilot:
        before = [cells(heatmap, y) for y in range(2)]
        heatmap.update(np.eye(4), title="identity")
        await pilot.pause()
        after = [cells(heatmap, y + 1) for y in range(2)]  # the title pushed rows down
        assert after != before
        assert text_lines(heatmap)[0].rstrip() == "identity"
        heatmap.update(np.ones((28, 28)))
        await pilot.pause()
        assert heatmap.content_size == Size(28, 15)  # title kept, new shape laid out
        heatmap.update(None)
        await pilot.pause()
        assert text_lines(heatmap)[1].rstrip() == "no data"


async def test_heatmap_shades_mode() -> None:
    data = ring(20)
    heatmap = Heatmap(data)
    async with OneWidgetApp(heatmap).run_test(size=SIZE) as pilot:
        heatmap.shades = True
        await pilot.pause()
        assert heatmap.using_shades
        lines = text_lines(heatmap)
        picture, legend = lines[:-1], lines[-1]
        assert len(picture) == 10  # same footprint as colour mode
        assert set("".join(line[:20] for line in picture)) <= set(SHADES)
        row, col = np.unravel_index(np.argmax(data), data.shape)
        assert picture[row // 2][col] == "█"
        assert picture[0][0] == " "  # the corner is zero
        assert "▕" in legend and legend.endswith("max 1.00")


async def test_heatmap_shades_keep_the_stronger_pixel_of_a_pair() -> None:
    data = np.array([[0.0, 0.0], [1.0, 0.0]])  # bright pixel in the bottom half only
    heatmap = Heatmap(data, legend=False)
    heatmap.shades = True
    async with OneWidgetApp(heatmap).run_test(size=SIZE):
        assert text_lines(heatmap) == ["█ "]


async def test_heatmap_shades_with_scale_two_are_exact() -> None:
    data = np.array([[-1.0, 1.0], [0.0, -0.5]])
    heatmap = Heatmap(data, mode="diverging", scale=2, legend=False)
    heatmap.shades = True
    async with OneWidgetApp(heatmap).run_test(size=SIZE):
        assert text_lines(heatmap) == ["  ██", "▒▒░░"]


@pytest.mark.parametrize(
    ("env", "shades"),
    [
        ({"NO_COLOR": "1"}, True),
        ({"NO_COLOR": ""}, True),  # Textual treats an empty NO_COLOR as set, too
        ({"TERM": "dumb", "COLORTERM": ""}, True),
        ({"TERM": "xterm", "COLORTERM": ""}, False),  # 16 colours: still colour
        ({}, False),
    ],
)
async def test_heatmap_detects_colourless_terminals(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], shades: bool
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    heatmap = Heatmap(ring(8))
    async with OneWidgetApp(heatmap).run_test(size=SIZE):
        assert heatmap.using_shades is shades
        picture = "".join(line[:8] for line in text_lines(heatmap)[:-1])
        if shades:
            assert set(picture) <= set(SHADES) and "█" in picture
        else:
            assert set(picture) == {"▀"}
        heatmap.shades = not shades  # an explicit setting beats detection
        assert heatmap.using_shades is not shades


def test_heatmap_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="2-D"):
        Heatmap(np.zeros(5))
    with pytest.raises(ValueError, match="mode"):
        Heatmap(np.zeros((2, 2)), mode="rainbow")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scale"):
        Heatmap(np.zeros((2, 2)), scale=0)


# -- NumberGrid ---------------------------------------------------------------------------

WEIGHTS = np.array([[0.42, -0.13, 0.0], [-1.5, 0.25, 0.07], [0.9, -0.004, 1.0]])


async def test_number_grid_shows_formatted_numbers() -> None:
    grid = NumberGrid(WEIGHTS)
    async with OneWidgetApp(grid).run_test(size=SIZE):
        lines = text_lines(grid)
        assert grid.content_size == Size(3 * 7, 3)
        assert lines[0].split() == ["+0.42", "-0.13", "+0.00"]
        assert lines[1].split() == ["-1.50", "+0.25", "+0.07"]
        assert lines[2].split() == ["+0.90", "-0.00", "+1.00"]


async def test_number_grid_colours_by_sign() -> None:
    grid = NumberGrid(WEIGHTS)
    async with OneWidgetApp(grid).run_test(size=SIZE):
        row = cells(grid, 1)
        negative, positive = row[1][1], row[8][1]  # inside "-1.50" and "+0.25"
        assert rgb(negative.bgcolor) == tuple(diverging(0.0).tolist())  # -1.5 is the extreme
        red, _green, blue = rgb(positive.bgcolor)
        assert red > blue
        # Text colour is chosen for contrast: white on dark blue.
        assert rgb(negative.color) == (255, 255, 255)


async def test_number_grid_highlight_is_styled_differently() -> None:
    grid = NumberGrid(WEIGHTS, highlight=[(2, 2)])
    async with OneWidgetApp(grid).run_test(size=SIZE):
        row = cells(grid, 2)
        plain, marked = row[1][1], row[15][1]
        assert marked.bold and marked.reverse
        assert not plain.bold and not plain.reverse
        assert text_lines(grid)[2].rstrip().endswith("[+1.00]")
        assert "[" not in text_lines(grid)[0]


async def test_number_grid_block_separators() -> None:
    patch = np.arange(16.0).reshape(4, 4) - 8
    grid = NumberGrid(patch, mode="sequential", fmt="{:+.1f}", block=2)
    async with OneWidgetApp(grid).run_test(size=SIZE):
        lines = [line.rstrip() for line in text_lines(grid)]
        assert grid.content_size == Size(4 * 6 + 1, 5)
        assert lines[2] == "─" * 12 + "┼" + "─" * 12
        for line in lines[:2] + lines[3:]:
            assert line[12] == "│"
        assert lines[0].replace("│", " ").split() == ["-8.0", "-7.0", "-6.0", "-5.0"]


async def test_number_grid_update() -> None:
    grid = NumberGrid(np.zeros((2, 2)))
    async with OneWidgetApp(grid).run_test(size=SIZE) as pilot:
        grid.update(np.array([[1.0, -2.0], [3.0, 4.0]]), highlight=[(1, 1)])
        await pilot.pause()
        lines = text_lines(grid)
        assert lines[0].split() == ["+1.00", "-2.00"]
        assert "[+4.00]" in lines[1]
        assert grid.highlight == {(1, 1)}


def test_number_grid_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="outside"):
        NumberGrid(np.zeros((2, 2)), highlight=[(2, 0)])
    with pytest.raises(ValueError, match="block"):
        NumberGrid(np.zeros((2, 2)), block=0)
    with pytest.raises(ValueError, match="non-empty"):
        NumberGrid(np.zeros((2, 2, 2)))


# -- ProbabilityBars ----------------------------------------------------------------------

PROBS = np.array([0.01, 0.02, 0.05, 0.01, 0.01, 0.02, 0.01, 0.80, 0.02, 0.05])


def percentages(lines: list[str]) -> list[float]:
    return [float(match) for line in lines for match in re.findall(r"(\d+\.\d)%", line)]


async def test_probability_bars_mark_prediction_and_true_label() -> None:
    bars = ProbabilityBars(DIGITS, PROBS, true_label=7)
    async with OneWidgetApp(bars).run_test(size=SIZE):
        lines = text_lines(bars)
        assert bars.size.height == 10
        assert lines[7].rstrip().endswith("80.0% ◀ predicted ✓ true")
        assert sum("◀" in line for line in lines) == 1
        assert sum("✓" in line for line in lines) == 1


async def test_probability_bars_wrong_prediction() -> None:
    bars = ProbabilityBars(DIGITS, PROBS, true_label="2")
    async with OneWidgetApp(bars).run_test(size=SIZE):
        lines = text_lines(bars)
        assert lines[7].rstrip().endswith("◀ predicted")
        assert lines[2].rstrip().endswith("5.0% ✓ true")
        predicted_marker = cells(bars, 7)[-len("◀ predicted")][1]
        true_marker = cells(bars, 2)[-len("✓ true")][1]
        assert predicted_marker.color != true_marker.color  # wrong ≠ right, also in colour


async def test_probability_bars_percentages_and_lengths() -> None:
    probs = np.exp(np.arange(10.0)) / np.exp(np.arange(10.0)).sum()
    bars = ProbabilityBars(DIGITS, probs)
    async with OneWidgetApp(bars).run_test(size=SIZE):
        lines = text_lines(bars)
        values = percentages(lines)
        assert len(values) == 10
        assert abs(sum(values) - 100.0) <= 0.5  # each value is rounded to 0.1
        assert values[9] == pytest.approx(round(probs[9] * 100, 1))
        assert all(re.search(r" \d{1,3}\.\d%", line) for line in lines)
        filled = [line.count("█") for line in lines]
        assert filled == sorted(filled)  # longer bar for a larger probability
        assert "◀ predicted" in lines[9] and "✓" not in "".join(lines)


async def test_probability_bars_adapt_to_width() -> None:
    wide = ProbabilityBars(DIGITS, np.eye(10)[3])
    async with OneWidgetApp(wide).run_test(size=SIZE):
        wide_line = text_lines(wide)[3]
    narrow = ProbabilityBars(DIGITS, np.eye(10)[3], true_label=5)
    async with OneWidgetApp(narrow, "ProbabilityBars { width: 24; }").run_test(size=SIZE):
        narrow_lines = text_lines(narrow)
    assert wide_line.count("█") == len(wide_line) - len("3  100.0% ◀ predicted")
    assert narrow_lines[3].endswith("100.0% ◀")  # markers shortened to keep the bars
    assert narrow_lines[5].endswith("0.0% ✓")
    assert narrow_lines[3].count("█") == 24 - len("3  100.0% ◀")


async def test_probability_bars_without_prediction() -> None:
    bars = ProbabilityBars(DIGITS)
    async with OneWidgetApp(bars).run_test(size=SIZE) as pilot:
        lines = text_lines(bars)
        assert bars.size.height == 10  # same height as with a prediction
        assert "no prediction" in "".join(lines)
        assert not percentages(lines) and "◀" not in "".join(lines)
        assert [line.split()[0] for line in lines] == DIGITS
        bars.update(PROBS, true_label=7)
        await pilot.pause()
        assert "◀ predicted" in text_lines(bars)[7]
        bars.update(None)
        await pilot.pause()
        assert "no prediction" in "".join(text_lines(bars))


def test_bar_text_uses_eighths() -> None:
    assert bar_text(0.5, 4) == ("██", "··")
    assert bar_text(1 / 16, 4) == ("▎", "···")
    assert bar_text(0.0, 3) == ("", "···")


def test_probability_bars_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="probabilities"):
        ProbabilityBars(DIGITS, np.ones(3))
    with pytest.raises(ValueError, match="true_label"):
        ProbabilityBars(DIGITS, PROBS, true_label="cat")
    with pytest.raises(ValueError, match="true_label"):
        ProbabilityBars(DIGITS, PROBS, true_label=10)


# -- snapshots ----------------------------------------------------------------------------

PATCH = np.array(
    [
        [0.10, -0.40, 0.90, 0.20],
        [0.30, 0.05, -0.20, 0.60],
        [-0.70, 0.25, 0.00, -0.10],
        [0.50, -0.30, 0.15, 0.35],
    ]
)
POOL_WINNERS = [(1, 0), (0, 2), (3, 0), (3, 3)]


class WidgetDemo(App[None]):
    """The three widgets together on a 60x24 screen, all data deterministic."""

    CSS = """
    Horizontal { height: auto; }
    #side { width: auto; height: auto; margin-left: 3; }
    """

    def __init__(self, shades: bool = False) -> None:
        super().__init__()
        self.shades = shades

    def compose(self) -> ComposeResult:
        logits = np.array([0.1, 0.3, 1.0, 0.2, 0.0, 0.4, 0.1, 4.0, 0.2, 1.5])
        probs = np.exp(logits) / np.exp(logits).sum()
        with Horizontal():
            heatmap = Heatmap(ring(), title="ring (illustrative)")
            heatmap.shades = self.shades
            yield heatmap
            with Vertical(id="side"):
                if self.shades:
                    kernel = np.linspace(-1, 1, 49).reshape(7, 7)
                    side = Heatmap(kernel, mode="diverging", scale=2, title="7x7 ramp")
                    side.shades = True
                    yield side
                else:
                    yield Label("4x4 patch, 2x2 max-pool")
                    yield NumberGrid(PATCH, block=2, highlight=POOL_WINNERS)
        yield ProbabilityBars(DIGITS, probs, true_label=9 if self.shades else 7)


def test_snapshot_colour(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert snap_compare(WidgetDemo(), terminal_size=SIZE)


def test_snapshot_shades(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert snap_compare(WidgetDemo(shades=True), terminal_size=SIZE)


# -- ModelProgress ---------------------------------------------------------------------------


async def test_model_progress_draws_one_line_in_proportion() -> None:
    from tuicnn.lessons.training_run import ModelRun
    from tuicnn.nn.events import BatchEnd
    from tuicnn.widgets.train.model_progress import DONE, TODO, ModelProgress

    progress = ModelProgress("FC")
    app = OneWidgetApp(progress, css="ModelProgress { width: 100; }")
    async with app.run_test(size=(100, 5)) as pilot:
        assert "not started" in str(progress.render())
        run = ModelRun("fc", 1000, epochs=2, batches=10, started=0.0)
        run.apply(BatchEnd("fc", 2, 2, 5, 10, 0.5, 0.8), now=3.0)  # 15 of 20 batches
        progress.show(run, now=3.0)
        await pilot.pause()
        line = str(progress.render())
        assert line.startswith("FC  epoch 2/2")
        assert "75%" in line and "ETA 1.00s" in line
        done, todo = line.count(DONE), line.count(TODO)
        assert abs(done / (done + todo) - 0.75) < 0.05
        assert not progress.children  # a single widget: updates repaint, never re-lay-out


# -- TrainingChart ---------------------------------------------------------------------------


async def test_training_chart_builds_its_plot_with_the_first_data() -> None:
    from textual_plotext import PlotextPlot

    from tuicnn.lessons.training_run import ChartSeries
    from tuicnn.widgets.train.training_chart import EMPTY_TEXT, TrainingChart

    chart = TrainingChart("Loss")
    app = OneWidgetApp(chart, css="TrainingChart { width: 60; height: 16; }")
    async with app.run_test(size=(60, 16)) as pilot:
        assert not chart.children  # one widget, drawing the "no data" line itself
        drawn = "".join(strip.text for strip in chart.render_lines(chart.region.reset_offset))
        assert EMPTY_TEXT in drawn
        chart.set_data([ChartSeries("FC", "", (), (), "fc")], epochs=3)
        chart.redraw()  # a series without points is still no data
        await pilot.pause()
        assert not chart.query(PlotextPlot)

        chart.set_data([ChartSeries("FC", "train", (1.0, 2.0), (0.9, 0.5), "fc")], epochs=3)
        chart.redraw()
        await pilot.pause()
        plot = chart.query_one(PlotextPlot)
        assert str(chart.render()) == ""  # the plot covers the chart now
        assert plot.size.height > 0
        picture = "".join(strip.text for strip in plot.render_lines(plot.region.reset_offset))
        assert any("\u2801" <= ch <= "\u28ff" for ch in picture)  # the braille curve
        assert "FC: ⠤⠤ train" in str(chart.query_one(".training-chart--legend").render())


async def test_cached_plot_draws_once_per_change(monkeypatch: pytest.MonkeyPatch) -> None:
    from tuicnn.widgets.train.cached_plot import CachedPlot

    plot = CachedPlot()
    app = OneWidgetApp(plot, css="CachedPlot { width: 40; height: 10; }")
    async with app.run_test(size=(60, 12)) as pilot:
        builds = []
        real_build = plot.plt.build
        monkeypatch.setattr(plot.plt, "build", lambda: builds.append(1) or real_build())
        plot.plt.plot([1, 2, 3], [3, 1, 2])
        plot.invalidate()
        first = [plot.render_line(y) for y in range(10)]
        assert [plot.render_line(y) for y in range(10)] == first and len(builds) == 1
        plot.plt.plot([1, 2, 3], [1, 2, 3])
        plot.invalidate()
        assert [plot.render_line(y) for y in range(10)] != first and len(builds) == 2
        plot.styles.width = 30
        await pilot.pause()
        plot.render_line(0)
        assert len(builds) == 3  # a new size is a new picture
        assert plot.render_line(0).cell_length == 30


async def test_cached_plot_looks_like_plotext_plot() -> None:
    """The strips parsed from plotext's ANSI text show what ``PlotextPlot`` shows: the same
    characters with the same colours, cell for cell."""
    from textual_plotext import PlotextPlot

    from tuicnn.widgets.train.cached_plot import CachedPlot

    ours, reference = CachedPlot(), PlotextPlot()
    app = OneWidgetApp(Vertical(ours, reference),
                       css="CachedPlot, PlotextPlot { width: 44; height: 12; }")
    async with app.run_test(size=(60, 30)) as pilot:
        for plot in (ours, reference):
            plot.plt.plot([0, 1, 2, 3], [3, 2, 1.5, 1.2], marker="braille", color=(200, 100, 50))
            plot.plt.scatter([1, 2, 3], [2.5, 1.8, 1.4], marker="x", color=(50, 100, 200))
            plot.plt.ylim(1.0, 3.0)  # a fixed range, as TrainingChart sets it
            plot.plt.title("loss")
        ours.invalidate()
        reference.refresh()
        await pilot.pause()

        def cells(plot) -> list[tuple[str, object, object]]:
            """(character, colour, background) of every cell; blanks show no colour."""
            found = []
            for strip in plot.render_lines(plot.region.reset_offset):
                for text, style, _ in strip:
                    for char in text:
                        found.append((char, None if char == " " else style.color, style.bgcolor))
            return found

        assert cells(ours) == cells(reference)
        assert any("\u2801" <= char <= "\u28ff" for char, _, _ in cells(ours))  # the curve
        assert any(char == "x" and color.triplet == (50, 100, 200)
                   for char, color, _ in cells(ours) if color is not None)


async def test_updates_relayout_the_screen_only_when_the_size_changes() -> None:
    """Same-size updates repaint; a layout would re-arrange and redraw the whole screen."""
    heatmap = Heatmap(np.zeros((4, 4)), legend=False)
    bars = ProbabilityBars(DIGITS, np.full(10, 0.1))
    grid = NumberGrid(np.zeros((3, 3)))
    app = OneWidgetApp(Vertical(heatmap, bars, grid))
    async with app.run_test(size=SIZE) as pilot:
        calls: list[tuple[str, bool]] = []
        for name, widget in (("heatmap", heatmap), ("bars", bars), ("grid", grid)):
            real = widget.refresh

            def spy(*regions, real=real, name=name, **options):
                calls.append((name, bool(options.get("layout"))))
                return real(*regions, **options)

            widget.refresh = spy  # type: ignore[method-assign]
        heatmap.update(np.ones((4, 4)))
        bars.update(np.linspace(0.0, 0.2, 10))
        grid.update(np.full((3, 3), 0.5))
        await pilot.pause()
        assert {("heatmap", False), ("bars", False), ("grid", False)} <= set(calls)
        assert not any(layout for _, layout in calls)
        calls.clear()
        heatmap.update(np.ones((6, 4)))  # taller picture: the screen must make room
        grid.update(np.zeros((4, 4)))
        assert ("heatmap", True) in calls and ("grid", True) in calls


async def test_a_map_card_relays_out_only_when_its_words_or_selection_change() -> None:
    """Explore re-shows every card after each change (a new model, a new digit): cards
    whose title, caption and selection stay the same must not lay the screen out."""
    from tuicnn.widgets.explore.map_card import MapCard

    card = MapCard("conv1 #1", np.zeros((4, 4)), kernel=np.zeros((3, 3)), caption="max 0")
    app = OneWidgetApp(card)
    async with app.run_test(size=SIZE) as pilot:
        layouts: list[str] = []
        for widget in card.query("*"):
            real = widget.refresh

            def spy(*regions, real=real, widget=widget, **options):
                if options.get("layout"):
                    layouts.append(type(widget).__name__)
                return real(*regions, **options)

            widget.refresh = spy  # type: ignore[method-assign]
        card.update(np.ones((4, 4)), title="conv1 #1", kernel=np.ones((3, 3)), caption="max 0")
        card.set_selected(False)
        await pilot.pause()
        assert layouts == []
        card.set_selected(True)
        card.update(np.ones((4, 4)), caption="max 1")
        assert len(layouts) == 2
        assert str(card.query_one(".map-card--title").render()) == "▶ conv1 #1"


# -- Stepper ----------------------------------------------------------------------------------


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
