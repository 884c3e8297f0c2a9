"""``tuicnn exercises``: the lesson's questions for a lab, and their grading by the engine.

``tuicnn exercises --json`` prints a seeded set of questions (id, text, kind, choices);
``tuicnn exercises --check ANSWERS.json`` grades an object mapping each question id to an
answer (a number, or a choice's text) against answers measured now, from the real data and
models, and prints per-question feedback and the score.

Which models: with ``--load FILE`` the saved FC and CNN (the test digits are then drawn with
their seed, as ``shift-test --load`` does); without it, the seeded *untrained* models the app
starts with. Nothing is trained here: the questions whose answers depend on the weights say
which model they ask about and what state it is in (``uses_model`` in the JSON), so a lab
that wants trained models hands out a model file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from tuicnn.cli.common import UsageError, add_data_options, load_records
from tuicnn.cli.datasets import resolve_data_dir
from tuicnn.data.dataset import Split, bundled_split, idx_split
from tuicnn.data.errors import DataError
from tuicnn.lessons.exercises import Exercise, Subject, build_exercises, grade_all
from tuicnn.lessons.progress import progress_path, reset_progress
from tuicnn.nn.config import DEFAULT_FILTERS, DEFAULT_HIDDEN, check_range
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.session.workspace import START_SIZE, ModelRecord

HELP = "questions about the CNN, graded by the engine (for labs)"
DESCRIPTION = ("Print a seeded set of questions about the networks (--json for a machine), or "
               "grade a JSON file of answers against the engine's measurements (--check). "
               "Without --load the questions are asked of the seeded untrained models.")


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``exercises`` options to ``parser`` (a sub-parser made by the CLI)."""
    add = parser.add_argument
    add("--seed", type=int, default=None, metavar="S", help="picks the test digit and the "
        "choices, and seeds the untrained models (default: 0, or with --load the models' "
        "own seed)")
    add("--load", metavar="FILE", help="ask about the FC and CNN saved in FILE (by 'tuicnn "
        "train --save' or the app's ctrl+s)")
    add("--check", metavar="ANSWERS", help="grade ANSWERS, a JSON object mapping question "
        "ids to answers, e.g. {\"padding\": 30, \"lineage\": \"AlexNet\"}")
    add("--json", action="store_true", help="print one JSON object on stdout, nothing else")
    add("--reset-progress", action="store_true", help="forget the app's lesson progress "
        f"(the file {progress_path()}) and exit")
    add_data_options(parser)
    parser.set_defaults(run=run_exercises)
    return parser


def read_answers(path: str) -> dict[str, object]:
    """The answers file as a dict.

    Raises:
        UsageError: one line: the file is missing, unreadable, not JSON or not an object.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"answers file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise UsageError(f"cannot read answers file {path} ({reason})") from None
    try:
        answers = json.loads(text)
    except ValueError as error:
        raise UsageError(f"answers file {path} is not valid JSON ({error})") from None
    if not isinstance(answers, dict):
        raise UsageError(f"answers file {path} must hold a JSON object mapping question ids "
                         f"to answers, not a {type(answers).__name__}")
    return answers


def subject(args: argparse.Namespace) -> tuple[Subject, int]:
    """The models and test digits to ask about, and the seed in use.

    Raises:
        UsageError: a bad seed, an unreadable model file or unusable data.
    """
    records: tuple[ModelRecord, ModelRecord] | None = None
    if args.load is not None:
        records = load_records(args.load)
    seed = (records[0].seed if records else 0) if args.seed is None else args.seed
    try:
        check_range("seed", seed)
    except ValueError as error:
        raise UsageError(str(error)) from None
    split = _split(args, seed)
    if records is None:
        records = (ModelRecord(build_fc(DEFAULT_HIDDEN, seed=seed)),
                   ModelRecord(build_cnn(DEFAULT_FILTERS, seed=seed)))
    fc, cnn = records
    return Subject(fc.model, cnn.model, split.x_test, split.y_test, split.class_names,
                   fc.status, cnn.status), seed


def _split(args: argparse.Namespace, seed: int) -> Split:
    """The app's default split for ``seed``: 1,000 training and 1,000 test images."""
    data_dir = resolve_data_dir(getattr(args, "data_dir", None), getattr(args, "dataset", None))
    try:
        if data_dir is not None:
            return idx_split(data_dir, START_SIZE, START_SIZE, seed=seed)
        return bundled_split(START_SIZE, START_SIZE, seed=seed)
    except DataError as error:
        raise UsageError(str(error)) from None


def run_exercises(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``tuicnn exercises`` and return its exit code (0).

    Raises:
        UsageError: bad options, model file, data or answers file (one line, exit 2).
    """
    out = out or sys.stdout
    if args.reset_progress:
        warning = reset_progress()
        if warning is not None:
            raise UsageError(warning)
        out.write(f"Lesson progress reset ({progress_path()} removed).\n")
        return 0
    answers = read_answers(args.check) if args.check is not None else None
    about, seed = subject(args)
    exercises = build_exercises(about, seed)
    models = {"fc": about.fc_status, "cnn": about.cnn_status}
    if answers is None:
        if args.json:
            out.write(json.dumps({"seed": seed, "models": models,
                                  "questions": [e.public() for e in exercises]},
                                 ensure_ascii=False) + "\n")
        else:
            out.write(_questions_text(exercises, seed, models))
        return 0
    try:
        feedback, score = grade_all(exercises, answers)
    except ValueError as error:
        raise UsageError(f"answers file {args.check}: {error}") from None
    if args.json:
        out.write(json.dumps({"seed": seed, "models": models, "score": score,
                              "total": len(exercises),
                              "results": [f.as_dict() for f in feedback]},
                             ensure_ascii=False) + "\n")
        return 0
    for item in feedback:
        mark = "right" if item.correct else "wrong"
        out.write(f"[{mark}] {item.id}: {item.message}\n    {item.why}\n")
    out.write(f"Score: {score} of {len(exercises)}\n")
    return 0


def _questions_text(exercises: tuple[Exercise, ...], seed: int, models: dict[str, str]) -> str:
    lines = [f"Questions (seed {seed}; FC: {models['fc']}; CNN: {models['cnn']})", ""]
    for number, exercise in enumerate(exercises, start=1):
        lines.append(f"{number:>2}. [{exercise.id}] {exercise.text}")
        if exercise.choices:
            lines.append("    choices: " + " | ".join(exercise.choices))
    lines += ["", "Answer with a JSON object, e.g. {\"padding\": 30, \"lineage\": \"AlexNet\"}, "
              "and grade it with: tuicnn exercises --check ANSWERS.json"]
    return "\n".join(lines) + "\n"
