"""conv1's change from its start: the numbers (against plain NumPy), their storage, their words."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tuicnn.cli import main as cli_main
from tuicnn.lessons.filter_change import (
    FilterChange,
    filter_changes,
    layer_change,
    layer_verdict,
    relative_change,
    start_correlation,
    verdict,
    weights_to_show,
)
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import LayerSnapshot
from tuicnn.nn.model import CONV1_SMALL, build_cnn, build_fc
from tuicnn.nn.training import train
from tuicnn.session.model_file import load_models, save_workspace_models
from tuicnn.session.workspace import ModelRecord

TINY = ("--train-size", "100", "--test-size", "50", "--epochs", "2", "--filters", "2",
        "--seed", "3")


def naive(start: np.ndarray, now: np.ndarray) -> tuple[list[float], list[float]]:
    """Change and Pearson correlation per filter, one filter at a time with np.corrcoef."""
    changes, corrs = [], []
    for k in range(start.shape[-1]):
        a = start[..., k].astype(np.float64).ravel()
        b = now[..., k].astype(np.float64).ravel()
        changes.append(float(np.sqrt(((b - a) ** 2).sum() / (a**2).sum())))
        corrs.append(float(np.corrcoef(a, b)[0, 1]))
    return changes, corrs


def test_measures_match_a_filter_by_filter_computation(rng):
    start = rng.normal(size=(3, 3, 1, 5)).astype(np.float32)
    now = start * 1.5 + rng.normal(scale=0.5, size=start.shape).astype(np.float32)
    changes, corrs = naive(start, now)
    np.testing.assert_allclose(relative_change(start, now), changes, rtol=1e-6)
    np.testing.assert_allclose(start_correlation(start, now), corrs, rtol=1e-6)
    assert layer_change(start, now) == pytest.approx((np.mean(changes), np.mean(corrs)))


def test_training_snapshots_conv1_at_the_start_and_after_each_epoch(untrained):
    split = untrained.split
    model = build_cnn(2, seed=4)
    start = model.layer("conv1").params["W"].copy()
    events = list(train(model, split.x_train, split.y_train, split.x_test, split.y_test,
                        TrainConfig(epochs=2, batch_size=50), watch="conv1"))
    snaps = [e for e in events if isinstance(e, LayerSnapshot)]
    assert [s.epoch for s in snaps] == [0, 1, 2]
    np.testing.assert_array_equal(snaps[0].weights, start)
    np.testing.assert_array_equal(snaps[-1].weights, model.layer("conv1").params["W"])
    np.testing.assert_array_equal(snaps[-1].bias, model.layer("conv1").params["b"])
    # each snapshot comes just before its epoch's EpochEnd
    kinds = [type(e).__name__ for e in events if type(e).__name__ != "BatchEnd"]
    assert kinds == ["LayerSnapshot", "LayerSnapshot", "EpochEnd", "LayerSnapshot", "EpochEnd"]
    fc_events = list(train(build_fc(8), split.x_train, split.y_train, split.x_test,
                           split.y_test, TrainConfig(epochs=1, batch_size=50), watch="conv1"))
    assert not any(isinstance(e, LayerSnapshot) for e in fc_events)


def test_small_start_scales_only_conv1():
    he, small = build_cnn(2, seed=5), build_cnn(2, seed=5, conv1_init="small")
    np.testing.assert_allclose(small.layer("conv1").params["W"],
                               he.layer("conv1").params["W"] * CONV1_SMALL, rtol=1e-6)
    for (name, a, _), (_, b, _) in zip(he.parameters(), small.parameters(), strict=True):
        if name != "conv1.W":
            np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="conv1 init"):
        build_cnn(2, conv1_init="zero")


@pytest.mark.parametrize("init", ["he", "small"])
def test_json_epoch_lines_carry_conv1_change_from_the_models_weights(tmp_path, capsys, init):
    """The last epoch's fields equal plain NumPy on the saved weights and a rebuilt start."""
    saved = tmp_path / "run.npz"
    code = cli_main(["train", *TINY, "--json", "--conv1-init", init, "--save", str(saved)])
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    cnn = [line for line in lines if line["model"] == "cnn"]
    assert all("conv1_change" not in line for line in lines if line["model"] == "fc")
    assert [line["epoch"] for line in cnn] == [1, 2]
    _, record = load_models(saved)
    start = build_cnn(2, seed=3, conv1_init=init).layer("conv1").params["W"]  # independent
    changes, corrs = naive(start, record.model.layer("conv1").params["W"])
    assert cnn[-1]["conv1_change"] == pytest.approx(np.mean(changes), rel=1e-6)
    assert cnn[-1]["conv1_init_corr"] == pytest.approx(np.mean(corrs), rel=1e-6)
    assert record.model.hparams["conv1_init"] == init
    # the stored time machine: start, then one snapshot per epoch, the last one the model's
    assert len(record.snapshots) == 3
    np.testing.assert_array_equal(record.snapshots[0][0], start)
    np.testing.assert_array_equal(record.snapshots[-1][0], record.model.layer("conv1").params["W"])
    np.testing.assert_array_equal(record.start_weights, start)


def test_files_without_snapshots_load_with_an_unknown_start(tmp_path, trained):
    path = save_workspace_models(tmp_path / "old.npz", trained.fc, trained.cnn)
    with np.load(path) as archive:
        assert not any(key.startswith("snapshots/") for key in archive.files)
    _, cnn = load_models(path)
    assert cnn.snapshots == [] and cnn.start_weights is None
    weights = cnn.model.layer("conv1").params["W"]
    assert layer_verdict(filter_changes(None, weights)).startswith("Start unknown")
    assert weights_to_show("change", None, weights) is None


def test_bad_snapshots_are_one_clear_sentence(tmp_path, untrained):
    cnn = ModelRecord(untrained.cnn.model, snapshots=[(np.zeros((3, 3, 1, 5), np.float32),
                                                       np.zeros(5, np.float32))])
    path = save_workspace_models(tmp_path / "bad.npz", untrained.fc, cnn)
    with pytest.raises(Exception, match="snapshots/cnn/conv1.W' has shape"):
        load_models(path)


def test_verdicts_say_what_was_measured_and_no_more():
    kept = verdict(FilterChange(0.07, 0.999, 0.93))
    assert "moved 7% from its start, correlation 0.999" in kept and "already there" in kept
    scaled = verdict(FilterChange(1.6, 0.97, 0.38))
    assert "mostly scaled" in scaled
    reshaped = verdict(FilterChange(17.0, 0.4, 0.06))
    assert "reshaped" in reshaped and "mostly learned" in reshaped
    for text in (kept, scaled, reshaped):
        assert "edge" not in text and "detect" not in text
    assert "unknown" in verdict(FilterChange(None, None, None))

