"""Model names and training defaults have one home each; every user of them agrees."""

from __future__ import annotations

import pytest

from tuicnn.cli.args import build_parser
from tuicnn.lessons.train_settings import TrainSettings
from tuicnn.lessons.training_run import ModelRun
from tuicnn.nn.config import DEFAULTS, TrainConfig
from tuicnn.nn.kinds import MODEL_NAMES, display_name
from tuicnn.nn.model import build_cnn, build_fc


def test_display_names():
    assert MODEL_NAMES == {"fc": "FC", "cnn": "CNN"}
    assert display_name("lenet") == "lenet"  # unknown kinds are shown as they are
    run = ModelRun("cnn", n_params=1, epochs=1, batches=1, started=0.0)
    assert run.name == "CNN"


def test_defaults_table_matches_the_config():
    config = TrainConfig()
    assert (DEFAULTS["epochs"], DEFAULTS["batch_size"], DEFAULTS["lr"]) == (
        config.epochs, config.batch_size, config.lr)
    assert build_fc().hparams["hidden"] == DEFAULTS["hidden"]
    assert build_cnn().hparams["filters"] == DEFAULTS["filters"]


@pytest.mark.parametrize("command", ["train", "shift-test"])
def test_cli_and_train_tab_start_from_the_same_defaults(command):
    args = build_parser().parse_args([command])
    settings = TrainSettings()
    for name, value in DEFAULTS.items():
        assert getattr(args, name) == value == getattr(settings, name), name
