"""``tuicnn shift-test``: train FC and CNN, then measure accuracy on shifted test digits.

The headless twin of the Shift tab. It trains both models with the engine's ``train``
generator (same split, seed and batch order as ``tuicnn train``), runs
:func:`tuicnn.shift_test.shift_test` and prints a table, or with ``--json`` one object per
shift: ``{"shift": k, "direction": "right", "fc": 0.91, "cnn": 0.95}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from tuicnn.cli import report
from tuicnn.cli.args import UsageError
from tuicnn.data import DataError, Split, bundled_split, idx_split
from tuicnn.nn import BatchEnd, EpochEnd, TrainConfig, build_cnn, build_fc, check_range
from tuicnn.nn import train as train_model
from tuicnn.shift_test import DIRECTIONS, ShiftRow, reading, shift_test

MAX_SHIFT = 27
"""A 28-pixel image moved 28 pixels is blank; 27 is the largest shift that means anything."""

DEFAULT_MAX_SHIFT = 6

_ROW = "{:>7}  {:>8}  {:>8}  {:>8}"


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``shift-test`` options to ``parser`` (a sub-parser made by the CLI).

    Training options mirror ``tuicnn train`` with the same defaults; ranges are checked by
    :func:`run_shift_test`, not here, so the messages match the engine's.

    Returns:
        ``parser``, for chaining.
    """
    add = parser.add_argument
    add("--epochs", type=int, default=5, metavar="N", help="passes over the training set "
        "(default: 5)")
    add("--batch-size", type=int, default=64, metavar="B", help="images per step (default: 64)")
    add("--hidden", type=int, default=128, metavar="H", help="FC hidden units (default: 128)")
    add("--filters", type=int, default=8, metavar="F", help="CNN first-layer filters "
        "(default: 8)")
    add("--lr", type=float, default=1e-3, metavar="LR", help="Adam learning rate "
        "(default: 0.001)")
    add("--seed", type=int, default=0, metavar="S", help="seed for the split, the weights and "
        "the batch order (default: 0)")
    add("--train-size", type=int, default=1000, metavar="N", help="training images, "
        "class-balanced (default: 1000)")
    add("--test-size", type=int, default=1000, metavar="N", help="test images to shift "
        "(default: 1000)")
    add("--direction", choices=DIRECTIONS, default="right", help="which way to move the "
        "digits; diagonal = right and down by the same amount (default: right)")
    add("--max-shift", type=int, default=DEFAULT_MAX_SHIFT, metavar="K", help="test shifts "
        f"0..K pixels, K from 0 to {MAX_SHIFT} (default: {DEFAULT_MAX_SHIFT})")
    add("--json", action="store_true", help="print one JSON object per shift on stdout, "
        "nothing else")
    return parser


def _check(args: argparse.Namespace) -> TrainConfig:
    """Check every setting before any data is read; return the training config.

    Raises:
        UsageError: the engine's own message for an out-of-range value, or a bad
            direction/shift.
    """
    if args.direction not in DIRECTIONS:
        raise UsageError(f"direction must be one of {', '.join(DIRECTIONS)}, "
                         f"not {args.direction!r}")
    if not 0 <= args.max_shift <= MAX_SHIFT:
        raise UsageError(f"max shift must be between 0 and {MAX_SHIFT} (got {args.max_shift})")
    try:
        check_range("hidden", args.hidden)
        check_range("filters", args.filters)
        return TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                           seed=args.seed)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _split(args: argparse.Namespace) -> Split:
    """The bundled digits (or IDX files if the parser offers ``--data-dir`` and it is set).

    Raises:
        UsageError: the data layer's one-sentence ``DataError``.
    """
    data_dir = getattr(args, "data_dir", None)
    try:
        if data_dir is not None:
            return idx_split(data_dir, args.train_size, args.test_size, seed=args.seed)
        return bundled_split(args.train_size, args.test_size, seed=args.seed)
    except DataError as error:
        raise UsageError(str(error)) from None


def table(rows: list[ShiftRow], direction: str) -> str:
    """The shift table and its one-line reading, ASCII only.

    Args:
        rows: Results with ``"fc"`` and ``"cnn"`` accuracies.
        direction: The direction measured.
    """
    lines = [
        f"Shift test: every test digit moved {direction}",
        _ROW.format("shift", "FC", "CNN", "CNN-FC"),
    ]
    for row in rows:
        fc, cnn = row.accuracies["fc"], row.accuracies["cnn"]
        lines.append(_ROW.format(f"{row.shift} px", f"{fc:.1%}", f"{cnn:.1%}",
                                 f"{100 * (cnn - fc):+.1f}"))
    lines.append(reading(rows, direction, arrow="->"))
    return "\n".join(lines)


def run_shift_test(args: argparse.Namespace, out: TextIO | None = None,
                   err: TextIO | None = None) -> int:
    """Run ``tuicnn shift-test`` and return its exit code (0).

    Args:
        args: ``epochs, batch_size, hidden, filters, lr, seed, train_size, test_size,
            direction, max_shift, json`` (and optionally ``data_dir``), as added by
            :func:`configure_parser`.
        out: Where the table or JSON lines go (default: ``sys.stdout`` at call time).
        err: Where the training progress bar goes, only if it is a terminal.

    Raises:
        UsageError: bad settings or unusable data, before any training starts (the CLI's
            ``main`` prints it as one line and exits with 2).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    config = _check(args)
    split = _split(args)
    models = {"fc": build_fc(args.hidden, seed=args.seed),
              "cnn": build_cnn(args.filters, seed=args.seed)}

    def emit(text: str) -> None:
        out.write(text + "\n")
        out.flush()

    if not args.json:
        emit(report.header(split.source, split.n_train, split.n_test, list(models.values()),
                           config))
    bar = report.ProgressBar(err, enabled=err.isatty())
    try:
        for model in models.values():
            last = None
            for event in train_model(model, split.x_train, split.y_train, split.x_test,
                                     split.y_test, config):
                if isinstance(event, BatchEnd):
                    bar.update(event)
                elif isinstance(event, EpochEnd):
                    last = event
            bar.clear()
            if not args.json and last is not None:
                emit(f"  {report.model_label(model)}: {last.test_acc:.1%} test accuracy "
                     f"after {last.epoch} epochs")
    finally:
        bar.clear()
    rows = shift_test(models, split.x_test, split.y_test, range(args.max_shift + 1),
                      args.direction, batch_size=config.eval_batch_size)
    if args.json:
        for row in rows:
            emit(json.dumps({"shift": row.shift, "direction": args.direction,
                             "fc": row.accuracies["fc"], "cnn": row.accuracies["cnn"]}))
    else:
        emit("\n" + table(rows, args.direction))
    return 0
