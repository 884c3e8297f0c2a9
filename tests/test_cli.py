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
from tuicnn.data import bundled_split
from tuicnn.nn import BatchEnd, EpochEnd, TrainConfig, build_cnn, build_fc, train

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
    assert all(set(line) == EPOCH_KEYS for line in lines)
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


@pytest.mark.parametrize("module", [None, types.ModuleType("tuicnn.app")],
                         ids=["no app module", "no run_app"])
def test_no_command_without_an_app_prints_help(capsys, monkeypatch, module):
    monkeypatch.setitem(sys.modules, "tuicnn.app", module)  # None makes the import fail
    code, out, _ = run(capsys)
    assert code == 0 and "usage: tuicnn" in out and "train" in out


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
