"""``tuicnn explain``: the JSON twins of the Mechanics tab, checked against the engine."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tuicnn.cli import main
from tuicnn.data.dataset import bundled_split
from tuicnn.nn.architectures import app_architectures, summarize
from tuicnn.nn.model import build_cnn
from tuicnn.nn.tracing import trace
from tuicnn.session.model_file import save_workspace_models


def run_json(capsys, *argv: str) -> dict:
    assert main(["explain", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("layer", "channel", "at"), [("conv1", 5, "0,27"), ("conv2", 9, "6,7")])
def test_conv_step_sums_and_matches_the_forward_pass(capsys, layer, channel, at):
    data = run_json(capsys, "conv-step", "--layer", layer, "--channel", str(channel), "--at", at,
                    "--index", "4")
    assert data["model"] == "untrained (seed 0)"
    c_in = 1 if layer == "conv1" else 8
    assert np.shape(data["window"]) == np.shape(data["weights"]) == (c_in, 3, 3)
    products = np.array(data["window"]) * np.array(data["weights"])
    np.testing.assert_allclose(data["products"], products)
    assert data["sum"] == pytest.approx(np.sum(data["products"]) + data["bias"])
    assert data["relu"] == pytest.approx(data["map_value"], abs=1e-5)
    # map_value is the engine's own: trace the same test image independently.
    row, col = map(int, at.split(","))
    image = bundled_split(1000, 1000, seed=0).x_test[4]
    stage = "relu1" if layer == "conv1" else "relu2"
    expected = trace(build_cnn(8, seed=0), image)[stage].values[row, col, channel]
    assert data["map_value"] == pytest.approx(float(expected))
    if layer == "conv1":  # column 28 is off the image: zeros there
        assert [r[2] for r in data["window"][0]] == [0, 0, 0] and data["padded"][0][2]


def test_conv_step_with_a_loaded_model(capsys, tmp_path, trained):
    path = tmp_path / "run.npz"
    save_workspace_models(path, trained.fc, trained.cnn)
    data = run_json(capsys, "conv-step", "--load", str(path), "--layer", "conv2", "--at", "3,3")
    assert data["model"].startswith(f"loaded from {path}: trained 1 epoch")
    assert data["relu"] == pytest.approx(data["map_value"], abs=1e-5)


def test_receptive_field_boxes(capsys):
    rf = {row.name: row.receptive_field for row in summarize(app_architectures(128, 8)[1]).rows}
    for layer, at in (("conv1", "10,10"), ("pool1", "5,5"), ("conv2", "5,5"), ("pool2", "3,3")):
        data = run_json(capsys, "receptive-field", "--layer", layer, "--at", at)
        box = data["box"]
        assert box["bottom"] - box["top"] + 1 == rf[layer] == data["architectures_receptive_field"]
        assert data["size"] == rf[layer] ** 2
        support = data["gradient_support"]
        if support is not None:
            assert box["top"] <= support["top"] and support["bottom"] <= box["bottom"]
    corner = run_json(capsys, "receptive-field", "--layer", "pool2", "--at", "6,6")["box"]
    assert (corner["top"], corner["bottom"], corner["height"]) == (21, 27, 7)  # clipped


def test_conv_lab(capsys):
    data = run_json(capsys, "conv-lab", "--kernel", "3", "--padding", "1", "--stride", "2",
                    "--dilation", "2")
    assert data["effective_kernel"] == 5 and data["output_size"] == [13, 13]
    assert len(data["positions"]) == 169 and data["positions"][0] == [-1, -1]


def test_weight_sharing(capsys):
    data = run_json(capsys, "weight-sharing", "--filter", "1", "--unit", "7")
    assert data["cnn_same_at_both"] and not data["fc_same_at_both"]
    assert data["conv1_weights"] == 72 and data["fc_first_layer_weights"] == 784 * 128


def test_text_form(capsys):
    assert main(["explain", "conv-step", "--layer", "conv2", "--at", "2,2"]) == 0
    out = capsys.readouterr().out
    assert "pool1 channel 7" in out and "before ReLU" in out and not out.startswith("{")


@pytest.mark.parametrize(("argv", "words"), [
    (["conv-step", "--at", "28,0"], "outside conv1's output map"),
    (["conv-step", "--layer", "pool1"], "layer must be one of conv1, conv2"),
    (["conv-step", "--layer", "conv2", "--channel", "16"], "channel 16 is out of range"),
    (["conv-step", "--at", "1;2"], "expected ROW,COL"),
    (["conv-step", "--index", "1000"], "--index must be between 0 and 999"),
    (["receptive-field", "--layer", "fc"], "layer must be one of conv1, pool1"),
    (["receptive-field", "--layer", "pool2", "--at", "7,0"], "outside pool2's map"),
    (["conv-lab", "--kernel", "9"], "kernel must be between 1 and 7"),
    (["conv-lab", "--kernel", "7", "--dilation", "4", "--padding", "0", "--stride", "1"], None),
    (["weight-sharing", "--unit", "128"], "unit 128 is out of range"),
    ([], "say what to explain"),
])
def test_bad_arguments_get_one_line(capsys, tmp_path, argv, words):
    code = main(["explain", *argv])
    captured = capsys.readouterr()
    if words is None:
        assert code == 0
        return
    assert code == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("tuicnn: error: ")
    assert words in captured.err


def test_bad_model_file(capsys, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_text("not a model")
    assert main(["explain", "conv-step", "--load", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tuicnn: error: ") and err.count("\n") == 1
