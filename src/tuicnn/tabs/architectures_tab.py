"""Architectures tab: the app's FC and CNN next to LeNet-5, AlexNet, VGG-16 and ResNet-50.

Top: one row per architecture (total parameters, depth, share in dense layers, float32 size);
moving the cursor there picks the architecture. Middle: its layers (type, window, output
shape, parameters, receptive field). Bottom: the output-size calculator. Every number comes
from ``tuicnn.nn.architectures`` (layer specifications, no weights allocated), so this
module only formats and lays out.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from tuicnn.nn.architectures import (
    ArchitectureSummary,
    Comparison,
    LayerRow,
    alexnet_variants,
    all_architectures,
    comparisons,
    summarize,
)
from tuicnn.nn.shapes import CNN_FC_UNITS
from tuicnn.tabs.base import BaseTab
from tuicnn.widgets.architectures.output_size_calculator import OutputSizeCalculator

#: (header, width) of each table column. Fixed widths keep the layout steady as the shown
#: architecture changes (and fit 80 columns: 68 + borders and scrollbar).
#: Numbers (and their headers) are right-aligned.
SUMMARY_COLUMNS = (("Architecture", 18), ("Input", 9), (">Parameters", 11), (">Depth", 5),
                   (">In FC", 6), (">float32", 8))
LAYER_COLUMNS = (("Layer", 9), ("Type", 10), ("Window", 11), (">Output", 11), (">Params", 11),
                 (">RF", 4))


def shape_text(shape: tuple[int, ...]) -> str:
    """``(55, 55, 96) -> "55×55×96"``; ``(4096,) -> "4096"``."""
    return "×".join(str(n) for n in shape)


def bytes_text(n: int) -> str:
    """Decimal units, one decimal: ``553,430,176 -> "553.4 MB"``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def _right(text: str) -> Text:
    return Text(text, justify="right")


def summary_cells(summary: ArchitectureSummary) -> tuple[Text | str, ...]:
    """One row of the summary table."""
    return (
        summary.name,
        shape_text(summary.input_shape),
        _right(f"{summary.total_params:,}"),
        _right(str(summary.depth)),
        _right(f"{summary.fc_share:.1%}"),
        _right(bytes_text(summary.float32_bytes)),
    )


def layer_cells(row: LayerRow) -> tuple[Text | str, ...]:
    """One row of the layer table; ``RF`` is ``all`` once the spatial layout is gone."""
    rf = "all" if row.receptive_field is None else str(row.receptive_field)
    return (
        row.name,
        row.kind,
        row.window.text() if row.window else "",
        _right(shape_text(row.output_shape)),
        _right(f"{row.n_params:,}"),
        _right(rf),
    )


def layer_detail(row: LayerRow, enter_copies: bool = True) -> str:
    """The highlighted layer in one sentence, with its receptive field in words.

    ``enter_copies``: Enter would copy the layer into the calculator (the layer table has the
    focus); only then does the sentence end with that hint.
    """
    if row.receptive_field is None:
        sees = "each output depends on the whole input"
    else:
        sees = f"each output sees {row.receptive_field}×{row.receptive_field} input pixels"
    hint = " · Enter: try it in the calculator" if row.window and enter_copies else ""
    return f"{row.name}: {row.description} · {sees}{hint}"


def comparison_line(comparison: Comparison) -> str:
    """One "why" comparison: the economical design's count against the other's, then what
    the two share."""
    left, right = comparison.left, comparison.right
    return (f"{comparison.topic}: {right.total_params:,} against {left.total_params:,} "
            f"parameters ({comparison.ratio:.1f}× fewer); {comparison.same}.")


def alexnet_line() -> str:
    """Which AlexNet the table counts, and the other two counts in circulation."""
    merged, paper, torchvision = alexnet_variants()
    return (f"Which AlexNet: the table's {merged.total_params:,} uses the paper's widths with "
            f"its two GPU streams merged; as trained in the paper (conv2, conv4, conv5 split "
            f"in two groups, one per GPU) it has {paper.total_params:,}; torchvision's "
            f"variant (64/192/384/256/256 filters, 224×224 input) {torchvision.total_params:,}.")


def why_text() -> str:
    """Every comparison, one paragraph each, under a heading that says how they were counted."""
    lines = ["Why these designs (counted by the same shape code as the tables):"]
    lines += [f"• {comparison_line(c)}" for c in comparisons()]
    lines.append(f"• {alexnet_line()}")
    return "\n".join(lines)


class ArchitecturesTab(VerticalScroll, BaseTab, can_focus=False):
    """Compare architectures layer by layer; compute output sizes.

    Scrolls as a whole when the terminal is too small for its minimum heights (80×24 works;
    focusing a control scrolls it into view). Call ``models_changed()`` when the workspace's
    models change: the app's FC and CNN rows are rebuilt from their hparams.
    """

    BINDINGS = [
        Binding("n", "step(1)", "Next architecture"),
        Binding("p", "step(-1)", "Previous architecture"),
        Binding("a", "focus_part('arch-summary')", "Architecture list", show=False),
        Binding("l", "focus_part('arch-layers')", "Layer table", show=False),
        Binding("c", "focus_part('calc-h')", "Size calculator"),
        Binding("w", "show_why", "Why these designs"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._summaries: dict[str, ArchitectureSummary] = {}
        self._shown: str | None = None
        self._ready = False  # the tables have their columns

    def compose(self) -> ComposeResult:
        summary = DataTable(id="arch-summary", cursor_type="row", zebra_stripes=True)
        summary.border_title = "Architectures · n/p or ↑↓ to pick"
        yield summary
        yield Static(id="arch-note")
        layers = DataTable(id="arch-layers", cursor_type="row", zebra_stripes=True)
        layers.border_title = "Layers"
        yield layers
        yield Static(id="layer-detail")
        yield OutputSizeCalculator(id="calc")
        yield Static(Text(why_text()), id="arch-why")

    def on_mount(self) -> None:
        for table_id, columns in (("#arch-summary", SUMMARY_COLUMNS),
                                  ("#arch-layers", LAYER_COLUMNS)):
            table = self.query_one(table_id, DataTable)
            for label, width in columns:
                header = _right(label[1:]) if label.startswith(">") else label
                table.add_column(header, width=width)
        self._ready = True
        self.models_changed()

    # -- data ---------------------------------------------------------------------------------
    def _app_settings(self) -> tuple[int, int, int, str]:
        """``(hidden, filters, fc_units, head)`` of the workspace's models."""
        fc, cnn = self.workspace.fc.model.hparams, self.workspace.cnn.model.hparams
        return (fc["hidden"], cnn["filters"], cnn.get("fc_units", CNN_FC_UNITS),
                cnn.get("head", "flatten"))

    def models_changed(self) -> None:
        """Re-read ``app.workspace``: rebuild the app's FC and CNN rows, keep the selection.

        Safe to call at any time; before the tab is mounted it does nothing (mounting reads
        the workspace anyway).
        """
        if not self._ready:
            return
        hidden, filters, fc_units, head = self._app_settings()
        every = all_architectures(hidden, filters, fc_units, head)
        app_first = every[-2:] + every[:-2]  # the user's own models lead the list
        self._summaries = {arch.key: summarize(arch) for arch in app_first}
        table = self.query_one("#arch-summary", DataTable)
        row = table.cursor_row
        table.clear()
        for key, summary in self._summaries.items():
            table.add_row(*summary_cells(summary), key=key)
        self._shown = None
        table.move_cursor(row=min(max(row, 0), table.row_count - 1))
        self._show(self._key_at(table.cursor_row))

    def _key_at(self, row: int) -> str:
        return list(self._summaries)[row]

    @property
    def selected(self) -> ArchitectureSummary:
        """The architecture whose layers are shown."""
        return self._summaries[self._shown or self._key_at(0)]

    def _show(self, key: str) -> None:
        """Fill the layer table with ``key``'s layers (no-op when already shown)."""
        if key == self._shown:
            return
        self._shown = key
        summary = self._summaries[key]
        note = self.query_one("#arch-note", Static)
        note.update(Text(summary.note))
        table = self.query_one("#arch-layers", DataTable)
        table.border_title = (
            f"{summary.name} · {shape_text(summary.input_shape)} input · "
            f"{summary.total_params:,} parameters"
        )
        table.clear()
        for i, row in enumerate(summary.rows):
            table.add_row(*layer_cells(row), key=str(i))
        table.move_cursor(row=0, scroll=True)
        self._show_layer(0)

    def _show_layer(self, index: int) -> None:
        rows = self.selected.rows
        if 0 <= index < len(rows):
            enter_copies = self.query_one("#arch-layers", DataTable).has_focus
            detail = layer_detail(rows[index], enter_copies)
            self.query_one("#layer-detail", Static).update(Text(detail))

    def on_descendant_focus(self) -> None:
        """The Enter hint of the layer line holds only while the layer table has the focus."""
        self._show_layer(self.query_one("#arch-layers", DataTable).cursor_row)

    def on_descendant_blur(self) -> None:
        self._show_layer(self.query_one("#arch-layers", DataTable).cursor_row)

    # -- events -------------------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#arch-summary")
    def _architecture_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self._show(event.row_key.value)

    @on(DataTable.RowSelected, "#arch-summary")
    def _architecture_selected(self) -> None:
        self.query_one("#arch-layers", DataTable).focus()

    @on(DataTable.RowHighlighted, "#arch-layers")
    def _layer_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_layer(event.cursor_row)

    @on(DataTable.RowSelected, "#arch-layers")
    def _layer_selected(self, event: DataTable.RowSelected) -> None:
        """Copy a windowed layer (its input size, K, P, S) into the calculator."""
        summary = self.selected
        index = event.cursor_row
        row = summary.rows[index]
        if row.window is None:
            return
        before = summary.rows[index - 1].output_shape if index else summary.input_shape
        window = row.window
        self.query_one(OutputSizeCalculator).set_values(
            before[0], window.kernel, window.padding, window.stride
        )

    # -- actions ------------------------------------------------------------------------------
    def action_step(self, delta: int) -> None:
        """Pick the next (or previous) architecture, wrapping around."""
        table = self.query_one("#arch-summary", DataTable)
        table.move_cursor(row=(table.cursor_row + delta) % table.row_count)

    def action_show_why(self) -> None:
        """Scroll the "why" comparisons (below the calculator) into view."""
        self.query_one("#arch-why").scroll_visible(top=True)

    def action_focus_part(self, widget_id: str) -> None:
        """Focus one of the tab's parts (it scrolls into view)."""
        self.query_one(f"#{widget_id}").focus()
