"""The Explore tab through Pilot: every number shown is the engine's, and the keys work."""

from __future__ import annotations

import numpy as np
import pytest
from textual.containers import VerticalScroll
from textual.widgets import Static

from tuicnn.app import TuicnnApp
from tuicnn.data.dataset import bundled_split
from tuicnn.lessons.explorer import CLASSIC_FILTERS, classic_responses, strongest_window
from tuicnn.nn.events import EpochEnd
from tuicnn.nn.model import build_cnn
from tuicnn.nn.tracing import trace
from tuicnn.screens.help import help_text
from tuicnn.session.workspace import ModelRecord
from tuicnn.tabs.explore_tab import ExploreTab
from tuicnn.widgets.explore.filters_view import FiltersView
from tuicnn.widgets.explore.maxpool_view import MaxPoolView
from tuicnn.widgets.explore.pipeline_view import PipelineView
from tuicnn.widgets.probability_bars import ProbabilityBars

SIZE = (100, 30)


@pytest.fixture(scope="module")
def split():
    return bundled_split(train_size=100, test_size=200)


def make_app(split) -> TuicnnApp:
    return TuicnnApp(split, seed=0)


def text_of(app: TuicnnApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def engine_trace(app: TuicnnApp, tab: ExploreTab):
    """A fresh trace (not the tab's cached one) of what the tab shows."""
    return trace(app.workspace.cnn.model, app.workspace.split.x_test[tab.example.index])


async def open_tab(pilot) -> ExploreTab:
    await pilot.press("f3")
    await pilot.pause()
    return pilot.app.screen.query_one(ExploreTab)


async def test_filters_view_shows_the_engines_filters_and_responses(split):
    app = make_app(split)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot)
        assert app.focused is app.screen.query_one("#explore-body")
        example = tab.example
        assert split.y_test[example.index] == 6
        assert f"test example 1 of {example.count} labelled 6" in text_of(app, "#explore-example")
        assert app.workspace.cnn.status in text_of(app, "#explore-network")

        view = app.screen.query_one(FiltersView)
        result = engine_trace(app, tab)
        weights = app.workspace.cnn.model.layer("conv1").params["W"]
        cards = view.learned_cards
        assert len(cards) == weights.shape[-1] == 8
        for k, card in enumerate(cards):
            np.testing.assert_allclose(card.heatmap.data, result["relu1"].values[:, :, k])
            np.testing.assert_allclose(card.kernel.data, weights[:, :, 0, k])
        image = split.x_test[example.index]
        np.testing.assert_allclose(view.query_one("#filters-digit").heatmap.data, image[..., 0])
        classic = classic_responses(image)
        for k, card in enumerate(view.classic_cards):
            assert card.title == CLASSIC_FILTERS[k].name
            np.testing.assert_allclose(card.heatmap.data, classic[:, :, k], atol=1e-6)
        assert "not learned" in str(view.query_one("#filters-classic-heading", Static).content)

        await pilot.press("]")
        assert [card.has_class("-selected") for card in cards].index(True) == 1
        await pilot.press("[", "[")
        assert [card.has_class("-selected") for card in cards].index(True) == 7


async def test_layers_view_shows_the_trace_and_softmax(split):
    app = make_app(split)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot)
        await pilot.press("l")
        pipeline = app.screen.query_one(PipelineView)
        result = engine_trace(app, tab)
        bars = app.screen.query_one(ExploreTab).query_one(ProbabilityBars)
        np.testing.assert_allclose(bars.probs, result.probabilities, rtol=1e-6)
        assert bars.predicted == result.prediction
        assert bars.true_index == 6
        for stage in ("relu1", "pool1", "relu2", "pool2"):
            np.testing.assert_allclose(
                pipeline.card(stage).heatmap.data, result[stage].values[:, :, 0]
            )
        flat = pipeline.card("flatten").heatmap.data
        np.testing.assert_allclose(flat.ravel()[:784], result["flatten"].values)
        assert "channel 1 of 8" in pipeline.card("relu1").title

        misses = tab._traces.misses
        await pilot.press("]", "]")
        np.testing.assert_allclose(
            pipeline.card("pool1").heatmap.data, result["pool1"].values[:, :, 2]
        )
        assert "channel 3 of 16" in pipeline.card("relu2").title
        await pilot.press(",", ",", ",")  # 2 → 15 of conv2's 16; conv1 wraps to 15 % 8 = 7
        assert "channel 16 of 16" in pipeline.card("pool2").title
        assert "channel 8 of 8" in pipeline.card("relu1").title
        np.testing.assert_allclose(
            pipeline.card("relu2").heatmap.data, result["relu2"].values[:, :, 15]
        )
        assert tab._traces.misses == misses  # channel keys never re-trace


async def test_digit_and_example_keys_pick_real_test_examples(split):
    app = make_app(split)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot)
        await pilot.press("3")
        first = tab.example
        assert (first.digit, first.position) == (3, 0)
        assert split.y_test[first.index] == 3
        await pilot.press("n")
        assert tab.example.position == 1
        assert split.y_test[tab.example.index] == 3
        await pilot.press("p", "p")
        assert tab.example.position == first.count - 1  # wrapped to the last 3
        assert f"test example {first.count} of {first.count} labelled 3" in text_of(
            app, "#explore-example"
        )
        await pilot.press("l")
        shown = app.screen.query_one(PipelineView).card("input").heatmap.data
        np.testing.assert_allclose(shown, split.x_test[tab.example.index, :, :, 0])

        await pilot.click("#digit-8")
        assert tab.example.digit == 8 and split.y_test[tab.example.index] == 8
        await pilot.click("#example-next")
        assert tab.example.position == 1
        await pilot.click("#example-next")
        await pilot.click("#example-next")  # quick clicks each count
        assert tab.example.position == 3
        await pilot.click("#view-maxpool")
        assert tab.view == "maxpool"


async def test_maxpool_view_pools_like_the_engine_and_moves_in_steps_of_two(split):
    app = make_app(split)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot)
        await pilot.press("m")
        view = app.screen.query_one(MaxPoolView)
        result = engine_trace(app, tab)
        relu1, pool1 = result["relu1"].values, result["pool1"].values

        def check(channel: int) -> None:
            zoom = view.zoom
            r, c = zoom.row, zoom.col
            assert r % 2 == 0 and c % 2 == 0
            np.testing.assert_array_equal(zoom.patch, relu1[r : r + 4, c : c + 4, channel])
            np.testing.assert_array_equal(
                zoom.pooled, pool1[r // 2 : r // 2 + 2, c // 2 : c // 2 + 2, channel]
            )
            grid = view.query_one("#maxpool-pooled-grid")
            np.testing.assert_allclose(grid.data, zoom.pooled)

        assert view.corner == strongest_window(relu1[:, :, 0])
        assert view.zoom.patch.any()
        check(0)
        start = view.corner
        await pilot.press("down")
        assert view.corner == (start[0] + 2, start[1])
        view.move(-12, -12)  # to the top-left corner without 24 key presses,
        view.move(1, 1)  # then one block in: the keys must stop at the edge
        await pilot.press("up", "up", "left", "left")
        assert view.corner == (0, 0)
        check(0)
        view.move(11, 11)
        await pilot.press("down", "down", "right", "right")
        assert view.corner == (24, 24)
        check(0)
        assert "rows 25–28 of 28" in text_of(app, "#maxpool-where")

        await pilot.press("]")  # the window stays where the learner put it (issue 14)
        assert view.corner == (24, 24)
        check(1)
        assert "filter 2 of 8" in text_of(app, "#maxpool-map-title")

        # Elsewhere the arrows scroll the view instead of moving the window.
        await pilot.press("f", "down", "down")
        assert app.screen.query_one("#explore-body", VerticalScroll).scroll_y > 0
        await pilot.press("m", "n")
        assert view.corner == (24, 24)
        result = engine_trace(app, tab)
        relu1, pool1 = result["relu1"].values, result["pool1"].values
        check(1)


async def test_models_changed_redraws_with_the_new_cnn(split):
    app = make_app(split)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot)
        await pilot.press("l")
        before = app.screen.query_one(ExploreTab).query_one(ProbabilityBars).probs.copy()

        model = build_cnn(4, seed=3)
        epoch = EpochEnd("cnn", 1, 1, 0.5, 0.8, 0.6, 0.75, 1.0)
        app.workspace.cnn = ModelRecord(model, history=[epoch])
        tab.models_changed()
        await pilot.pause()
        assert "trained 1 epoch · 75.0% test" in text_of(app, "#explore-network")
        assert "4 conv1 filters" in text_of(app, "#explore-network")
        result = engine_trace(app, tab)
        after = app.screen.query_one(ExploreTab).query_one(ProbabilityBars).probs
        np.testing.assert_allclose(after, result.probabilities, rtol=1e-6)
        assert not np.allclose(after, before)
        assert "channel 1 of 4" in app.screen.query_one(PipelineView).card("relu1").title

        await pilot.press("f")
        await pilot.pause()
        cards = app.screen.query_one(FiltersView).learned_cards
        assert len(cards) == 4
        for k, card in enumerate(cards):
            np.testing.assert_allclose(card.heatmap.data, result["relu1"].values[:, :, k])


async def test_an_all_zero_map_is_said_plainly(split):
    model = build_cnn(8, seed=0)
    conv1 = model.layer("conv1")
    conv1.params["W"][..., 0] = -np.abs(conv1.params["W"][..., 0])
    conv1.params["b"][0] = -0.1  # inputs are >= 0: filter 1 can never fire
    app = make_app(split)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot)
        app.workspace.cnn = ModelRecord(model)
        tab.models_changed()
        await pilot.press("m")
        view = app.screen.query_one(MaxPoolView)
        assert view.all_zero
        assert "zero everywhere" in text_of(app, "#maxpool-note")
        await pilot.press("]")
        assert not view.all_zero and view.zoom.patch.any()


def test_help_lists_the_explore_keys_once():
    text = help_text([("Explore tab", ExploreTab.BINDINGS)]).plain
    assert text.count("0–9") == 1
    for key in ("n", "p", "f", "l", "m", "]", "[", "up", "down", "left", "right"):
        assert f"\n  {key} " in text
