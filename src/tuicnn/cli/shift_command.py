"""``tuicnn shift-test``: train FC and CNN, then measure accuracy on shifted test digits.

The headless twin of the Shift tab. It trains the models with the engine's ``train``
generator (same split, seed and batch order as ``tuicnn train``), or takes them from a model
file with ``--load``, runs :func:`tuicnn.lessons.shift_experiment.shift_test` and prints a
table, or with ``--json`` one object per shift: ``{"shift": k, "direction": "right", "fc": 0.91,
"cnn": 0.95}``, one key per model.

Variants: ``--cnn-head gap`` (or ``both``) trains the CNN with a global-average-pool head
(key ``cnn_gap``); ``--augment N`` also trains a twin of each CNN on digits shifted by up to
N pixels (keys ``cnn_aug``, ``cnn_gap_aug``). The FC is always trained plainly: it is the
baseline.

With ``--load`` the split's seed defaults to the seed the models were made with: the bundled
test digits are drawn from those *not* in that seed's training set, so (with the same
training size) the loaded models are never tested on digits they were trained on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TextIO

from tuicnn.cli import report
from tuicnn.cli.common import TRAIN_SIZE_HELP, UsageError, add_data_options, load_records
from tuicnn.cli.datasets import resolve_data_dir
from tuicnn.data.dataset import Split, bundled_split, idx_split
from tuicnn.data.errors import DataError
from tuicnn.lessons.shift_experiment import (
    DIRECTIONS,
    LABELS,
    ShiftRow,
    model_key,
    readings,
    shift_test,
)
from tuicnn.nn.config import DEFAULTS, TrainConfig, check_range
from tuicnn.nn.events import BatchEnd, EpochEnd
from tuicnn.nn.model import Sequential, build_cnn, build_fc
from tuicnn.nn.shapes import CNN_HEADS
from tuicnn.nn.training import train as train_model
from tuicnn.session.workspace import ModelRecord

MAX_SHIFT = 27
"""A 28-pixel image moved 28 pixels is blank; 27 is the largest shift that means anything."""

DEFAULT_MAX_SHIFT = 6

HEAD_CHOICES = (*CNN_HEADS, "both")

#: Variant options: like the training options, they do not apply with ``--load``.
VARIANT_DEFAULTS = {"cnn_head": "flatten", "augment": 0}


HELP = "how FC and CNN accuracy falls as test digits move"
DESCRIPTION = ("Train the FC and the CNN (or --load saved ones), then measure their test "
               "accuracy with every test digit shifted 0..K pixels, printing a table or JSON "
               "lines.")


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``shift-test`` options to ``parser`` (a sub-parser made by the CLI).

    Training options mirror ``tuicnn train`` with the same defaults; ranges are checked by
    :func:`run_shift_test`, not here, so the messages match the engine's.

    Returns:
        ``parser``, for chaining.
    """
    add = parser.add_argument
    default = DEFAULTS
    add("--epochs", type=int, default=default["epochs"], metavar="N",
        help=f"passes over the training set (default: {default['epochs']})")
    add("--batch-size", type=int, default=default["batch_size"], metavar="B",
        help=f"images per step (default: {default['batch_size']})")
    add("--hidden", type=int, default=default["hidden"], metavar="H",
        help=f"FC hidden units (default: {default['hidden']})")
    add("--filters", type=int, default=default["filters"], metavar="F",
        help=f"CNN first-layer filters (default: {default['filters']})")
    add("--lr", type=float, default=default["lr"], metavar="LR",
        help=f"Adam learning rate (default: {default['lr']:g})")
    add("--cnn-head", choices=HEAD_CHOICES, default="flatten", help="the CNN's head: "
        "flatten + dense, gap = global average pooling + dense, or both CNNs "
        "(default: flatten)")
    add("--augment", type=int, default=0, metavar="N", help="also train a copy of each CNN "
        "on training digits shifted by up to N px, 0 to 8 (default: 0, none)")
    add("--seed", type=int, default=None, metavar="S", help="seed for the split, the weights "
        "and the batch order (default: 0, or with --load the models' own seed)")
    add("--train-size", type=int, default=1000, metavar="N", help=TRAIN_SIZE_HELP)
    add("--test-size", type=int, default=1000, metavar="N", help="test images to shift "
        "(default: 1000)")
    add("--direction", choices=DIRECTIONS, default="right", help="which way to move the "
        "digits; diagonal = right and down by the same amount (default: right)")
    add("--max-shift", type=int, default=DEFAULT_MAX_SHIFT, metavar="K", help="test shifts "
        f"0..K pixels, K from 0 to {MAX_SHIFT} (default: {DEFAULT_MAX_SHIFT})")
    add("--json", action="store_true", help="print one JSON object per shift on stdout "
        "(one key per model: fc, cnn, cnn_aug, cnn_gap, cnn_gap_aug), nothing else")
    add("--load", metavar="FILE", help="test the FC and CNN saved in FILE (by 'tuicnn train "
        "--save' or the app's ctrl+s) instead of training new ones")
    add_data_options(parser)
    parser.set_defaults(run=run_shift_test)
    return parser


def _check(args: argparse.Namespace) -> TrainConfig:
    """Check every setting before any data is read; return the training config.

    Raises:
        UsageError: the engine's own message for an out-of-range value, or a bad shift
            (argparse's ``choices`` has already limited ``--direction``).
    """
    if not 0 <= args.max_shift <= MAX_SHIFT:
        raise UsageError(f"max shift must be between 0 and {MAX_SHIFT} (got {args.max_shift})")
    seed = 0 if args.seed is None else args.seed
    if args.load is not None:
        # Nothing is trained, so a training option other than its default is a mistake
        # worth a usage error rather than silently ignoring it.
        for name, default in {**DEFAULTS, **VARIANT_DEFAULTS}.items():
            if getattr(args, name) != default:
                raise UsageError(f"--{name.replace('_', '-')} does not apply with --load: "
                                 "the saved models are not trained again")
        try:
            check_range("seed", seed)
            return TrainConfig(seed=seed)  # only its evaluation batch size is used
        except ValueError as error:
            raise UsageError(str(error)) from None
    try:
        check_range("hidden", args.hidden)
        check_range("filters", args.filters)
        check_range("augment", args.augment)
        return TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                           seed=seed)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _split(args: argparse.Namespace, seed: int) -> Split:
    """The bundled digits, or the IDX files of ``--data-dir``/``--dataset``.

    Raises:
        UsageError: both data options given, Fashion-MNIST not installed, or the data
            layer's one-sentence ``DataError``.
    """
    data_dir = resolve_data_dir(args.data_dir, args.dataset)
    try:
        if data_dir is not None:
            return idx_split(data_dir, args.train_size, args.test_size, seed=seed)
        return bundled_split(args.train_size, args.test_size, seed=seed)
    except DataError as error:
        raise UsageError(str(error)) from None


def loaded_header(path: str, records: tuple[ModelRecord, ...], split: Split, seed: int) -> str:
    """What is about to be tested with ``--load``: the file, each model's state, the data."""
    width = max(len(report.model_label(r.model)) for r in records)
    lines = [f"Models:   loaded from {path}"]
    lines += [f"  {report.model_label(r.model):<{width}}  {r.model.n_params:>11,} parameters  "
              f"{r.status}" for r in records]
    lines.append(f"Data:     {split.source}: {split.n_test:,} test images (split seed {seed})")
    return "\n".join(lines).replace("·", "-")  # status uses a middle dot; output stays ASCII


def table(rows: list[ShiftRow], direction: str) -> str:
    """The shift table and what it shows, ASCII only.

    Args:
        rows: Results, one accuracy per model (``fc``, ``cnn``, variants...).
        direction: The direction measured.
    """
    names = list(rows[0].accuracies) if rows else ["fc", "cnn"]
    gap = "fc" in names and "cnn" in names
    widths = [max(8, len(LABELS.get(name, name))) for name in names]
    header = f"{'shift':>7}" + "".join(f"  {LABELS.get(n, n):>{w}}"
                                       for n, w in zip(names, widths, strict=True))
    lines = [f"Shift test: every test digit moved {direction}",
             header + (f"  {'CNN-FC':>8}" if gap else "")]
    for row in rows:
        line = f"{f'{row.shift} px':>7}" + "".join(
            f"  {row.accuracies[n]:>{w}.1%}" for n, w in zip(names, widths, strict=True))
        if gap:
            line += f"  {100 * (row.accuracies['cnn'] - row.accuracies['fc']):>+8.1f}"
        lines.append(line)
    lines += readings(rows, direction, arrow="->")
    return "\n".join(lines)


def _header(split: Split, variants: dict[str, tuple[Sequential, int]],
            config: TrainConfig) -> str:
    """The data, the settings and each model to train, by the name the table uses."""
    lines = report.header(split.source, split.n_train, split.n_test, [], config).splitlines()
    width = max(len(LABELS.get(name, name)) for name in variants)
    for name, (model, augment) in variants.items():
        shifted = f", digits shifted up to {augment} px" if augment else ""
        lines.append(f"  {LABELS.get(name, name):<{width}}  {model.n_params:>9,} parameters  "
                     f"{report.model_label(model)}{shifted}")
    return "\n".join(lines)


def _variants(args: argparse.Namespace, seed: int) -> dict[str, tuple[Sequential, int]]:
    """Name -> (new model, augmentation px) for every model ``args`` asks for, FC first."""
    head, augment = args.cnn_head, args.augment
    heads = CNN_HEADS if head == "both" else (head,)
    models = {"fc": (build_fc(args.hidden, seed=seed), 0)}
    for cnn_head in heads:
        for shift in (0, augment) if augment else (0,):
            models[model_key(cnn_head, shift)] = (
                build_cnn(args.filters, seed=seed, head=cnn_head), shift)
    return models


def run_shift_test(args: argparse.Namespace, out: TextIO | None = None,
                   err: TextIO | None = None) -> int:
    """Run ``tuicnn shift-test`` and return its exit code (0).

    Args:
        args: every option :func:`configure_parser` adds, as the CLI's parser fills them in.
            ``seed`` None means 0, or the loaded models' seed.
        out: Where the table or JSON lines go (default: ``sys.stdout`` at call time).
        err: Where the training progress bar goes, only if it is a terminal.

    Raises:
        UsageError: bad settings, an unreadable model file or unusable data, before any
            training starts (the CLI's ``main`` prints it as one line and exits with 2).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    config = _check(args)
    load = args.load

    def emit(text: str) -> None:
        out.write(text + "\n")
        out.flush()

    if load is not None:
        records = load_records(load)
        seed = records[0].seed if args.seed is None else args.seed
        split = _split(args, seed)
        models = {model_key(record.model.hparams.get("head", "flatten"), 0, record.model.kind):
                  record.model for record in records}
        if not args.json:
            emit(loaded_header(load, records, split, seed))
    else:
        split = _split(args, config.seed)
        variants = _variants(args, config.seed)
        models = {name: model for name, (model, _) in variants.items()}
        if not args.json:
            emit(_header(split, variants, config))
        _train(variants, split, config, args.json, emit, err)
    rows = shift_test(models, split.x_test, split.y_test, range(args.max_shift + 1),
                      args.direction, batch_size=config.eval_batch_size)
    if args.json:
        for row in rows:
            emit(json.dumps({"shift": row.shift, "direction": args.direction,
                             **row.accuracies}))
    else:
        emit("\n" + table(rows, args.direction))
    return 0


def _train(models: dict[str, tuple[Sequential, int]], split: Split, config: TrainConfig,
           quiet: bool, emit: Callable[[str], None], err: TextIO) -> None:
    """Train each model in turn (with its own augmentation), with a progress bar on a
    terminal and one line per model."""
    bar = report.ProgressBar(err, enabled=err.isatty())
    try:
        for name, (model, augment) in models.items():
            last = None
            for event in train_model(model, split.x_train, split.y_train, split.x_test,
                                     split.y_test, replace(config, augment=augment)):
                if isinstance(event, BatchEnd):
                    bar.update(event)
                elif isinstance(event, EpochEnd):
                    last = event
            bar.clear()
            if not quiet and last is not None:
                emit(f"  {LABELS.get(name, name)}: {last.test_acc:.1%} test accuracy "
                     f"after {last.epoch} epochs")
    finally:
        bar.clear()
