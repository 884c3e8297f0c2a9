"""The Explore tab's pure logic: examples, traces, the pooling window, hand-made filters."""

from __future__ import annotations

import numpy as np
import pytest

from tuicnn.lessons.explorer import (
    CLASSIC_FILTERS,
    PATCH,
    TraceCache,
    as_strip,
    channel_count,
    clamp_window,
    classic_responses,
    dimension_table,
    examples_of,
    first_available_digit,
    move_window,
    pick_example,
    pool_zoom,
    stage_channel,
    step_position,
    strip_layout,
    strongest_window,
)
from tuicnn.nn.layers import MaxPool2D
from tuicnn.nn.model import build_cnn
from tuicnn.nn.tracing import trace


@pytest.fixture(scope="module")
def model():
    return build_cnn(8, seed=0)


@pytest.fixture(scope="module")
def digits(rng_module):
    """A few digit-like images: random strokes on a blank page, float in [0, 1]."""
    images = np.zeros((5, 28, 28, 1), np.float32)
    for image in images:
        r, c = rng_module.integers(4, 20, size=2)
        image[r : r + 8, c : c + 3, 0] = rng_module.uniform(0.5, 1.0, size=(8, 3))
    return images


@pytest.fixture(scope="module")
def rng_module():
    return np.random.default_rng(7)


# -- examples -----------------------------------------------------------------------------


def test_examples_of_keeps_test_order():
    labels = np.array([3, 1, 3, 0, 3])
    assert examples_of(labels, 3).tolist() == [0, 2, 4]
    assert examples_of(labels, 9).tolist() == []


@pytest.mark.parametrize(
    ("position", "step", "expected"),
    [(0, 1, 1), (2, 1, 0), (0, -1, 2), (1, -1, 0), (2, 4, 0), (0, -4, 2)],
)
def test_step_position_wraps_both_ways(position, step, expected):
    assert step_position(position, 3, step) == expected


def test_step_position_needs_examples():
    with pytest.raises(ValueError):
        step_position(0, 0, 1)


def test_pick_example_describes_itself_one_based():
    labels = np.array([6, 2, 6, 6])
    example = pick_example(labels, 6, 4)  # wraps to position 1
    assert (example.position, example.count, example.index) == (1, 3, 2)
    assert example.describe("6") == "test example 2 of 3 labelled 6"
    missing = pick_example(labels, 5)
    assert missing.index == -1
    assert "no test example" in missing.describe("5")


def test_first_available_digit_falls_back():
    labels = np.array([3, 4, 4])
    assert first_available_digit(labels, 4) == 4
    assert first_available_digit(labels, 0) == 3


# -- traces -------------------------------------------------------------------------------


def test_trace_cache_computes_once_per_model_and_image(model, digits):
    cache = TraceCache(size=2)
    first = cache.get(model, 0, digits[0])
    assert cache.get(model, 0, digits[0]) is first
    assert cache.misses == 1
    np.testing.assert_array_equal(first.probabilities, trace(model, digits[0]).probabilities)
    cache.get(model, 1, digits[1])
    cache.get(model, 2, digits[2])  # evicts 0, the least recently used
    cache.get(model, 0, digits[0])
    assert cache.misses == 4
    other = build_cnn(8, seed=1)
    assert cache.get(other, 0, digits[0]) is not first  # a new model clears the cache
    assert cache.misses == 5


# -- the pooling window -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [((-3, -8), (0, 0)), ((30, 40), (24, 24)), ((13, 7), (12, 6)), ((24, 25), (24, 24))],
)
def test_clamp_window_aligns_and_stays_inside(wanted, expected):
    assert clamp_window(*wanted, (28, 28)) == expected


def test_clamp_window_on_odd_maps_stays_on_the_pool_grid():
    # 7 columns: windows may start at 0 or 2 only (start 3 would split a pooling block).
    assert clamp_window(9, 9, (7, 7)) == (2, 2)
    with pytest.raises(ValueError):
        clamp_window(0, 0, (3, 8))


def test_move_window_steps_two_pixels_and_stops_at_edges():
    shape = (28, 28)
    assert move_window((10, 10), 1, 0, shape) == (12, 10)
    assert move_window((10, 10), 0, -1, shape) == (10, 8)
    assert move_window((0, 0), -1, -1, shape) == (0, 0)
    assert move_window((24, 24), 1, 1, shape) == (24, 24)
    corner = (0, 0)
    for _ in range(20):
        corner = move_window(corner, 1, 1, shape)
    assert corner == (24, 24)


def test_strongest_window_contains_the_peak_and_is_aligned(rng_module):
    for _ in range(50):
        fmap = np.maximum(rng_module.normal(size=(28, 28)), 0) * (rng_module.random() < 0.9)
        fmap[rng_module.random((28, 28)) < 0.7] = 0
        corner = strongest_window(fmap)
        if not fmap.any():
            assert corner is None
            continue
        r, c = corner
        assert r % 2 == 0 and c % 2 == 0
        assert 0 <= r <= 28 - PATCH and 0 <= c <= 28 - PATCH
        window = fmap[r : r + PATCH, c : c + PATCH]
        assert window.max() == fmap.max()


def test_strongest_window_never_opens_on_zeros_when_one_value_is_nonzero():
    for r, c in [(0, 0), (27, 27), (13, 26), (26, 1), (5, 14)]:
        fmap = np.zeros((28, 28))
        fmap[r, c] = 1e-6
        row, col = strongest_window(fmap)
        assert fmap[row : row + PATCH, col : col + PATCH].any()


def test_strongest_window_prefers_the_larger_sum_on_equal_peaks():
    fmap = np.zeros((28, 28))
    fmap[2, 2] = 1.0
    fmap[20, 20] = 1.0
    fmap[23, 23] = 0.5  # only the window at (20, 20) holds both
    assert strongest_window(fmap) == (20, 20)


def test_strongest_window_of_zeros_is_none():
    assert strongest_window(np.zeros((28, 28))) is None


def test_pool_zoom_matches_the_engines_max_pool(model, digits):
    relu1 = trace(model, digits[0])["relu1"].values
    pool1 = trace(model, digits[0])["pool1"].values
    for channel in range(relu1.shape[-1]):
        for corner in [(0, 0), (24, 24), (10, 6), strongest_window(relu1[..., channel])]:
            if corner is None:
                continue
            zoom = pool_zoom(relu1[..., channel], pool1[..., channel], corner)
            blocks = zoom.patch.reshape(2, 2, 2, 2).max(axis=(1, 3))
            np.testing.assert_array_equal(zoom.pooled, blocks)
            for (wr, wc), value in zip(zoom.winners, zoom.pooled.ravel(), strict=True):
                assert zoom.patch[wr, wc] == value


def test_pool_zoom_equals_a_fresh_engine_pool_at_that_place(rng_module):
    fmap = rng_module.normal(size=(28, 28)).astype(np.float32)
    pooled = MaxPool2D(2).forward(fmap[np.newaxis, :, :, np.newaxis], train=False)[0, :, :, 0]
    zoom = pool_zoom(fmap, pooled, (13, 9))
    assert (zoom.row, zoom.col, zoom.pool_row, zoom.pool_col) == (12, 8, 6, 4)
    np.testing.assert_array_equal(zoom.pooled, pooled[6:8, 4:6])


def test_pool_zoom_winner_is_the_first_maximum_in_reading_order():
    fmap = np.zeros((4, 4))
    fmap[0, 1] = fmap[1, 0] = 2.0
    zoom = pool_zoom(fmap, fmap.reshape(2, 2, 2, 2).max(axis=(1, 3)), (0, 0))
    assert zoom.winners == ((0, 1), (0, 2), (2, 0), (2, 2))


# -- hand-made filters --------------------------------------------------------------------


def naive_correlation(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Zero-padded 3x3 cross-correlation with plain loops: obviously right, slow."""
    h, w = image.shape
    padded = np.zeros((h + 2, w + 2))
    padded[1:-1, 1:-1] = image
    out = np.zeros((h, w))
    for r in range(h):
        for c in range(w):
            total = 0.0
            for i in range(3):
                for j in range(3):
                    total += padded[r + i, c + j] * kernel[i, j]
            out[r, c] = total
    return out


def test_classic_responses_equal_a_naive_loop(digits):
    image = digits[1, :, :, 0]
    responses = classic_responses(digits[1])
    assert responses.shape == (28, 28, len(CLASSIC_FILTERS))
    for k, classic in enumerate(CLASSIC_FILTERS):
        expected = naive_correlation(image, classic.kernel.astype(np.float64))
        np.testing.assert_allclose(responses[..., k], expected, atol=1e-5)


def test_vertical_edge_filter_sees_a_vertical_edge():
    image = np.zeros((28, 28), np.float32)
    image[:, 14:] = 1.0
    response = classic_responses(image)[..., 0]
    assert response[10, 13] > 0 and response[10, 14] > 0
    assert response[10, 5] == 0 and response[10, 20] == 0


# -- the layer-by-layer view --------------------------------------------------------------


def test_dimension_table_comes_from_the_model_summary(model):
    rows = dimension_table(model)
    assert [r.stage for r in rows] == ["input"] + [info.name for info in model.summary()]
    assert rows[0].shape == "28×28×1"
    conv1 = rows[1]
    assert (conv1.shape, conv1.params) == ("28×28×8", 3 * 3 * 1 * 8 + 8)
    assert sum(r.params for r in rows) == model.n_params
    assert next(r for r in rows if r.stage == "flatten").shape == "784"


def test_channel_counts_and_wrapping(model):
    assert channel_count(model, "relu1") == 8
    assert channel_count(model, "pool2") == 16
    assert channel_count(model, "input") == 1
    assert stage_channel(10, 8) == 2
    assert stage_channel(10, 16) == 10


@pytest.mark.parametrize(
    ("length", "expected"), [(10, (1, 10)), (128, (2, 64)), (784, (14, 56)), (97, (2, 64))]
)
def test_strip_layout(length, expected):
    assert strip_layout(length) == expected


def test_as_strip_keeps_reading_order_and_pads_with_nan():
    strip = as_strip(np.arange(97.0))
    assert strip.shape == (2, 64)
    np.testing.assert_array_equal(strip.ravel()[:97], np.arange(97.0))
    assert np.isnan(strip.ravel()[97:]).all()
