"""NumberGrid: formatted numbers coloured by sign, highlights and blocks."""

from __future__ import annotations

import numpy as np
import pytest
from textual.geometry import Size
from widget_helpers import SIZE, OneWidgetApp, cells, rgb, text_lines

from tuicnn.widgets.colormaps import (
    diverging,
)
from tuicnn.widgets.number_grid import NumberGrid

pytestmark = pytest.mark.usefixtures("colour_terminal")


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
