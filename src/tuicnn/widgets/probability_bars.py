"""ProbabilityBars: what the network believes, one horizontal bar per class.

Bars are drawn with block characters at eighth-cell precision and the percentage is printed
next to each, so the widget reads the same with or without colour. The prediction (argmax)
and, when known, the true label are marked in words (``◀ predicted``, ``✓ true``); colour only
adds emphasis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from rich.cells import cell_len
from rich.segment import Segment
from textual.geometry import Size
from textual.strip import Strip

from tuicnn.widgets.strip_cache import StripCacheWidget

EIGHTHS = " ▏▎▍▌▋▊▉"
"""Partial blocks for 0/8 .. 7/8 of a cell; a full cell is ``█``."""

MARKERS: tuple[tuple[str, str], ...] = (
    ("◀ predicted", "✓ true"),
    ("◀ pred", "✓ true"),
    ("◀", "✓"),
)
"""(predicted, true) marker texts, longest first; the longest that leaves room is used."""

MIN_BAR = 10
"""Markers are shortened until the bars get at least this many cells (if possible)."""

PREFERRED_BAR = 20
"""Bar length asked for by ``width: auto``."""

NO_PREDICTION = "no prediction"
PERCENT_WIDTH = 6  # "100.0%"


TRACK = "·"
"""Drawn (muted) in the unfilled part of a bar so a short bar still leads to its number."""


def _fit(text: str, room: int) -> str:
    """``text`` if it fits in ``room`` cells, else cut and marked: ``no predi…``."""
    if cell_len(text) <= room:
        return text
    return text[: max(room - 1, 0)] + "…" if room else ""


def bar_text(fraction: float, length: int) -> tuple[str, str]:
    """A bar of ``length`` cells filled to ``fraction``, in eighths of a cell.

    Returns:
        ``(filled, track)``: the block characters and the track after them; together they
        are exactly ``length`` cells.
    """
    eighths = int(round(min(max(fraction, 0.0), 1.0) * length * 8))
    full, rest = divmod(eighths, 8)
    filled = "█" * full + (EIGHTHS[rest] if rest else "")
    return filled, TRACK * (length - len(filled))


class ProbabilityBars(StripCacheWidget):
    """Ten (or any number of) labelled bars for a probability vector.

    Layout of one row: ``label bar percentage marker``. Labels are right-aligned so the bars
    start in one column; the bars take whatever width the widget has left (``width: 1fr`` by
    default), and the markers shorten (``◀ predicted`` → ``◀ pred`` → ``◀``) on narrow
    widgets before the bars get too short to compare.

    With no probabilities (``probs=None``) the labels stay in place, so the layout does not
    jump, and a muted "no prediction" message is shown.
    """

    DEFAULT_CSS = """
    ProbabilityBars {
        width: 1fr;
        height: auto;
    }
    ProbabilityBars > .probability-bars--bar {
        color: $primary;
    }
    ProbabilityBars > .probability-bars--predicted {
        color: $accent;
        text-style: bold;
    }
    ProbabilityBars > .probability-bars--wrong {
        color: $error;
        text-style: bold;
    }
    ProbabilityBars > .probability-bars--true {
        color: $success;
        text-style: bold;
    }
    ProbabilityBars > .probability-bars--muted {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "probability-bars--bar",
        "probability-bars--predicted",
        "probability-bars--wrong",
        "probability-bars--true",
        "probability-bars--muted",
    }

    def __init__(
        self,
        labels: Sequence[str],
        probs: ArrayLike | None = None,
        true_label: int | str | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create the bars.

        Args:
            labels: One label per class, e.g. ``"0".."9"`` or Fashion-MNIST names.
            probs: Probabilities, shape ``(len(labels),)``, or ``None`` for "no prediction".
                They are shown as given (not renormalised); NaN counts as 0.
            true_label: The correct class, as an index or a label, or ``None`` if unknown.
            name: Widget name.
            id: Widget id.
            classes: Space-separated CSS classes.
            disabled: Whether the widget is disabled.

        Raises:
            ValueError: If there are no labels, ``probs`` has the wrong shape or
                ``true_label`` is not a class.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        if not labels:
            raise ValueError("ProbabilityBars needs at least one label")
        self._labels: tuple[str, ...] = tuple(str(label) for label in labels)
        self._probs: NDArray[np.float64] | None = None
        self._true: int | None = None
        self._set(probs, true_label)

    # -- public API -------------------------------------------------------------------------

    @property
    def labels(self) -> tuple[str, ...]:
        """The class labels, in order."""
        return self._labels

    @property
    def probs(self) -> NDArray[np.float64] | None:
        """The probabilities shown (read-only), or ``None``."""
        return self._probs

    @property
    def predicted(self) -> int | None:
        """Index of the highest probability (first on ties), or ``None``."""
        return None if self._probs is None else int(np.argmax(self._probs))

    @property
    def true_index(self) -> int | None:
        """Index of the true label, or ``None`` if unknown."""
        return self._true

    def update(self, probs: ArrayLike | None, true_label: int | str | None = None) -> None:
        """Show a new prediction (``None`` → "no prediction"); ``true_label`` is replaced too.

        Raises:
            ValueError: As for the constructor.
        """
        with self.changing():
            self._set(probs, true_label)

    # -- Textual hooks ----------------------------------------------------------------------

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """Preferred width for ``width: auto``: a bar of ``PREFERRED_BAR`` cells."""
        return self.natural_size().width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """One line per class, whether or not there is a prediction."""
        return self.natural_size().height

    def natural_size(self) -> Size:
        """A bar of ``PREFERRED_BAR`` cells with its label, percentage and marker; one line
        per class, whether or not there is a prediction."""
        marker = self._marker_width(MARKERS[0])
        return Size(self._label_width() + 1 + PREFERRED_BAR + 1 + PERCENT_WIDTH + marker,
                    len(self._labels))

    def render_line(self, y: int) -> Strip:
        """Line ``y``; all lines are rebuilt only when data or width change."""
        width = self.size.width
        return self.strip_line(self.cached_strips(width, lambda: self._build_strips(width)), y)

    # -- internals --------------------------------------------------------------------------

    def _set(self, probs: ArrayLike | None, true_label: int | str | None) -> None:
        count = len(self._labels)
        if probs is None:
            values = None
        else:
            values = np.array(probs, dtype=np.float64)
            if values.shape != (count,):
                raise ValueError(f"expected {count} probabilities, got shape {values.shape}")
            values = np.clip(np.nan_to_num(values, nan=0.0), 0.0, 1.0)
            values.flags.writeable = False
        if true_label is None:
            true_index = None
        elif isinstance(true_label, str):
            if true_label not in self._labels:
                raise ValueError(f"true_label {true_label!r} is not one of {self._labels}")
            true_index = self._labels.index(true_label)
        else:
            true_index = int(true_label)
            if not 0 <= true_index < count:
                raise ValueError(f"true_label index {true_index} is outside 0..{count - 1}")
        self._probs = values
        self._true = true_index
        self.drop_strips()

    def _label_width(self) -> int:
        return max(cell_len(label) for label in self._labels)

    def _markers(self, texts: tuple[str, str]) -> list[str]:
        """Marker text for each row with the given (predicted, true) texts."""
        predicted = self.predicted
        markers = []
        for index in range(len(self._labels)):
            parts = []
            if index == predicted:
                parts.append(texts[0])
            if index == self._true and predicted is not None:
                parts.append(texts[1])
            markers.append(" ".join(parts))
        return markers

    def _marker_width(self, texts: tuple[str, str]) -> int:
        """Columns taken by the marker column including its leading space (0 if empty)."""
        longest = max(cell_len(marker) for marker in self._markers(texts))
        return longest + 1 if longest else 0

    def _build_strips(self, width: int) -> list[Strip]:
        label_width = self._label_width()
        fixed = label_width + 1 + 1 + PERCENT_WIDTH
        muted = self.get_component_rich_style("probability-bars--muted")
        base = self.rich_style

        if self._probs is None:
            room = max(width - label_width - 1, 0)  # the message may use the bar's and % cells
            message_row = (len(self._labels) - 1) // 2
            strips = []
            for index, label in enumerate(self._labels):
                message = NO_PREDICTION if index == message_row else ""
                strips.append(
                    Strip(
                        [
                            Segment(f"{label:>{label_width}} ", base),
                            Segment(_fit(message, room), muted),
                        ]
                    )
                )
            return strips

        texts = MARKERS[-1]
        for candidate in MARKERS:
            if width - fixed - self._marker_width(candidate) >= MIN_BAR:
                texts = candidate
                break
        bar_length = max(width - fixed - self._marker_width(texts), 0)
        markers = self._markers(texts)

        predicted = self.predicted
        wrong = self._true is not None and self._true != predicted
        bar_style = self.get_component_rich_style("probability-bars--bar")
        predicted_style = self.get_component_rich_style("probability-bars--predicted")
        wrong_style = self.get_component_rich_style("probability-bars--wrong")
        true_style = self.get_component_rich_style("probability-bars--true")

        strips = []
        rows = zip(self._labels, self._probs.tolist(), strict=True)
        for index, (label, value) in enumerate(rows):
            is_predicted = index == predicted
            filled, track = bar_text(value, bar_length)
            segments = [
                Segment(f"{label:>{label_width}} ", predicted_style if is_predicted else base),
                Segment(filled, predicted_style if is_predicted else bar_style),
                Segment(track, muted),
                Segment(f" {value * 100:5.1f}%", base),
            ]
            if markers[index]:
                segments.append(Segment(" ", base))
                if is_predicted:
                    segments.append(Segment(texts[0], wrong_style if wrong else predicted_style))
                if is_predicted and index == self._true:
                    segments.append(Segment(" ", base))
                if index == self._true:
                    segments.append(Segment(texts[1], true_style))
            strips.append(Strip(segments))
        return strips
