"""Issue 14 on screen, through Pilot: the stored history after --load, the parameter split
and head choice on the Train tab, the variants and the chart of the Shift tab."""

from __future__ import annotations

import re

from textual.widgets import Input, Static

from tuicnn.app import TuicnnApp, create_app
from tuicnn.lessons.shift_experiment import shift_test
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.model import build_cnn
from tuicnn.nn.training import train
from tuicnn.session.model_file import save_workspace_models
from tuicnn.tabs.shift_tab import SHIFTS, ShiftTab
from tuicnn.tabs.train_tab import TrainTab
from tuicnn.widgets.train.history_table import HistoryTable, row_cells
from tuicnn.widgets.train.training_chart import TrainingChart

SIZE = (80, 24)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def text_of(widget: Static) -> str:
    return str(widget.render())


async def test_load_shows_the_stored_history_in_charts_and_tables(trained, tmp_path):
    path = save_workspace_models(tmp_path / "run.npz", trained.fc, trained.cnn)
    app = create_app(load=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for kind, record in (("fc", trained.fc), ("cnn", trained.cnn)):
            table = app.screen.query_one(f"#{kind}-table", HistoryTable)
            assert table.rows_text() == [row_cells(event) for event in record.history]
        for chart_id in ("#loss-chart", "#acc-chart"):
            chart = app.screen.query_one(chart_id, TrainingChart)
            assert chart._plot_widget is not None  # not the "no data yet" line
            points = {(s.group, s.label): s.ys for s in chart._series if s.label}
            if chart_id == "#acc-chart":
                assert points[("CNN", "test")] == tuple(
                    100 * e.test_acc for e in trained.cnn.history)
        summary = text_of(app.screen.query_one("#train-summary", Static))
        assert "Stored run" in summary and str(path) in summary


async def test_train_tab_shows_the_split_and_switches_the_head():
    app = TuicnnApp()
    async with app.run_test(size=SIZE) as pilot:
        tab = app.screen.query_one(TrainTab)
        text = text_of(app.screen.query_one("#train-params", Static))
        assert tab.settings.split_line() in text
        assert "First layer: FC 784×128" in text
        await pilot.press("tab", "tab", "tab", "tab", "enter")  # open the advanced settings
        await pilot.pause()
        field = app.screen.query_one("#set-cnn_head Input", Input)
        field.focus()
        await pilot.press("right")
        assert tab.settings.cnn_head == "gap"
        gap = build_cnn(8, head="gap").n_params
        text = text_of(app.screen.query_one("#train-params", Static))
        assert f"CNN {gap:,}" in text and "GAP + dense head" in text


async def test_shift_tab_trains_and_measures_the_variants():
    from conftest import tiny_workspace

    workspace = tiny_workspace(trained=True)
    workspace.cnn.config = TrainConfig(epochs=1, batch_size=32)  # as conftest trained it
    app = TuicnnApp(workspace=workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("v")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        tab = app.screen.query_one(ShiftTab)
        assert list(tab.rows[0].accuracies) == ["fc", "cnn", "cnn_aug", "cnn_gap"]
        split = workspace.split
        models = {"fc": workspace.fc.model, "cnn": workspace.cnn.model}
        for name, head, augment in (("cnn_aug", "flatten", 3), ("cnn_gap", "gap", 0)):
            model = build_cnn(8, seed=0, head=head)
            for _ in train(model, split.x_train, split.y_train, split.x_test, split.y_test,
                           TrainConfig(epochs=1, batch_size=32, augment=augment)):
                pass
            models[name] = model
        assert tab.rows == shift_test(models, split.x_test, split.y_test, SHIFTS, "right")
        legend = text_of(app.screen.query_one("#shift-legend", Static))
        for line in ("o FC", "x CNN", "+ CNN+aug", "* GAP CNN"):
            assert line in legend
        # At 80×24 the chance line sits on the row labelled 10.
        chart = app.screen.query_one("#shift-chart")
        lines = ANSI.sub("", chart.plt.build()).splitlines()
        labelled = [line for line in lines if re.match(r"\s*10[├┤]", line)]
        assert len(labelled) == 1 and "─" in labelled[0]
        assert not any(re.match(r"\s*25[├┤]", line) for line in lines)


async def test_explore_and_architectures_follow_a_gap_head():
    from conftest import tiny_workspace

    from tuicnn.session.workspace import ModelRecord

    workspace = tiny_workspace(trained=False)
    workspace.cnn = ModelRecord(build_cnn(8, seed=0, head="gap"))
    app = TuicnnApp(workspace=workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await app.workers.wait_for_complete()
        await pilot.press("l")  # the layers view: the pipeline through the head
        await app.workers.wait_for_complete()
        await pilot.pause()
        card = app.screen.query_one("#stage-flatten")
        assert "Global average pool · 16 numbers" in card.title
        await pilot.press("f6")
        await pilot.pause()
        rows = app.screen.query_one("#arch-summary")
        gap = build_cnn(8, head="gap").n_params
        assert any(f"{gap:,}" in str(cell) for cell in rows.get_row("app_cnn"))
