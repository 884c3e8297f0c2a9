"""Explore's filters through training: change from the start, the time machine, honest words.

Every number is checked against an independent computation: NumPy per filter for the change,
the engine's full trace of a model holding the snapshot's weights for the maps.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from tuicnn.app import TuicnnApp
from tuicnn.data.dataset import bundled_split
from tuicnn.lessons.explorer import digit_note, grid_columns
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import EpochEnd, LayerSnapshot
from tuicnn.nn.model import build_cnn
from tuicnn.nn.tracing import trace
from tuicnn.nn.training import train
from tuicnn.session.workspace import ModelRecord
from tuicnn.tabs.explore_tab import ExploreTab
from tuicnn.widgets.colormaps import ANSI_RAMPS, ANSI_STRENGTH, ansi_index
from tuicnn.widgets.explore.filters_view import FiltersView
from tuicnn.widgets.explore.maxpool_view import MaxPoolView
from tuicnn.widgets.number_grid import NumberGrid

SIZE = (80, 24)


@pytest.fixture(scope="module")
def split():
    return bundled_split(train_size=100, test_size=100)


@pytest.fixture(scope="module")
def record(split):
    """A 4-filter CNN trained 2 epochs from a near-zero conv1, with its snapshots."""
    model = build_cnn(4, seed=1, conv1_init="small")
    record = ModelRecord(model, config=TrainConfig(epochs=2, batch_size=25, lr=3e-3))
    for event in train(model, split.x_train, split.y_train, split.x_test, split.y_test,
                       record.config, watch="conv1"):
        if isinstance(event, LayerSnapshot):
            record.snapshots.append((event.weights, event.bias))
        elif isinstance(event, EpochEnd):
            record.history.append(event)
    return record


async def open_filters(app: TuicnnApp, pilot, record: ModelRecord | None) -> ExploreTab:
    await pilot.press("f3")
    await pilot.pause()
    tab = app.screen.query_one(ExploreTab)
    if record is not None:
        app.workspace.cnn = record
        tab.models_changed()
        await pilot.pause()
    return tab


def per_filter(start: np.ndarray, now: np.ndarray) -> list[tuple[float, float]]:
    out = []
    for k in range(start.shape[-1]):
        a, b = start[..., k].ravel().astype(float), now[..., k].ravel().astype(float)
        out.append((np.linalg.norm(b - a) / np.linalg.norm(a), np.corrcoef(a, b)[0, 1]))
    return out


def kernels(view: FiltersView) -> np.ndarray:
    """The numbers on the cards, ``(3, 3, F)``."""
    return np.stack([card.kernel.data for card in view.learned_cards], axis=-1)


async def test_cards_show_the_change_w_flips_and_the_time_machine_replays(split, record):
    app = TuicnnApp(split, seed=0)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_filters(app, pilot, record)
        view = app.screen.query_one(FiltersView)
        start, now = record.snapshots[0][0], record.model.layer("conv1").params["W"]
        for card, (change, corr) in zip(view.learned_cards, per_filter(start, now), strict=True):
            assert card.caption == f"moved {change:.0%} · corr {corr:.3f} with start"
        change, corr = per_filter(start, now)[0]
        assert f"Filter 1 of 4: moved {change:.0%} from its start, correlation {corr:.3f}" \
            in view.status
        assert "after epoch 2 of 2" in view.status and "weights now" in view.status
        np.testing.assert_allclose(kernels(view), now[:, :, 0, :], rtol=1e-6)
        await pilot.press("w")
        assert tab.weight_view == "start" and "weights at the start" in view.status
        np.testing.assert_allclose(kernels(view), start[:, :, 0, :], rtol=1e-6)
        await pilot.press("w")
        assert "change W − W₀" in view.status
        np.testing.assert_allclose(kernels(view), (now - start)[:, :, 0, :], atol=1e-6)
        await pilot.press("w")
        assert tab.weight_view == "now"

        # the time machine: each epoch's conv1, the digit run through it by the engine
        image = split.x_test[tab.example.index]
        for epoch, marked in ((1, "[" + f"{record.history[0].test_loss:.2f}" + "]"),
                              (0, "[start –]")):
            await pilot.press("less_than_sign")
            assert f"conv1 after epoch {epoch}" in view.status or (
                epoch == 0 and "conv1 at the start" in view.status)
            assert marked in view.status
            weights, bias = record.snapshots[epoch]
            twin = copy.deepcopy(record.model)  # the whole engine, with that epoch's conv1
            twin.layer("conv1").params.update(W=weights, b=bias)
            relu1 = trace(twin, image)["relu1"].values
            for k, card in enumerate(view.learned_cards):
                np.testing.assert_allclose(card.heatmap.data, relu1[:, :, k], atol=1e-5)
            np.testing.assert_allclose(kernels(view), weights[:, :, 0, :])
        await pilot.press("less_than_sign")  # already at the start: stays
        assert tab.frame == 0
        await pilot.press("greater_than_sign", "greater_than_sign")
        assert tab.frame is None and "after epoch 2 of 2" in view.status
        relu1 = trace(record.model, image)["relu1"].values
        np.testing.assert_allclose(view.learned_cards[0].heatmap.data, relu1[:, :, 0], atol=1e-6)


async def test_a_model_saved_without_its_start_says_so_without_colour_words(
        split, record, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    old = ModelRecord(record.model, list(record.history), record.config)  # no snapshots
    app = TuicnnApp(split, seed=0)
    notes = []
    async with app.run_test(size=SIZE) as pilot:
        await open_filters(app, pilot, old)
        app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
        view = app.screen.query_one(FiltersView)
        assert "Start unknown" in view.status
        assert all(card.caption.startswith("start unknown") for card in view.learned_cards)
        await pilot.press("less_than_sign")
        assert notes and "saved before" in notes[-1]
        await pilot.press("w")
        assert "weights now (start unknown)" in view.status
        heading = str(app.screen.query_one("#filters-learned-heading").content)
        assert "the sign says" in heading and "red" not in heading
        assert "red" not in str(app.screen.query_one("#filters-classic-heading").content)


async def test_colour_words_and_the_digit_caption_follow_the_screen(split, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = TuicnnApp(split, seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_filters(app, pilot, None)
        assert "red +, blue −" in str(app.screen.query_one("#filters-learned-heading").content)
        assert "red +, blue −" in str(app.screen.query_one("#filters-classic-heading").content)
        view = app.screen.query_one(FiltersView)
        grid = app.screen.query_one("#filters-learned")
        digit, first = view.query_one("#filters-digit"), view.learned_cards[0]
        for width, where in ((80, "to the right and below"), (60, "below")):
            await pilot.resize_terminal(width, 24)
            await pilot.pause()
            beside = first.region.y == digit.region.y
            assert beside == (where != "below")
            assert view.digit_caption == f"what every filter {where} is slid over"
            assert grid_columns(grid.size.width, 30, 2, 9) == (2 if beside else 1)
    assert digit_note(9, 8) == "what every filter to the right is slid over"


async def test_maxpool_window_stays_and_16_colour_weights_keep_their_order(split):
    app = TuicnnApp(split, seed=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_filters(app, pilot, None)
        await pilot.press("m")
        view = app.screen.query_one(MaxPoolView)
        await pilot.press("down", "right")
        placed = view.corner
        await pilot.press("]", "n", "8", "[")
        assert view.corner == placed
        tab = app.screen.query_one(ExploreTab)
        relu1 = trace(app.workspace.cnn.model, split.x_test[tab.example.index])["relu1"].values
        r, c = placed
        np.testing.assert_array_equal(view.zoom.patch, relu1[r : r + 4, c : c + 4, 0])

        # 16 colours (TERM=xterm): a weight grid's steps follow the values' order
        values = np.array([[-0.9, -0.4, 0.05], [0.36, 0.66, 0.88]])
        await pilot.press("f")
        grid = app.screen.query_one(FiltersView).learned_cards[0].kernel
        assert isinstance(grid, NumberGrid)
        grid.ansi = True
        grid.update(values)
        await pilot.pause()
        styles = [seg.style for strip in grid._build_strips() for seg in strip
                  if seg.text.strip()]
        cells = {(0, 0, 170): -2, (170, 0, 0): 2}  # whole cell blue / red
        texts = {(85, 85, 255): -1, (255, 85, 85): 1}  # blue / red text
        shown = []
        for style in styles:
            background = tuple(style.bgcolor.triplet) if style.bgcolor.triplet else None
            foreground = tuple(style.color.triplet) if style.color.triplet else None
            shown.append(cells.get(background, texts.get(foreground, 0)))
        assert shown == [-2, -1, 0, 1, 2, 2]  # the values' order, on a 16-colour palette


def test_16_colour_ramps_keep_the_order_of_values():
    for mode, steps in ANSI_RAMPS.items():
        strength = ANSI_STRENGTH[mode]
        assert len(strength) == len(steps) and list(strength) == sorted(set(strength))
        t = np.linspace(0, 1, 1001)
        index = ansi_index(t, mode)
        assert np.all(np.diff(index) >= 0) and index[0] == 0 and index[-1] == len(steps) - 1
    diverging = ANSI_RAMPS["diverging"]
    # mirror images: same emphasis for the same magnitude, blue for −, red for +
    for k in range(2):
        low, high = diverging[k], diverging[-1 - k]
        assert low.attributes == high.attributes
        assert "blue" in (low.color or "") + (low.bgcolor or "")
        assert "red" in (high.color or "") + (high.bgcolor or "")
    assert diverging[2].color is None and diverging[2].bgcolor is None
