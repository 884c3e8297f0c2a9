"""``tuicnn shift-test`` as a function: JSON lines equal a hand-made train + shift test."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from tuicnn.cli.args import build_parser
from tuicnn.cli.common import UsageError
from tuicnn.cli.shift_command import configure_parser, run_shift_test
from tuicnn.data.dataset import bundled_split
from tuicnn.lessons.shift_experiment import shift_test
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.nn.training import train

SMALL = dict(epochs=1, batch_size=32, hidden=16, filters=2, lr=1e-3, seed=3, train_size=100,
             test_size=60, direction="down", max_shift=2)


def namespace(**overrides) -> argparse.Namespace:
    """``shift-test`` arguments made by the CLI's own parser from ``SMALL`` and ``overrides``."""
    argv = ["shift-test"]
    for name, value in {**SMALL, "json": True, **overrides}.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            argv.append(flag)
        elif value is not False:
            argv += [flag, str(value)]
    return build_parser().parse_args(argv)


def run(args: argparse.Namespace) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_shift_test(args, out=out, err=err)
    assert err.getvalue() == ""  # progress goes to stderr only on a terminal
    return code, out.getvalue()


def test_json_lines_equal_training_and_shift_test_by_hand():
    code, text = run(namespace())
    assert code == 0
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["shift"] for line in lines] == [0, 1, 2]
    assert all(line["direction"] == "down" for line in lines)

    split = bundled_split(100, 60, seed=3)
    config = TrainConfig(epochs=1, batch_size=32, lr=1e-3, seed=3)
    models = {"fc": build_fc(16, seed=3), "cnn": build_cnn(2, seed=3)}
    for model in models.values():
        for _ in train(model, split.x_train, split.y_train, split.x_test, split.y_test, config):
            pass
    rows = shift_test(models, split.x_test, split.y_test, range(3), "down")
    for line, row in zip(lines, rows, strict=True):
        assert line["fc"] == row.accuracies["fc"]
        assert line["cnn"] == row.accuracies["cnn"]


def test_table_output_is_readable_ascii():
    code, text = run(namespace(json=False, direction="diagonal", max_shift=1))
    assert code == 0
    assert "Shift test: every test digit moved diagonal" in text
    assert "CNN-FC" in text and "0 px" in text and "1 px" in text
    assert "0->1 px diagonal" in text
    assert text.isascii()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # argparse's ``choices`` rejects it (the command no longer checks it a second time)
        ({"direction": "up"}, "argument --direction: invalid choice: 'up'"),
        ({"max_shift": 28}, "max shift must be between 0 and 27"),
        ({"max_shift": -1}, "max shift"),
        ({"epochs": 0}, "epochs must be between"),
        ({"filters": 100}, "filters must be between"),
        ({"train_size": 5}, "training size"),
    ],
)
def test_bad_settings_raise_one_line_usage_errors(overrides, message):
    with pytest.raises(UsageError, match=message):
        run_shift_test(namespace(**overrides), out=io.StringIO(), err=io.StringIO())


def test_configure_parser_defaults_and_overrides():
    parser = configure_parser(argparse.ArgumentParser())
    defaults = parser.parse_args([])
    assert (defaults.direction, defaults.max_shift, defaults.json) == ("right", 6, False)
    assert (defaults.epochs, defaults.batch_size, defaults.hidden, defaults.filters) == (
        5, 64, 128, 8)
    args = parser.parse_args(["--epochs", "1", "--hidden", "16", "--filters", "2",
                              "--train-size", "100", "--test-size", "30", "--max-shift", "1",
                              "--direction", "down", "--json"])
    code, text = run(args)
    assert code == 0 and len(text.splitlines()) == 2
