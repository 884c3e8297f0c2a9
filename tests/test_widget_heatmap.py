"""Heatmap: sizes, colours, shades, updates and bad input."""

from __future__ import annotations

import re

import numpy as np
import pytest
from textual.geometry import Size
from widget_helpers import SIZE, OneWidgetApp, cells, rgb, ring, text_lines

from tuicnn.widgets.colormaps import (
    SHADES,
    diverging,
    sequential,
)
from tuicnn.widgets.heatmap import Heatmap

pytestmark = pytest.mark.usefixtures("colour_terminal")


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
