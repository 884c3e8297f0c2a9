"""MaxPoolView: a 4x4 window of one ReLU map, zoomed in, and what 2x2 max-pool makes of it.

Left, a mini-map of the whole map with rulers (``▼`` above, ``▶`` beside) marking where the
window is. Middle, the window's sixteen values with lines between its four 2x2 blocks and
each block's winner in brackets. Right, the four values of the engine's pooled map at that
place. The window moves in steps of 2 pixels, so its blocks are always pooling blocks.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from tuicnn.lessons.explorer import PATCH, PoolZoom, move_window, pool_zoom, strongest_window
from tuicnn.widgets.heatmap import Heatmap
from tuicnn.widgets.number_grid import NumberGrid

TRACK = "·"

BIG = (150, 45)
"""Terminal size from which the mini-map is drawn at twice the size."""

VALUE_FORMAT = "{:.2f}"
"""ReLU outputs are never negative: no sign needed."""

ALL_ZERO = (
    "This filter's response is zero everywhere on this digit: ReLU turned every value "
    "into 0, so every pooled value is 0 too. Try another filter ([ / ]) or another digit."
)


def span(start: int, length: int, total: int) -> str:
    """``rows 13–16 of 28`` style range, 1-based as people count."""
    return f"{start + 1}–{start + length} of {total}"


def ruler(length: int, start: int, count: int, mark: str) -> list[Text]:
    """The cells of a ruler ``length`` long: ``count`` marks from ``start``, dots elsewhere.

    The dotted track makes the ruler as long as the map it measures, so the marks can be
    read against it in any terminal, with or without colour.
    """
    return [
        Text(mark, style="bold") if start <= k < start + count else Text(TRACK, style="dim")
        for k in range(length)
    ]


class MaxPoolView(Vertical):
    """The max-pool zoom-in. :meth:`show` opens on the strongest window until the learner
    moves it (:meth:`move`); from then on it stays where they put it, whatever the digit,
    filter or network, so the same place can be compared across them."""

    DEFAULT_CSS = """
    MaxPoolView {
        height: auto;
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._fmap: np.ndarray | None = None
        self._pooled: np.ndarray | None = None
        self._corner = (0, 0)
        self._zoom: PoolZoom | None = None
        self._label = ""
        self.placed = False
        """True once the learner moved the window: :meth:`show` then keeps it there."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="maxpool-row"):
            with Vertical(id="maxpool-map"):
                yield Static("", id="maxpool-map-title", classes="maxpool--heading")
                yield Static("", id="maxpool-ruler-top")
                with Horizontal(id="maxpool-map-row"):
                    yield Static("", id="maxpool-ruler-left")
                    yield Heatmap(None, id="maxpool-minimap")
            with Vertical(id="maxpool-zoom"):
                yield Static("", id="maxpool-where", markup=False)
                yield Static("4×4 window, values", classes="maxpool--heading")
                yield NumberGrid(
                    np.zeros((PATCH, PATCH)),
                    "sequential",
                    VALUE_FORMAT,
                    block=2,
                    id="maxpool-patch-grid",
                )
                yield Static(
                    "", id="maxpool-pooled-title", classes="maxpool--heading", markup=False
                )
                yield NumberGrid(
                    np.zeros((2, 2)), "sequential", VALUE_FORMAT, id="maxpool-pooled-grid"
                )
                yield Static("", id="maxpool-note", markup=False)

    # -- public API -------------------------------------------------------------------------

    @property
    def corner(self) -> tuple[int, int]:
        """Top-left ``(row, col)`` of the window in the full map (0-based, even)."""
        return self._corner

    @property
    def zoom(self) -> PoolZoom | None:
        """What is shown: patch, pooled values and winners (``None`` before :meth:`show`)."""
        return self._zoom

    @property
    def all_zero(self) -> bool:
        """Whether the map shown is zero everywhere."""
        return self._fmap is not None and not np.any(self._fmap)

    def show(self, fmap: np.ndarray, pooled: np.ndarray, label: str, reset: bool = True) -> None:
        """Show a new map.

        Args:
            fmap: ``(H, W)`` map before pooling, one channel of relu1.
            pooled: ``(H // 2, W // 2)`` the engine's pool1 of the same channel.
            label: what the map is, e.g. ``relu1 · filter 3 of 8``.
            reset: open on the strongest window (new digit, filter or network), unless the
                learner has placed the window; when False the window stays where it is.
        """
        self._fmap, self._pooled, self._label = fmap, pooled, label
        if reset and not self.placed:
            self._corner = strongest_window(fmap) or (0, 0)
        self.query_one("#maxpool-minimap", Heatmap).update(fmap)
        self._redraw()

    def move(self, rows: int, cols: int) -> None:
        """Move the window by whole pooling blocks (2 pixels each), clamped at the edges."""
        if self._fmap is None:
            return
        self.placed = True
        self._corner = move_window(self._corner, rows, cols, self._fmap.shape)
        self._redraw()

    def on_resize(self) -> None:
        """Zoom the mini-map 2x when the terminal is big enough (e.g. 200x60) to use it."""
        wide = self.app.size.width >= BIG[0] and self.app.size.height >= BIG[1]
        minimap = self.query_one("#maxpool-minimap", Heatmap)
        scale = 2 if wide else 1
        if minimap.scale != scale:
            minimap.scale = scale
            if self._zoom is not None and self._fmap is not None:
                self._draw_rulers(self._zoom, *self._fmap.shape)

    # -- internals --------------------------------------------------------------------------

    def _draw_rulers(self, zoom: PoolZoom, height: int, width: int) -> None:
        """Mark the window's columns above the mini-map and its rows beside it."""
        scale = self.query_one("#maxpool-minimap", Heatmap).scale
        top = ruler(width * scale, zoom.col * scale, PATCH * scale, "▼")
        self.query_one("#maxpool-ruler-top", Static).update(
            Text(" ").join([Text(""), Text("").join(top)])
        )
        # A terminal line holds two pixel rows at scale 1, one at scale 2.
        left = ruler(-(-height * scale // 2), zoom.row * scale // 2, PATCH * scale // 2, "▶")
        self.query_one("#maxpool-ruler-left", Static).update(Text("\n").join(left))

    def _redraw(self) -> None:
        assert self._fmap is not None and self._pooled is not None
        zoom = pool_zoom(self._fmap, self._pooled, self._corner)
        self._zoom = zoom
        height, width = self._fmap.shape
        pool_h, pool_w = self._pooled.shape
        self.query_one("#maxpool-map-title", Static).update(self._label)
        self.query_one("#maxpool-where", Static).update(
            f"Window: rows {span(zoom.row, PATCH, height)}, "
            f"columns {span(zoom.col, PATCH, width)}. Arrows move it 2 pixels."
        )
        self._draw_rulers(zoom, height, width)
        self.query_one("#maxpool-patch-grid", NumberGrid).update(zoom.patch, highlight=zoom.winners)
        self.query_one("#maxpool-pooled-title", Static).update(
            f"▼ max of each 2×2 block = pool1 rows {span(zoom.pool_row, 2, pool_h)}, "
            f"columns {span(zoom.pool_col, 2, pool_w)} (the engine's output)"
        )
        self.query_one("#maxpool-pooled-grid", NumberGrid).update(zoom.pooled)
        if self.all_zero:
            note = ALL_ZERO
        else:
            note = (
                "[x] marks each block's winner: the only value max-pool keeps, and the only "
                "one that gets a gradient in training."
            )
        self.query_one("#maxpool-note", Static).update(note)
