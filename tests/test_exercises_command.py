"""``tuicnn exercises``: questions out, answers in, graded by the engine; bad files in one line."""

from __future__ import annotations

import json

import pytest

from tuicnn.cli import main
from tuicnn.data.dataset import bundled_split
from tuicnn.lessons.exercises import Subject, build_exercises
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.session.model_file import save_workspace_models
from tuicnn.session.workspace import ModelRecord


@pytest.fixture(autouse=True)
def _data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["exercises", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def measured(seed: int, fc=None, cnn=None) -> dict[str, object]:
    """The answers measured independently of the command: same split, same models."""
    split = bundled_split(1000, 1000, seed=seed)
    subject = Subject(fc or build_fc(128, seed=seed), cnn or build_cnn(8, seed=seed),
                      split.x_test, split.y_test, split.class_names)
    return {e.id: e.answer for e in build_exercises(subject, seed)}


def test_questions_json_is_seeded_and_hides_the_answers(capsys):
    code, out, err = run(capsys, "--json", "--seed", "2")
    assert code == 0 and err == ""
    data = json.loads(out)
    questions = data["questions"]
    assert data["seed"] == 2 and len(questions) == len(measured(2))
    for q in questions:
        assert set(q) >= {"id", "text", "kind", "choices"} and "answer" not in q
        assert q["kind"] in ("number", "choice") and bool(q["choices"]) == (q["kind"] == "choice")
    assert json.loads(run(capsys, "--json", "--seed", "2")[1]) == data


def test_right_answers_get_full_marks_wrong_ones_feedback(capsys, tmp_path):
    answers = measured(1)
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    code, out, _ = run(capsys, "--check", str(path), "--json", "--seed", "1")
    report = json.loads(out)
    assert code == 0 and report["score"] == report["total"] == len(answers)

    wrong = {"pixels": 100, "lineage": "LeNet-5", "relu_zeroed": "many"}
    path.write_text(json.dumps(wrong))
    report = json.loads(run(capsys, "--check", str(path), "--json", "--seed", "1")[1])
    assert report["score"] == 0
    results = {r["id"]: r for r in report["results"]}
    assert results["pixels"]["expected"] == "784"
    assert "you said 100" in results["pixels"]["feedback"]
    assert "not a number" in results["relu_zeroed"]["feedback"]
    assert "No answer" in results["padding"]["feedback"] and results["padding"]["why"]

    code, text, _ = run(capsys, "--check", str(path), "--seed", "1")
    assert code == 0 and f"Score: 0 of {len(answers)}" in text and "[wrong] pixels" in text


def test_loaded_models_change_the_answers(capsys, tmp_path):
    fc, cnn = build_fc(64, seed=5), build_cnn(4, seed=5)
    model_file = tmp_path / "m.npz"
    save_workspace_models(model_file, ModelRecord(fc), ModelRecord(cnn))
    answers = measured(5, fc, cnn)
    assert answers["conv1_params"] == 40 != measured(5)["conv1_params"]
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    report = json.loads(run(capsys, "--load", str(model_file), "--check", str(path),
                            "--json")[1])
    assert report["seed"] == 5 and report["score"] == report["total"]


@pytest.mark.parametrize("content, words", [
    (None, "does not exist"),
    ("{oops", "is not valid JSON"),
    ("[1]", "must hold a JSON object"),
    ('{"nope": 1}', "unknown question id 'nope'"),
])
def test_a_bad_answers_file_is_one_line(capsys, tmp_path, content, words):
    path = tmp_path / "answers.json"
    if content is not None:
        path.write_text(content)
    code, out, err = run(capsys, "--check", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("tuicnn: error: ") and words in err


def test_reset_progress(capsys, tmp_path):
    progress = tmp_path / "data" / "tuicnn" / "progress.json"
    progress.parent.mkdir(parents=True)
    progress.write_text("{}")
    code, out, _ = run(capsys, "--reset-progress")
    assert code == 0 and not progress.exists() and "reset" in out
