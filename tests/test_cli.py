"""The ``tuicnn`` command: exit codes, one-line errors, JSON lines and the table.

``main`` runs in-process (fast, capsys sees its output); one subprocess test checks that
``python -m tuicnn`` is wired up. Training runs use 100 digits so the file stays quick.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import tuicnn
from tuicnn.cli import main
from tuicnn.cli.report import ProgressBar
from tuicnn.data.dataset import bundled_split
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import BatchEnd, EpochEnd
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.nn.training import train

TINY = ["--epochs", "1", "--train-size", "100", "--test-size", "100"]
EPOCH_KEYS = {"model", "epoch", "epochs", "train_loss", "train_acc", "test_loss", "test_acc",
              "seconds"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2
    assert out == ""
    assert err.startswith("tuicnn: error: ") and err.endswith("\n") and err.count("\n") == 1
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


@pytest.fixture
def broken_idx_dir(tmp_path: Path) -> Path:
    """The four IDX file names, but the training images are not an IDX file."""
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (tmp_path / name).write_bytes(b"not an idx file")
    return tmp_path


@pytest.mark.parametrize(("argv", "fragment"), [
    (["--epochs", "0"], "epochs must be between 1 and 20"),
    (["--epochs", "21"], "epochs must be between 1 and 20"),
    (["--batch-size", "abc"], "--batch-size"),
    (["--batch-size", "0"], "batch size must be between"),
    (["--filters", "1000"], "filters must be between 1 and 64"),
    (["--hidden", "0"], "hidden must be between"),
    (["--lr", "-1"], "lr must be between"),
    (["--seed", "-1"], "seed must be between"),
    (["--model", "rnn"], "--model"),
    (["--nonsense"], "unrecognized arguments"),
    (["--train-size", "0"], "training size"),
    (["--train-size", "4000", "--test-size", "1001"], "test size"),
    (["--data-dir", "/no/such/dir"], "does not exist"),
])
def test_invalid_train_arguments_give_one_line_and_exit_2(capsys, argv, fragment):
    assert_one_line_error(*run(capsys, "train", *argv), fragment)


def test_broken_idx_file_is_one_line_naming_the_file(capsys, broken_idx_dir):
    code, out, err = run(capsys, "train", "--data-dir", str(broken_idx_dir))
    assert_one_line_error(code, out, err, "train-images-idx3-ubyte", "not an IDX file")


def test_app_options_before_the_command_are_rejected(capsys):
    assert_one_line_error(*run(capsys, "--seed", "3", "train"), "after the command")


def test_json_lines_match_a_direct_engine_run(capsys):
    """The contract the UI honours too: the CLI adds nothing to the engine's numbers."""
    code, out, err = run(capsys, "train", "--epochs", "2", "--train-size", "100",
                         "--test-size", "100", "--seed", "3", "--json")
    assert code == 0 and err == ""
    lines = [json.loads(line) for line in out.splitlines()]
    conv1_keys = {"conv1_change", "conv1_init_corr"}  # the CNN's (tests/test_filter_change.py)
    assert all(set(line) - conv1_keys == EPOCH_KEYS for line in lines)
    lines = [{k: v for k, v in line.items() if k not in conv1_keys} for line in lines]
    assert [(line["model"], line["epoch"]) for line in lines] == [
        ("fc", 1), ("fc", 2), ("cnn", 1), ("cnn", 2)]

    split = bundled_split(100, 100, seed=3)
    config = TrainConfig(epochs=2, batch_size=64, lr=1e-3, seed=3)
    expected = []
    for model in (build_fc(128, seed=3), build_cnn(8, seed=3)):
        events = train(model, split.x_train, split.y_train, split.x_test, split.y_test, config)
        expected += [e.to_dict() for e in events if isinstance(e, EpochEnd)]
    for got, want in zip(lines, expected, strict=True):
        assert got.pop("seconds") >= 0
        want.pop("seconds")
        assert got == want


def test_json_for_one_model_prints_only_that_model(capsys):
    code, out, _ = run(capsys, "train", "--model", "cnn", "--filters", "2", "--json", *TINY)
    assert code == 0
    assert [json.loads(line)["model"] for line in out.splitlines()] == ["cnn"]


def test_table_shows_header_both_models_and_comparison(capsys):
    code, out, err = run(capsys, "train", *TINY)
    assert code == 0
    assert err == ""  # capsys's stderr is not a terminal: no progress bar
    assert "bundled MNIST subset" in out and "100 train, 100 test" in out
    assert "FC (hidden 128)" in out and "CNN (8/16 filters)" in out
    assert "101,770 parameters" in out
    assert "Comparison" in out and "CNN - FC:" in out and "Total:" in out
    assert not out.lstrip().startswith("{")


def test_progress_bar_redraws_in_place_and_clears():
    stream = io.StringIO()
    bar = ProgressBar(stream, enabled=True, interval=0)
    for b in (1, 2):
        bar.update(BatchEnd("cnn", 1, 3, b, 2, 1.5, 0.25))
    bar.clear()
    text = stream.getvalue()
    assert "\n" not in text and text.count("\r") >= 3
    assert "cnn epoch 1/3" in text and "2/2" in text and text.endswith("\r")
    silent = io.StringIO()
    ProgressBar(silent, enabled=False).update(BatchEnd("fc", 1, 1, 1, 1, 1.0, 1.0))
    assert silent.getvalue() == ""


def test_ctrl_c_is_one_line_and_exit_130(capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        yield BatchEnd("fc", 1, 1, 1, 2, 2.3, 0.1)
        raise KeyboardInterrupt

    monkeypatch.setattr("tuicnn.cli.train_command.train_model", interrupted)
    code, out, err = run(capsys, "train", "--json", *TINY)
    assert code == 130 and out == "" and err == "tuicnn: interrupted\n"


def test_version(capsys):
    assert run(capsys, "--version") == (0, f"tuicnn {tuicnn.__version__}\n", "")


def test_no_command_launches_the_app_with_its_options(capsys, monkeypatch):
    calls = []
    fake = types.ModuleType("tuicnn.app")
    fake.run_app = lambda data_dir, seed: calls.append((data_dir, seed)) or 7
    monkeypatch.setitem(sys.modules, "tuicnn.app", fake)
    assert main([]) == 7
    assert main(["--data-dir", "some/dir", "--seed", "5"]) == 7
    assert calls == [(None, 0), ("some/dir", 5)]


def test_an_app_that_cannot_be_imported_is_one_line_and_exit_1(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tuicnn.app", None)  # None makes the import fail
    code, out, err = run(capsys)
    assert code == 1 and out == ""
    assert err.startswith("tuicnn: error: the app cannot start") and err.count("\n") == 1


def test_python_dash_m_tuicnn_version_without_importing_textual():
    """The real entry point; ``-X importtime`` lists every import, so we also see that the
    CLI stays light (Textual is imported only when the app is launched)."""
    src = str(Path(tuicnn.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "tuicnn", "--version"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": path},
                          timeout=60, check=False)
    assert (done.returncode, done.stdout) == (0, f"tuicnn {tuicnn.__version__}\n")
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    assert "tuicnn.cli" in imported
    assert not [name for name in imported if name.split(".")[0] == "textual"]


# -- shift-test, saving, exporting, datasets ----------------------------------------------

SHIFT_TINY = ["--train-size", "100", "--test-size", "100", "--max-shift", "2"]
FASHION = Path("/usr/share/datasets/fashion-mnist")


def test_shift_test_json_lines_parse(capsys):
    code, out, err = run(capsys, "shift-test", "--epochs", "1", "--hidden", "16", "--filters",
                         "2", "--direction", "down", "--json", *SHIFT_TINY)
    assert code == 0 and err == ""
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["shift"] for line in lines] == [0, 1, 2]
    for line in lines:
        assert set(line) == {"shift", "direction", "fc", "cnn"}
        assert line["direction"] == "down" and 0 <= line["fc"] <= 1 and 0 <= line["cnn"] <= 1


@pytest.mark.parametrize(("argv", "fragment"), [
    (["--direction", "up"], "--direction"),
    (["--max-shift", "28"], "max shift must be between 0 and 27"),
    (["--epochs", "0"], "epochs must be between"),
    (["--seed", "-1"], "seed must be between"),
    (["--train-size", "5"], "training size"),
    (["--load", "/no/such/file.npz"], "does not exist"),
    (["--dataset", "fashion", "--data-dir", "x"], "not both"),
    (["--dataset", "cifar"], "--dataset"),
])
def test_invalid_shift_test_arguments_give_one_line_and_exit_2(capsys, argv, fragment):
    assert_one_line_error(*run(capsys, "shift-test", *argv), fragment)


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    """Models saved by ``tuicnn train --save`` (1 epoch on 100 digits, seed 2)."""
    path = tmp_path / "models.npz"
    assert main(["train", "--save", str(path), "--seed", "2", *TINY]) == 0
    return path


def test_train_save_then_shift_test_load_round_trip(capsys, saved):
    from tuicnn.lessons.shift_experiment import shift_test
    from tuicnn.session.model_file import load_models

    out = capsys.readouterr().out
    assert f"Saved the FC and the CNN to {saved}" in out
    fc, cnn = load_models(saved)
    assert [len(fc.history), len(cnn.history)] == [1, 1]
    assert fc.config == TrainConfig(epochs=1, seed=2)

    code, out, err = run(capsys, "shift-test", "--load", str(saved), "--json", *SHIFT_TINY)
    assert code == 0 and err == ""
    split = bundled_split(100, 100, seed=2)  # the models' seed: their run's test digits
    rows = shift_test({"fc": fc.model, "cnn": cnn.model}, split.x_test, split.y_test, range(3))
    assert [json.loads(line) for line in out.splitlines()] == [
        {"shift": row.shift, "direction": "right", "fc": row.accuracies["fc"],
         "cnn": row.accuracies["cnn"]} for row in rows]

    code, out, _ = run(capsys, "shift-test", "--load", str(saved), *SHIFT_TINY)
    assert code == 0 and f"loaded from {saved}" in out and "split seed 2" in out
    assert "trained 1 epoch - " in out and out.isascii()


def test_shift_test_load_rejects_training_options(capsys, saved):
    capsys.readouterr()
    assert_one_line_error(*run(capsys, "shift-test", "--load", str(saved), "--filters", "4"),
                          "--filters does not apply with --load")


def test_train_save_refuses_an_existing_file_unless_forced(capsys, saved):
    from tuicnn.session.model_file import load_models

    before = saved.read_bytes()
    capsys.readouterr()
    assert_one_line_error(*run(capsys, "train", "--save", str(saved), *TINY),
                          "already exists", "--force")
    assert saved.read_bytes() == before
    code, _, _ = run(capsys, "train", "--save", str(saved), "--force", "--seed", "4", *TINY)
    assert code == 0
    assert load_models(saved)[0].model.hparams["seed"] == 4


@pytest.mark.parametrize(("argv", "fragment"), [
    (["--model", "cnn", "--save", "m.npz"], "--save needs --model both"),
    (["--export-history", "h.txt"], "name a .csv or a .json file"),
    (["--save", "/no/such/dir/m.npz"], "does not exist"),
    (["--save", "."], "directory"),
])
def test_bad_output_files_are_refused_before_training(capsys, argv, fragment):
    assert_one_line_error(*run(capsys, "train", *argv, *TINY), fragment)


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_train_export_history(capsys, tmp_path, suffix):
    import csv

    path = tmp_path / f"history{suffix}"
    code, out, err = run(capsys, "train", "--export-history", str(path), "--json", *TINY)
    assert code == 0 and err == ""
    epochs = [json.loads(line) for line in out.splitlines()]  # --json: still JSON lines only
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f)) if suffix == ".csv" else json.load(f)
    assert [(r["model"], float(r["test_acc"])) for r in rows] == [
        (e["model"], e["test_acc"]) for e in epochs]


@pytest.mark.skipif(not FASHION.is_dir(), reason="dataset-fashion-mnist is not installed")
def test_train_on_fashion_mnist(capsys):
    code, out, _ = run(capsys, "train", "--dataset", "fashion", "--train-size", "200",
                       "--test-size", "200", "--epochs", "1")
    assert code == 0
    assert f"IDX files in {FASHION}: 200 train, 200 test images" in out


def test_fashion_missing_names_the_debian_package(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("tuicnn.cli.datasets.FASHION_DIR", tmp_path / "missing")
    for argv in (["train", "--dataset", "fashion"], ["shift-test", "--dataset", "fashion"],
                 ["--dataset", "fashion"]):
        assert_one_line_error(*run(capsys, *argv), "dataset-fashion-mnist", "--data-dir")


@pytest.mark.parametrize("argv", [
    ["train", "--dataset", "fashion", "--data-dir", "x"],
    ["train", "--dataset", "mnist", "--data-dir", "x"],
    ["--dataset", "mnist", "--data-dir", "x"],
])
def test_dataset_and_data_dir_together_exit_2(capsys, argv):
    assert_one_line_error(*run(capsys, *argv), "--data-dir or --dataset, not both")


def test_app_options_load_and_dataset(capsys, monkeypatch):
    calls = []
    fake = types.ModuleType("tuicnn.app")
    fake.run_app = lambda **kwargs: calls.append(kwargs) or 0
    monkeypatch.setitem(sys.modules, "tuicnn.app", fake)
    assert main(["--load", "m.npz"]) == 0
    assert main(["--load", "m.npz", "--seed", "3", "--dataset", "mnist"]) == 0
    assert calls == [{"data_dir": None, "seed": None, "load": "m.npz"},
                     {"data_dir": None, "seed": 3, "load": "m.npz"}]
    assert_one_line_error(*run(capsys, "--load", "m.npz", "train"), "shift-test --load")
    assert_one_line_error(*run(capsys, "--dataset", "mnist", "shift-test"), "--dataset goes after")
