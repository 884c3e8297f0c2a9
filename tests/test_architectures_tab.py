"""The Architectures tab through Pilot: picking, totals, calculator input, workspace changes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static, TabbedContent, TabPane

from tuicnn.data.dataset import bundled_split
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.session.workspace import ModelRecord, Workspace
from tuicnn.tabs.architectures_tab import ArchitecturesTab

TCSS = Path(__file__).resolve().parents[1] / "src/tuicnn/tabs/architectures_tab.tcss"
ORDER = ["app_fc", "app_cnn", "fc224", "lenet5", "alexnet", "vgg16", "resnet50"]


@cache
def tiny_split():
    return bundled_split(train_size=100, test_size=100)


class TabApp(App[None]):
    """Only the Architectures tab, with a real (untrained) workspace, framed as in the app
    (header, one tab pane, footer) so the sizes the tab gets are realistic."""

    CSS_PATH = TCSS
    CSS = "TabPane { padding: 0; } TabbedContent { height: 1fr; }"

    def __init__(self) -> None:
        super().__init__()
        self.workspace = Workspace.untrained(tiny_split())

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(), TabPane("Architectures"):
            yield ArchitecturesTab()
        yield Footer()


def result_text(app: App) -> str:
    return str(app.query_one("#calc-result", Static).render())


async def type_into(pilot, field: str, text: str) -> None:
    """Replace the text of a calculator field as a user would: erase it, then type."""
    pilot.app.query_one(f"#calc-{field}", Input).focus()
    await pilot.press("home", "ctrl+k", *text)  # ctrl+k deletes to the end


def test_every_binding_has_a_description():
    for binding in ArchitecturesTab.BINDINGS:
        assert isinstance(binding, Binding) and binding.description


async def test_starts_on_the_apps_fc_and_lists_every_architecture():
    app = TabApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        tab = app.query_one(ArchitecturesTab)
        summary = app.query_one("#arch-summary", DataTable)
        assert [key.value for key in summary.rows] == ORDER
        assert tab.selected.key == "app_fc" and tab.selected.total_params == 101_770
        assert app.query_one("#arch-layers", DataTable).row_count == 4
        await pilot.press("tab")  # from the tab headers into the tab: the list comes first
        assert app.focused is summary


async def test_keys_pick_architectures_and_show_their_totals():
    app = TabApp()
    async with app.run_test(size=(100, 30)) as pilot:
        tab = app.query_one(ArchitecturesTab)
        layers = app.query_one("#arch-layers", DataTable)
        await pilot.press("tab", "n", "n", "n", "n", "n")
        assert tab.selected.name == "VGG-16"
        assert "138,357,544 parameters" in layers.border_title
        assert layers.row_count == len(tab.selected.rows) == 39
        row = app.query_one("#arch-summary", DataTable).get_row("vgg16")
        assert [str(cell) for cell in row[2:5]] == ["138,357,544", "16", "89.4%"]
        await pilot.press("down")  # arrows work too
        assert tab.selected.key == "resnet50" and tab.selected.total_params == 25_557_032
        await pilot.press("n")  # wraps around
        assert tab.selected.key == "app_fc"
        await pilot.press("p", "p", "p")
        assert tab.selected.key == "alexnet"
        assert "62,378,344 parameters" in layers.border_title
        assert "Krizhevsky" in str(app.query_one("#arch-note", Static).render())


async def test_layer_table_rows_and_detail_line():
    app = TabApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("tab", "p", "p", "p")  # AlexNet
        await pilot.press("l", "down", "down", "down")  # conv1, relu1, lrn1, pool1
        layers = app.query_one("#arch-layers", DataTable)
        assert app.focused is layers
        cells = [str(c) for c in layers.get_row_at(0)]
        assert cells == ["conv1", "conv", "11×11 s4 p0", "55×55×96", "34,944", "11"]
        detail = str(app.query_one("#layer-detail", Static).render())
        assert detail.startswith("pool1: MaxPool 3×3, stride 2") and "19×19 input pixels" in detail


async def test_calculator_accepts_good_and_explains_bad_input():
    app = TabApp()
    async with app.run_test(size=(100, 30)) as pilot:
        assert result_text(app).startswith("H_out =") and result_text(app).endswith("= 28")
        await pilot.press("tab", "c")
        assert app.focused is app.query_one("#calc-h", Input)
        await pilot.press(*"227", "tab", *"11", "tab", "0", "tab", "4")  # focus selects all
        assert result_text(app).endswith("= 55")
        for field, typed, needle in [
            ("h", "2.5", "H must be a whole number, not '2.5'"),
            ("h", "", "H is empty"),
            ("h", "n[b]", "not 'n[b]'"),  # "n" types (no architecture switch); no markup
            ("h", "2", "K=11 does not fit"),
            ("s", "-1", "S must be at least 1"),
        ]:
            await type_into(pilot, field, typed)
            assert needle in result_text(app), (typed, result_text(app))
            assert result_text(app).startswith("✗")
        assert app.query_one(ArchitecturesTab).selected.key == "app_fc"
        await type_into(pilot, "s", "2")
        await type_into(pilot, "h", "12")
        expected = "H_out = ⌊(12 + 2·0 − 11) / 2⌋ + 1 = 1; the last 1 padded row fits no window"
        assert result_text(app) == expected


async def test_enter_on_a_layer_copies_it_into_the_calculator():
    app = TabApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("tab", "p", "p", "p", "l")  # AlexNet's layers, conv1 highlighted
        await pilot.press("enter")
        values = [app.query_one(f"#calc-{f}", Input).value for f in "hkps"]
        assert values == ["227", "11", "0", "4"] and result_text(app).endswith("= 55")
        await pilot.press("down", "down", "down", "enter")  # pool1: 55 in, 3x3 stride 2
        assert [app.query_one(f"#calc-{f}", Input).value for f in "hkps"] == ["55", "3", "0", "2"]
        assert result_text(app).endswith("= 27")


async def test_models_changed_rereads_the_workspace():
    app = TabApp()
    async with app.run_test(size=(100, 30)) as pilot:
        tab = app.query_one(ArchitecturesTab)
        await pilot.press("tab", "n")  # the app's CNN
        app.workspace.fc = ModelRecord(build_fc(32))
        app.workspace.cnn = ModelRecord(build_cnn(4))
        tab.models_changed()
        await pilot.pause()
        summary = app.query_one("#arch-summary", DataTable)
        assert str(summary.get_row("app_fc")[0]) == "tuicnn FC (h=32)"
        assert str(summary.get_row("app_fc")[2]) == f"{784 * 32 + 32 + 33 * 10:,}"
        assert tab.selected.key == "app_cnn" and tab.selected.name == "tuicnn CNN (F=4)"
        assert tab.selected.total_params == app.workspace.cnn.model.n_params
        assert app.query_one("#arch-layers", DataTable).get_row_at(0)[2] == "3×3 s1 p1"


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_small_terminals_scroll_instead_of_clipping(size):
    app = TabApp()
    async with app.run_test(size=size) as pilot:
        tab = app.query_one(ArchitecturesTab)
        await pilot.press("tab", "c")
        await pilot.pause()
        calc = app.query_one("#calc-result", Static)
        screen = app.screen.region
        assert screen.contains_region(calc.region) and calc.region.height >= 1
        if size == (80, 24):
            assert tab.max_scroll_y > 0  # the calculator was scrolled into view
        assert app.query_one("#arch-layers", DataTable).region.height >= 6


def test_models_changed_before_mounting_is_harmless():
    ArchitecturesTab().models_changed()


def test_snapshot_resnet50_at_100x30(snap_compare, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert snap_compare(TabApp(), terminal_size=(100, 30), press=["tab", "p", "l", "down", "down"])
