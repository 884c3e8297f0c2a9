"""DrawCanvas: a 28x28 canvas to draw a digit on, with the mouse or the keyboard.

Two pixels per terminal cell, one above the other (the upper half block ``▀`` with the top
pixel as foreground and the bottom pixel as background), so the canvas is 28 columns by 14
rows and pixels come out square; colours follow the same ramp as :class:`Heatmap`, and the
same shade characters replace them under ``NO_COLOR``. Values are drawn on a fixed 0..1
scale (not rescaled to the maximum), so faint ink looks faint.

Strokes use :func:`tuicnn.data.transforms.soft_line`: a solid core with a soft edge, like
the anti-aliased pen MNIST was written with. A mouse cell covers two pixel rows and a
terminal usually reports only which cell the pointer is in, so a click paints centred
between the cell's two rows (half a pixel each way); terminals that report the pointer to
the pixel get that precision.

Every edit (a mouse stroke, a key press that paints, a clear) can be undone, up to
:data:`UNDO_LEVELS` steps, so a slip of the ``x`` key never loses a drawing.
"""

from __future__ import annotations

from collections import deque
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from tuicnn.data.transforms import CANVAS, soft_line
from tuicnn.widgets.colormaps import sequential, shade_chars
from tuicnn.widgets.heatmap import HALF_BLOCK, prefers_shades
from tuicnn.widgets.strip_cache import StripCacheWidget

UNDO_LEVELS = 50
"""Edits that can be undone (each snapshot is 28 x 28 floats, about 6 kB)."""

PEN_CURSOR = (255, 64, 64)
"""The keyboard cursor in colour mode: red, a hue the viridis-like ramp never uses."""

ERASER_CURSOR = (255, 255, 255)
"""The cursor while erasing: white, also off the ramp."""

LOWER_HALF = "▄"

MIN_BRUSH, MAX_BRUSH = 1, 3


class DrawCanvas(StripCacheWidget, can_focus=True):
    """A 28x28 drawing surface (28 columns x 14 rows of half-block cells).

    Mouse: press and drag to paint (right button, or the eraser mode, erases). Keyboard:
    arrows move a cursor, shift+arrows draw as they move, space paints a dab, ``e``
    toggles the eraser, ``[``/``]`` or ``1``-``3`` set the brush size, ``x`` clears and
    ``u`` undoes the last edit.

    Posts :class:`DrawCanvas.Changed` after every edit. The picture is in :attr:`canvas`.

    Attributes:
        cursor: ``(row, col)`` of the keyboard cursor, in pixels.
        brush: Brush size 1-3.
        erasing: Whether painting erases.
    """

    DEFAULT_CSS = """
    DrawCanvas {
        width: auto;
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1, 0)", "Move the cursor", key_display="arrows", show=False),
        Binding("down", "move(1, 0)", "", show=False),
        Binding("left", "move(0, -1)", "", show=False),
        Binding("right", "move(0, 1)", "", show=False),
        Binding("shift+up", "move(-1, 0, True)", "Draw while moving",
                key_display="shift+arrows", show=False),
        Binding("shift+down", "move(1, 0, True)", "", show=False),
        Binding("shift+left", "move(0, -1, True)", "", show=False),
        Binding("shift+right", "move(0, 1, True)", "", show=False),
        Binding("space", "paint", "Paint"),
        Binding("e", "toggle_eraser", "Eraser"),
        Binding("left_square_bracket", "brush(-1)", "Smaller brush", key_display="[",
                show=False),
        Binding("right_square_bracket", "brush(1)", "Bigger brush", key_display="]",
                show=False),
        Binding("1", "set_brush(1)", "Brush size 1", show=False),
        Binding("2", "set_brush(2)", "Brush size 2", show=False),
        Binding("3", "set_brush(3)", "Brush size 3", show=False),
        Binding("x", "clear", "Clear"),
        Binding("u", "undo", "Undo"),
    ]

    cursor: reactive[tuple[int, int]] = reactive((CANVAS // 2, CANVAS // 2))
    brush: reactive[int] = reactive(2)
    erasing: reactive[bool] = reactive(False)

    class Changed(Message):
        """The picture changed (a stroke, a dab, a clear or an undo)."""

        def __init__(self, canvas: DrawCanvas) -> None:
            super().__init__()
            self.canvas = canvas

        @property
        def control(self) -> DrawCanvas:
            return self.canvas

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create an empty canvas (see :class:`~textual.widget.Widget` for the arguments)."""
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._pixels: NDArray[np.float64] = np.zeros((CANVAS, CANVAS))
        self._undo: deque[NDArray[np.float64]] = deque(maxlen=UNDO_LEVELS)
        self._stroke_at: tuple[float, float] | None = None  # last mouse point while dragging
        self._stroke_erases = False
        self._before_edit: NDArray[np.float64] | None = None  # pushed to undo on first change
        self._version = 0

    # -- public API -------------------------------------------------------------------------

    @property
    def canvas(self) -> NDArray[np.float64]:
        """A copy of the picture: ``(28, 28)`` float64 in ``[0, 1]``, 0 = background."""
        return self._pixels.copy()

    @property
    def is_empty(self) -> bool:
        """Whether there is no ink at all."""
        return not self._pixels.any()

    @property
    def can_undo(self) -> bool:
        """Whether :meth:`undo` has something to restore."""
        return bool(self._undo)

    def set_canvas(self, picture: ArrayLike) -> None:
        """Replace the picture (undoable), e.g. to load a digit.

        Args:
            picture: ``(28, 28)`` values; clipped to ``[0, 1]``.

        Raises:
            ValueError: If the shape is wrong.
        """
        array = np.clip(np.asarray(picture, dtype=np.float64), 0.0, 1.0)
        if array.shape != (CANVAS, CANVAS):
            raise ValueError(f"expected ({CANVAS}, {CANVAS}), got {array.shape}")
        self._checkpoint()
        self._pixels = array.copy()
        self._changed()

    def paint_at(self, row: float, col: float, erase: bool | None = None) -> None:
        """Paint one undoable dab with the current brush at pixel ``(row, col)``.

        Args:
            row: Pixel row (may be fractional).
            col: Pixel column.
            erase: Erase instead of paint; ``None`` follows :attr:`erasing`.
        """
        self._begin_edit()
        self._stroke((row, col), (row, col), self.erasing if erase is None else erase)
        self._end_edit()

    def clear(self) -> None:
        """Wipe the picture; undoable."""
        if self.is_empty:
            return
        self._checkpoint()
        self._pixels = np.zeros((CANVAS, CANVAS))
        self._changed()

    def undo(self) -> bool:
        """Restore the picture as it was before the last edit.

        Returns:
            ``False`` if there was nothing to undo.
        """
        if not self._undo:
            return False
        self._pixels = self._undo.pop()
        self._changed()
        return True

    def status(self, focused: bool | None = None) -> str:
        """A short line for a border or a status bar, e.g. ``pen 2 · row 14 col 14``.

        Without focus the keys do nothing, so it says how to start instead.

        Args:
            focused: Describe the canvas as focused or not; ``None`` uses :attr:`has_focus`
                (which is not yet updated while the focus and blur handlers run).
        """
        tool = f"{'eraser' if self.erasing else 'pen'} {self.brush}"
        if not (self.has_focus if focused is None else focused):
            return f"{tool} · Tab/click to draw"
        row, col = self.cursor
        return f"{tool} · row {row} col {col}"

    # -- actions ----------------------------------------------------------------------------

    def action_move(self, rows: int, cols: int, draw: bool = False) -> None:
        """Move the cursor one pixel; with ``draw``, paint the way from old to new."""
        row, col = self.cursor
        new = (min(max(row + rows, 0), CANVAS - 1), min(max(col + cols, 0), CANVAS - 1))
        if draw:
            self._begin_edit()
            self._stroke((row, col), new, self.erasing)
            self._end_edit()
        self.cursor = new

    def action_paint(self) -> None:
        """Paint (or erase) a dab under the cursor."""
        self.paint_at(*self.cursor)

    def action_toggle_eraser(self) -> None:
        self.erasing = not self.erasing

    def action_brush(self, step: int) -> None:
        self.brush = min(max(self.brush + step, MIN_BRUSH), MAX_BRUSH)

    def action_set_brush(self, size: int) -> None:
        self.brush = size

    def action_clear(self) -> None:
        if self.is_empty:
            return
        self.clear()
        self.notify("Canvas cleared: press u to undo.", timeout=3)

    def action_undo(self) -> None:
        if not self.undo():
            self.notify("Nothing to undo.", timeout=2)

    # -- reactive hooks ---------------------------------------------------------------------

    def validate_brush(self, size: int) -> int:
        return min(max(int(size), MIN_BRUSH), MAX_BRUSH)

    def watch_cursor(self) -> None:
        self._update_status()

    def watch_brush(self) -> None:
        self._update_status()

    def watch_erasing(self) -> None:
        self._update_status()

    # -- Textual hooks ----------------------------------------------------------------------

    def on_mount(self) -> None:
        self._update_status()

    def on_focus(self) -> None:
        self._update_status(focused=True)  # the cursor is drawn only while focused

    def on_blur(self) -> None:
        self._update_status(focused=False)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return CANVAS

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return CANVAS // 2

    def render_line(self, y: int) -> Strip:
        """Cell row ``y`` (pixel rows ``2y`` and ``2y + 1``), built once per change."""
        shades = prefers_shades(self.app)
        cursor = self.cursor if self.has_focus else None
        key = (self._version, shades, cursor, self.erasing)
        strips = self.cached_strips(key, lambda: self._build_strips(shades, cursor))
        return self.strip_line(strips, y)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Start a stroke: paint where the pointer is and follow it until release."""
        if event.get_content_offset(self) is None:
            return
        event.stop()
        self.capture_mouse()
        self._begin_edit()  # the whole stroke, down to up, is one undo step
        point = self._pixel_at(event)
        self._stroke_erases = self.erasing or event.button == 3
        self._stroke_at = point
        self._stroke(point, point, self._stroke_erases)
        self._move_cursor_to(point)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Continue the stroke with a straight segment from the last point."""
        if self._stroke_at is None:
            return
        point = self._pixel_at(event)
        self._stroke(self._stroke_at, point, self._stroke_erases)
        self._stroke_at = point
        self._move_cursor_to(point)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        """End the stroke."""
        if self._stroke_at is not None:
            self._stroke_at = None
            self._end_edit()
            self.release_mouse()

    # -- internals --------------------------------------------------------------------------

    def _pixel_at(self, event: events.MouseEvent) -> tuple[float, float]:
        """Pixel ``(row, col)`` under the pointer (fractional; may lie off the canvas).

        With cell-precision reporting the pointer is taken to be in the middle of its cell:
        column ``x``, and halfway between pixel rows ``2y`` and ``2y + 1``.
        """
        x = event.pointer_x - self.gutter.left
        y = event.pointer_y - self.gutter.top
        if float(x).is_integer() and float(y).is_integer():
            x, y = x + 0.5, y + 0.5
        return 2.0 * y - 0.5, x - 0.5

    def _move_cursor_to(self, point: tuple[float, float]) -> None:
        row, col = (min(max(int(round(v)), 0), CANVAS - 1) for v in point)
        self.cursor = (row, col)

    def _checkpoint(self) -> None:
        """Remember the picture before an edit that is sure to change it, for undo."""
        self._undo.append(self._pixels.copy())

    def _begin_edit(self) -> None:
        """Start an edit that may turn out to change nothing (erasing blank canvas)."""
        self._before_edit = self._pixels.copy()

    def _end_edit(self) -> None:
        self._before_edit = None

    def _stroke(
        self, start: tuple[float, float], end: tuple[float, float], erase: bool
    ) -> None:
        """Paint a segment; the first change of an edit records the undo snapshot."""
        before = self._pixels.copy()
        soft_line(self._pixels, start, end, self.brush, erase)
        if np.array_equal(before, self._pixels):
            return
        if self._before_edit is not None:
            self._undo.append(self._before_edit)
            self._before_edit = None
        self._changed()

    def _changed(self) -> None:
        self._version += 1
        self.refresh()
        self.post_message(self.Changed(self))

    def _update_status(self, focused: bool | None = None) -> None:
        self.border_subtitle = self.status(focused)
        self.refresh()

    def _build_strips(self, shades: bool, cursor: tuple[int, int] | None) -> list[Strip]:
        """14 strips of 28 cells, with the cursor pixel marked if ``cursor`` is given."""
        base = self.rich_style
        if shades:
            return self._shade_strips(base, cursor)
        rgb = sequential(self._pixels).tolist()
        if cursor is not None:
            rgb[cursor[0]][cursor[1]] = list(ERASER_CURSOR if self.erasing else PEN_CURSOR)
        styles: dict[tuple[tuple[int, ...], tuple[int, ...]], Style] = {}
        strips = []
        for top in range(0, CANVAS, 2):
            segments = []
            for x in range(CANVAS):
                pair = (tuple(rgb[top][x]), tuple(rgb[top + 1][x]))
                style = styles.get(pair)
                if style is None:
                    style = base + Style(
                        color=RichColor.from_rgb(*pair[0]), bgcolor=RichColor.from_rgb(*pair[1])
                    )
                    styles[pair] = style
                segments.append(Segment(HALF_BLOCK, style))
            strips.append(Strip(segments, CANVAS).simplify())
        return strips

    def _shade_strips(self, base: Style, cursor: tuple[int, int] | None) -> list[Strip]:
        """Shade characters (the brighter pixel of each cell); the cursor as ``▀``/``▄``."""
        chars = shade_chars(np.maximum(self._pixels[0::2], self._pixels[1::2])).tolist()
        strips = []
        for y, row in enumerate(chars):
            if cursor is not None and cursor[0] // 2 == y:
                x = cursor[1]
                mark = HALF_BLOCK if cursor[0] % 2 == 0 else LOWER_HALF
                style = base + Style(bold=True, reverse=self.erasing)
                segments = [
                    Segment("".join(row[:x]), base),
                    Segment(mark, style),
                    Segment("".join(row[x + 1 :]), base),
                ]
                strips.append(Strip(segments, CANVAS))
            else:
                strips.append(Strip([Segment("".join(row), base)], CANVAS))
        return strips
