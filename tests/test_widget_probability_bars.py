"""ProbabilityBars: bars, percentages and markers, at any width."""

from __future__ import annotations

import re

import numpy as np
import pytest
from widget_helpers import DIGITS, SIZE, OneWidgetApp, cells, text_lines

from tuicnn.widgets.probability_bars import ProbabilityBars, bar_text

pytestmark = pytest.mark.usefixtures("colour_terminal")


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
