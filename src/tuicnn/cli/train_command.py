"""``tuicnn train``: validate the settings, load the split, train, and report.

A consumer of the engine's ``train`` generator, like the UI: it prints events and never
computes anything the engine does not, so ``--json`` numbers equal a direct ``train`` call
with the same seed and config.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from tuicnn.cli import report
from tuicnn.cli.args import UsageError
from tuicnn.data import DataError, Split, bundled_split, idx_split
from tuicnn.nn import BatchEnd, EpochEnd, Sequential, TrainConfig, build_cnn, build_fc, check_range
from tuicnn.nn import train as train_model


def _config(args: argparse.Namespace) -> TrainConfig:
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
                           seed=args.seed)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _split(args: argparse.Namespace) -> Split:
    """The bundled digits or the IDX files in ``--data-dir``, subsampled with ``--seed``.

    Raises:
        UsageError: the data layer's one-sentence ``DataError`` (missing directory, broken
            file, sizes larger than the data...).
    """
    try:
        if args.data_dir is not None:
            return idx_split(args.data_dir, args.train_size, args.test_size, seed=args.seed)
        return bundled_split(args.train_size, args.test_size, seed=args.seed)
    except DataError as error:
        raise UsageError(str(error)) from None


def _models(args: argparse.Namespace) -> list[Sequential]:
    """FC then CNN (for ``both``), each initialised from ``--seed`` like the UI's models."""
    models = []
    if args.model in ("fc", "both"):
        models.append(build_fc(args.hidden, seed=args.seed))
    if args.model in ("cnn", "both"):
        models.append(build_cnn(args.filters, seed=args.seed))
    return models


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
        UsageError: bad settings or unusable data, before any training starts.
        KeyboardInterrupt: passed on after blanking the progress bar.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    config = _config(args)
    split = _split(args)
    models = _models(args)

    def emit(text: str) -> None:
        out.write(text + "\n")
        out.flush()  # a reader of --json (or a tail -f) sees each epoch as it ends

    if not args.json:
        emit(report.header(split.source, split.n_train, split.n_test, models, config))
    bar = report.ProgressBar(err, enabled=err.isatty())
    results = []
    start = time.perf_counter()
    try:
        for model in models:
            if not args.json:
                emit("\n" + report.table_header(model))
            model_start, last = time.perf_counter(), None
            for event in train_model(model, split.x_train, split.y_train, split.x_test,
                                     split.y_test, config):
                if isinstance(event, BatchEnd):
                    bar.update(event)
                elif isinstance(event, EpochEnd):
                    bar.clear()
                    emit(report.json_line(event) if args.json else report.table_row(event))
                    last = event
            results.append((model, last, time.perf_counter() - model_start))
    finally:
        bar.clear()
    if not args.json:
        emit("\n" + report.comparison(results, time.perf_counter() - start))
    return 0
