"""The layer explorer's logic: which example, which pooling window, hand-made filters, captions.

Pure NumPy on top of the engine (no Textual), so every number the Explore tab shows can be
checked in plain tests. The tab only decides *what* to look at; this module computes it.

Arrays follow the engine: channels-last, no batch axis (``relu1`` of one image is
``(28, 28, F)``).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from tuicnn.nn.layers import Conv2D
from tuicnn.nn.model import LayerInfo, Sequential
from tuicnn.nn.tracing import Trace, trace

POOL = 2
"""Size (and stride) of the max-pool windows the CNN uses: blocks line up every 2 pixels."""

PATCH = 2 * POOL
"""The zoomed-in patch is 4x4 pixels: four 2x2 pooling blocks."""

QUICK_DIGITS = (0, 1, 6, 8)
"""The original playground's picks: a blob, a stroke, a loop with a tail, two loops."""


# -- which example ------------------------------------------------------------------------


def examples_of(labels: np.ndarray, digit: int) -> np.ndarray:
    """Indices into the test set of every example labelled ``digit``, in test-set order.

    Args:
        labels: ``(M,)`` integer class labels (``Split.y_test``).
        digit: the class to look for.

    Returns:
        ``(K,)`` int array, possibly empty.
    """
    return np.flatnonzero(np.asarray(labels) == digit)


def step_position(position: int, count: int, step: int) -> int:
    """Move ``step`` examples from ``position`` among ``count``, wrapping at both ends.

    ``n`` on the last example goes back to the first, ``p`` on the first goes to the last,
    so a keyboard user can never get stuck at an end.

    Raises:
        ValueError: if there are no examples to step through.
    """
    if count < 1:
        raise ValueError("no examples to step through")
    return (position + step) % count


@dataclass(frozen=True)
class Example:
    """One real test example, as the tab describes it.

    Attributes:
        digit: the class asked for (and the true label of the example).
        position: 0-based position among the examples of that class.
        count: how many test examples have that label.
        index: row in ``Split.x_test``, or -1 when there are no examples of that class.
    """

    digit: int
    position: int
    count: int
    index: int

    def describe(self, class_name: str) -> str:
        """E.g. ``test example 3 of 97 labelled 6`` (1-based, as people count)."""
        if self.count == 0:
            return f"no test example is labelled {class_name}"
        return f"test example {self.position + 1} of {self.count} labelled {class_name}"


def pick_example(labels: np.ndarray, digit: int, position: int = 0) -> Example:
    """The ``position``-th test example of ``digit`` (wrapped into range)."""
    indices = examples_of(labels, digit)
    if len(indices) == 0:
        return Example(digit, 0, 0, -1)
    position %= len(indices)
    return Example(digit, position, len(indices), int(indices[position]))


def first_available_digit(labels: np.ndarray, preferred: int) -> int:
    """``preferred`` if the test set has an example of it, else the smallest class it has.

    Keeps the tab from opening on an empty selection with an unusual data set.
    """
    present = np.unique(np.asarray(labels))
    if preferred in present or len(present) == 0:
        return preferred
    return int(present[0])


# -- traces -------------------------------------------------------------------------------


class TraceCache:
    """Traces of one model, computed once per image and kept for quick switching.

    The key is the test-set index; the cache is bound to one model object and empties itself
    when asked about another one (a finished training run replaces the model, it never
    changes its weights in place). At most ``size`` traces are kept, least recently used
    dropped first (a CNN trace with 8 filters is about 60 kB).
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._model: Sequential | None = None
        self._traces: OrderedDict[int, Trace] = OrderedDict()
        self.misses = 0
        """How many traces were computed (tests use it to check that switching is cached)."""

    def get(self, model: Sequential, index: int, image: np.ndarray) -> Trace:
        """The trace of ``image`` (test example ``index``) through ``model``.

        Args:
            model: the network; a different object than last time clears the cache.
            index: the image's row in the test set, used as the cache key.
            image: ``(28, 28, 1)`` float image in ``[0, 1]``.
        """
        if model is not self._model:
            self._model = model
            self._traces.clear()
        cached = self._traces.get(index)
        if cached is not None:
            self._traces.move_to_end(index)
            return cached
        self.misses += 1
        result = trace(model, image)
        self._traces[index] = result
        if len(self._traces) > self.size:
            self._traces.popitem(last=False)
        return result


# -- the max-pool window ------------------------------------------------------------------


def clamp_window(
    row: int, col: int, shape: tuple[int, int], size: int = PATCH, step: int = POOL
) -> tuple[int, int]:
    """Keep a ``size x size`` window inside a map and on the pooling grid.

    The top-left corner is snapped down to a multiple of ``step`` (so the window's 2x2 blocks
    are exactly the blocks max-pool uses) and clamped so the window stays inside ``shape``.

    Args:
        row: wanted top row (may be out of range).
        col: wanted left column.
        shape: ``(H, W)`` of the map, at least ``size`` in both directions.
        size: window side in pixels.
        step: the pooling stride.

    Returns:
        ``(row, col)`` of the clamped, aligned top-left corner.
    """
    height, width = shape
    if height < size or width < size:
        raise ValueError(f"a {size}x{size} window does not fit in a {height}x{width} map")
    last_row = (height - size) // step * step
    last_col = (width - size) // step * step
    row = min(max(row, 0) // step * step, last_row)
    col = min(max(col, 0) // step * step, last_col)
    return row, col


def move_window(
    corner: tuple[int, int],
    rows: int,
    cols: int,
    shape: tuple[int, int],
    size: int = PATCH,
    step: int = POOL,
) -> tuple[int, int]:
    """Move the window by ``rows``/``cols`` pooling steps (2 pixels each), clamped at the edges."""
    return clamp_window(corner[0] + rows * step, corner[1] + cols * step, shape, size, step)


def strongest_window(
    fmap: np.ndarray, size: int = PATCH, step: int = POOL
) -> tuple[int, int] | None:
    """Top-left corner of the aligned window with the strongest activation.

    "Strongest" is the largest single value (what max-pool keeps); ties between windows are
    broken by the larger sum, then by reading order. Windows start on multiples of ``step``,
    so the window that holds the map's maximum always contains a nonzero value when the map
    has one.

    Args:
        fmap: ``(H, W)`` feature map, e.g. one channel of ``relu1``.
        size: window side.
        step: pooling stride the window must line up with.

    Returns:
        ``(row, col)``, or ``None`` when the map is zero everywhere (nothing to show).
    """
    values = np.abs(np.asarray(fmap, dtype=np.float64))
    if not np.any(values > 0):
        return None
    windows = np.lib.stride_tricks.sliding_window_view(values, (size, size))[::step, ::step]
    peaks = windows.max(axis=(2, 3))
    sums = windows.sum(axis=(2, 3))
    # lexsort sorts by the last key first: peak, then sum; argmax-like pick of the last item.
    order = np.lexsort((-np.arange(peaks.size), sums.ravel(), peaks.ravel()))
    best = int(order[-1])
    r, c = divmod(best, peaks.shape[1])
    return r * step, c * step


@dataclass(frozen=True)
class PoolZoom:
    """A 4x4 patch of a feature map and the 2x2 max-pool result over it.

    Attributes:
        row: top row of the patch in the full map (a multiple of 2).
        col: left column of the patch.
        patch: ``(4, 4)`` values of the map under the window (e.g. relu1 of one filter).
        pooled: ``(2, 2)`` values of the engine's pooled map at ``(row // 2, col // 2)``.
        winners: for each 2x2 block, the ``(r, c)`` inside ``patch`` that max-pool keeps:
            the first maximum in reading order, the same cell the engine sends gradient to.
    """

    row: int
    col: int
    patch: np.ndarray
    pooled: np.ndarray
    winners: tuple[tuple[int, int], ...]

    @property
    def pool_row(self) -> int:
        """Top row of ``pooled`` in the pooled map (each pooled row covers 2 map rows)."""
        return self.row // POOL

    @property
    def pool_col(self) -> int:
        """Left column of ``pooled`` in the pooled map."""
        return self.col // POOL


def pool_zoom(fmap: np.ndarray, pooled_map: np.ndarray, corner: tuple[int, int]) -> PoolZoom:
    """Cut the 4x4 window at ``corner`` out of ``fmap`` and the matching 2x2 of ``pooled_map``.

    Args:
        fmap: ``(H, W)`` map before pooling (one channel of relu1).
        pooled_map: ``(H // 2, W // 2)`` the engine's pooled map (same channel of pool1).
        corner: top-left ``(row, col)``; clamped and aligned with :func:`clamp_window`.
    """
    row, col = clamp_window(corner[0], corner[1], fmap.shape[:2])
    patch = np.array(fmap[row : row + PATCH, col : col + PATCH])
    pooled = np.array(pooled_map[row // POOL : row // POOL + 2, col // POOL : col // POOL + 2])
    winners = []
    for br in range(0, PATCH, POOL):
        for bc in range(0, PATCH, POOL):
            block = patch[br : br + POOL, bc : bc + POOL]
            r, c = divmod(int(np.argmax(block)), POOL)
            winners.append((br + r, bc + c))
    return PoolZoom(row, col, patch, pooled, tuple(winners))


# -- hand-made filters --------------------------------------------------------------------


@dataclass(frozen=True)
class ClassicFilter:
    """A 3x3 kernel designed by hand. ``kernel`` is ``(3, 3)``; ``mode`` is how to colour
    its response (``"diverging"`` when the response has a meaningful sign)."""

    name: str
    what: str
    kernel: np.ndarray
    mode: str


CLASSIC_FILTERS: tuple[ClassicFilter, ...] = (
    ClassicFilter(
        "vertical edges (Sobel x)",
        "dark→bright left to right is +, bright→dark is −",
        np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32),
        "diverging",
    ),
    ClassicFilter(
        "horizontal edges (Sobel y)",
        "dark→bright top to bottom is +, bright→dark is −",
        np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float32),
        "diverging",
    ),
    ClassicFilter(
        "blur (Gaussian)",
        "a weighted average of the 3×3 neighbourhood",
        np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float32) / 16,
        "sequential",
    ),
    ClassicFilter(
        "sharpen",
        "the pixel minus its neighbours: boosts contrast",
        np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float32),
        "diverging",
    ),
)


def classic_conv(filters: tuple[ClassicFilter, ...] = CLASSIC_FILTERS) -> Conv2D:
    """A 3x3, stride 1, pad 1 engine ``Conv2D`` whose weights are the hand-made kernels.

    The same layer type as the CNN's conv1, so the comparison is like for like.
    ``W: (3, 3, 1, K)`` with ``W[:, :, 0, k] = filters[k].kernel``; bias zero.
    """
    layer = Conv2D(1, len(filters), 3, 1, 1, name="classic")
    weights = np.stack([f.kernel for f in filters], axis=-1)[:, :, np.newaxis, :]
    layer.params = {"W": weights.astype(np.float32), "b": np.zeros(len(filters), np.float32)}
    layer.grads = {k: np.zeros_like(v) for k, v in layer.params.items()}
    return layer


def classic_responses(image: np.ndarray, layer: Conv2D | None = None) -> np.ndarray:
    """Responses of the hand-made filters to one image, computed by the engine's ``Conv2D``.

    Args:
        image: ``(28, 28)`` or ``(28, 28, 1)`` float image.
        layer: a layer from :func:`classic_conv` (built here when ``None``).

    Returns:
        ``(28, 28, K)`` raw responses (before any ReLU), one channel per filter.
    """
    layer = layer or classic_conv()
    x = np.asarray(image, dtype=np.float32).reshape(1, *np.shape(image)[:2], 1)
    return layer.forward(x, train=False)[0]


# -- the layer-by-layer view --------------------------------------------------------------

CAPTIONS: dict[str, str] = {
    "input": "The digit: 28×28 grey levels, 0 = paper, 1 = ink.",
    "conv1": "Each 3×3 filter slid over the image: pixels × weights, summed.",
    "relu1": "One 3×3 filter slid over the digit, negatives set to 0. Bright: its pattern is here.",
    "pool1": "The largest value of each 2×2 block: half the size, strong spots survive.",
    "conv2": "Each conv2 filter reads all conv1 maps at once, 3×3 at a time.",
    "relu2": "Each filter combines all conv1 maps: patterns of patterns. Negatives set to 0.",
    "pool2": "Max-pool again: 7×7. Each cell now covers a 10×10 area of the digit.",
    "flatten": "Every number of every map laid out in one long row: from here on, position "
    "is just an index.",
    "fc": "Fully-connected: each unit weighs all flattened numbers.",
    "fc_relu": "Fully-connected, then ReLU: each unit weighs every one of the flattened numbers.",
    "logits": "One score per class; higher means more likely.",
    "softmax": "Softmax turns the ten scores into probabilities that add up to 100%.",
}
"""One or two plain sentences per stage: what it did and why."""

WHAT_HAPPENED: dict[str, str] = {
    "conv": "3×3 filters slide over the maps",
    "relu": "negatives become 0",
    "maxpool": "keep the max of each 2×2 block",
    "flatten": "maps laid out in one row",
    "dense": "every input weighed by every unit",
}
"""Short "what happened" text per layer kind, for the dimension table."""

PIPELINE_STAGES: tuple[tuple[str, str], ...] = (
    ("input", "Input"),
    ("relu1", "Conv1+ReLU"),
    ("pool1", "MaxPool 1"),
    ("relu2", "Conv2+ReLU"),
    ("pool2", "MaxPool 2"),
)
"""The spatial stages of the layer-by-layer view: (trace stage name, title)."""


@dataclass(frozen=True)
class TableRow:
    """One row of the dimension table."""

    stage: str
    shape: str
    params: int
    happened: str


def format_shape(shape: tuple[int, ...]) -> str:
    """``(28, 28, 8)`` → ``28×28×8``; ``(784,)`` → ``784``."""
    return "×".join(str(n) for n in shape)


def dimension_table(model: Sequential) -> list[TableRow]:
    """Stage, output shape, parameter count and what happened, from ``model.summary()``.

    The first row is the input (no parameters); the rest are the model's layers in order.
    """
    rows = [TableRow("input", format_shape(model.input_shape), 0, "the image")]
    for info, layer in zip(model.summary(), model.layers, strict=True):
        rows.append(_table_row(info, WHAT_HAPPENED.get(layer.kind, info.description)))
    return rows


def _table_row(info: LayerInfo, happened: str) -> TableRow:
    return TableRow(info.name, format_shape(info.output_shape), info.n_params, happened)


def channel_count(model: Sequential, stage: str) -> int:
    """How many channels a spatial stage has, e.g. 8 for ``relu1`` with 8 filters."""
    if stage == "input":
        return model.input_shape[-1]
    shape = model.input_shape
    for layer in model.layers:
        shape = layer.output_shape(shape)
        if layer.name == stage:
            return shape[-1]
    raise KeyError(stage)


def stage_channel(channel: int, channels: int) -> int:
    """The channel a stage shows for the tab's selected ``channel`` (wrapped into range).

    One selection drives every stage: conv1's F maps and conv2's 2F maps. A selection past
    the end of a shorter stage wraps around (channel 10 of conv2 shows conv1's channel 2 when
    conv1 has 8), and every picture says which channel it shows.
    """
    return channel % channels


def strip_layout(length: int, max_width: int = 64) -> tuple[int, int]:
    """Rows and columns to draw a vector of ``length`` numbers as a compact strip.

    Picks the widest column count up to ``max_width`` that divides ``length`` exactly and is
    at least half of ``max_width``; otherwise ``max_width`` columns with a short last row.

    Returns:
        ``(rows, cols)`` with ``rows * cols >= length``.
    """
    if length <= max_width:
        return 1, max(length, 1)
    for cols in range(max_width, max_width // 2 - 1, -1):
        if length % cols == 0:
            return length // cols, cols
    return -(-length // max_width), max_width


def as_strip(values: np.ndarray, max_width: int = 64) -> np.ndarray:
    """Lay a 1-D vector out as ``(rows, cols)`` for a heatmap, reading order, NaN padded.

    Args:
        values: ``(D,)`` e.g. the 784 flattened numbers or 128 FC units.

    Returns:
        ``(rows, cols)`` float array; cells past the end (if any) are NaN.
    """
    flat = np.asarray(values, dtype=np.float64).ravel()
    rows, cols = strip_layout(flat.size, max_width)
    out = np.full(rows * cols, np.nan)
    out[: flat.size] = flat
    return out.reshape(rows, cols)


# -- words that depend on the screen ------------------------------------------------------


def grid_columns(width: int, min_column: int, gutter: int, items: int) -> int:
    """Columns a Textual ``ItemGrid`` of ``width`` cells lays ``items`` out in.

    The grid's own rule: as many ``min_column``-wide columns as fit with ``gutter`` cells
    between them, at least one and no more than there are items.
    """
    return max(1, min(items, (width + gutter) // (min_column + gutter)))


def weights_note(colour: bool) -> str:
    """How to read a filter card; the colour words only when colours are on screen."""
    legend = "red +, blue −" if colour else "the sign says + or −"
    return (f"Each card: one conv1 filter of the CNN — its 3×3 weights ({legend}) and its "
            "output after ReLU on this digit (bright = strong, dark = 0).")


def classic_note(colour: bool) -> str:
    """The hand-made filters' heading; their raw output is signed."""
    legend = "red +, blue −" if colour else "blank most negative, ▒ zero, █ most positive"
    return ("Designed by hand, not learned — for comparison. The same digit through the "
            f"engine's Conv2D with these fixed weights; raw output before ReLU ({legend}). "
            "Learned filters need not look like any of these: training keeps whatever helps "
            "the later layers tell the classes apart.")


def digit_note(columns: int, filters: int) -> str:
    """Where the filter cards are relative to the digit card, which comes first in the grid.

    One column: all below. Room for the digit and every filter in one row: to the right.
    Otherwise: to the right and below.
    """
    if columns <= 1:
        where = "below"
    elif columns >= filters + 1:
        where = "to the right"
    else:
        where = "to the right and below"
    return f"what every filter {where} is slid over"
