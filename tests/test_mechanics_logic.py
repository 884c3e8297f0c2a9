"""The Mechanics lessons against independent computations: the engine's forward pass, naive
loops, the Architectures numbers and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from tuicnn.lessons.conv_lab import (
    LabSettings,
    hand_made_kernel,
    lab_conv,
    lab_kernel,
    pool,
    visited,
    window_starts,
)
from tuicnn.lessons.conv_step import conv_step
from tuicnn.lessons.receptive_field import (
    RF_LAYERS,
    input_box,
    input_gradient,
    layers_up_to,
    support_box,
)
from tuicnn.lessons.weight_sharing import weight_sharing
from tuicnn.nn.architectures import app_architectures, summarize
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.nn.tracing import trace


@pytest.fixture(scope="module")
def cnn_and_image(trained):
    """The tiny workspace's trained CNN and a test digit with ink in the middle."""
    return trained.cnn.model, trained.split.x_test[3]


@pytest.mark.parametrize("layer", ["conv1", "conv2"])
@pytest.mark.parametrize("cell", [(0, 0), (7, 5), (13, 13)])
def test_step_sum_and_relu_match_the_engine(cnn_and_image, layer, cell):
    model, image = cnn_and_image
    result = trace(model, image)
    channel = 3 if layer == "conv1" else 11
    step = conv_step(model, result, layer, channel, *cell)
    assert step.total == pytest.approx(step.products.sum() + step.bias)
    assert step.total == pytest.approx(step.map_pre, abs=1e-5)
    assert step.relu == pytest.approx(step.map_value, abs=1e-5)
    assert step.relu == pytest.approx(result["relu1" if layer == "conv1" else "relu2"]
                                      .values[cell[0], cell[1], channel], abs=1e-5)
    assert step.window.shape == step.weights.shape == (model.layer(layer).in_channels, 3, 3)


def test_step_pads_with_zeros_outside_the_image(cnn_and_image):
    model, image = cnn_and_image
    step = conv_step(model, trace(model, image), "conv1", 0, 0, 27)
    assert step.padded[0].all() and step.padded[:, 2].all() and not step.padded[1, 1]
    assert (step.window[0][step.padded] == 0).all()
    assert step.window[0, 1, 1] == image[0, 27, 0]


@pytest.mark.parametrize(("layer", "channel", "cell", "words"), [
    ("conv3", 0, (0, 0), "layer must be"),
    ("conv1", 8, (0, 0), "channel 8 is out of range"),
    ("conv2", 0, (14, 0), "outside conv2"),
])
def test_step_rejects_bad_arguments(cnn_and_image, layer, channel, cell, words):
    model, image = cnn_and_image
    with pytest.raises(ValueError, match=words):
        conv_step(model, trace(model, image), layer, channel, *cell)


def naive_lab_conv(image, kernel, s: LabSettings):
    p, st, d, k = s.padding, s.stride, s.dilation, s.kernel
    padded = np.zeros((image.shape[0] + 2 * p, image.shape[1] + 2 * p))
    padded[p:p + image.shape[0], p:p + image.shape[1]] = image
    span = d * (k - 1) + 1
    out = []
    for top in range(0, padded.shape[0] - span + 1, st):
        row = []
        for left in range(0, padded.shape[1] - span + 1, st):
            row.append(sum(padded[top + i * d, left + j * d] * kernel[i, j]
                           for i in range(k) for j in range(k)))
        out.append(row)
    return np.array(out)


@pytest.mark.parametrize("settings", [LabSettings(3, 1, 1, 1), LabSettings(3, 0, 2, 2),
                                      LabSettings(5, 2, 3, 1), LabSettings(2, 4, 4, 4),
                                      LabSettings(7, 0, 1, 4), LabSettings(1, 0, 1, 1)])
def test_lab_conv_matches_a_naive_loop(cnn_and_image, settings):
    _, image = cnn_and_image
    kernel = np.random.default_rng(0).standard_normal((settings.kernel, settings.kernel))
    result = lab_conv(image[:, :, 0], kernel, settings)
    expected = naive_lab_conv(image[:, :, 0].astype(np.float64), kernel, settings)
    assert result.shape == expected.shape == (settings.output_size(28),) * 2
    np.testing.assert_allclose(result, expected, atol=1e-12)
    assert len(window_starts(28, settings)) == result.shape[0]


def test_lab_with_the_cnn_filter_is_the_engine_conv1_without_bias(cnn_and_image):
    model, image = cnn_and_image
    kernel = lab_kernel(model.layer("conv1").params["W"], 3, 2, hand_made=False)
    assert kernel.learned and "conv1 filter 2" in kernel.label
    pre = trace(model, image)["conv1"].values[:, :, 2]
    out = lab_conv(image[:, :, 0], kernel.weights, LabSettings(3, 1, 1, 1))
    np.testing.assert_allclose(out + model.layer("conv1").params["b"][2], pre, atol=1e-5)
    assert not lab_kernel(model.layer("conv1").params["W"], 5, 2, False).learned
    assert "hand-made" in lab_kernel(None, 3, 0, True).label


def test_lab_formula_visits_and_pooling():
    settings = LabSettings(3, 1, 2, 2)
    assert settings.effective_kernel == 5
    assert settings.formula(28).endswith("= 13")
    assert window_starts(28, settings)[:3] == [-1, 1, 3]
    counts = visited((28, 28), settings)
    assert counts.shape == (30, 30) and counts.sum() == 13 * 13 * 9
    assert counts[0, 1] == 0  # dilation 2 skips every other pixel from the start at -1
    fmap = np.arange(16.0).reshape(4, 4)
    np.testing.assert_array_equal(pool(fmap, "max"), [[5, 7], [13, 15]])
    np.testing.assert_array_equal(pool(fmap, "average"), [[2.5, 4.5], [10.5, 12.5]])
    assert "wider than the padded input" in LabSettings(7, 0, 1, 4).with_setting(
        "dilation", 5).formula(20)
    assert hand_made_kernel(4).sum() == pytest.approx(0)
    with pytest.raises(ValueError, match="kernel must be between"):
        LabSettings(9).check()


def test_boxes_agree_with_the_architectures_tab():
    model = build_cnn(8, seed=0)
    rows = {row.name: row.receptive_field for row in summarize(app_architectures(128, 8)[1]).rows}
    for layer in RF_LAYERS:
        box = input_box(model, layer, 3, 3)  # an interior cell: nothing clipped
        assert box.height == box.width == box.side == rows[layer]
    assert [rows[layer] for layer in RF_LAYERS] == [3, 4, 8, 10]
    corner = input_box(model, "pool2", 0, 0)
    assert (corner.top, corner.left, corner.bottom, corner.right) == (0, 0, 6, 6)


@pytest.mark.parametrize("layer", RF_LAYERS)
def test_gradient_lies_inside_the_box(cnn_and_image, layer):
    model, image = cnn_and_image
    shape = image.shape
    for cell in [(0, 0), (3, 2), (6, 6)]:
        box = input_box(model, layer, *cell)
        gradient = input_gradient(model, image, layer, 1, *cell)
        assert gradient.shape == shape[:2]
        support = support_box(gradient)
        if support is not None:
            top, left, bottom, right = support
            assert box.top <= top and box.left <= left
            assert bottom <= box.bottom and right <= box.right
    conv1 = input_gradient(model, image, "conv1", 1, 5, 5)
    assert support_box(conv1) == (4, 4, 6, 6)  # conv1: exactly the filter's 3×3


def test_gradient_matches_finite_differences():
    model = build_cnn(4, seed=3, dtype=np.float64)
    image = np.random.default_rng(1).random((28, 28, 1))
    layer_names = [layer.name for layer in layers_up_to(model, "conv2")]

    def cell(x):
        out = x.reshape(1, 28, 28, 1)
        for name in layer_names:
            out = model.layer(name).forward(out, train=False)
        return out[0, 4, 5, 2]

    gradient = input_gradient(model, image, "conv2", 2, 4, 5)
    for r, c in [(6, 8), (8, 10), (7, 9), (10, 12)]:
        bumped = image.copy()
        bumped[r, c, 0] += 1e-6
        lowered = image.copy()
        lowered[r, c, 0] -= 1e-6
        assert gradient[r, c] == pytest.approx((cell(bumped) - cell(lowered)) / 2e-6, abs=1e-6)


def test_tracer_leaves_the_model_untouched(cnn_and_image):
    model, image = cnn_and_image
    before = {name: grad.copy() for name, _, grad in model.parameters()}
    input_gradient(model, image, "pool2", 0, 3, 3)
    for name, _, grad in model.parameters():
        np.testing.assert_array_equal(grad, before[name])
    assert model.layers[0].needs_input_grad is False


def test_weight_sharing_uses_the_same_weights_and_counts_them(cnn_and_image):
    model, image = cnn_and_image
    fc = build_fc(32, seed=0)
    result = weight_sharing(model, fc, trace(model, image), 2, 5, (4, 4), (20, 0))
    assert result.cnn_same and not result.fc_same
    conv1 = model.layer("conv1").params["W"]
    np.testing.assert_array_equal(result.a.cnn_weights, conv1[:, :, 0, 2])
    np.testing.assert_array_equal(result.a.fc_weights,
                                  fc.layer("fc").params["W"][:, 5].reshape(28, 28)[3:6, 3:6])
    assert np.isnan(result.b.fc_weights[:, 0]).all()  # column -1 is off the image
    assert result.conv_weights == 9 * 8 and result.fc_weights == 784 * 32
