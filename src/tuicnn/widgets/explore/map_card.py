"""MapCard: a titled heatmap with an optional 3x3 kernel above it and a caption below.

The building block of the Explore tab: a learned filter next to its response, a hand-made
filter and its response, or one stage of the forward pass with a sentence about it.
"""

from __future__ import annotations

from numpy.typing import ArrayLike
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from tuicnn.widgets.colormaps import Mode
from tuicnn.widgets.heatmap import Heatmap
from tuicnn.widgets.number_grid import NumberGrid


class MapCard(Vertical):
    """Title, optional kernel (as numbers), a heatmap, optional caption, stacked.

    Add the ``-selected`` class to mark the card the keys currently act on; the title then
    starts with ``▶`` as well, so the mark survives ``NO_COLOR``.
    """

    DEFAULT_CSS = """
    MapCard {
        width: auto;
        height: auto;
    }
    MapCard > .map-card--title {
        text-style: bold;
    }
    MapCard.-selected > .map-card--title {
        color: $accent;
        text-style: bold reverse;
    }
    MapCard > .map-card--caption {
        color: $text-muted;
        width: 100%;
    }
    """

    def __init__(
        self,
        title: str,
        data: ArrayLike | None = None,
        *,
        mode: Mode = "sequential",
        scale: int = 1,
        kernel: ArrayLike | None = None,
        caption: str | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Create a card.

        Args:
            title: First line, e.g. ``filter 3 of 8``.
            data: ``(H, W)`` map for the heatmap, or ``None`` for "no data".
            mode: Heatmap colouring, ``"sequential"`` or ``"diverging"``.
            scale: Heatmap zoom (a 7x7 map at scale 4 is as wide as a 28x28 one at 1).
            kernel: ``(3, 3)`` weights shown as signed numbers above the map; when ``None``
                at creation, the card has no kernel grid at all.
            caption: Text under the map, or ``None`` for none.
            name: Widget name.
            id: Widget id.
            classes: CSS classes.
        """
        super().__init__(name=name, id=id, classes=classes)
        self._title = title
        self._heatmap = Heatmap(data, mode=mode, scale=scale, classes="map-card--map")
        self._grid = None if kernel is None else NumberGrid(kernel, classes="map-card--kernel")
        self._caption = caption

    def compose(self) -> ComposeResult:
        yield Label(self._decorated(self._title), classes="map-card--title", markup=False)
        if self._grid is not None:
            yield self._grid
        yield self._heatmap
        if self._caption is not None:
            yield Static(self._caption, classes="map-card--caption", markup=False)

    @property
    def heatmap(self) -> Heatmap:
        """The card's heatmap (tests read ``heatmap.data``)."""
        return self._heatmap

    @property
    def kernel(self) -> NumberGrid | None:
        """The kernel grid, or ``None`` if the card has none."""
        return self._grid

    @property
    def caption(self) -> str | None:
        """The caption as given (None when the card has none)."""
        return self._caption

    @property
    def title(self) -> str:
        """The title as given (without the ``▶`` selection mark)."""
        return self._title

    def update(
        self,
        data: ArrayLike | None,
        *,
        title: str | None = None,
        kernel: ArrayLike | None = None,
        caption: str | None = None,
        mode: Mode | None = None,
    ) -> None:
        """Show new values; keyword arguments left as ``None`` keep what is shown.

        Args:
            data: the new ``(H, W)`` map (``None`` shows "no data").
            title: new title.
            kernel: new ``(3, 3)`` weights (ignored when the card has no kernel grid).
            caption: new caption (ignored when the card was made without one).
            mode: new heatmap colouring.
        """
        self._heatmap.update(data, mode=mode)
        if kernel is not None and self._grid is not None:
            self._grid.update(kernel)
        # Text updates lay the whole screen out again: only when the words change.
        if title is not None and title != self._title:
            self._title = title
            if self.is_mounted:
                self.query_one(".map-card--title", Label).update(self._decorated(title))
        if caption is not None and self._caption is not None and caption != self._caption:
            self._caption = caption
            if self.is_mounted:
                self.query_one(".map-card--caption", Static).update(caption)

    def set_caption(self, caption: str) -> None:
        """Change only the caption (when the card was made with one), not the map."""
        if self._caption is not None and caption != self._caption:
            self._caption = caption
            if self.is_mounted:
                self.query_one(".map-card--caption", Static).update(caption)

    def set_selected(self, selected: bool) -> None:
        """Mark or unmark this card as the one the channel keys point at."""
        if selected == self.has_class("-selected"):
            return
        self.set_class(selected, "-selected")
        if self.is_mounted:
            self.query_one(".map-card--title", Label).update(self._decorated(self._title))

    def _decorated(self, title: str) -> str:
        return f"▶ {title}" if self.has_class("-selected") else title
