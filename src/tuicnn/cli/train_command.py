"""``tuicnn train``: validate the settings, load the split, train, and report.

A consumer of the engine's ``train`` generator, like the UI: it prints events and never
computes anything the engine does not, so ``--json`` numbers equal a direct ``train`` call
with the same seed and config.

``--save FILE`` writes both models in the app's model-file format, so ``tuicnn --load FILE``
and ``tuicnn shift-test --load FILE`` pick them up; it needs ``--model both`` because a model
file always holds an FC *and* a CNN, and saving a random-weight twin of the model not
trained would pass it off as a result. ``--export-history`` writes the epoch table as CSV or
JSON. Both refuse an existing file unless ``--force`` is given, and both are checked before
training starts, so a typo does not cost a finished run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from tuicnn.cli import report
from tuicnn.cli.common import (
    MODELS,
    TRAIN_SIZE_HELP,
    UsageError,
    add_data_options,
    limits_text,
)
from tuicnn.cli.datasets import resolve_data_dir
from tuicnn.data.dataset import Split, bundled_split, idx_split
from tuicnn.data.errors import DataError
from tuicnn.data.files import PathProblem, check_writable_target, reason, shown
from tuicnn.lessons.filter_change import layer_change
from tuicnn.nn.config import DEFAULTS, TrainConfig, check_range
from tuicnn.nn.events import BatchEnd, EpochEnd, LayerSnapshot
from tuicnn.nn.model import CONV1_INITS, CONV1_SMALL, Sequential, build_cnn, build_fc
from tuicnn.nn.shapes import CNN_HEADS
from tuicnn.nn.training import train as train_model
from tuicnn.session.model_file import (
    ModelFileError,
    export_history_csv,
    export_history_json,
    save_workspace_models,
)
from tuicnn.session.workspace import ModelRecord

HISTORY_FORMATS = (".csv", ".json")


HELP = "train FC and/or CNN without the UI"
DESCRIPTION = ("Train the fully-connected network and/or the CNN on the same split and seed "
               "(so both see the same batches), printing a table or JSON lines.")


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``train`` options to ``parser`` (a sub-parser made by the CLI)."""
    parser.add_argument("--model", choices=MODELS, default="both",
                       help="which network(s) to train; both = FC, then CNN (default: both)")
    default = DEFAULTS
    parser.add_argument("--epochs", type=int, default=default["epochs"], metavar="N",
                       help=f"passes over the training set, {limits_text('epochs')} "
                       f"(default: {default['epochs']})")
    parser.add_argument("--batch-size", type=int, default=default["batch_size"], metavar="B",
                       help=f"images per step, {limits_text('batch_size')} "
                       f"(default: {default['batch_size']})")
    parser.add_argument("--hidden", type=int, default=default["hidden"], metavar="H",
                       help=f"FC hidden units, {limits_text('hidden')} "
                       f"(default: {default['hidden']})")
    parser.add_argument("--filters", type=int, default=default["filters"], metavar="F",
                       help="CNN first-layer filters (the second has 2F), "
                        f"{limits_text('filters')} (default: {default['filters']})")
    parser.add_argument("--conv1-init", choices=CONV1_INITS, default="he",
                       help="how the CNN's first-layer filters start: he (like every layer) "
                       f"or small (He x {CONV1_SMALL:g}, near zero, so what they show after "
                       "training is learned) (default: he)")
    parser.add_argument("--cnn-head", choices=CNN_HEADS, default="flatten",
                       help="how the CNN's maps reach its dense layer: flatten (every "
                       "position its own weights) or gap (global average pool: one mean per "
                       "channel) (default: flatten)")
    parser.add_argument("--augment", type=int, default=0, metavar="N",
                       help="shift every training digit by a random -N..N px across and down "
                       f"each time it is used, {limits_text('augment')} (default: 0, none)")
    parser.add_argument("--lr", type=float, default=default["lr"], metavar="LR",
                       help=f"Adam learning rate, {limits_text('lr')} "
                       f"(default: {default['lr']:g})")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                       help=f"seed for the split, the weights and the batch order, "
                       f"{limits_text('seed')} (default: 0)")
    parser.add_argument("--train-size", type=int, default=1000, metavar="N",
                       help=TRAIN_SIZE_HELP)
    parser.add_argument("--test-size", type=int, default=1000, metavar="N",
                       help="test images, disjoint from training (default: 1000)")
    add_data_options(parser)
    parser.add_argument("--json", action="store_true",
                       help="print one JSON object per finished epoch on stdout, nothing else")
    parser.add_argument("--save", metavar="FILE",
                       help="after training, save both models to FILE (.npz; needs --model "
                       "both) for 'tuicnn --load' and 'tuicnn shift-test --load'")
    parser.add_argument("--export-history", metavar="FILE",
                       help="after training, write every epoch's numbers to FILE.csv or "
                       "FILE.json")
    parser.add_argument("--force", action="store_true",
                       help="let --save and --export-history replace existing files")
    parser.set_defaults(run=run_train)


def training_config(args: argparse.Namespace) -> TrainConfig:
    """The training config, with every range checked by the engine before any data is read.

    Raises:
        UsageError: a value is out of the engine's ``LIMITS`` (the engine's own message).
    """
    try:
        if args.model in ("fc", "both"):
            check_range("hidden", args.hidden)
        if args.model in ("cnn", "both"):
            check_range("filters", args.filters)
        return TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                           seed=args.seed, augment=args.augment)
    except ValueError as error:
        raise UsageError(str(error)) from None


def check_output(path: str, force: bool, option: str) -> Path:
    """Refuse an output file that cannot be written, before any training starts.

    The writers in :mod:`tuicnn.session.model_file` check again when they write (the file may
    appear meanwhile); checking here too means a typo costs a second, not a whole run.

    Raises:
        UsageError: the file exists (without ``--force``), is not a regular file (never
            replaced, even with ``--force``), cannot be looked at, or its directory does not
            exist.
    """
    target = Path(path)
    try:
        check_writable_target(target, force)
        directory_ok = target.parent.is_dir()
    except PathProblem as problem:
        text = str(problem)
        if text == "the file already exists":
            text += " (add --force to replace it)"
        raise UsageError(f"{option} {shown(path)}: {text}") from None
    except OSError as error:  # the folder cannot be looked into (permissions, name length)
        raise UsageError(f"{option} {shown(path)}: {reason(error)}") from None
    if not directory_ok:
        raise UsageError(f"{option} {path}: the directory {target.parent} does not exist")
    return target


def check_outputs(args: argparse.Namespace) -> None:
    """``--save`` needs both models; each output file must be new (or ``--force``).

    Raises:
        UsageError: one line saying which option and what to change.
    """
    save, export, force = args.save, args.export_history, args.force
    if save is not None:
        if args.model != "both":
            raise UsageError("--save needs --model both: a model file holds the FC and the CNN")
        check_output(save, force, "--save")
    if export is not None:
        if Path(export).suffix.lower() not in HISTORY_FORMATS:
            raise UsageError(f"--export-history {export}: name a .csv or a .json file")
        check_output(export, force, "--export-history")
    if save is not None and export is not None and _same_file(save, export):
        raise UsageError("--save and --export-history name the same file")


def _same_file(first: str, second: str) -> bool:
    try:
        return Path(first).resolve() == Path(second).resolve()
    except OSError:  # e.g. a name too long to resolve: compared as typed
        return first == second


def write_outputs(args: argparse.Namespace, records: list[ModelRecord]) -> list[str]:
    """Save the models and/or the history; return one line per file written.

    Raises:
        UsageError: the writer's one-sentence ``ModelFileError`` (e.g. the disk is full).
    """
    done = []
    force = args.force
    try:
        if args.save is not None:
            by_kind = {record.model.kind: record for record in records}
            path = save_workspace_models(args.save, by_kind["fc"], by_kind["cnn"],
                                         overwrite=force)
            done.append(f"Saved the FC and the CNN to {path}")
        export = args.export_history
        if export is not None:
            write = (export_history_json if Path(export).suffix.lower() == ".json"
                     else export_history_csv)
            rows = write(export, records, overwrite=force)
            done.append(f"Wrote {rows} epochs of history to {export}")
    except ModelFileError as error:
        raise UsageError(str(error)) from None
    return done


def training_split(args: argparse.Namespace) -> Split:
    """The bundled digits or IDX files (``--data-dir``/``--dataset``), subsampled with ``--seed``.

    Raises:
        UsageError: both data options given, Fashion-MNIST not installed, or the data layer's
            one-sentence ``DataError`` (missing directory, broken file, sizes larger than the
            data...).
    """
    data_dir = resolve_data_dir(args.data_dir, args.dataset)
    try:
        if data_dir is not None:
            return idx_split(data_dir, args.train_size, args.test_size, seed=args.seed)
        return bundled_split(args.train_size, args.test_size, seed=args.seed)
    except DataError as error:
        raise UsageError(str(error)) from None


def new_models(args: argparse.Namespace) -> list[Sequential]:
    """FC then CNN (for ``both``), each initialised from ``--seed`` like the UI's models."""
    models = []
    if args.model in ("fc", "both"):
        models.append(build_fc(args.hidden, seed=args.seed))
    if args.model in ("cnn", "both"):
        models.append(build_cnn(args.filters, seed=args.seed,
                                conv1_init=args.conv1_init, head=args.cnn_head))
    return models


def _conv1_change(record: ModelRecord) -> tuple[float, float]:
    """Mean relative change and start correlation of conv1, start to latest snapshot."""
    return layer_change(record.snapshots[0][0], record.snapshots[-1][0])


def _conv1_fields(record: ModelRecord) -> dict[str, float]:
    """The CNN's extra ``--json`` fields (none for the FC, which keeps no snapshots)."""
    if not record.snapshots:
        return {}
    change, correlation = _conv1_change(record)
    return {"conv1_change": change, "conv1_init_corr": correlation}


def run_train(args: argparse.Namespace, out: TextIO | None = None,
              err: TextIO | None = None) -> int:
    """Run ``tuicnn train`` and return its exit code.

    Models train one after the other on the same split: with one seed they see the same
    batches in the same order (the engine's ``shuffle_rng``), so their numbers compare.

    Args:
        args: parsed ``train`` arguments.
        out: where tables or JSON lines go (default: ``sys.stdout`` at call time).
        err: where the progress bar goes, only if it is a terminal (default: ``sys.stderr``).

    Raises:
        UsageError: bad settings, unusable data or an output file in the way, before any
            training starts; or a file that could not be written after it.
        KeyboardInterrupt: passed on after blanking the progress bar (nothing is saved).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    config = training_config(args)
    check_outputs(args)
    split = training_split(args)
    models = new_models(args)

    def emit(text: str) -> None:
        out.write(text + "\n")
        out.flush()  # a reader of --json (or a tail -f) sees each epoch as it ends

    if not args.json:
        emit(report.header(split.source, split.n_train, split.n_test, models, config))
    bar = report.ProgressBar(err, enabled=err.isatty())
    results = []
    records = []
    start = time.perf_counter()
    try:
        for model in models:
            if not args.json:
                emit("\n" + report.table_header(model))
            last = None
            record = ModelRecord(model, config=config)
            for event in train_model(model, split.x_train, split.y_train, split.x_test,
                                     split.y_test, config, watch="conv1"):
                if isinstance(event, BatchEnd):
                    bar.update(event)
                elif isinstance(event, LayerSnapshot):
                    record.snapshots.append((event.weights, event.bias))
                elif isinstance(event, EpochEnd):
                    bar.clear()
                    emit(report.json_line(event, _conv1_fields(record)) if args.json
                         else report.table_row(event))
                    record.history.append(event)
                    last = event
            if not args.json and record.snapshots:
                emit(report.conv1_line(*_conv1_change(record)))
            results.append((model, last, sum(e.seconds for e in record.history)))
            records.append(record)
    finally:
        bar.clear()
    if not args.json:
        emit("\n" + report.comparison(results, time.perf_counter() - start))
    written = write_outputs(args, records)
    if not args.json:  # --json promises JSON lines only; exit code 0 says the files exist
        for line in written:
            emit(line)
    return 0
