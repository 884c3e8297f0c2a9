"""The shift test equals evaluating each model on shifted copies of the test set."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from tuicnn.data.transforms import shift_images
from tuicnn.lessons.shift_experiment import ShiftRow, offsets, reading, shift_test
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.nn.training import evaluate


@pytest.fixture(scope="module")
def data():
    """Blurry 'digits' with labels a slightly trained model would partly get right."""
    rng = np.random.default_rng(7)
    x = rng.random((50, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 10, 50)
    return x, y


@pytest.fixture(scope="module")
def models():
    return {"fc": build_fc(16, seed=1), "cnn": build_cnn(2, seed=1)}


@pytest.mark.parametrize("direction", ["right", "down", "diagonal"])
def test_table_equals_evaluate_on_shifted_arrays(data, models, direction):
    x, y = data
    rows = shift_test(models, x, y, shifts=range(0, 4), direction=direction, batch_size=16)
    assert [r.shift for r in rows] == [0, 1, 2, 3]
    for row in rows:
        dx, dy = {"right": (row.shift, 0), "down": (0, row.shift)}.get(
            direction, (row.shift, row.shift)
        )
        for name, model in models.items():
            _, expected = evaluate(model, shift_images(x, dx, dy), y)
            assert row.accuracies[name] == pytest.approx(expected, abs=1e-12)


def test_negative_shifts_are_allowed(data, models):
    x, y = data
    (row,) = shift_test(models, x, y, shifts=[-2], direction="down")
    _, expected = evaluate(models["fc"], shift_images(x, 0, -2), y)
    assert row.accuracies["fc"] == pytest.approx(expected)


def test_offsets_and_bad_direction():
    assert offsets("right", 3) == (3, 0)
    assert offsets("down", 3) == (0, 3)
    assert offsets("diagonal", 3) == (3, 3)
    with pytest.raises(ValueError, match="direction"):
        offsets("up", 1)
    with pytest.raises(ValueError, match="direction"):
        shift_test({}, np.zeros((1, 28, 28, 1)), np.zeros(1, int), direction="left")


def test_stop_event_ends_early(data, models):
    stop = threading.Event()
    stop.set()
    assert shift_test(models, *data, stop=stop) == []


def test_empty_test_set_is_an_error(models):
    with pytest.raises(ValueError, match="at least one"):
        shift_test(models, np.zeros((0, 28, 28, 1)), np.zeros(0, int))


def rows_of(pairs):
    return [ShiftRow(i, {"fc": fc, "cnn": cnn}) for i, (fc, cnn) in enumerate(pairs)]


def test_reading_names_every_shift_where_the_cnn_leads():
    # The case: equal at the ends, the CNN 18.8 points ahead in the middle.
    rows = rows_of([(0.91, 0.91), (0.80, 0.90), (0.55, 0.738), (0.30, 0.32), (0.15, 0.16)])
    text = reading(rows, "down")
    assert "0→4 px down" in text
    assert "CNN ahead by ≥5 pts at 1-2 px (most at 2 px: +18.8)" in text
    assert "within 5 pts at 0, 3 px" in text
    assert "Both below 30% (chance 10%) at 4 px: collapsed (CNN +1.0 pts there)" in text
    assert "max-pools" in text and "about the same" not in text


def test_reading_reports_when_the_fc_leads():
    text = reading(rows_of([(0.9, 0.95), (0.8, 0.7), (0.5, 0.4)]), "down")
    assert "FC ahead by ≥5 pts at 1-2 px" in text
    assert "within 5 pts at 0 px" in text
    assert "Why" not in text  # the pooling story is only told when the CNN leads


def test_reading_needs_two_rows_and_is_ascii_for_the_cli():
    assert "at least two" in reading(rows_of([(0.9, 0.9)]))
    text = reading(rows_of([(0.9, 0.9), (0.5, 0.7)]), arrow="->")
    assert text.isascii() and "CNN ahead by >=5 pts at 1 px" in text
