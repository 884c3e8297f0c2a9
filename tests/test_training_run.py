"""The Train tab's logic without a UI: field rules, progress/ETA, chart series, the verdict."""

from __future__ import annotations

import pytest

from tuicnn.lessons.train_settings import (
    BATCH_SIZE,
    EPOCHS,
    FILTERS,
    HIDDEN,
    LEARNING_RATE,
    TRAIN_SIZE,
    TrainSettings,
)
from tuicnn.lessons.training_run import (
    ModelRun,
    Outcome,
    accuracy_series,
    format_seconds,
    loss_series,
    summary_sentence,
)
from tuicnn.nn.events import BatchEnd, Cancelled, EpochEnd
from tuicnn.nn.model import Sequential, cnn_layers, fc_layers
from tuicnn.widgets.train.model_style import series_marker

# -- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ("abc", "not a number"), ("", "type a number"), ("100", "steps of 64"),
    ("1024", "must be 64–512"), ("0", "must be 64–512"), ("64.5", "whole numbers"),
])
def test_int_scale_rejects_with_a_short_reason(text, message):
    with pytest.raises(ValueError, match=message):
        HIDDEN.parse(text)


def test_int_scale_accepts_and_steps_within_range():
    assert HIDDEN.parse(" 256 ") == 256
    assert TRAIN_SIZE.parse("1,500") == 1500
    assert HIDDEN.step(128, 1) == 192 and HIDDEN.step(64, -1) == 64
    assert HIDDEN.step(512, 1) == 512
    assert EPOCHS.hint == "1–20"


def test_choice_scale_steps_through_its_list():
    assert BATCH_SIZE.step(64, 1) == 128 and BATCH_SIZE.step(128, 1) == 128
    assert BATCH_SIZE.step(64, -1) == 32 and BATCH_SIZE.step(32, -1) == 32
    with pytest.raises(ValueError, match="32, 64 or 128"):
        BATCH_SIZE.parse("50")


def test_ladder_scale_takes_any_value_in_range_and_steps_to_the_ladder():
    assert LEARNING_RATE.parse("0.002") == 0.002
    assert LEARNING_RATE.step(0.002, 1) == 0.003
    assert LEARNING_RATE.step(0.002, -1) == 0.001
    assert LEARNING_RATE.step(0.001, 1) == 0.003
    assert LEARNING_RATE.format(0.0003) == "0.0003"
    with pytest.raises(ValueError, match="must be"):
        LEARNING_RATE.parse("2")


@pytest.mark.parametrize("hidden", range(HIDDEN.low, HIDDEN.high + 1, HIDDEN.step_size))
@pytest.mark.parametrize("filters", range(FILTERS.low, FILTERS.high + 1, FILTERS.step_size))
def test_settings_counts_match_the_engine(hidden, filters):
    """The tab counts parameters by hand (no NumPy for its first frame): for every value
    the controls allow, the count must be the engine's, summed from its own layers."""
    settings = TrainSettings(hidden=hidden, filters=filters)
    assert settings.fc_params == Sequential(fc_layers(hidden)).n_params
    assert settings.cnn_params == Sequential(cnn_layers(filters)).n_params


def test_settings_with_value():
    settings = TrainSettings(hidden=256, filters=12)
    assert settings.with_value("lr", 0.003).config().lr == 0.003
    assert settings.with_value("epochs", 3.0).epochs == 3


# -- progress -------------------------------------------------------------------------------


def epoch(model, k, n=2, acc=0.5, loss=1.0, seconds=1.0):
    return EpochEnd(model, k, n, loss, acc, loss, acc, seconds)


def test_model_run_counts_batches_and_extrapolates_the_eta():
    run = ModelRun("cnn", 1000, epochs=2, batches=4, started=10.0)
    assert run.eta(10.0) is None and run.status() == "epoch 1/2"
    run.apply(BatchEnd("cnn", 1, 2, 2, 4, 2.0, 0.3), now=12.0)
    assert run.done_batches == 2
    assert run.eta(12.0) == pytest.approx(2.0 * 6 / 2)
    assert run.partial == [(0.5, 2.0)]
    run.apply(epoch("cnn", 1), now=14.0)
    assert run.partial == [] and run.done_batches == 4
    run.apply(BatchEnd("cnn", 1, 2, 4, 4, 1.0, 0.5), now=14.1)  # a late snapshot: ignored
    assert run.partial == []
    run.apply(epoch("cnn", 2), now=18.0)
    assert run.finished and run.eta(20.0) == 0.0 and run.elapsed(99.0) == 8.0
    assert run.status() == "done: 2/2 epochs"


def test_model_run_cancelled():
    run = ModelRun("fc", 1000, epochs=5, batches=4, started=0.0)
    run.apply(epoch("fc", 1, 5), now=1.0)
    run.apply(Cancelled("fc", 2, 3), now=2.0)
    assert run.status() == "cancelled in epoch 2/5" and run.finished
    run.apply(BatchEnd("fc", 2, 5, 2, 4, 1.0, 0.5), now=2.1)
    assert run.partial == []


def test_series_use_epoch_points_plus_the_running_tail():
    fc = ModelRun("fc", 10, epochs=3, batches=2, started=0.0)
    fc.apply(epoch("fc", 1, 3, loss=2.0, acc=0.6), 1.0)
    fc.apply(BatchEnd("fc", 2, 3, 1, 2, 1.5, 0.7), 1.5)
    train, test = loss_series([fc])
    assert train.xs == (1.0, 1.5) and train.ys == (2.0, 1.5) and train.line
    assert test.xs == (1.0,) and not test.line
    line, points = accuracy_series([fc])
    assert line.ys == (60.0,) and points.ys == (60.0,) and line.group == "FC"
    # The legend names the point marker (o FC, x CNN), as the Shift tab's legend does.
    assert line.label == "" and points.label == "test" and series_marker(points) == "o"
    cnn_train = loss_series([ModelRun("cnn", 1, 3, 2, 0.0)])[0]
    assert series_marker(train) != series_marker(cnn_train)  # the widget's choice of marker


def test_format_seconds():
    assert format_seconds(0.456) == "0.46s"
    assert format_seconds(12.34) == "12.3s"
    assert format_seconds(125) == "2m 05s"


# -- the verdict ----------------------------------------------------------------------------


def outcome(fc_acc, cnn_acc, fc_params=100_000, cnn_params=100_000, fc_epochs=5, cnn_epochs=5):
    return Outcome(fc_acc, cnn_acc, fc_params, cnn_params, fc_epochs, cnn_epochs, 5, 1000)


def test_sentence_credits_weight_sharing_only_when_sizes_are_similar():
    sentence = summary_sentence(outcome(0.88, 0.91))
    assert "same nine weights at every position" in sentence
    assert "learn" not in sentence  # how far filters moved is measured in Explore, not assumed
    assert "3.0 points higher with a similar number" in summary_sentence(outcome(0.88, 0.91))
    big = summary_sentence(outcome(0.88, 0.91, cnn_params=300_000))
    assert "3.0× more" in big and "does not show" in big


def test_sentence_is_honest_about_ties_and_losses():
    assert summary_sentence(outcome(0.905, 0.91)).startswith("A tie")
    lost = summary_sentence(outcome(0.92, 0.90))
    assert lost.startswith("The FC net scored 2.0 points higher") and "did not pay off" in lost
    assert summary_sentence(outcome(0.9, 0.9, cnn_epochs=2)).startswith("Not a like-for-like")


def test_outcome_needs_an_epoch_from_each_model():
    fc = ModelRun("fc", 10, 2, 2, 0.0)
    cnn = ModelRun("cnn", 20, 2, 2, 0.0)
    assert Outcome.of(fc, cnn, 100) is None
    fc.apply(epoch("fc", 1, acc=0.7), 1.0)
    cnn.apply(epoch("cnn", 1, acc=0.8), 1.0)
    result = Outcome.of(fc, cnn, 100)
    assert result.points == pytest.approx(10.0) and result.ratio == 2.0
