"""``tuicnn analyze``: JSON equal to the lessons run by hand; one-line errors with exit 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tuicnn.cli import main
from tuicnn.data.dataset import bundled_split
from tuicnn.lessons import confusion, occlusion, saliency
from tuicnn.session.model_file import load_models

SMALL = ["--epochs", "1", "--hidden", "16", "--filters", "2", "--train-size", "100",
         "--test-size", "60", "--seed", "3"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A model file from a tiny 'tuicnn train --save' run (one per module)."""
    path = tmp_path_factory.mktemp("analyze") / "models.npz"
    assert main(["train", *SMALL, "--json", "--save", str(path)]) == 0
    return path


def run_json(capsys, argv):
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_load_json_equals_evaluation_by_hand(capsys, saved):
    result = run_json(capsys, ["analyze", "--load", str(saved), "--test-size", "60", "--json"])
    fc, cnn = load_models(saved)
    split = bundled_split(1000, 60, seed=3)
    for record in (fc, cnn):
        model = result["models"][record.model.kind]
        predictions = record.model.predict_proba(split.x_test).argmax(axis=1)
        matrix = np.zeros((10, 10), dtype=int)
        for t, p in zip(split.y_test, predictions, strict=True):
            matrix[t, p] += 1
        assert model["matrix"] == matrix.tolist()
        assert model["correct"] == np.trace(matrix) and model["total"] == 60
        assert model["accuracy"] == np.trace(matrix) / 60 == np.mean(predictions == split.y_test)
        assert model["most_confused"] == [confusion.pair_json(p)
                                          for p in confusion.most_confused(matrix)]
    fixes, adds = confusion.fixes_and_adds(np.array(result["models"]["fc"]["matrix"]),
                                           np.array(result["models"]["cnn"]["matrix"]))
    assert result["cnn_fixes"] == [confusion.pair_json(p) for p in fixes]
    assert result["cnn_adds"] == [confusion.pair_json(p) for p in adds]


def test_train_then_analyze_in_one_command(capsys):
    result = run_json(capsys, ["analyze", *SMALL, "--json", "--channels"])
    assert set(result["models"]) == {"fc", "cnn"}
    assert sum(map(sum, result["models"]["cnn"]["matrix"])) == 60
    assert len(result["conv2_channels"]) == 4 and len(result["conv2_channels"][0]) == 10


def test_index_prints_both_maps_for_both_nets(capsys, saved):
    result = run_json(capsys, ["analyze", "--load", str(saved), "--test-size", "60", "--index",
                               "7", "--dx", "2", "--saliency", "--occlusion", "--json"])
    fc, cnn = load_models(saved)
    split = bundled_split(1000, 60, seed=3)
    image = np.zeros_like(split.x_test[7])
    image[:, 2:] = split.x_test[7][:, :-2]
    true = int(split.y_test[7])
    assert result["true"] == true and result["dx"] == 2
    for record in (fc, cnn):
        entry = result[record.model.kind]
        assert np.allclose(entry["saliency"]["map"], saliency.saliency(record.model, image, true))
        assert entry["occlusion"]["method"] == occlusion.METHOD
        drops = np.array(entry["occlusion"]["map"])
        assert drops.shape == (28, 28)
        direct = occlusion.probability_with_patch(record.model, image, true, 14, 14)
        assert drops[14, 14] == pytest.approx(entry["occlusion"]["base"] - direct, abs=1e-6)


def test_cell_lists_the_gallery_worst_first(capsys, saved):
    fc, cnn = load_models(saved)
    split = bundled_split(1000, 60, seed=3)
    probabilities = fc.model.predict_proba(split.x_test)
    predictions = probabilities.argmax(axis=1)
    wrong = [i for i in range(60) if predictions[i] != split.y_test[i]]
    true, pred = int(split.y_test[wrong[0]]), int(predictions[wrong[0]])
    result = run_json(capsys, ["analyze", "--load", str(saved), "--test-size", "60", "--cell",
                               str(true), str(pred), "--json"])
    members = [i for i in range(60) if split.y_test[i] == true and predictions[i] == pred]
    listed = [d["index"] for d in result["digits"]]
    assert sorted(listed) == members
    losses = [-np.log(probabilities[i, true]) for i in listed]
    assert losses == sorted(losses, reverse=True)


@pytest.mark.parametrize(("argv", "fragment"), [
    (["--load", "/nonexistent/m.npz"], "the file does not exist"),
    (["--load", "{foreign}"], "not a NumPy .npz archive"),
    (["--load", "{saved}", "--index", "1000"], "--index 1000 is out of range"),
    (["--load", "{saved}", "--index", "-1"], "--index -1 is out of range"),
    (["--load", "{saved}", "--epochs", "3"], "--epochs does not apply with --load"),
    (["--saliency"], "--saliency needs --index"),
    (["--model", "fc"], "--model must be both"),
    (["--load", "{saved}", "--cell", "3", "10"], "classes go from 0 to 9"),
])
def test_errors_are_one_line_and_exit_2(capsys, saved, tmp_path, argv, fragment):
    foreign = tmp_path / "foreign.npz"
    foreign.write_text("not models")
    argv = [a.format(saved=saved, foreign=foreign) for a in argv]
    assert main(["analyze", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err and err.startswith("tuicnn: error:")
