"""The lesson's questions: answers measured from the models, checked against independent
computations, and following the model when it changes; grading of numbers and choices."""

from __future__ import annotations

import numpy as np
import pytest

from tuicnn.lessons.course import STEPS
from tuicnn.lessons.exercises import (
    CHOICE,
    EXERCISE_IDS,
    NUMBER,
    Subject,
    build_exercises,
    grade,
    grade_all,
    parse_number,
    seeded_example,
)
from tuicnn.nn.model import build_cnn, build_fc


def subject_with(workspace, fc=None, cnn=None) -> Subject:
    split = workspace.split
    return Subject(fc or workspace.fc.model, cnn or workspace.cnn.model, split.x_test,
                   split.y_test, split.class_names, "fc state", "cnn state")


def by_id(subject: Subject, seed: int = 0):
    return {e.id: e for e in build_exercises(subject, seed)}


def naive_conv1(image: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """conv1 (3×3, padding 1, stride 1), by explicit loops. ``image (28, 28)`` -> (28, 28, F)."""
    padded = np.pad(image, 1)
    k = weights.shape[0]
    out = np.zeros((28, 28, weights.shape[-1]))
    for f in range(weights.shape[-1]):
        for i in range(28):
            for j in range(28):
                out[i, j, f] = (padded[i:i + k, j:j + k] * weights[:, :, 0, f]).sum() + bias[f]
    return out


def test_one_step_per_question_in_order_and_every_kind_is_known(untrained):
    exercises = build_exercises(subject_with(untrained))
    assert [e.id for e in exercises] == list(EXERCISE_IDS) == [s.id for s in STEPS]
    for e in exercises:
        assert e.kind in (NUMBER, CHOICE)
        assert (e.answer in e.choices) if e.kind == CHOICE else isinstance(e.answer, int | float)
        assert e.text and e.why


def test_answers_match_independent_computations(untrained):
    subject = subject_with(untrained)
    ex = by_id(subject)
    filters = 8
    assert ex["pixels"].answer == 28 * 28
    assert ex["conv1_params"].answer == 3 * 3 * 1 * filters + filters
    assert ex["fc_params"].answer == 784 * 128 + 128
    assert ex["padding"].answer == 28 - 3 + 1
    assert ex["stride"].answer == (28 + 2 - 3) // 2 + 1
    assert ex["flatten_size"].answer == 7 * 7 * 2 * filters
    assert ex["feature_shape"].answer == f"14×14×{2 * filters}"
    assert ex["pool_example"].answer == 7  # max(4, 7, 6, 3) of the post's bottom-right block
    assert ex["receptive_field"].answer == 8  # 3, then +1 (pool), then +2·2 (conv2)
    assert ex["photo_fc"].answer == pytest.approx((224 * 224 * 3 * 1000 + 1000) / 1e6, abs=0.05)
    assert ex["lineage"].answer == "VGG-16"

    example = seeded_example(subject, 0)
    image = subject.x_test[example.index][:, :, 0]
    conv = subject.cnn.layer("conv1")
    pre = naive_conv1(image, conv.params["W"], conv.params["b"])
    relu = np.maximum(pre, 0)
    offered = [int(c.split()[1]) - 1 for c in ex["filter_peak"].choices]
    peaks = relu.reshape(-1, filters).max(axis=0)
    assert ex["filter_peak"].answer == f"filter {offered[int(np.argmax(peaks[offered]))] + 1}"
    negative = 100 * (pre < -1e-6).mean()  # the background gives exactly the bias: not < 0
    assert ex["relu_zeroed"].answer == pytest.approx(negative, abs=0.5)

    moved = np.zeros_like(subject.x_test[example.index])
    moved[:, 3:] = subject.x_test[example.index][:, :-3]  # 3 px right, by slicing
    right = {kind: int(model.forward(moved[None], train=False).argmax()) == example.digit
             for kind, model in (("FC", subject.fc), ("CNN", subject.cnn))}
    expected = {(True, True): "both", (True, False): "only the FC",
                (False, True): "only the CNN", (False, False): "neither"}
    assert ex["shift"].answer == expected[right["FC"], right["CNN"]]


def test_answers_follow_the_model(untrained):
    base = by_id(subject_with(untrained))
    narrow = by_id(subject_with(untrained, fc=build_fc(32, seed=0), cnn=build_cnn(4, seed=0)))
    assert (base["conv1_params"].answer, narrow["conv1_params"].answer) == (80, 40)
    assert narrow["fc_params"].answer == 784 * 32 + 32
    assert narrow["feature_shape"].answer == "14×14×8"
    assert narrow["flatten_size"].answer == 7 * 7 * 8

    # Other weights (another seed), same digit: the trace-based answers are measured anew.
    reseeded = [by_id(subject_with(untrained, cnn=build_cnn(8, seed=s))) for s in range(1, 6)]
    assert any(r["filter_peak"].answer != base["filter_peak"].answer for r in reseeded)
    assert all(r["relu_zeroed"].why != base["relu_zeroed"].why for r in reseeded)
    assert len({r["relu_zeroed"].answer for r in reseeded}) > 1


def test_same_seed_same_questions_other_seed_other_digit(untrained):
    subject = subject_with(untrained)
    first, again = build_exercises(subject, 3), build_exercises(subject, 3)
    assert [e.public() for e in first] == [e.public() for e in again]
    assert [e.answer for e in first] == [e.answer for e in again]
    examples = {seeded_example(subject, seed).index for seed in range(8)}
    assert len(examples) > 1


def test_grading_numbers_and_choices(untrained):
    ex = by_id(subject_with(untrained))
    assert grade(ex["fc_params"], "100,480").correct
    assert grade(ex["fc_params"], 100480).correct
    assert not grade(ex["fc_params"], 100479).correct
    relu = ex["relu_zeroed"]
    assert grade(relu, relu.answer + 4.9).correct and not grade(relu, relu.answer + 5.2).correct
    assert grade(relu, f"{relu.answer}%").correct
    nan = grade(ex["pixels"], "lots")
    assert not nan.correct and "not a number" in nan.message and "784" in nan.message
    assert grade(ex["lineage"], "  vgg-16 ").correct
    wrong = grade(ex["lineage"], "AlexNet")
    assert not wrong.correct and "VGG-16" in wrong.message and "AlexNet" in wrong.message
    assert "not one of" in grade(ex["lineage"], "GPT").message
    assert "No answer" in grade(ex["lineage"], None).message
    assert parse_number(True) is None and parse_number("inf") is None


def test_grade_all_scores_and_rejects_unknown_ids(untrained):
    exercises = build_exercises(subject_with(untrained))
    feedback, score = grade_all(exercises, {e.id: e.answer for e in exercises})
    assert score == len(exercises) and all(f.correct for f in feedback)
    feedback, score = grade_all(exercises, {})
    assert score == 0
    with pytest.raises(ValueError, match="unknown question id 'nope'"):
        grade_all(exercises, {"nope": 1})


def test_an_empty_test_set_is_a_clear_error(untrained):
    subject = subject_with(untrained)
    empty = Subject(subject.fc, subject.cnn, subject.x_test[:0], subject.y_test[:0],
                    subject.class_names)
    with pytest.raises(ValueError, match="test set is empty"):
        build_exercises(empty)
