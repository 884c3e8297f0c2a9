"""Shift tab: does the CNN really cope better than the FC when digits are off-centre?

Left: the shift test (:mod:`tuicnn.lessons.shift_experiment`) for the workspace's FC and
CNN, as a table, a reading of the numbers at every shift and a chart of the models on the
same axes (legend beside it, never over the points). ``v`` also trains the CNN variants
(augmented with shifted digits, GAP head) with the workspace CNN's settings and adds them.
The test runs in a thread worker that posts one message per measured shift, so the table
fills in while the UI stays responsive; a new run (or new models) cancels the old one
through a stop event.

Right: one test digit moved by the selected shift, with both models' predictions for it.
The table's highlighted row *is* the selected shift: arrows in the table, or ``[``/``]``
anywhere in the tab, step through the shifts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot

from tuicnn.data.transforms import shift_images
from tuicnn.lessons.shift_experiment import (
    DEFAULT_SHIFTS,
    DIRECTIONS,
    LABELS,
    VARIANT_AUGMENT,
    ShiftRow,
    iter_shift_test,
    offsets,
    readings,
    record_key,
    train_variants,
    variant_specs,
)
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import BatchEnd, EpochEnd
from tuicnn.nn.kinds import display_name
from tuicnn.nn.model import Sequential
from tuicnn.tabs.base import BaseTab
from tuicnn.widgets.heatmap import Heatmap
from tuicnn.widgets.probability_bars import ProbabilityBars
from tuicnn.widgets.train.model_style import MARKERS as TRAIN_MARKERS

SHIFTS: tuple[int, ...] = tuple(DEFAULT_SHIFTS)
"""The shifts measured and shown: 0..6 pixels."""

NARROW_WIDTH = 96
"""Below this many columns the per-digit bars are hidden (the summary still names both
predictions), so the table and the chart keep enough width on an 80-column terminal."""

PENDING = "…"
CHANCE = 10
"""Accuracy (%) of guessing among 10 classes: the grey line on the chart."""

MARKERS = {"fc": TRAIN_MARKERS[("fc", False)], "cnn": TRAIN_MARKERS[("cnn", False)],
           "cnn_aug": "+", "cnn_gap": "*", "cnn_gap_aug": "#"}
"""One point marker per model: FC and CNN as on the Train tab's charts (o and x)."""

CHART_COLOURS = {"fc": "magenta", "cnn": "cyan", "cnn_aug": "green", "cnn_gap": "yellow",
                 "cnn_gap_aug": "red"}

UNTRAINED_NOTICE = "Untrained models (random weights): train in the Train tab (F2), or press r."
TRAINED_NOTICE = "How test accuracy holds up when every test digit is moved by a few pixels."
STALE = "The models changed since this was measured: press r to measure again."


class ShiftTab(Vertical, BaseTab):
    """The shift test for the workspace's FC and CNN, and one shifted digit up close.

    Public state for tests and callers: :attr:`rows` (the measured :class:`ShiftRow` list),
    :attr:`direction`, :attr:`shift` (selected), :attr:`digit` (test-set index).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Run test"),
        Binding("d", "next_direction", "Direction"),
        Binding("left_square_bracket", "step_shift(-1)", "Smaller shift", key_display="["),
        Binding("right_square_bracket", "step_shift(1)", "Bigger shift", key_display="]"),
        Binding("n", "step_digit(1)", "Next digit"),
        Binding("v", "variants", "Train variants"),
        Binding("p", "step_digit(-1)", "Previous digit", show=False),
    ]

    @dataclass(eq=False)
    class RowMeasured(Message, bubble=False):
        """The worker measured one shift of run ``run_id``."""

        run_id: int
        row: ShiftRow

    @dataclass(eq=False)
    class VariantsProgress(Message, bubble=False):
        """Variant training: a line of progress, or (``models``) the trained variants."""

        run_id: int
        text: str = ""
        models: dict[str, Sequential] | None = None
        error: str | None = None

    @dataclass(eq=False)
    class RunEnded(Message, bubble=False):
        """The worker of run ``run_id`` stopped: done, cancelled, or failed (``error``)."""

        run_id: int
        error: str | None = None

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[ShiftRow] = []
        self.direction = DIRECTIONS[0]
        self.shift = 0
        self.digit = 0
        self._run_id = 0
        self._measuring = False
        self._stale = False
        self._untrained_run = False
        self._stop: threading.Event | None = None
        self._rows_direction = self.direction
        self._view: tuple[tuple[object, ...], np.ndarray, dict[str, np.ndarray]] | None = None
        self.variants: dict[str, Sequential] = {}
        """CNN variants trained here for the workspace's current models (``v``)."""
        self._variants_id = 0
        self._variants_stop: threading.Event | None = None
        self._variants_text = ""
        self._columns: tuple[str, ...] = ()

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        labels = self.workspace.split.class_names
        yield Static(id="shift-notice")
        with Horizontal(id="shift-body"):
            with VerticalScroll(id="shift-results"):
                yield Static(id="shift-caption")
                yield DataTable(id="shift-table", cursor_type="row", zebra_stripes=True)
                yield Static(id="shift-reading")
                with Horizontal(id="shift-plot"):
                    yield PlotextPlot(id="shift-chart")
                    yield Static(id="shift-legend")
            with VerticalScroll(id="shift-digit"):
                with Horizontal(id="shift-digit-top"):
                    yield Heatmap(None, legend=False, id="shift-image")
                    yield Static(id="shift-summary")
                with Horizontal(id="shift-bars"):
                    for kind in ("fc", "cnn"):
                        yield Static(display_name(kind), classes="shift-bars-label")
                        yield ProbabilityBars(labels, id=f"shift-{kind}-bars")

    def on_mount(self) -> None:
        self._set_columns(self._model_names())
        self._show_status()
        self._show_digit()
        self._draw_chart()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def on_show(self) -> None:
        """Measure when the tab is first shown with trained models (or they changed).

        Also takes the focus if nothing has it (the previous tab's focus was hidden).
        """
        if self.screen.focused is None:
            self.focus_default()
        if self._trained and (self._stale or not self.rows) and not self._measuring:
            self.run_test()

    def on_unmount(self) -> None:
        self._cancel()
        self._cancel_variants()

    # -- models and columns -----------------------------------------------------------------

    def _model_names(self) -> tuple[str, ...]:
        """The FC, the workspace CNN (by head and augmentation) and any variants, in order."""
        return ("fc", self._cnn_key, *self.variants)

    @property
    def _cnn_key(self) -> str:
        record = self.workspace.cnn
        return record_key(record.model, record.config)

    def _models(self) -> dict[str, Sequential]:
        workspace = self.workspace
        return {"fc": workspace.fc.model, self._cnn_key: workspace.cnn.model, **self.variants}

    def _set_columns(self, names: tuple[str, ...]) -> None:
        """One column per model (and CNN−FC after the CNN), every cell pending."""
        if names == self._columns:
            return
        self._columns = names
        table = self.query_one("#shift-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_column("shift", key="shift", width=5)
        for name in names:
            label = LABELS.get(name, name)
            table.add_column(label, key=name, width=max(5, len(label)))
            if name == "cnn" and names == ("fc", "cnn"):  # no room beside the variants
                table.add_column("CNN−FC", key="gap", width=6)
        cells = len(table.columns) - 1
        for shift in SHIFTS:
            table.add_row(f"{shift} px", *([PENDING] * cells), key=str(shift))
        table.move_cursor(row=max(0, row))

    # -- public API -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether a measurement is in progress."""
        return self._measuring

    def focus_default(self) -> None:
        """Focus the table: its rows select the shift, and the tab's keys work."""
        self.query_one("#shift-table", DataTable).focus()

    def run_test(self) -> None:
        """(Re)start the shift test in a worker thread for the current direction."""
        self._cancel()
        self._run_id += 1
        self._stop = threading.Event()
        self._measuring = True
        self._stale = False
        self._untrained_run = not self._trained
        self.rows = []
        self._rows_direction = self.direction
        models = self._models()
        self._columns = ()  # fresh pending cells
        self._set_columns(tuple(models))
        split = self.workspace.split
        self._measure(self._run_id, models, split.x_test, split.y_test, self.direction,
                      self._stop)
        self._show_status()
        self._draw_chart()

    def models_changed(self) -> None:
        """New models: stop a run in progress, re-run if this tab is on screen, else mark
        the results stale (they are re-measured when the tab is next shown)."""
        self._cancel()
        self._cancel_variants()
        self._view = None
        if self.variants:  # trained for the previous models: they no longer compare
            self.variants = {}
        if self.rows:
            self._stale = True
        if self._trained and self.is_on_screen:
            self.run_test()
        else:
            self._show_status()
        self._show_digit()

    # -- worker -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="shift-test", exit_on_error=False)
    def _measure(
        self,
        run_id: int,
        models: dict[str, Sequential],
        x_test: np.ndarray,
        y_test: np.ndarray,
        direction: str,
        stop: threading.Event,
    ) -> None:
        """Thread: measure each shift and post it; never touches widgets."""
        worker = get_current_worker()
        try:
            for row in iter_shift_test(models, x_test, y_test, SHIFTS, direction, stop=stop):
                if worker.is_cancelled or stop.is_set():
                    break
                self.post_message(self.RowMeasured(run_id, row))
        except Exception as error:  # a broken model must not take the UI down
            self.post_message(self.RunEnded(run_id, f"{type(error).__name__}: {error}"))
            return
        self.post_message(self.RunEnded(run_id))

    def on_shift_tab_row_measured(self, message: RowMeasured) -> None:
        if message.run_id != self._run_id:
            return  # a cancelled run's late result
        row = message.row
        self.rows.append(row)
        table = self.query_one("#shift-table", DataTable)
        for name, accuracy in row.accuracies.items():
            table.update_cell(str(row.shift), name, f"{accuracy:.1%}")
        if tuple(row.accuracies) == ("fc", "cnn"):
            gap = row.accuracies["cnn"] - row.accuracies["fc"]
            table.update_cell(str(row.shift), "gap", f"{100 * gap:+.1f}")
        self._draw_chart()
        self._show_status()

    def on_shift_tab_run_ended(self, message: RunEnded) -> None:
        if message.run_id != self._run_id:
            return
        self._measuring = False
        if message.error:
            self.notify(f"The shift test failed: {message.error}", severity="error")
        self._show_status()

    # -- actions ----------------------------------------------------------------------------

    def action_run(self) -> None:
        self.run_test()

    def action_variants(self) -> None:
        """Train the CNN variants (augmented, GAP) the test does not have yet, then re-run."""
        if self._variants_stop is not None:
            self.notify("Already training the variants.", severity="warning")
            return
        specs = {name: spec for name, spec in variant_specs(self._cnn_key).items()
                 if name not in self.variants}
        if not specs:
            self.run_test()
            return
        self._variants_id += 1
        self._variants_stop = threading.Event()
        record, split = self.workspace.cnn, self.workspace.split
        config = record.config or TrainConfig(seed=record.seed)
        hparams = record.model.hparams
        self._variants_text = "Training the variants…"
        self._train_variants(self._variants_id, specs, hparams["filters"],
                             hparams.get("fc_units", 128), split, config,
                             self._variants_stop)
        self._show_status()

    def _cancel_variants(self) -> None:
        if self._variants_stop is not None:
            self._variants_stop.set()
        self._variants_stop = None
        self._variants_text = ""

    @work(thread=True, exclusive=True, group="shift-variants", exit_on_error=False)
    def _train_variants(self, run_id: int, specs: dict[str, tuple[str, int]], filters: int,
                        fc_units: int, split, config: TrainConfig,
                        stop: threading.Event) -> None:
        """Thread: train each variant, posting progress lines and then the models."""
        trained: dict[str, Sequential] = {}
        try:
            for name, item in train_variants(specs, filters, fc_units, split.x_train,
                                             split.y_train, split.x_test, split.y_test,
                                             config, stop):
                label = LABELS.get(name, name)
                if isinstance(item, BatchEnd) and item.batch == 1:
                    self.post_message(self.VariantsProgress(
                        run_id, f"Training {label}: epoch {item.epoch}/{item.epochs}…"))
                elif isinstance(item, EpochEnd):
                    continue
                elif isinstance(item, Sequential):
                    trained[name] = item
        except Exception as error:  # reported; the tab keeps working
            self.post_message(self.VariantsProgress(run_id, error=f"{type(error).__name__}: "
                                                    f"{error}"))
            return
        self.post_message(self.VariantsProgress(run_id, models=trained))

    def on_shift_tab_variants_progress(self, message: VariantsProgress) -> None:
        if message.run_id != self._variants_id or self._variants_stop is None:
            return
        if message.error is not None:
            self._cancel_variants()
            self.notify(f"Training the variants failed: {message.error}", severity="error")
        elif message.models is not None:
            self._variants_stop = None
            self._variants_text = ""
            self.variants.update(message.models)
            self.run_test()
            return
        else:
            self._variants_text = message.text
        self._show_status()

    def action_next_direction(self) -> None:
        """Cycle right → down → diagonal; re-measure if results were shown."""
        index = DIRECTIONS.index(self.direction)
        self.direction = DIRECTIONS[(index + 1) % len(DIRECTIONS)]
        self._view = None
        self._show_digit()
        if self.rows or self._measuring or self._trained:
            self.run_test()
        else:
            self._show_status()

    def action_step_shift(self, step: int) -> None:
        self.query_one("#shift-table", DataTable).move_cursor(
            row=min(max(self.shift + step, 0), len(SHIFTS) - 1)
        )

    def action_step_digit(self, step: int) -> None:
        self.digit = (self.digit + step) % self.workspace.split.n_test
        self._show_digit()

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        """The highlighted row is the shift shown on the right."""
        message.stop()
        self.shift = SHIFTS[message.cursor_row]
        self._show_digit()

    # -- internals --------------------------------------------------------------------------

    @property
    def _trained(self) -> bool:
        workspace = self.workspace
        return workspace.fc.trained and workspace.cnn.trained

    def _cancel(self) -> None:
        if self._stop is not None:
            self._stop.set()
        self._measuring = False

    def _show_status(self) -> None:
        """Notice, caption and reading lines from the current state."""
        notice = self.query_one("#shift-notice", Static)
        notice.update(TRAINED_NOTICE if self._trained else UNTRAINED_NOTICE)
        notice.set_class(not self._trained, "-untrained")

        n_test = self.workspace.split.n_test
        weights = " · random weights" if self._untrained_run and self.rows else ""
        caption = f"{n_test:,} test digits moved {self._rows_direction}{weights}"
        self.query_one("#shift-caption", Static).update(Text(caption, style="bold"))

        reading_line = self.query_one("#shift-reading", Static)
        reading_line.set_class(self._stale, "-stale")
        if self._stale:
            reading_line.update(STALE)
        elif self._variants_text:
            reading_line.update(self._variants_text + " (v trains CNN+aug, ±"
                                f"{VARIANT_AUGMENT} px, and GAP CNN)")
        elif self._measuring:
            reading_line.update(f"Measuring… {len(self.rows)} of {len(SHIFTS)} shifts done.")
        elif len(self.rows) == len(SHIFTS):
            lines = readings(self.rows, self._rows_direction)
            if not self.variants:
                lines.append(f"v: add CNN+aug (trained on digits shifted ±{VARIANT_AUGMENT} "
                             "px) and GAP CNN.")
            reading_line.update("\n".join(lines))
        elif self.rows:
            reading_line.update("Stopped before every shift was measured: press r.")
        else:
            reading_line.update("Press r to measure.")

    def _draw_chart(self) -> None:
        """Every model's accuracy against shift, on one pair of axes (0-100 %).

        The legend is a text column beside the plot, so it never hides a point. The y ticks
        are 10 (chance, where the grey line is drawn), 50 and 100, and 0 only when the plot
        is tall enough to give 0 and 10 rows of their own: a tick sits on the row of its
        value, so the chance line always sits on the row labelled 10.
        """
        chart = self.query_one("#shift-chart", PlotextPlot)
        plt = chart.plt
        plt.clear_figure()
        xs = [row.shift for row in self.rows]
        names = list(self.rows[0].accuracies) if self.rows else list(self._columns)
        for name in names:
            colour = CHART_COLOURS.get(name, "white")
            ys = [100 * row.accuracies[name] for row in self.rows]
            if xs:
                plt.plot(xs, ys, marker="braille", color=colour)
                plt.scatter(xs, ys, marker=MARKERS.get(name, "*"), color=colour)
        plt.horizontal_line(CHANCE, color="gray")
        plt.xlim(SHIFTS[0], SHIFTS[-1])
        plt.ylim(0, 100)
        plt.xticks(list(SHIFTS))
        rows = chart.size.height - 2  # the plot area, less the x axis and its label
        plt.yticks([0, CHANCE, 50, 100] if rows >= 11 else [CHANCE, 50, 100])
        plt.xlabel(f"shift (px {self._rows_direction})")
        chart.refresh()
        legend = Text()
        for name in names:
            legend.append(f"{MARKERS.get(name, '*')} {LABELS.get(name, name)}\n",
                          style=CHART_COLOURS.get(name, ""))
        legend.append("─ chance\n  10%", style="dim")
        self.query_one("#shift-legend", Static).update(legend)

    def _digit_predictions(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The selected digit at every shift and both models' probabilities, cached.

        Returns:
            ``(images (S, 28, 28, 1), {"fc": (S, 10), "cnn": (S, 10)})`` for ``S`` shifts.
        """
        workspace = self.workspace
        key = (self.digit, self.direction, id(workspace.fc.model), id(workspace.cnn.model))
        if self._view is None or self._view[0] != key:
            x = workspace.split.x_test[self.digit : self.digit + 1]
            images = np.concatenate(
                [shift_images(x, *offsets(self.direction, shift)) for shift in SHIFTS]
            )
            probs = {
                "fc": workspace.fc.model.predict_proba(images),
                "cnn": workspace.cnn.model.predict_proba(images),
            }
            self._view = (key, images, probs)
        return self._view[1], self._view[2]

    def _show_digit(self) -> None:
        """Update the shifted digit, the summary and the bars for digit/shift/direction."""
        split = self.workspace.split
        images, probs = self._digit_predictions()
        index = SHIFTS.index(self.shift)
        true = int(split.y_test[self.digit])
        names = split.class_names
        self.query_one("#shift-image", Heatmap).update(
            images[index, :, :, 0], title=f"Test digit #{self.digit} · true {names[true]}"
        )
        summary = Text()
        summary.append(f"moved {self.shift} px {self.direction}\n", style="bold")
        for kind in ("fc", "cnn"):
            p = probs[kind][index]
            guess = int(np.argmax(p))
            right = guess == true
            summary.append(f"{display_name(kind):<4}")
            summary.append(f"says {names[guess]} {p[guess]:.0%} ")
            summary.append("✓ right\n" if right else "✗ wrong\n",
                           style="green" if right else "red")
            self.query_one(f"#shift-{kind}-bars", ProbabilityBars).update(p, true_label=true)
        summary.append("[ ] shift · n/p digit", style="dim")
        self.query_one("#shift-summary", Static).update(summary)
