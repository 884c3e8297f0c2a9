"""Shift tab through Pilot: the table equals shift_test, the digit view follows the keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer

from tuicnn.data.transforms import shift_images
from tuicnn.lessons.shift_experiment import reading, shift_test
from tuicnn.session.workspace import Workspace
from tuicnn.tabs.shift_tab import SHIFTS, ShiftTab
from tuicnn.widgets.heatmap import Heatmap
from tuicnn.widgets.probability_bars import ProbabilityBars

TCSS = Path(__file__).resolve().parents[1] / "src" / "tuicnn" / "tabs" / "shift_tab.tcss"
SIZE = (100, 30)


class ShiftApp(App[None]):
    """Only the Shift tab (and a footer), on a given workspace."""

    CSS_PATH = TCSS

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace

    def compose(self) -> ComposeResult:
        yield ShiftTab()
        yield Footer()


def expected_rows(workspace: Workspace, direction: str = "right"):
    models = {"fc": workspace.fc.model, "cnn": workspace.cnn.model}
    split = workspace.split
    return shift_test(models, split.x_test, split.y_test, SHIFTS, direction)


def table_values(app: App) -> list[list[str]]:
    table = app.query_one(DataTable)
    return [[str(cell) for cell in table.get_row(str(shift))] for shift in SHIFTS]


async def settle(app: App, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_untrained_says_so_and_runs_only_on_request(untrained):
    app = ShiftApp(untrained)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one(ShiftTab)
        await settle(app, pilot)
        notice = str(app.query_one("#shift-notice").render())
        assert "Untrained" in notice and "Train tab" in notice
        assert tab.rows == [] and table_values(app)[0][1] == "…"

        await pilot.press("r")
        await settle(app, pilot)
        assert tab.rows == expected_rows(untrained)
        assert "random weights" in str(app.query_one("#shift-caption").render())


async def test_table_equals_shift_test_when_trained(trained):
    app = ShiftApp(trained)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one(ShiftTab)
        await settle(app, pilot)  # trained models: measured as soon as the tab shows
        rows = expected_rows(trained)
        assert tab.rows == rows
        for values, row in zip(table_values(app), rows, strict=True):
            fc, cnn = row.accuracies["fc"], row.accuracies["cnn"]
            assert values == [f"{row.shift} px", f"{fc:.1%}", f"{cnn:.1%}",
                              f"{100 * (cnn - fc):+.1f}"]
        shown = str(app.query_one("#shift-reading").render()).replace("\n", " ")
        assert shown.startswith(reading(rows, "right"))  # then the hint to train variants
        assert "Untrained" not in str(app.query_one("#shift-notice").render())


async def test_direction_key_remeasures(trained):
    app = ShiftApp(trained)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one(ShiftTab)
        await settle(app, pilot)
        app.query_one(DataTable).focus()
        await pilot.press("d")
        await settle(app, pilot)
        assert tab.direction == "down"
        assert tab.rows == expected_rows(trained, "down")
        await pilot.press("d")
        await settle(app, pilot)
        assert tab.rows == expected_rows(trained, "diagonal")
        assert "moved diagonal" in str(app.query_one("#shift-caption").render())


async def test_stepping_shifts_and_digits_shows_the_shifted_digit(trained):
    app = ShiftApp(trained)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one(ShiftTab)
        await settle(app, pilot)
        app.query_one(DataTable).focus()
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        assert tab.shift == 3
        x = trained.split.x_test
        shifted = shift_images(x[0:1], 3, 0)
        np.testing.assert_array_equal(app.query_one("#shift-image", Heatmap).data,
                                      shifted[0, :, :, 0])
        bars = app.query_one("#shift-cnn-bars", ProbabilityBars)
        np.testing.assert_allclose(bars.probs, trained.cnn.model.predict_proba(shifted)[0],
                                   rtol=1e-5)
        assert bars.true_index == int(trained.split.y_test[0])

        await pilot.press("n", "n", "p", "up")  # digit 1, shift 2 (the table row moves too)
        assert (tab.digit, tab.shift) == (1, 2)
        np.testing.assert_array_equal(app.query_one("#shift-image", Heatmap).data,
                                      shift_images(x[1:2], 2, 0)[0, :, :, 0])
        await pilot.press(*["left_square_bracket"] * 5)
        assert tab.shift == 0


async def test_models_changed_remeasures_on_screen(untrained, trained):
    workspace = Workspace(untrained.split, untrained.fc, untrained.cnn)
    app = ShiftApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one(ShiftTab)
        await pilot.press("r")
        await settle(app, pilot)
        assert tab.rows == expected_rows(untrained)

        workspace.fc, workspace.cnn = trained.fc, trained.cnn
        tab.models_changed()
        await settle(app, pilot)
        assert tab.rows == expected_rows(trained)
        assert "random weights" not in str(app.query_one("#shift-caption").render())


async def test_models_changed_off_screen_marks_results_stale(untrained, trained):
    workspace = Workspace(untrained.split, untrained.fc, untrained.cnn)
    app = ShiftApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one(ShiftTab)
        await pilot.press("r")
        await settle(app, pilot)
        stale = tab.rows[0]
        tab.display = False
        for _ in range(50):  # hidden with the next screen update
            if not tab.is_on_screen:
                break
            await pilot.pause(0.02)
        workspace.fc, workspace.cnn = trained.fc, trained.cnn
        tab.models_changed()
        await settle(app, pilot)
        assert "models changed" in str(app.query_one("#shift-reading").render())
        tab.display = True  # shown again: measured with the new models
        for _ in range(50):  # Show arrives with the next screen update, not at once
            await pilot.pause(0.05)
            await settle(app, pilot)
            if len(tab.rows) == len(SHIFTS) and not tab.running and tab.rows[0] != stale:
                break
        assert tab.rows == expected_rows(trained)


def test_snapshot(snap_compare, monkeypatch, trained):
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = ShiftApp(trained)

    async def measured(pilot):
        await settle(app, pilot)
        app.query_one(DataTable).focus()
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=measured)
