"""Layer-level checks: naive references, finite differences, pooling routing, shapes."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import assert_close, numerical_grad

from tuicnn.nn.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
from tuicnn.nn.shapes import conv_output_size


def naive_conv(x, w, b, stride, pad):
    """Obviously-correct loop convolution: x (N,H,W,C), w (K,K,C,F) -> (N,Ho,Wo,F)."""
    n, h, wd, c = x.shape
    k, f = w.shape[0], w.shape[3]
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    ho = (h + 2 * pad - k) // stride + 1
    wo = (wd + 2 * pad - k) // stride + 1
    out = np.zeros((n, ho, wo, f))
    for ni in range(n):
        for i in range(ho):
            for j in range(wo):
                patch = xp[ni, i * stride : i * stride + k, j * stride : j * stride + k, :]
                for fi in range(f):
                    out[ni, i, j, fi] = np.sum(patch * w[..., fi]) + b[fi]
    return out


def make_conv(rng, c_in, c_out, k, stride, pad):
    layer = Conv2D(c_in, c_out, k, stride, pad)
    layer.initialize(rng, np.float64)
    layer.params["b"][:] = rng.standard_normal(c_out)
    return layer


CONV_CASES = [
    # (N, H, W, C_in, C_out, K, stride, pad)
    (2, 7, 7, 1, 3, 3, 1, 1),
    (2, 8, 5, 3, 4, 3, 2, 0),
    (1, 9, 6, 2, 2, 3, 2, 1),
    (3, 6, 7, 2, 5, 2, 1, 2),
    (2, 5, 9, 4, 3, 5, 2, 2),
    (1, 10, 4, 3, 2, 1, 3, 0),
]


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_forward_matches_naive_loops(rng, case):
    n, h, w, c, f, k, s, p = case
    layer = make_conv(rng, c, f, k, s, p)
    x = rng.standard_normal((n, h, w, c))
    expected = naive_conv(x, layer.params["W"], layer.params["b"], s, p)
    got = layer.forward(x)
    assert got.shape == expected.shape == (n, *layer.output_shape((h, w, c)))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_gradients_match_finite_differences(rng, case):
    n, h, w, c, f, k, s, p = case
    layer = make_conv(rng, c, f, k, s, p)
    x = rng.standard_normal((n, h, w, c))
    upstream = rng.standard_normal((n, *layer.output_shape((h, w, c))))

    def loss() -> float:
        return float(np.sum(layer.forward(x, train=False) * upstream))

    layer.forward(x)
    dx = layer.backward(upstream)
    assert_close(dx, numerical_grad(loss, x))
    for key in ("W", "b"):
        assert_close(layer.grads[key], numerical_grad(loss, layer.params[key]))


def test_conv_first_layer_skips_input_gradient(rng):
    layer = make_conv(rng, 1, 2, 3, 1, 1)
    layer.needs_input_grad = False
    x = rng.standard_normal((1, 5, 5, 1))
    layer.forward(x)
    assert layer.backward(np.ones((1, 5, 5, 2))) is None
    assert np.abs(layer.grads["W"]).sum() > 0


def test_conv_rejects_wrong_channel_count(rng):
    with pytest.raises(ValueError, match="channels"):
        Conv2D(3, 4).output_shape((8, 8, 1))


def test_maxpool_forward_and_routing_to_the_maximum():
    x = np.array([[1, 3, 2, 4], [5, 6, 1, 2], [3, 8, 4, 7], [1, 2, 6, 3]], dtype=float)
    layer = MaxPool2D(2)
    y = layer.forward(x[None, :, :, None])
    np.testing.assert_array_equal(y[0, :, :, 0], [[6, 4], [8, 7]])
    dx = layer.backward(np.array([[10.0, 20.0], [30.0, 40.0]])[None, :, :, None])[0, :, :, 0]
    expected = np.zeros((4, 4))
    expected[1, 1], expected[0, 3], expected[2, 1], expected[2, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(dx, expected)


def test_maxpool_ties_send_gradient_to_one_input_only():
    layer = MaxPool2D(2)
    layer.forward(np.zeros((1, 2, 2, 1)))
    dx = layer.backward(np.ones((1, 1, 1, 1)))
    assert dx.sum() == 1 and np.count_nonzero(dx) == 1


def test_maxpool_odd_sizes_drop_the_last_row_and_column(rng):
    layer = MaxPool2D(2)
    x = rng.standard_normal((2, 7, 5, 3))
    y = layer.forward(x)
    assert y.shape == (2, 3, 2, 3)
    np.testing.assert_array_equal(y, x[:, :6, :4].reshape(2, 3, 2, 2, 2, 3).max(axis=(2, 4)))
    dx = layer.backward(np.ones_like(y))
    assert dx.shape == x.shape and dx[:, 6].sum() == 0 and dx[:, :, 4].sum() == 0


def test_maxpool_gradient_matches_finite_differences(rng):
    layer = MaxPool2D(2)
    x = rng.standard_normal((2, 6, 4, 3))  # distinct values: no ties
    upstream = rng.standard_normal((2, 3, 2, 3))
    layer.forward(x)
    dx = layer.backward(upstream)
    assert_close(dx, numerical_grad(lambda: float(np.sum(layer.forward(x, False) * upstream)), x))


def test_relu_and_flatten_gradients(rng):
    x = rng.standard_normal((3, 4, 2, 2))
    relu, flat = ReLU(), Flatten()
    upstream = rng.standard_normal((3, 16))

    def loss() -> float:
        return float(np.sum(flat.forward(relu.forward(x, False), False) * upstream))

    relu.forward(x)
    flat.forward(x)
    dx = relu.backward(flat.backward(upstream))
    assert_close(dx, numerical_grad(loss, x))


def test_dense_gradients(rng):
    layer = Dense(5, 3)
    layer.initialize(rng, np.float64)
    x = rng.standard_normal((4, 5))
    upstream = rng.standard_normal((4, 3))

    def loss() -> float:
        return float(np.sum(layer.forward(x, False) * upstream))

    layer.forward(x)
    dx = layer.backward(upstream)
    assert_close(dx, numerical_grad(loss, x))
    for key in ("W", "b"):
        assert_close(layer.grads[key], numerical_grad(loss, layer.params[key]))


def test_he_initialisation_scale():
    layer = Conv2D(16, 64, 3)
    layer.initialize(np.random.default_rng(0), np.float32)
    w = layer.params["W"]
    assert w.dtype == np.float32
    assert abs(w.std() - np.sqrt(2 / (9 * 16))) < 0.01
    assert not layer.params["b"].any()


@pytest.mark.parametrize(
    ("h", "k", "p", "s", "expected"),
    [(28, 3, 1, 1, 28), (28, 2, 0, 2, 14), (7, 2, 0, 2, 3), (32, 5, 0, 1, 28),
     (227, 11, 0, 4, 55), (5, 5, 0, 1, 1), (1, 3, 1, 1, 1)],
)
def test_output_size_formula(h, k, p, s, expected):
    assert conv_output_size(h, k, p, s) == expected


@pytest.mark.parametrize(("h", "k", "p", "s"), [(2, 5, 1, 1), (0, 3, 1, 1), (5, 3, -1, 1),
                                                (5, 3, 0, 0)])
def test_output_size_rejects_impossible_combinations(h, k, p, s):
    with pytest.raises(ValueError):
        conv_output_size(h, k, p, s)


def naive_maxpool(x, k, s, p):
    """Loop max-pool with -inf padding; the gradient map routes each window's upstream value
    to its first maximum in reading order. Returns ``(y, route)`` where ``route(dy) -> dx``."""
    n, h, w, c = x.shape
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), constant_values=-np.inf)
    ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    y = np.zeros((n, ho, wo, c))
    where = np.zeros((n, ho, wo, c, 2), dtype=int)
    for ni in range(n):
        for i in range(ho):
            for j in range(wo):
                for ci in range(c):
                    window = xp[ni, i * s : i * s + k, j * s : j * s + k, ci]
                    a, b = np.unravel_index(np.argmax(window), window.shape)  # first max
                    y[ni, i, j, ci] = window[a, b]
                    where[ni, i, j, ci] = (i * s + a, j * s + b)

    def route(dy):
        dxp = np.zeros(xp.shape)
        for idx in np.ndindex(*y.shape):
            ni, _, _, ci = idx
            a, b = where[idx]
            dxp[ni, a, b, ci] += dy[idx]
        return dxp[:, p : p + h, p : p + w, :]

    return y, route


POOL_CASES = [
    # (N, H, W, C, size, stride, pad)
    (2, 7, 7, 2, 3, 2, 0),  # AlexNet-style overlapping 3x3 stride 2
    (1, 8, 5, 3, 3, 1, 1),  # stride 1, padded ("same" size)
    (2, 6, 9, 1, 2, 1, 0),
    (1, 9, 7, 2, 3, 2, 1),  # ResNet stem pool
    (2, 5, 6, 2, 2, 3, 1),  # stride larger than the window
    (1, 6, 4, 2, 2, 2, 0),  # the fast path, for comparison
]


@pytest.mark.parametrize("case", POOL_CASES)
def test_maxpool_general_forward_and_backward_match_naive_loops(rng, case):
    n, h, w, c, k, s, p = case
    layer = MaxPool2D(k, s, p)
    x = rng.standard_normal((n, h, w, c))
    expected, route = naive_maxpool(x, k, s, p)
    y = layer.forward(x)
    assert y.shape == expected.shape == (n, *layer.output_shape((h, w, c)))
    np.testing.assert_array_equal(y, expected)
    upstream = rng.standard_normal(y.shape)
    np.testing.assert_allclose(layer.backward(upstream), route(upstream), rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", POOL_CASES[:5])
def test_maxpool_general_gradient_matches_finite_differences(rng, case):
    n, h, w, c, k, s, p = case
    layer = MaxPool2D(k, s, p)
    x = rng.standard_normal((n, h, w, c))  # distinct values: no ties
    upstream = rng.standard_normal((n, *layer.output_shape((h, w, c))))
    layer.forward(x)
    dx = layer.backward(upstream)
    assert_close(dx, numerical_grad(lambda: float(np.sum(layer.forward(x, False) * upstream)), x))


def test_overlapping_maxpool_sums_gradients_of_shared_maxima():
    # On a 4x4 image, all four 3x3 stride-1 windows contain the pixel at (1, 1).
    x = np.zeros((1, 4, 4, 1))
    x[0, 1, 1, 0], x[0, 2, 2, 0], x[0, 3, 3, 0] = 5.0, 4.0, 9.0
    layer = MaxPool2D(3, stride=1)
    y = layer.forward(x)
    np.testing.assert_array_equal(y[0, :, :, 0], [[5, 5], [5, 9]])
    dx = layer.backward(np.array([[1.0, 2.0], [3.0, 4.0]])[None, :, :, None])[0, :, :, 0]
    assert dx[1, 1] == 1 + 2 + 3 and dx[3, 3] == 4 and dx.sum() == 10


def test_maxpool_ties_in_overlapping_windows_go_to_one_input_each():
    layer = MaxPool2D(2, stride=1, padding=1)
    y = layer.forward(np.zeros((1, 3, 3, 1)))
    dx = layer.backward(np.ones_like(y))
    assert dx.sum() == y.size  # each window sends its gradient to exactly one input


def test_maxpool_padding_never_wins_and_defaults_keep_the_old_layer():
    layer = MaxPool2D(3, 2, 1)
    x = -np.ones((1, 5, 5, 1)) * np.arange(1, 26).reshape(1, 5, 5, 1)
    assert np.isfinite(layer.forward(x)).all() and layer.forward(x).max() == -1
    assert layer.describe() == "MaxPool 3×3, stride 2, pad 1"
    plain = MaxPool2D(2)
    assert (plain.size, plain.stride, plain.padding) == (2, 2, 0)
    assert plain.describe() == "MaxPool 2×2, stride 2"
    assert MaxPool2D(3, 2).output_shape((55, 55, 96)) == (27, 27, 96)


@pytest.mark.parametrize("kwargs", [{"size": 0}, {"size": 2, "stride": 0},
                                    {"size": 3, "padding": 2}, {"size": 2, "padding": -1}])
def test_maxpool_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError):
        MaxPool2D(**kwargs)


@pytest.mark.parametrize("channels", [1, 2, 3])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_patches_by_index_gather_equal_patches_by_window_view(monkeypatch, channels, stride, k):
    """Few channels take the gather path of ``_patches``; it must give exactly the rows the
    window-view path gives, for any kernel, stride and a non-square image."""
    from tuicnn.nn import layers

    x = np.random.default_rng(channels).random((3, 11, 9, channels), dtype=np.float32)
    monkeypatch.setattr(layers, "GATHER_MAX_CHANNELS", 8)
    gathered = layers._patches(x, k, stride)
    monkeypatch.setattr(layers, "GATHER_MAX_CHANNELS", 0)
    viewed = layers._patches(x, k, stride)
    assert gathered.shape == viewed.shape == (3 * ((11 - k) // stride + 1)
                                               * ((9 - k) // stride + 1), k * k * channels)
    np.testing.assert_array_equal(gathered, viewed)
