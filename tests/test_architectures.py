"""Published architectures from layer specifications: totals, shapes, receptive fields."""

from __future__ import annotations

import tracemalloc

import pytest

from tuicnn.lessons.output_size import output_size
from tuicnn.nn.architectures import (
    PUBLISHED,
    Architecture,
    all_architectures,
    app_architectures,
    summarize,
)
from tuicnn.nn.blocks import (
    BatchNorm2D,
    BiasFreeConv2D,
    Bottleneck,
    GlobalAvgPool2D,
    Residual,
    Window,
    window_of,
)
from tuicnn.nn.layers import Conv2D, MaxPool2D, ReLU
from tuicnn.nn.model import Sequential, cnn_layers, fc_layers

BY_KEY = {a.key: a for a in PUBLISHED}


def rows_by_name(key: str) -> dict:
    return {row.name: row for row in summarize(BY_KEY[key]).rows}


@pytest.mark.parametrize(
    ("key", "total"),
    [("fc224", 150_529_000), ("lenet5", 61_706), ("alexnet", 62_378_344),
     ("vgg16", 138_357_544), ("resnet50", 25_557_032)],
)
def test_published_totals_exactly(key, total):
    assert summarize(BY_KEY[key]).total_params == total


@pytest.mark.parametrize(("hidden", "filters"), [(128, 8), (32, 4), (512, 16)])
def test_app_models_match_the_engine(hidden, filters):
    fc, cnn = (summarize(a) for a in app_architectures(hidden, filters))
    assert fc.total_params == Sequential(fc_layers(hidden)).n_params == 784 * hidden + hidden + (
        hidden * 10 + 10
    )
    assert cnn.total_params == Sequential(cnn_layers(filters)).n_params
    assert cnn.rows[-1].output_shape == (10,)
    assert (fc.depth, cnn.depth) == (2, 4)


def test_alexnet_shapes():
    rows = rows_by_name("alexnet")
    assert rows["conv1"].output_shape == (55, 55, 96)
    assert rows["pool1"].output_shape == (27, 27, 96)
    assert rows["pool5"].output_shape == (6, 6, 256)
    assert rows["flatten"].output_shape == (9216,)
    assert rows["fc6"].n_params == 9216 * 4096 + 4096


def test_resnet50_shapes_and_blocks():
    summary = summarize(BY_KEY["resnet50"])
    rows = {row.name: row for row in summary.rows}
    assert rows["maxpool"].output_shape == (56, 56, 64)
    assert rows["layer4.2"].output_shape == (7, 7, 2048)  # before the global pool
    assert rows["avgpool"].output_shape == (2048,)
    assert rows["fc"].n_params == 2048 * 1000 + 1000
    assert summary.depth == 50
    # 3 + 4 + 6 + 3 = 16 bottlenecks; the first of each stage has a projection shortcut.
    assert sum(row.kind == "bottleneck" for row in summary.rows) == 16


def test_bottleneck_params_come_from_its_inner_layers():
    block = Bottleneck(64, 64, 1)  # ResNet-50's first block: 64 -> 256 needs a projection
    convs = 64 * 64 + 9 * 64 * 64 + 64 * 256
    bns = 2 * (64 + 64 + 256)
    projection = 64 * 256 + 2 * 256
    assert block.n_params == convs + bns + projection
    assert "shortcut.conv.W" in block.param_shapes()
    assert block.output_shape((56, 56, 64)) == (56, 56, 256)
    identity = Bottleneck(256, 64, 1)
    assert not identity.shortcut and identity.n_params == 70_400
    assert Bottleneck(256, 128, 2).output_shape((56, 56, 256)) == (28, 28, 512)


def test_residual_rejects_mismatched_paths():
    block = Residual([BiasFreeConv2D(8, 16, 3, 1, 1, name="c")], [], name="bad")
    with pytest.raises(ValueError, match="equal shapes"):
        block.output_shape((5, 5, 8))


def test_spec_layers():
    assert BatchNorm2D(64).n_params == 128
    assert BiasFreeConv2D(3, 64, 7, 2, 3).n_params == 7 * 7 * 3 * 64
    assert GlobalAvgPool2D().output_shape((7, 7, 2048)) == (2048,)
    with pytest.raises(NotImplementedError):
        BatchNorm2D(4).initialize(None, None)


def test_receptive_fields_of_a_small_known_case():
    # LeNet-5: 5x5 conv -> 2x2 pool -> 5x5 conv -> 2x2 pool: 5, 6, 6 + 4*2 = 14, 14 + 1*2 = 16.
    rows = rows_by_name("lenet5")
    assert [rows[n].receptive_field for n in ("c1", "s2", "c3", "s4")] == [5, 6, 14, 16]
    assert rows["tanh1"].receptive_field == 5  # element-wise: unchanged
    assert rows["flatten"].receptive_field is None and rows["output"].receptive_field is None


def test_receptive_fields_of_a_hand_built_stack():
    arch = Architecture("t", "t", (16, 16, 1), lambda: [
        Conv2D(1, 2, 3, 1, 1, name="a"), ReLU(name="r"), MaxPool2D(2, name="p"),
        Conv2D(2, 2, 3, 2, 0, name="b"), Conv2D(2, 2, 1, 1, 0, name="c")])
    assert [row.receptive_field for row in summarize(arch).rows] == [3, 3, 4, 8, 8]


@pytest.mark.parametrize(("key", "layer", "rf"),
                         [("vgg16", "pool5", 212), ("alexnet", "pool5", 195)])
def test_published_receptive_fields(key, layer, rf):
    assert rows_by_name(key)[layer].receptive_field == rf


def test_window_composition_matches_the_recurrence():
    # A 3x3 stride-2 conv then a 3x3 conv act as one 7x7 (3 + 2*2) stride-2 window.
    assert Window(3, 2, 1).then(Window(3, 1, 1)) == Window(7, 2, 3)
    assert window_of(Bottleneck(256, 128, 2)) == Window(3, 2, 1)
    assert window_of(ReLU()) == Window(1, 1, 0)


def test_fc_share_and_depth():
    vgg, resnet, alexnet = (summarize(BY_KEY[k]) for k in ("vgg16", "resnet50", "alexnet"))
    assert vgg.fc_params == 102_764_544 + 16_781_312 + 4_097_000
    assert vgg.fc_share == pytest.approx(0.8936, abs=1e-4)
    assert resnet.fc_share == pytest.approx(2_049_000 / 25_557_032)
    assert resnet.fc_share < 0.1
    assert (vgg.depth, alexnet.depth, summarize(BY_KEY["lenet5"]).depth) == (16, 8, 5)
    assert summarize(BY_KEY["fc224"]).fc_share == 1.0


def test_summaries_allocate_no_weights():
    tracemalloc.start()
    try:
        for arch in all_architectures(128, 8):
            summarize(arch)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000  # VGG-16's weights would be 553 MB


@pytest.mark.parametrize(
    ("args", "value"),
    [((28, 3, 1, 1), 28), ((28, 2, 0, 2), 14), ((227, 11, 0, 4), 55), ((5, 5, 0, 1), 1),
     (("224", " 7 ", "3", "2"), 112), ((7, 2, 0, 2), 3)],
)
def test_calculator_values(args, value):
    result = output_size(*args)
    assert result.ok and result.value == value
    assert result.message.endswith(f"= {value}") or "no window" in result.message


@pytest.mark.parametrize(
    ("args", "needle"),
    [(("", 3, 1, 1), "H is empty"), (("2.5", 3, 1, 1), "whole number, not '2.5'"),
     ((28, "abc", 1, 1), "K must be a whole number"), ((28, 3, -1, 1), "P must be 0 or more"),
     ((28, 3, 1, 0), "S must be at least 1"), ((0, 3, 1, 1), "H must be at least 1"),
     ((2, 5, 1, 1), "does not fit"), ((2, 9, 1, 2), "would be ⌊(4 − 9) / 2⌋ + 1 = -2"),
     (("9" * 5000, 3, 1, 1), "whole number"), ((10**7, 3, 1, 1), "too large"),
     ((28, 3, 1, True), "whole number"), ((28.0, 3, 1, 1), "whole number")],
)
def test_calculator_explains_impossible_or_mistyped_input(args, needle):
    result = output_size(*args)
    assert not result.ok and result.value is None
    assert needle in result.message and len(result.message) < 120


def test_calculator_notes_uncovered_edges():
    assert "the last 1 padded row fits no window" in output_size(7, 2, 0, 2).message
    assert "the last 2 padded rows fit no window" in output_size(8, 3, 0, 3).message
