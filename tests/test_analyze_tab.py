"""Mistakes tab through Pilot at 80x24: the screen shows what ``tuicnn analyze`` prints, Enter
on a cell lists that cell's digits, and the maps are the lessons' own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tuicnn.cli.analyze_command import analysis
from tuicnn.data.transforms import shift_images
from tuicnn.lessons import channel_top, confusion, occlusion, saliency
from tuicnn.messages import SendToExplore
from tuicnn.nn.model import build_cnn
from tuicnn.session.workspace import ModelRecord, Workspace
from tuicnn.tabs.analyze_tab import AnalyzeTab
from tuicnn.widgets.analyze.channel_view import ChannelView
from tuicnn.widgets.analyze.confusion_grid import ConfusionGrid, cell_text
from tuicnn.widgets.analyze.looks_view import LooksView
from tuicnn.widgets.heatmap import Heatmap

TCSS = Path(__file__).resolve().parents[1] / "src" / "tuicnn" / "tabs" / "analyze_tab.tcss"
SIZE = (80, 24)


class AnalyzeApp(App[None]):
    """Only the Mistakes tab, on a given workspace; keeps what it would send to Explore."""

    CSS_PATH = TCSS

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.sent: list[SendToExplore] = []

    def compose(self) -> ComposeResult:
        yield AnalyzeTab()

    def on_send_to_explore(self, message: SendToExplore) -> None:
        self.sent.append(message)


async def settle(app: App, pilot) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def models_of(workspace: Workspace) -> dict:
    return {"fc": workspace.fc.model, "cnn": workspace.cnn.model}


async def move_to(pilot, grid: ConfusionGrid, true: int, pred: int) -> None:
    await pilot.press(*["down"] * ((true - grid.cursor[0]) % 10))
    await pilot.press(*["right"] * ((pred - grid.cursor[1]) % 10))


async def test_screen_matrix_equals_the_json_twin_and_enter_lists_the_cell(trained):
    app = AnalyzeApp(trained)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = app.query_one(AnalyzeTab)
        grid = app.query_one(ConfusionGrid)
        twin = analysis(models_of(trained), trained.split)
        for kind in ("fc", "cnn"):
            assert grid.matrix.tolist() == twin["models"][kind]["matrix"]
            rows = grid.lines()[2:12]  # the ▼ ruler, the column header, then ten rows
            for t, line in enumerate(rows):
                cells = line.replace("▶", " ").split()[1:11]
                assert cells == [cell_text(v, False) for v in twin["models"][kind]["matrix"][t]]
            await pilot.press("t")
        diff = np.array(twin["models"]["cnn"]["matrix"]) - np.array(twin["models"]["fc"]["matrix"])
        assert tab.matrix_kind == "diff" and (grid.matrix == diff).all()
        await pilot.press("t")  # back to the FC

        pair = twin["models"]["fc"]["most_confused"][0]
        await move_to(pilot, grid, pair["true"], pair["pred"])
        await pilot.press("enter")
        await pilot.pause()
        assert tab.view == "gallery"
        evaluations = tab.evaluations
        expected = confusion.gallery(evaluations, trained.split.y_test, "fc", pair["true"],
                                     pair["pred"])
        listed = [int(str(row.value)) for row in app.query_one(DataTable).rows]
        assert listed == expected.tolist() and len(listed) == pair["count"]
        assert all(trained.split.y_test[i] == pair["true"]
                   and evaluations["fc"].predictions[i] == pair["pred"] for i in listed)

        await pilot.press("enter")  # the first (worst) digit goes to Explore
        await pilot.pause()
        assert len(app.sent) == 1
        assert np.array_equal(app.sent[0].image, trained.split.x_test[listed[0]][:, :, 0])
        assert f"#{listed[0]}" in app.sent[0].label

        await pilot.press("a", "f")  # every test digit the CNN gets right and the FC not
        await pilot.pause()
        listed = {int(str(row.value)) for row in app.query_one(DataTable).rows}
        fc, cnn = evaluations["fc"].predictions, evaluations["cnn"].predictions
        y = trained.split.y_test
        assert listed == {i for i in range(len(y)) if cnn[i] == y[i] != fc[i]}


async def test_looks_shows_both_nets_maps_and_follows_the_shift(trained):
    app = AnalyzeApp(trained)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = app.query_one(AnalyzeTab)
        await pilot.press("l", "n", "n")
        await pilot.pause()
        assert tab.view == "looks" and tab.digit == 2
        x, y = trained.split.x_test, trained.split.y_test
        view = app.query_one(LooksView)
        for kind, model in models_of(trained).items():
            assert np.allclose(view.map_data(kind), saliency.saliency(model, x[2], int(y[2])))
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        moved = shift_images(x[2:3], 2, 0)[0]
        cnn_map = saliency.saliency(trained.cnn.model, moved, int(y[2]))
        assert np.allclose(view.map_data("cnn"), cnn_map)
        assert "gradient saliency" in str(app.query_one("#looks-method").render())

        await pilot.press("o")
        await settle(app, pilot)
        assert "occlusion" in str(app.query_one("#looks-method").render())
        fc_map, fc = view.map_data("fc"), trained.fc.model
        base = fc.predict_proba(moved[None])[0, y[2]]
        for row, col in ((14, 16), (5, 9)):
            patched = occlusion.probability_with_patch(fc, moved, int(y[2]), row, col)
            assert np.isclose(fc_map[row, col], base - patched, atol=1e-6)
        await pilot.press("up", "left")
        assert tab.patch == (13, 13)
        info = str(app.query_one("#looks-info").render())
        after = occlusion.probability_with_patch(trained.cnn.model, moved, int(y[2]), 13, 13)
        assert f"→{after:.0%}" in info


async def test_channels_show_the_top_digits_and_models_changed_re_evaluates(trained):
    workspace = Workspace(trained.split, trained.fc, trained.cnn)
    app = AnalyzeApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = app.query_one(AnalyzeTab)
        await pilot.press("c", "full_stop")
        await pilot.pause()
        assert tab.channel == 1
        maps = channel_top.activations(workspace.cnn.model, workspace.split.x_test)
        hits = channel_top.top_hits(maps, 1)
        first = app.query_one(ChannelView).query_one("#channel-slot-0", Heatmap)
        assert first.title.startswith(f"#{hits[0].index} ")

        workspace.cnn = ModelRecord(build_cnn(2, seed=9))
        tab.models_changed()
        await settle(app, pilot)
        expected = confusion.evaluate(workspace.cnn.model, workspace.split.x_test,
                                      workspace.split.y_test)
        assert (tab.evaluations["cnn"].matrix == expected.matrix).all()
        assert "UNTRAINED" in str(app.query_one("#analyze-status").render())
