"""Drawing preprocessing, shifting and the soft brush, checked against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from tuicnn.data.transforms import (
    BOX,
    brush_stamp,
    centre_of_mass,
    ink_bbox,
    preprocess_drawing,
    resample_weights,
    resize,
    shift_images,
    soft_brush,
    soft_line,
)


def blank() -> np.ndarray:
    return np.zeros((28, 28))


# -- resampling ------------------------------------------------------------------------------


@pytest.mark.parametrize(("n_in", "n_out"), [(5, 20), (26, 20), (20, 20), (28, 7), (1, 20)])
def test_resample_rows_sum_to_one(n_in, n_out):
    weights = resample_weights(n_in, n_out)
    assert weights.shape == (n_out, n_in)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    assert (weights >= 0).all()


def test_area_downsampling_by_two_averages_pairs():
    np.testing.assert_allclose(resize([[0, 1, 1, 1]], 1, 2), [[0.5, 1.0]])


def test_area_downsampling_partial_overlap():
    # 3 -> 2: output 0 covers input [0, 1.5): (1 * a + 0.5 * b) / 1.5.
    np.testing.assert_allclose(resample_weights(3, 2), [[2 / 3, 1 / 3, 0], [0, 1 / 3, 2 / 3]])


def test_bilinear_upsampling_by_two():
    # Half-pixel centres: outputs sit at input positions -0.25 (clamped), 0.25, 0.75, 1.25.
    np.testing.assert_allclose(resize([[0.0, 1.0]], 1, 4), [[0.0, 0.25, 0.75, 1.0]])


def test_resize_keeps_constant_images_constant():
    np.testing.assert_allclose(resize(np.ones((7, 3)), 20, 9), np.ones((20, 9)))
    np.testing.assert_allclose(resize(np.ones((26, 13)), 20, 10), np.ones((20, 10)))


# -- preprocessing ---------------------------------------------------------------------------


def test_empty_canvas_gives_none():
    assert preprocess_drawing(blank()) is None


def test_practically_empty_canvas_gives_none():
    canvas = blank()
    canvas[3, 4] = 0.3  # a speck, less than half a pixel of ink
    assert preprocess_drawing(canvas) is None


def test_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match="28, 28"):
        preprocess_drawing(np.zeros((20, 20)))


def test_bounding_box_ignores_faint_residue():
    canvas = blank()
    canvas[5:9, 10:12] = 1.0
    canvas[20, 20] = 0.01  # eraser residue below the ink threshold
    assert ink_bbox(canvas) == (5, 9, 10, 12)


def test_tall_rectangle_scales_to_20_on_long_side():
    # A 10 x 5 block of full ink: scale 2 -> exactly 20 x 10 of full ink, nothing else.
    canvas = blank()
    canvas[4:14, 8:13] = 1.0
    out = preprocess_drawing(canvas)
    assert out is not None
    assert out.shape == (28, 28) and out.dtype == np.float32
    top, bottom, left, right = ink_bbox(out)
    assert (bottom - top, right - left) == (BOX, 10)
    np.testing.assert_allclose(out[top:bottom, left:right], 1.0)
    assert out.sum() == pytest.approx(200.0)
    # Centre of mass of rows 0..19 is 9.5 -> top = round(14 - 9.5) = 5 (halves up): rows 5..24.
    assert (top, left) == (5, 10)  # cols: mass centre 4.5 -> left = round(9.5) = 10


def test_wide_rectangle_is_shrunk_to_20_keeping_aspect():
    # 13 x 26 block -> 10 x 20 (area averaging of a constant stays 1).
    canvas = blank()
    canvas[1:14, 1:27] = 1.0
    out = preprocess_drawing(canvas)
    top, bottom, left, right = ink_bbox(out)
    assert (bottom - top, right - left) == (10, BOX)
    np.testing.assert_allclose(out[top:bottom, left:right], 1.0)


def test_centre_of_mass_lands_on_14_14():
    canvas = blank()
    soft_line(canvas, (2.0, 3.0), (9.0, 12.0), size=2)  # a small stroke in a corner
    soft_brush(canvas, 3.0, 10.0, size=3)
    out = preprocess_drawing(canvas)
    row, col = centre_of_mass(out)
    assert abs(row - 14.0) <= 0.5
    assert abs(col - 14.0) <= 0.5


def test_centring_never_cuts_ink():
    # An L whose mass sits far to the left: centring by mass wants to move it right by more
    # than the frame allows, so it is clamped at the border and keeps all its ink.
    canvas = blank()
    canvas[2:26, 2:6] = 1.0
    canvas[22:26, 2:20] = 0.05
    out = preprocess_drawing(canvas)
    top, bottom, left, right = ink_bbox(out)
    assert top >= 0 and bottom <= 28 and left >= 0 and right <= 28
    assert max(bottom - top, right - left) == BOX


def test_preprocess_clips_out_of_range_values():
    canvas = blank()
    canvas[10:20, 10:15] = 3.0
    out = preprocess_drawing(canvas)
    assert out.max() == pytest.approx(1.0)


# -- shifting --------------------------------------------------------------------------------


def test_shift_zero_is_an_identity_copy():
    images = np.random.default_rng(0).random((3, 28, 28, 1)).astype(np.float32)
    out = shift_images(images, 0, 0)
    np.testing.assert_array_equal(out, images)
    assert out is not images and not np.shares_memory(out, images)


def test_shift_right_and_down_zeroes_vacated_borders():
    images = np.arange(1, 26, dtype=float).reshape(1, 5, 5)
    out = shift_images(images, 2, 1)
    np.testing.assert_array_equal(out[0, 1:, 2:], images[0, :4, :3])
    assert (out[0, 0, :] == 0).all() and (out[0, :, :2] == 0).all()


def test_negative_shift_moves_left_and_up():
    images = np.arange(1, 26, dtype=float).reshape(1, 5, 5, 1)
    out = shift_images(images, -1, -3)
    np.testing.assert_array_equal(out[0, :2, :4], images[0, 3:, 1:])
    assert (out[0, 2:] == 0).all() and (out[0, :, 4] == 0).all()


def test_shift_past_the_edge_gives_blank_images():
    images = np.ones((2, 28, 28))
    assert shift_images(images, 28, 0).sum() == 0
    assert shift_images(images, 0, -30).sum() == 0


def test_shift_keeps_shape_and_dtype():
    images = np.ones((4, 28, 28, 1), dtype=np.float32)
    out = shift_images(images, 3, 3)
    assert out.shape == images.shape and out.dtype == np.float32
    assert out.sum() == 4 * 25 * 25


def test_shift_rejects_bad_input():
    with pytest.raises(ValueError):
        shift_images(np.ones((28, 28)), 1, 0)
    with pytest.raises(TypeError):
        shift_images(np.ones((1, 28, 28)), 1.5, 0)


# -- brush -----------------------------------------------------------------------------------


def test_brush_size_1_by_hand():
    canvas = soft_brush(blank(), 10, 10, size=1)
    # Core radius 0.5, edge 1: distance 1 -> 0.5, sqrt(2) -> 1.5 - 1.414 = 0.086, 2 -> 0.
    assert canvas[10, 10] == 1.0
    assert canvas[10, 11] == pytest.approx(0.5)
    assert canvas[11, 11] == pytest.approx(1.5 - np.sqrt(2))
    assert canvas[10, 12] == 0.0


def test_brush_size_3_by_hand():
    canvas = soft_brush(blank(), 10, 10, size=3)
    assert canvas[11, 11] == 1.0  # sqrt(2) < core radius 1.5
    assert canvas[10, 12] == pytest.approx(0.5)
    assert canvas[11, 12] == pytest.approx(2.5 - np.sqrt(5))
    assert canvas[12, 12] == 0.0


def test_bigger_brushes_leave_more_ink():
    totals = [soft_brush(blank(), 14, 14, size=s).sum() for s in (1, 2, 3)]
    assert totals[0] < totals[1] < totals[2]


def test_brush_between_pixel_rows_is_symmetric():
    # A half-block cell covers rows 2y and 2y+1: painting at 2y + 0.5 inks both equally.
    canvas = soft_brush(blank(), 8.5, 5, size=2)
    np.testing.assert_allclose(canvas[8], canvas[9])


def test_painting_max_blends_and_erasing_lowers():
    canvas = blank()
    soft_brush(canvas, 10, 10, size=2)
    soft_brush(canvas, 10, 10, size=2)
    assert canvas.max() == 1.0  # painting twice never goes past full ink
    before = canvas.copy()
    soft_brush(canvas, 10, 11, size=1, erase=True)
    assert (canvas <= before).all()
    assert canvas[10, 11] == 0.0
    assert canvas[10, 10] == pytest.approx(0.5)


def test_brush_near_the_edge_and_bad_size():
    canvas = soft_brush(blank(), 0, 27, size=3)
    assert canvas[0, 27] == 1.0
    with pytest.raises(ValueError, match="1, 2 or 3"):
        brush_stamp(3, 3, 4, (28, 28))


def test_line_is_continuous_and_equals_dabs_at_its_ends():
    canvas = soft_line(blank(), (5.0, 2.0), (5.0, 20.0), size=1)
    assert (canvas[5, 2:21] == 1.0).all()
    np.testing.assert_allclose(canvas[4, 2:21], 0.5)
    single = soft_line(blank(), (7.0, 7.0), (7.0, 7.0), size=2)
    np.testing.assert_allclose(single, soft_brush(blank(), 7, 7, size=2))
