"""Draw tab through Pilot: keyboard and mouse drawing, live predictions, send to Explore."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from textual.app import App, ComposeResult
from textual.widgets import Footer

from tuicnn.data.transforms import preprocess_drawing, soft_brush, soft_line
from tuicnn.messages import SendToExplore
from tuicnn.session.workspace import Workspace
from tuicnn.tabs.draw_tab import DrawTab
from tuicnn.widgets.draw.draw_canvas import DrawCanvas
from tuicnn.widgets.heatmap import Heatmap
from tuicnn.widgets.probability_bars import ProbabilityBars

TCSS = Path(__file__).resolve().parents[1] / "src" / "tuicnn" / "tabs" / "draw_tab.tcss"
SIZE = (100, 30)


class DrawApp(App[None]):
    """Only the Draw tab (and a footer), on a given workspace; records SendToExplore."""

    CSS_PATH = TCSS

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.sent: list[SendToExplore] = []

    def compose(self) -> ComposeResult:
        yield DrawTab()
        yield Footer()

    def on_send_to_explore(self, message: SendToExplore) -> None:
        self.sent.append(message)


def blank() -> np.ndarray:
    return np.zeros((28, 28))


def seven() -> np.ndarray:
    """A hand-drawn-looking 7, with the same brush the canvas uses."""
    canvas = blank()
    soft_line(canvas, (4, 6), (4, 22), 2)
    soft_line(canvas, (4, 22), (25, 11), 2)
    return canvas


def bars(app: App, kind: str) -> ProbabilityBars:
    return app.query_one(f"#draw-{kind}-bars", ProbabilityBars)


def expected_probs(workspace: Workspace, canvas: np.ndarray) -> dict[str, np.ndarray]:
    image = preprocess_drawing(canvas)[np.newaxis, :, :, np.newaxis]
    return {kind: getattr(workspace, kind).model.predict_proba(image)[0]
            for kind in ("fc", "cnn")}


async def test_keyboard_drawing(untrained):
    app = DrawApp(untrained)
    async with app.run_test(size=SIZE) as pilot:
        canvas = app.query_one(DrawCanvas)
        canvas.focus()
        expected = blank()
        assert canvas.cursor == (14, 14) and canvas.brush == 2

        await pilot.press("space")
        soft_brush(expected, 14, 14, 2)
        np.testing.assert_allclose(canvas.canvas, expected)

        await pilot.press("right", "right", "down", "3", "space")
        assert canvas.cursor == (15, 16) and canvas.brush == 3
        soft_brush(expected, 15, 16, 3)
        np.testing.assert_allclose(canvas.canvas, expected)

        await pilot.press("left_square_bracket", "shift+up", "shift+up")
        assert canvas.brush == 2 and canvas.cursor == (13, 16)
        soft_line(expected, (15, 16), (14, 16), 2)
        soft_line(expected, (14, 16), (13, 16), 2)
        np.testing.assert_allclose(canvas.canvas, expected)

        await pilot.press("e", "1", "space")
        assert canvas.erasing and canvas.brush == 1
        soft_brush(expected, 13, 16, 1, erase=True)
        np.testing.assert_allclose(canvas.canvas, expected)
        assert canvas.canvas[13, 16] == 0.0

        await pilot.press("e", "right_square_bracket", "right_square_bracket",
                          "right_square_bracket")
        assert not canvas.erasing and canvas.brush == 3  # clamped at 3
        assert "pen 3" in canvas.border_subtitle


async def test_cursor_stays_on_the_canvas(untrained):
    app = DrawApp(untrained)
    async with app.run_test(size=SIZE) as pilot:
        canvas = app.query_one(DrawCanvas)
        canvas.focus()
        await pilot.press(*["up"] * 20, *["left"] * 20)
        assert canvas.cursor == (0, 0)


async def test_clear_and_undo(untrained):
    app = DrawApp(untrained)
    async with app.run_test(size=SIZE) as pilot:
        canvas = app.query_one(DrawCanvas)
        canvas.focus()
        await pilot.press("space", "right", "right", "right", "space")
        drawn = canvas.canvas
        await pilot.press("x")
        assert canvas.is_empty
        await pilot.press("u")
        np.testing.assert_array_equal(canvas.canvas, drawn)
        await pilot.press("u")  # undo the second dab only
        expected = soft_brush(blank(), 14, 14, 2)
        np.testing.assert_allclose(canvas.canvas, expected)
        await pilot.press("e", *["up"] * 6, "space")  # erasing blank pixels changes nothing
        np.testing.assert_allclose(canvas.canvas, expected)
        await pilot.press("u")  # ...so it is not an undo step: this undoes the first dab
        assert canvas.is_empty
        await pilot.press("u")
        assert canvas.is_empty and not canvas.can_undo


async def test_mouse_click_paints_between_the_cells_two_rows(untrained):
    app = DrawApp(untrained)
    async with app.run_test(size=SIZE) as pilot:
        canvas = app.query_one(DrawCanvas)
        # Offsets include the 1-cell border: cell (x=4, y=2) holds pixel rows 4 and 5.
        await pilot.click(DrawCanvas, offset=(5, 3))
        np.testing.assert_allclose(canvas.canvas, soft_brush(blank(), 4.5, 4, 2))
        assert canvas.has_focus and canvas.cursor in ((4, 4), (5, 4))


async def test_mouse_drag_draws_a_continuous_stroke(untrained):
    app = DrawApp(untrained)
    async with app.run_test(size=SIZE) as pilot:
        canvas = app.query_one(DrawCanvas)
        await pilot.mouse_down(DrawCanvas, offset=(3, 6))
        await pilot.hover(DrawCanvas, offset=(12, 6))
        await pilot.hover(DrawCanvas, offset=(12, 10))
        await pilot.mouse_up(DrawCanvas, offset=(12, 10))
        expected = blank()
        soft_line(expected, (10.5, 2), (10.5, 11), 2)
        soft_line(expected, (10.5, 11), (18.5, 11), 2)
        np.testing.assert_allclose(canvas.canvas, expected)
        await pilot.hover(DrawCanvas, offset=(20, 12))  # released: moving no longer draws
        np.testing.assert_allclose(canvas.canvas, expected)
        await pilot.press("u")  # the whole stroke is one undo step
        assert canvas.is_empty


async def test_predictions_equal_the_models_on_the_preprocessed_canvas(trained):
    app = DrawApp(trained)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one(DrawTab)
        canvas = app.query_one(DrawCanvas)
        canvas.set_canvas(seven())
        # The throttled prediction runs after 50 ms (later on a loaded machine).
        await wait_until(pilot, lambda: all(bars(app, k).probs is not None for k in ("fc", "cnn")))
        expected = expected_probs(trained, seven())
        for kind in ("fc", "cnn"):
            np.testing.assert_allclose(bars(app, kind).probs, expected[kind], rtol=1e-6)
        np.testing.assert_allclose(app.query_one("#draw-seen", Heatmap).data,
                                   preprocess_drawing(seven()))
        np.testing.assert_array_equal(tab.image, preprocess_drawing(seven()))


async def wait_until(pilot, condition, timeout: float = 5.0) -> None:
    """Pause until ``condition()`` holds (the prediction is throttled by a timer)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), "timed out"


async def test_empty_canvas_predicts_nothing(trained):
    app = DrawApp(trained)
    async with app.run_test(size=SIZE) as pilot:
        assert bars(app, "fc").probs is None and bars(app, "cnn").probs is None
        assert app.query_one("#draw-seen", Heatmap).data is None
        canvas = app.query_one(DrawCanvas)
        canvas.set_canvas(seven())
        await wait_until(pilot, lambda: bars(app, "cnn").probs is not None)
        canvas.focus()
        await pilot.press("x")
        await wait_until(pilot, lambda: bars(app, "fc").probs is None)
        assert bars(app, "cnn").probs is None


async def test_s_sends_the_preprocessed_image(trained):
    app = DrawApp(trained)
    async with app.run_test(size=SIZE) as pilot:
        canvas = app.query_one(DrawCanvas)
        canvas.focus()
        await pilot.press("s")
        assert app.sent == []  # nothing drawn, nothing sent
        canvas.set_canvas(seven())
        await pilot.press("s")  # sent at once, without waiting for the throttled update
        await pilot.pause()
        (message,) = app.sent
        assert message.label == "your drawing"
        assert message.image.shape == (28, 28) and message.image.dtype == np.float32
        np.testing.assert_array_equal(message.image, preprocess_drawing(seven()))


async def test_untrained_models_are_labelled_and_models_changed_repredicts(untrained, trained):
    workspace = Workspace(untrained.split, untrained.fc, untrained.cnn)
    app = DrawApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one(DrawTab)
        notice = str(app.query_one("#draw-notice").render())
        assert "Untrained" in notice and "Train tab" in notice
        assert "random weights" in str(app.query_one("#draw-cnn-status").render())
        app.query_one(DrawCanvas).set_canvas(seven())
        tab.predict()
        np.testing.assert_allclose(bars(app, "cnn").probs,
                                   expected_probs(untrained, seven())["cnn"], rtol=1e-6)

        workspace.fc, workspace.cnn = trained.fc, trained.cnn
        tab.models_changed()
        await pilot.pause()
        assert "Untrained" not in str(app.query_one("#draw-notice").render())
        assert "test accuracy" in str(app.query_one("#draw-cnn-status").render())
        np.testing.assert_allclose(bars(app, "cnn").probs,
                                   expected_probs(trained, seven())["cnn"], rtol=1e-6)


async def test_narrow_terminal_hides_the_preprocessed_picture_until_p(untrained):
    app = DrawApp(untrained)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = app.query_one("#draw-seen-panel")
        canvas_panel = app.query_one("#draw-canvas-panel")
        app.query_one(DrawCanvas).focus()
        await pilot.pause()
        assert not seen.display or seen.region.width == 0 or not seen.is_on_screen
        assert bars(app, "cnn").region.width >= 20
        await pilot.press("p")
        assert seen.is_on_screen and not canvas_panel.is_on_screen
        await pilot.press("p")
        assert canvas_panel.is_on_screen and app.query_one(DrawCanvas).has_focus


def test_snapshot(snap_compare, monkeypatch, trained):
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = DrawApp(trained)

    async def draw(pilot):
        canvas = app.query_one(DrawCanvas)
        canvas.set_canvas(seven())
        canvas.focus()
        app.query_one(DrawTab).predict()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=draw)


async def test_no_color_draws_shades_and_marks_the_cursor_half(untrained, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")  # read when the App is created
    app = DrawApp(untrained)
    async with app.run_test(size=SIZE) as pilot:
        canvas = app.query_one(DrawCanvas)
        canvas.focus()
        await pilot.press("up", "space")  # cursor at pixel row 13: bottom half of cell row 6
        await pilot.pause()
        row = canvas.render_line(6).text
        assert "█" in row and row[14] == "▄"
        await pilot.press("up")  # row 12: top half
        await pilot.pause()
        assert canvas.render_line(6).text[14] == "▀"
        canvas.blur()
        await pilot.pause()
        assert canvas.render_line(6).text[14] == "█"  # no cursor without focus
        assert canvas.border_subtitle == "pen 2 · Tab/click to draw"
