"""A widget that builds its lines once per change and repaints from the cache."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget


class StripCacheWidget(Widget):
    """Base of the widgets that draw every line themselves (heatmaps, grids, bars, canvas).

    Textual asks for lines on every repaint; building them (colours per cell) is the
    expensive part, so they are built once per change of what they show — the ``key`` a
    subclass passes to :meth:`cached_strips` — and once more when CSS or the theme changes,
    since the strips embed the styles.
    """

    _strips: list[Strip] | None = None
    _strips_key: Hashable = None

    def cached_strips(self, key: Hashable, build: Callable[[], list[Strip]]) -> list[Strip]:
        """The strips for ``key``: built by ``build()`` unless the cached ones match."""
        if self._strips is None or key != self._strips_key:
            self._strips = build()
            self._strips_key = key
        return self._strips

    def natural_size(self) -> Size:
        """The size the picture needs (what ``width: auto`` and ``height: auto`` give it).
        Subclasses whose size follows their content define it; ``changing`` compares it."""
        raise NotImplementedError(f"{type(self).__name__} has no natural size")

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Around a change of what is shown: repaint after it, and lay the screen out again
        only if the natural size changed. A layout re-arranges and redraws the whole screen;
        a repaint redraws this widget."""
        before = self.natural_size()
        yield
        self.refresh(layout=self.natural_size() != before)

    def drop_strips(self) -> None:
        """Forget the cached strips: what the widget shows has changed."""
        self._strips = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.drop_strips()

    def strip_line(self, strips: list[Strip], y: int) -> Strip:
        """Line ``y`` of ``strips`` cropped or padded to the widget's width (blank below)."""
        width, base = self.size.width, self.rich_style
        if y >= len(strips):
            return Strip.blank(width, base)
        return strips[y].crop_extend(0, width, base)
