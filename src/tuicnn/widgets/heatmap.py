"""Heatmap: a 2-D array (an image, a feature map, a filter) drawn in the terminal.

Each terminal cell shows two vertical pixels with the upper half block ``▀``: its foreground
is the top pixel and its background the bottom pixel. Terminal cells are about twice as tall
as they are wide, so pixels come out square and a 28x28 MNIST digit fits in 28 columns by
14 rows.

The widget uses the Line API. All strips are built once when the data or a display option
changes (and again if the CSS or theme changes), so a repaint only crops cached strips.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip

from tuicnn.widgets.colormaps import (
    NEUTRAL,
    Mode,
    check_mode,
    colormap,
    normalize,
    shade_chars,
    value_range,
)
from tuicnn.widgets.strip_cache import StripCacheWidget

HALF_BLOCK = "▀"
NO_DATA = "no data"
MIN_GRADIENT = 5
"""The legend's colour bar is never shorter than this many cells."""


def prefers_shades(app: App[Any], shades_on_16_colors: bool = False) -> bool:
    """Decide whether colour ramps would be unreadable in ``app``'s terminal.

    Textual reads ``NO_COLOR`` once, when the ``App`` is created: if the variable is set (to
    anything, even empty) ``app.no_color`` is ``True`` and a filter turns every colour grey,
    so a colour ramp would lose its meaning. Textual also removes ``NO_COLOR`` from the
    environment its Rich console sees, so the console's ``color_system`` is decided by
    ``TERM``/``COLORTERM`` (or ``TEXTUAL_COLOR_SYSTEM``) only: ``None`` means no colour at
    all (for example ``TERM=dumb``), ``"standard"`` means the 16 ANSI colours, then
    ``"256"`` and ``"truecolor"``. Rich has no mode between "none" and 16 colours, so "fewer
    than 16 colours" is ``color_system is None``.

    ``app.ansi_color`` (ANSI themes) only changes how the *theme's* colours are emitted; the
    heatmap's own RGB colours are unaffected, so it is not a reason to fall back.

    Args:
        app: The running app.
        shades_on_16_colors: Also prefer shades on a 16-colour terminal. Downgraded to the
            16 ANSI colours, the sequential ramp keeps only about four distinct colours, in
            an order that depends on the terminal's palette.

    Returns:
        ``True`` if the heatmap should draw shade characters instead of colours.
    """
    if app.no_color:
        return True
    system = app.console.color_system
    if system is None:
        return True
    return shades_on_16_colors and system in ("standard", "windows")


def format_values(values: tuple[float, float], signed: bool = False) -> tuple[str, str]:
    """Format legend values on one shared scale so they stay comparable.

    Two decimals when the larger magnitude is between 0.01 and 10,000 (so a near-zero
    minimum reads ``0.00``, not ``2.8e-09``); scientific notation for both otherwise.
    """
    sign = "+" if signed else ""
    magnitude = max(abs(v) for v in values)
    spec = f"{sign}.2f" if magnitude == 0.0 or 0.01 <= magnitude < 10_000 else f"{sign}.2e"
    return tuple(f"{float(v) + 0.0:{spec}}" for v in values)  # type: ignore[return-value]


class Heatmap(StripCacheWidget):
    """A 2-D array shown as coloured half-block pixels, with an optional title and legend.

    Colour mode (the default on any terminal with 16 or more colours and no ``NO_COLOR``):
    one cell = one column, two pixel rows, via ``▀`` with foreground/background colours.

    Shade mode (``NO_COLOR``, a colourless terminal, or ``shades = True``): every cell is one
    of ``" ░▒▓█"``. The footprint is kept identical to colour mode, so switching modes never
    moves the surrounding layout and a 28x28 digit still fits a 24-row terminal. The price is
    vertical detail: each cell stands for its two pixels and shows the one further from the
    neutral value (zero), so peaks, thin strokes and the sign of strong weights survive
    instead of being averaged away. With ``scale >= 2`` every pixel spans whole cells and the
    shade picture is exact. Exact values are what :class:`NumberGrid` is for.

    Attributes:
        mode: ``"sequential"`` (``0 → max``, activations) or ``"diverging"`` (signed weights,
            blue - neutral - red around zero).
        scale: Each pixel becomes ``scale`` columns wide and ``scale`` half-rows tall, so
            small maps such as 7x7 stay legible (``scale=2`` → one full cell per pixel row).
        legend: Show a ``min … ▕gradient▏ max …`` line under the picture.
        title: Optional line above the picture.
        shades: ``None`` (default) picks colour or shades from the terminal; ``True`` or
            ``False`` forces one (handy in tests and for a user preference).
    """

    DEFAULT_CSS = """
    Heatmap {
        width: auto;
        height: auto;
    }
    Heatmap > .heatmap--title {
        text-style: bold;
    }
    Heatmap > .heatmap--legend {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"heatmap--title", "heatmap--legend"}

    SHADES_ON_16_COLORS: ClassVar[bool] = False
    """Also use shades on 16-colour terminals (see :func:`prefers_shades`)."""

    mode: reactive[str] = reactive("sequential", layout=True)
    scale: reactive[int] = reactive(1, layout=True)
    legend: reactive[bool] = reactive(True, layout=True)
    title: reactive[str | None] = reactive(None, layout=True)
    shades: reactive[bool | None] = reactive(None)

    def __init__(
        self,
        data: ArrayLike | None = None,
        mode: Mode = "sequential",
        scale: int = 1,
        legend: bool = True,
        title: str | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create a heatmap.

        Args:
            data: A 2-D array of shape ``(H, W)``, or ``None`` to show "no data" for now.
            mode: ``"sequential"`` or ``"diverging"``.
            scale: Integer zoom factor (>= 1).
            legend: Show the min/max legend line.
            title: Optional title line.
            name: Widget name.
            id: Widget id.
            classes: Space-separated CSS classes.
            disabled: Whether the widget is disabled.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._data: NDArray[np.float64] | None = None
        self._version = 0
        self.mode = mode
        self.scale = scale
        self.legend = legend
        self.title = title
        self._set_data(data)

    # -- public API -------------------------------------------------------------------------

    @property
    def data(self) -> NDArray[np.float64] | None:
        """The array being shown (a read-only float copy), or ``None``."""
        return self._data

    @property
    def using_shades(self) -> bool:
        """Whether shade characters are drawn right now (``shades`` or terminal detection)."""
        if self.shades is not None:
            return self.shades
        return prefers_shades(self.app, self.SHADES_ON_16_COLORS)

    def update(
        self, data: ArrayLike | None, mode: Mode | None = None, title: str | None = None
    ) -> None:
        """Show new data; strips are rebuilt once, on the next repaint.

        Args:
            data: New ``(H, W)`` array, or ``None`` to show "no data".
            mode: New mode, or ``None`` to keep the current one.
            title: New title, or ``None`` to keep the current one (assign ``heatmap.title =
                None`` to remove it).

        Raises:
            ValueError: If ``data`` is not 2-D or ``mode`` is unknown.
        """
        with self.changing():
            self._set_data(data)
            if mode is not None:
                self.mode = mode
            if title is not None:
                self.title = title

    # -- reactive validation ----------------------------------------------------------------

    def validate_mode(self, mode: str) -> str:
        """Reject unknown modes early, where the mistake is made."""
        return check_mode(mode)

    def validate_scale(self, scale: int) -> int:
        """Scale is a whole zoom factor; fractions would distort pixels."""
        if int(scale) != scale or scale < 1:
            raise ValueError(f"scale must be a positive integer, not {scale!r}")
        return int(scale)

    # -- Textual hooks ----------------------------------------------------------------------

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """Width of the picture, legend or title, whichever is widest (for ``width: auto``)."""
        return self.natural_size().width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Title + picture rows + legend (for ``height: auto``)."""
        return self.natural_size().height

    def render_line(self, y: int) -> Strip:
        """Row ``y``: title, picture rows, legend, built once per change of what is shown."""
        shades = self.using_shades
        key = (self._version, self.mode, self.scale, self.legend, self.title, shades)
        return self.strip_line(self.cached_strips(key, lambda: self._build_strips(shades)), y)

    # -- internals --------------------------------------------------------------------------

    def _set_data(self, data: ArrayLike | None) -> None:
        if data is None:
            self._data = None
        else:
            array = np.array(data, dtype=np.float64)
            if array.ndim != 2:
                raise ValueError(f"Heatmap needs a 2-D array, got shape {array.shape}")
            array.flags.writeable = False
            self._data = array if array.size else None
        self._version += 1

    @property
    def _mode(self) -> Mode:
        return check_mode(self.mode)

    def _image_size(self) -> Size:
        """Cells covered by the picture alone."""
        if self._data is None:
            return Size(cell_len(NO_DATA), 1)
        rows, cols = self._data.shape
        return Size(cols * self.scale, -(-rows * self.scale // 2))

    def _legend_parts(self) -> tuple[str, int, str]:
        """Left text, gradient length and right text of the legend line."""
        assert self._data is not None
        finite = self._data[np.isfinite(self._data)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        low_text, high_text = format_values((low, high), signed=self._mode == "diverging")
        left = f"min {low_text} ▕"
        right = f"▏ max {high_text}"
        gradient = max(MIN_GRADIENT, self._image_size().width - len(left) - len(right))
        return left, gradient, right

    def natural_size(self) -> Size:
        """Picture, title and legend: as wide as the widest, one line each for the last two."""
        image = self._image_size()
        width, height = image.width, image.height
        if self.title:
            width = max(width, cell_len(self.title))
            height += 1
        if self.legend and self._data is not None:
            left, gradient, right = self._legend_parts()
            width = max(width, len(left) + gradient + len(right))
            height += 1
        return Size(width, height)

    def _build_strips(self, shades: bool) -> list[Strip]:
        """Build every line of the widget: title, picture rows, legend."""
        base = self.rich_style
        legend_style = self.get_component_rich_style("heatmap--legend")
        strips: list[Strip] = []
        if self.title:
            title_style = self.get_component_rich_style("heatmap--title")
            strips.append(Strip([Segment(self.title, title_style)]))
        if self._data is None:
            strips.append(Strip([Segment(NO_DATA, legend_style)]))
            return strips
        unit = normalize(self._data, self._mode)
        scale = self.scale
        pixels = np.repeat(np.repeat(unit, scale, axis=0), scale, axis=1)
        if shades:
            strips.extend(_shade_rows(pixels, self._mode, base))
        else:
            strips.extend(_colour_rows(pixels, self._mode, base))
        if self.legend:
            strips.append(self._legend_strip(shades, legend_style))
        return strips

    def _legend_strip(self, shades: bool, style: Style) -> Strip:
        """``min X ▕gradient▏ max Y``: the gradient runs from the colour of X to that of Y."""
        assert self._data is not None
        left, length, right = self._legend_parts()
        finite = self._data[np.isfinite(self._data)]
        ends = np.array([finite.min(), finite.max()]) if finite.size else np.zeros(2)
        t_low, t_high = normalize(ends, self._mode, bounds=value_range(self._data, self._mode))
        ramp = np.linspace(t_low, t_high, length)
        if shades:
            bar = [Segment("".join(shade_chars(ramp)), style)]
        else:
            bar = [
                Segment("█", style + Style(color=RichColor.from_rgb(*rgb)))
                for rgb in colormap(self._mode)(ramp).tolist()
            ]
        return Strip([Segment(left, style), *bar, Segment(right, style)]).simplify()


def _colour_rows(pixels: NDArray[np.float64], mode: Mode, base: Style) -> list[Strip]:
    """Half-block rows: ``▀`` with fg = top pixel, bg = bottom pixel (or the widget's bg).

    Args:
        pixels: ``(R, C)`` values in ``[0, 1]``, already scaled.
        mode: Which ramp to use.
        base: The widget's style, kept as the background of a padded last half-row.

    Returns:
        ``ceil(R / 2)`` strips, each ``C`` cells long.
    """
    rgb = colormap(mode)(pixels).tolist()
    rows, cols = pixels.shape
    styles: dict[tuple[object, object], Style] = {}
    strips: list[Strip] = []
    for top in range(0, rows, 2):
        segments: list[Segment] = []
        for x in range(cols):
            upper = tuple(rgb[top][x])
            lower = tuple(rgb[top + 1][x]) if top + 1 < rows else None
            style = styles.get((upper, lower))
            if style is None:
                style = base + Style(
                    color=RichColor.from_rgb(*upper),
                    bgcolor=None if lower is None else RichColor.from_rgb(*lower),
                )
                styles[upper, lower] = style
            segments.append(Segment(HALF_BLOCK, style))
        strips.append(Strip(segments, cols).simplify())
    return strips


def _shade_rows(pixels: NDArray[np.float64], mode: Mode, base: Style) -> list[Strip]:
    """Shade-character rows with the same footprint as :func:`_colour_rows`.

    Each cell covers a top and a bottom pixel and shows whichever is further from the
    mode's neutral value (ties go to the top pixel; a padded last half-row shows the top).
    """
    rows, cols = pixels.shape
    if rows % 2:
        pixels = np.vstack([pixels, np.full((1, cols), np.nan)])
    upper, lower = pixels[0::2], pixels[1::2]
    neutral = NEUTRAL[mode]
    lower_distance = np.where(np.isnan(lower), -1.0, np.abs(lower - neutral))
    chosen = np.where(np.abs(upper - neutral) >= lower_distance, upper, lower)
    return [Strip([Segment("".join(row), base)], cols) for row in shade_chars(chosen)]
