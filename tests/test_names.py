"""One figure, one name: the Train tab, the Draw tab and ``tuicnn train`` say the same words
for the same numbers (issue 20)."""

from __future__ import annotations

import io
import re

from tuicnn.cli import report
from tuicnn.nn.events import BatchEnd, EpochEnd
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.session.workspace import ModelRecord
from tuicnn.tabs.draw_tab import _status
from tuicnn.widgets.train.history_table import COLUMNS, row_cells


def epoch(kind: str, n: int, seconds: float) -> EpochEnd:
    return EpochEnd(kind, epoch=n, epochs=2, train_loss=0.5, train_acc=0.8, test_loss=0.6,
                    test_acc=0.75, seconds=seconds)


def test_the_cli_epoch_table_has_the_train_tabs_columns_and_formats():
    event = epoch("fc", 1, 0.14)
    header = report.table_header(build_fc(16)).splitlines()[1]
    assert re.split(r"\s{2,}", header.strip()) == list(COLUMNS)
    assert report.table_row(event).split() == list(row_cells(event))


def test_the_cli_comparison_names_test_accuracy_and_the_trained_time_as_the_tab_does():
    fc, cnn = build_fc(16), build_cnn(4)
    text = report.comparison([(fc, epoch("fc", 2, 0.14), 0.28),
                              (cnn, epoch("cnn", 2, 0.5), 1.0)], total=1.5)
    assert "test accuracy" in text and "test acc " not in text
    assert "trained" in text and "0.28s" in text and "1.00s" in text
    assert "params " not in text


def test_the_cli_progress_bar_says_which_loss_and_accuracy():
    stream = io.StringIO()
    bar = report.ProgressBar(stream, enabled=True, interval=0)
    bar.update(BatchEnd("fc", epoch=1, epochs=2, batch=4, batches=4, loss=0.5, acc=0.8))
    shown = stream.getvalue()
    assert "train loss 0.5000" in shown and "train acc 80.0%" in shown


def test_a_models_accuracy_is_called_test_accuracy_in_every_status():
    record = ModelRecord(build_fc(16), history=[epoch("fc", 1, 0.1)])
    assert record.status.endswith("75.0% test accuracy")
    assert _status(record) == "75.0% test accuracy"
