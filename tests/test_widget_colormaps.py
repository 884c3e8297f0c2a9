"""Colour maps: ramps, normalisation, shade characters and legend numbers."""

from __future__ import annotations

import numpy as np
import pytest

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
from tuicnn.widgets.heatmap import format_values

pytestmark = pytest.mark.usefixtures("colour_terminal")


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
