"""The Mechanics tab through Pilot at 80×24: the numbers on screen are the JSON twin's."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from textual.widgets import Static

from tuicnn.app import TuicnnApp
from tuicnn.cli.args import build_parser
from tuicnn.cli.explain_command import run_explain
from tuicnn.data.dataset import bundled_split
from tuicnn.nn.model import build_cnn
from tuicnn.screens.help import help_text
from tuicnn.session.workspace import ModelRecord
from tuicnn.tabs.mechanics_tab import MechanicsTab
from tuicnn.widgets.mechanics.field_view import FieldView
from tuicnn.widgets.mechanics.lab_view import LabView
from tuicnn.widgets.mechanics.sharing_view import SharingView
from tuicnn.widgets.mechanics.step_view import StepView

SIZE = (80, 24)


@pytest.fixture(scope="module")
def split():
    """The split the app and ``tuicnn explain`` use by default, so their numbers agree."""
    return bundled_split(1000, 1000, seed=0)


def explain(capsys, *argv: str) -> dict:
    """``tuicnn explain ... --json``, parsed by the real CLI (written to a buffer: the app
    under test holds stdout)."""
    args = build_parser().parse_args(["explain", *argv, "--json"])
    out = io.StringIO()
    assert run_explain(args, out) == 0
    return json.loads(out.getvalue())


async def open_tab(pilot) -> MechanicsTab:
    await pilot.press("f7")
    await pilot.pause()
    return pilot.app.screen.query_one(MechanicsTab)


def screen_text(app) -> str:
    return "\n".join(str(s.content) for s in app.screen.query(Static))


async def test_step_view_shows_the_json_twins_numbers(split, capsys):
    app = TuicnnApp(split, seed=0)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot)
        view = tab.query_one(StepView)
        start = view.step.row, view.step.col
        await pilot.press("right", "right", "down", "right_square_bracket")
        step = view.step
        assert (step.row, step.col) == (start[0] + 1, min(start[1] + 2, 27))
        assert step.channel == 1
        index = str(tab.example.index)
        data = explain(capsys, "conv-step", "--index", index, "--layer", "conv1", "--channel",
                       "1", "--at", f"{step.row},{step.col}")
        assert data["model"] == "untrained (seed 0)" and "untrained" in screen_text(app)
        shown = view.numbers
        assert f"= {data['sum']:+.4f} before ReLU" in shown
        assert f"ReLU → {data['relu']:.4f}   forward pass: {data['map_value']:.4f}" in shown
        assert f"bias {data['bias']:+.4f}" in shown
        np.testing.assert_allclose(step.products, data["products"])
        # conv2: the sum over input channels, with the channel shown in detail by { }
        await pilot.press("l", "right_curly_bracket", "up")
        step = view.step
        assert step.layer == "conv2" and "pool1 channel 1" in view.numbers
        data = explain(capsys, "conv-step", "--index", index, "--layer", "conv2", "--channel",
                       "1", "--at", f"{step.row},{step.col}")
        for c, partial in enumerate(data["partial_sums"]):
            assert f"{c}{']' if c == 1 else ' '}{partial:+.3f}" in view.numbers
        assert f"= {data['sum']:+.4f} before ReLU" in view.numbers
        # the receptive-field view, one cell per layer (it opens on pool2; l cycles)
        await pilot.press("r")
        view = tab.query_one(FieldView)
        for layer in ("pool2", "conv1", "pool1", "conv2"):
            while tab.field_layer != layer:
                await pilot.press("l")
            await pilot.press("left")
            row, col = tab.cells[layer]
            data = explain(capsys, "receptive-field", "--layer", layer, "--at", f"{row},{col}",
                           "--index", str(tab.example.index))
            box = data["box"]
            assert (view.box.top, view.box.left, view.box.bottom, view.box.right) == (
                box["top"], box["left"], box["bottom"], box["right"])
            assert f"{box['height']}×{box['width']}" in view.caption
            assert f"RF {data['architectures_receptive_field']}" in view.caption
            if data["gradient_nonzero_pixels"]:
                assert f"on {data['gradient_nonzero_pixels']} of them" in view.caption


async def test_lab_sharing_keys_and_new_models_without_colour(split, capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = TuicnnApp(split, seed=0)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot)
        footer = {b.binding.key for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"s", "w", "k", "r", "l"} <= footer
        await pilot.press("k", "right", "up", "right")
        lab = tab.query_one(LabView)
        assert (tab.lab.kernel, tab.lab.dilation) == (4, 2)  # up from kernel wraps to dilation
        data = explain(capsys, "conv-lab", "--kernel", "4", "--padding", "1", "--stride", "1",
                       "--dilation", "2")
        assert lab.formula == data["formula"]
        assert list(lab.output.shape) == data["output_size"]
        assert "hand-made" in screen_text(app)  # a 4×4 kernel cannot be the CNN's 3×3
        await pilot.press("w", "x", "left", "u")
        view = tab.query_one(SharingView)
        result = view.result
        data = explain(capsys, "weight-sharing", "--unit", "1", "--filter", "0",
                       "--at", "8,8", "--at2", f"{result.b.row},{result.b.col}",
                       "--index", str(tab.example.index))
        assert (result.b.row, result.b.col) == (18, 15)
        np.testing.assert_allclose(result.b.fc_weights, data["fc_weights"][1])
        assert data["cnn_same_at_both"] and "the same 9 numbers" in screen_text(app)
        assert "784 × 128 = 100,352 weights" in screen_text(app)
        await pilot.press("s")
        before = tab.query_one(StepView).step.map_value
        app.workspace.cnn = ModelRecord(build_cnn(16, seed=5))
        tab.models_changed()
        await pilot.press("right_square_bracket")
        step = tab.query_one(StepView).step
        assert step.weights.shape == (1, 3, 3) and step.map_value != before
    text = help_text(MechanicsTab.help_sections("Mechanics")[0:1]).plain
    for fragment in ("Kernel lab", "Receptive field", "next input channel", "FC unit",
                     "hand-made", "lab: next setting"):
        assert fragment in text
