"""Issue 14's claims pinned to the engine: the parameter split, the GAP head, shift training.

Every expected number is computed here from the engine (layer shapes, a forward pass,
finite differences, ``shift_images``), never typed in, except the three published AlexNet
totals, which are what the comparison is about.
"""

from __future__ import annotations

import argparse
import io
import json

import numpy as np
import pytest
from gradcheck import assert_close, numerical_grad

from tuicnn.cli.shift_command import run_shift_test
from tuicnn.cli.train_command import run_train
from tuicnn.data.dataset import bundled_split
from tuicnn.data.transforms import shift_images
from tuicnn.lessons.shift_experiment import model_key, shift_test, variant_specs
from tuicnn.lessons.train_settings import FILTERS, HIDDEN, FirstLayers, TrainSettings
from tuicnn.nn.architectures import alexnet_variants, comparisons
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.layers import Conv2D, Dense, GlobalAvgPool2D
from tuicnn.nn.losses import softmax_cross_entropy
from tuicnn.nn.model import Sequential, build_cnn, build_fc, cnn_layers
from tuicnn.nn.training import augment_rng, shifted_batch, shuffle_rng, train
from tuicnn.session.model_file import load_models, save_workspace_models
from tuicnn.session.workspace import ModelRecord
from tuicnn.tabs.shift_tab import MARKERS
from tuicnn.widgets.train.model_style import MARKERS as TRAIN_MARKERS

# -- the GAP layer and head ---------------------------------------------------------------


def test_gap_forward_is_the_mean_over_positions(rng):
    x = rng.standard_normal((3, 5, 4, 6))
    naive = np.array([[x[n, :, :, c].sum() / 20 for c in range(6)] for n in range(3)])
    np.testing.assert_allclose(GlobalAvgPool2D().forward(x), naive)


def test_gap_input_gradient_matches_finite_differences(rng):
    layer = GlobalAvgPool2D()
    x = rng.standard_normal((2, 3, 4, 5))
    weights = rng.standard_normal((2, 5))

    def loss() -> float:
        return float((layer.forward(x, train=False) * weights).sum())

    layer.forward(x, train=True)
    assert_close(layer.backward(weights), numerical_grad(loss, x))


def test_gap_cnn_parameter_gradients_match_finite_differences(rng):
    model = build_cnn(2, seed=3, dtype=np.float64, fc_units=6, head="gap")
    x = rng.random((3, 28, 28, 1))
    y = np.array([1, 4, 7])

    def loss() -> float:
        return softmax_cross_entropy(model.forward(x, train=False), y)[0]

    _, dlogits, _ = softmax_cross_entropy(model.forward(x, train=True), y)
    model.backward(dlogits)
    for name in ("conv1.W", "conv2.b", "fc.W"):
        layer, key = name.split(".")
        param = model.layer(layer).params[key]
        assert_close(model.layer(layer).grads[key].copy(), numerical_grad(loss, param))


@pytest.mark.parametrize("head", ["flatten", "gap"])
def test_parameter_split_equals_the_engines_layers(head):
    for filters in range(FILTERS.low, FILTERS.high + 1, FILTERS.step_size):
        for hidden in (HIDDEN.low, HIDDEN.high):
            settings = TrainSettings(hidden=hidden, filters=filters, cnn_head=head)
            model = Sequential(cnn_layers(filters, head=head))
            conv = sum(layer.n_params for layer in model.layers if isinstance(layer, Conv2D))
            dense = sum(layer.n_params for layer in model.layers if isinstance(layer, Dense))
            assert settings.cnn_params == model.n_params == conv + dense
            line = settings.split_line()
            assert f"conv layers {conv:,} ({conv / model.n_params:.1%})" in line
            assert f"{dense:,} ({dense / model.n_params:.1%})" in line


def test_first_layer_count_equals_the_engines_first_layers():
    fc, cnn = build_fc(128), build_cnn(8)
    first = FirstLayers.of(128, 8)
    assert first.fc_weights == fc.layer("fc").params["W"].size
    assert first.conv_weights == cnn.layer("conv1").params["W"].size
    conv1 = cnn.layer("conv1")
    h, w, _ = conv1.output_shape((28, 28, 1))
    assert first.positions == h * w  # padding 1: a filter at every pixel
    assert "784×128 = 100,352" in TrainSettings().first_layer_line()


def test_default_cnn_keeps_most_parameters_in_its_dense_head():
    model = build_cnn(8)
    dense = sum(layer.n_params for layer in model.layers if isinstance(layer, Dense))
    assert f"({dense / model.n_params:.1%})" in TrainSettings().split_line()
    assert dense / model.n_params > 0.98  # the 98.8 %


def test_gap_head_survives_a_model_file_and_old_files_load_as_flatten(tmp_path):
    gap = ModelRecord(build_cnn(4, seed=2, head="gap"))
    path = save_workspace_models(tmp_path / "gap.npz", ModelRecord(build_fc(8)), gap)
    _, cnn = load_models(path)
    assert cnn.model.hparams["head"] == "gap" and cnn.model.layer("gap")
    x = np.random.default_rng(0).random((2, 28, 28, 1)).astype(np.float32)
    np.testing.assert_array_equal(cnn.model.forward(x, False), gap.model.forward(x, False))

    import zipfile
    old = tmp_path / "old.npz"  # the same file as an older tuicnn wrote it: no head
    plain = save_workspace_models(tmp_path / "plain.npz", ModelRecord(build_fc(8)),
                                  ModelRecord(build_cnn(4)))
    with np.load(plain) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(str(arrays["metadata"][()]))
    del meta["models"]["cnn"]["hparams"]["head"]
    arrays["metadata"] = np.array(json.dumps(meta))
    np.savez(old, **arrays)
    assert zipfile.is_zipfile(old)
    assert load_models(old)[1].model.hparams["head"] == "flatten"


# -- training on shifted digits -----------------------------------------------------------


def _first_batch_seen(config: TrainConfig, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    model = build_cnn(2, seed=0)
    seen = []
    forward = model.forward

    def spy(xb, train=True):
        if train:
            seen.append(xb.copy())
        return forward(xb, train)

    model.forward = spy
    for _ in train(model, x, y, x[:4], y[:4], config):
        break
    return seen[0]


def test_augmented_batches_are_shifted_copies_in_the_same_order():
    split = bundled_split(40, 10, seed=1)
    x, y = split.x_train, split.y_train
    config = TrainConfig(epochs=1, batch_size=16, seed=5, augment=2)
    seen = _first_batch_seen(config, x, y)
    idx = shuffle_rng(5).permutation(len(x))[:16]  # the order is the one without shifts
    shifts = augment_rng(5).integers(-2, 3, size=(16, 2))
    np.testing.assert_array_equal(seen, shifted_batch(x[idx], shifts))
    for image, original in zip(seen, x[idx], strict=True):  # independently: some shift ≤ 2
        assert any(np.array_equal(image[None], shift_images(original[None], dx, dy))
                   for dx in range(-2, 3) for dy in range(-2, 3))
    assert (shifts != 0).any() and not np.array_equal(seen, x[idx])
    plain = _first_batch_seen(TrainConfig(epochs=1, batch_size=16, seed=5), x, y)
    np.testing.assert_array_equal(plain, x[idx])


def test_augment_range_is_checked():
    with pytest.raises(ValueError, match="augment must be between 0 and 8"):
        TrainConfig(augment=9)


# -- the headless twins -------------------------------------------------------------------

SMALL = ["--epochs", "1", "--batch-size", "32", "--hidden", "16", "--filters", "2",
         "--seed", "3", "--train-size", "100", "--test-size", "60", "--json"]


def parse(command: str, *options: str) -> argparse.Namespace:
    """The namespace the CLI's own parser makes for ``tuicnn <command> <options>``."""
    from tuicnn.cli.args import build_parser

    return build_parser().parse_args([command, *options])


def test_shift_test_json_has_one_key_per_variant_equal_to_the_engine():
    args = parse("shift-test", *SMALL, "--max-shift", "2", "--cnn-head", "both",
                 "--augment", "1")
    out = io.StringIO()
    assert run_shift_test(args, out=out, err=io.StringIO()) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    keys = ["fc", "cnn", "cnn_aug", "cnn_gap", "cnn_gap_aug"]
    assert all(list(line)[2:] == keys for line in lines)

    split = bundled_split(100, 60, seed=3)
    models = {"fc": build_fc(16, seed=3)}
    augments = {"fc": 0}
    for head in ("flatten", "gap"):
        for augment in (0, 1):
            models[model_key(head, augment)] = build_cnn(2, seed=3, head=head)
            augments[model_key(head, augment)] = augment
    for name, model in models.items():
        config = TrainConfig(epochs=1, batch_size=32, seed=3, augment=augments[name])
        for _ in train(model, split.x_train, split.y_train, split.x_test, split.y_test, config):
            pass
    rows = shift_test(models, split.x_test, split.y_test, range(3), "right")
    for line, row in zip(lines, rows, strict=True):
        assert {key: line[key] for key in keys} == row.accuracies


def test_train_cli_trains_the_gap_head_with_shifts():
    args = parse("train", *SMALL, "--model", "cnn", "--cnn-head", "gap", "--augment", "2")
    out = io.StringIO()
    assert run_train(args, out=out, err=io.StringIO()) == 0
    last = json.loads(out.getvalue().splitlines()[-1])
    split = bundled_split(100, 60, seed=3)
    model = build_cnn(2, seed=3, head="gap")
    events = list(train(model, split.x_train, split.y_train, split.x_test, split.y_test,
                        TrainConfig(epochs=1, batch_size=32, seed=3, augment=2)))
    assert last["test_acc"] == events[-1].test_acc
    assert last["train_loss"] == pytest.approx(events[-1].train_loss)


def test_variants_and_markers():
    assert variant_specs("cnn") == {"cnn_aug": ("flatten", 3), "cnn_gap": ("gap", 0)}
    assert "cnn_gap" not in variant_specs("cnn_gap")
    assert MARKERS["fc"] == TRAIN_MARKERS[("fc", False)]  # one marker per model, every tab
    assert MARKERS["cnn"] == TRAIN_MARKERS[("cnn", False)]
    assert len(set(MARKERS.values())) == len(MARKERS)


# -- the Architectures tab's comparisons --------------------------------------------------


def test_comparisons_are_the_textbook_counts():
    stack, pooling, bottleneck = comparisons()
    c = 64
    assert (stack.right.total_params, stack.left.total_params) == (18 * c * c, 25 * c * c)
    rf = [[r.receptive_field for r in s.rows][-1] for s in (stack.left, stack.right)]
    assert rf == [5, 5]
    assert pooling.left.total_params == 7 * 7 * 512 * 4096 + 4096
    assert pooling.right.total_params == 512 * 4096 + 4096
    w, m = 256, 64
    bn = 2 * (m + m + w)
    assert bottleneck.right.total_params == w * m + 9 * m * m + m * w + bn
    assert bottleneck.left.total_params == 2 * (9 * w * w) + 2 * 2 * w


def test_alexnet_variants_are_named_and_counted():
    merged, paper, torchvision = alexnet_variants()
    assert merged.total_params == 62_378_344
    assert paper.total_params == 60_965_224  # the paper's grouped conv2/4/5
    assert torchvision.total_params == 61_100_840  # torchvision.models.alexnet

    def conv(k, c_in, c_out):
        return k * k * c_in * c_out + c_out

    dense = (6 * 6 * 256 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
    by_hand = (conv(11, 3, 64) + conv(5, 64, 192) + conv(3, 192, 384) + conv(3, 384, 256)
               + conv(3, 256, 256) + dense)
    assert torchvision.total_params == by_hand
    assert paper.total_params == (merged.total_params
                        - (conv(5, 48, 256) + conv(3, 192, 384) + conv(3, 192, 256)
                           - 256 - 384 - 256))


def test_every_lesson_question_builds_for_a_gap_cnn():
    """The Lesson panel asks about the CNN in use; with a GAP head it asks about the means."""
    from tuicnn.lessons.exercises import build_exercises, subject_of
    from tuicnn.session.workspace import Workspace

    workspace = Workspace.untrained(bundled_split(100, 50, seed=0))
    workspace.cnn = ModelRecord(build_cnn(4, seed=0, head="gap"))
    exercises = {e.id: e for e in build_exercises(subject_of(workspace))}
    assert exercises["flatten_size"].answer == build_cnn(4, head="gap").layer("fc").in_features
