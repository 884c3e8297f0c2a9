"""Plain-text output of ``tuicnn train``: header, epoch tables, comparison, progress bar.

Pure formatting: functions return strings and the caller decides where they go, so the
layout can be tested without training. ASCII only, so output survives any terminal, locale
or log file; no rich/Textual, so ``tuicnn train`` starts fast and runs where the UI can't.

Names and formats are the Train tab's, so a figure reads the same in both: the epoch table
has the tab's columns (``train acc``, ``test acc``, ``time`` as ``0.14s``), and a model's
time in the comparison is what the tab calls ``trained``: its epochs' times added up.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from typing import TextIO

from tuicnn.lessons.training_run import format_seconds
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import BatchEnd, EpochEnd
from tuicnn.nn.model import Sequential

_ROW = "{:>7}  {:>10}  {:>9}  {:>9}  {:>8}  {:>7}"


def model_label(model: Sequential) -> str:
    """A short name that says which setting makes this model, e.g. ``CNN (8/16 filters)``."""
    if model.kind == "fc":
        return f"FC (hidden {model.hparams['hidden']})"
    if model.kind == "cnn":
        f = model.hparams["filters"]
        start = ", conv1 started small" if model.hparams.get("conv1_init") == "small" else ""
        head = ", GAP head" if model.hparams.get("head") == "gap" else ""
        return f"CNN ({f}/{2 * f} filters{head}{start})"
    return model.kind


def header(source: str, n_train: int, n_test: int, models: Sequence[Sequential],
           config: TrainConfig) -> str:
    """What is about to run: the data, the settings, and each model's size."""
    lines = [
        f"Data:     {source}: {n_train:,} train, {n_test:,} test images",
        f"Training: {config.epochs} epochs, batch {config.batch_size}, lr {config.lr:g}, "
        f"seed {config.seed}"
        + (f", digits shifted up to {config.augment} px" if config.augment else ""),
    ]
    width = max((len(model_label(m)) for m in models), default=0)
    lines += [f"  {model_label(m):<{width}}  {m.n_params:>11,} parameters" for m in models]
    return "\n".join(lines)


def table_header(model: Sequential) -> str:
    """The title and column names of one model's epoch table."""
    title = f"{model_label(model)}, {model.n_params:,} parameters"
    columns = _ROW.format("epoch", "train loss", "train acc", "test loss", "test acc", "time")
    return f"{title}\n{columns}"


def table_row(event: EpochEnd) -> str:
    """One epoch as a row under ``table_header``."""
    return _ROW.format(
        f"{event.epoch}/{event.epochs}", f"{event.train_loss:.4f}", f"{event.train_acc:.1%}",
        f"{event.test_loss:.4f}", f"{event.test_acc:.1%}", format_seconds(event.seconds),
    )


def json_line(event: EpochEnd, extra: dict[str, float] | None = None) -> str:
    """The ``--json`` line of one epoch: ``EpochEnd.to_dict()``, the UI's contract, plus
    ``extra`` fields (the CNN's ``conv1_change`` and ``conv1_init_corr``); a NaN (no
    correlation for a constant filter) is written as ``null``."""
    fields = event.to_dict()
    for key, value in (extra or {}).items():
        fields[key] = None if math.isnan(value) else value
    return json.dumps(fields)


def conv1_line(change: float, correlation: float) -> str:
    """Under the CNN's table: how far conv1 moved from its start, in plain numbers."""
    return (f"  conv1 filters: moved {change:.1%} from their start on average "
            f"(mean correlation with the start {correlation:.4f})")


def comparison(results: Sequence[tuple[Sequential, EpochEnd, float]], total: float) -> str:
    """Final test accuracy, parameters and time of each model, and the CNN's lead over FC.

    Args:
        results: ``(model, last epoch, seconds spent training it)`` in training order; the
            seconds are its epochs' times added up (the Train tab's ``trained`` figure).
        total: wall seconds for the whole run.
    """
    width = max(len(model_label(m)) for m, _, _ in results)
    lines = ["Comparison", f"  {'model':<{width}}  {'parameters':>11}  {'test accuracy':>13}  "
                           f"{'trained':>7}"]
    for model, last, seconds in results:
        lines.append(f"  {model_label(model):<{width}}  {model.n_params:>11,}  "
                     f"{last.test_acc:>13.1%}  {format_seconds(seconds):>7}")
    by_kind = {model.kind: (model, last) for model, last, _ in results}
    if "fc" in by_kind and "cnn" in by_kind:
        (fc, fc_last), (cnn, cnn_last) = by_kind["fc"], by_kind["cnn"]
        points = 100 * (cnn_last.test_acc - fc_last.test_acc)
        lines.append(f"  CNN - FC: {points:+.1f} points of test accuracy, with "
                     f"{cnn.n_params / fc.n_params:.2f}x the parameters")
    lines.append(f"  Total: {format_seconds(total)} (wall clock, both models)")
    return "\n".join(lines)


class ProgressBar:
    """A one-line bar on a terminal, redrawn in place with carriage returns.

    Draws only when ``enabled`` (the caller passes ``stream.isatty()``): in a pipe or a log
    file, in-place redraws would pile up as thousands of partial lines. Redraws at most every
    ``interval`` seconds (plus each epoch's last batch), so a batch size of 1 on 60,000
    images does not spend its time writing to the terminal.
    """

    def __init__(self, stream: TextIO, enabled: bool, width: int = 20,
                 interval: float = 0.05) -> None:
        self.stream, self.enabled, self.width, self.interval = stream, enabled, width, interval
        self._shown = 0  # characters on the line now, to blank them out in ``clear``
        self._last = float("-inf")

    def update(self, event: BatchEnd) -> None:
        """Show ``event``'s model, epoch, batch and running loss/accuracy."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.interval and event.batch != event.batches:
            return
        self._last = now
        done = self.width * event.batch // event.batches
        bar = "#" * done + "-" * (self.width - done)
        text = (f"{event.model:<3} epoch {event.epoch}/{event.epochs} [{bar}] "
                f"{event.batch}/{event.batches}  train loss {event.loss:.4f}  "
                f"train acc {event.acc:.1%}")
        self.stream.write("\r" + text.ljust(self._shown))
        self.stream.flush()
        self._shown = len(text)

    def clear(self) -> None:
        """Blank the bar's line so the next output starts on a clean line."""
        if self.enabled and self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self.stream.flush()
            self._shown = 0
