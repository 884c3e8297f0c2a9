"""Layers with forward and backward passes, in NumPy.

Images are channels-last: ``x: (N, H, W, C)``. Every layer

* knows its parameter shapes from its configuration alone (so parameter counts and output
  shapes of big architectures can be computed without allocating their weights),
* caches in ``forward`` exactly what ``backward`` needs, and
* stores parameter gradients in ``grads`` under the same keys as ``params``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tuicnn.nn.shapes import conv_output_size, window_output_shape

Shape = tuple[int, ...]


class Layer:
    """Base class. Subclasses override ``forward``, ``backward`` and ``output_shape``."""

    kind = "layer"

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.kind
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        #: When False, ``backward`` may skip computing the input gradient (first layer).
        self.needs_input_grad = True

    # -- configuration -------------------------------------------------------------------
    def param_shapes(self) -> dict[str, Shape]:
        """Shapes of this layer's parameters, known before they are allocated."""
        return {}

    @property
    def n_params(self) -> int:
        """Number of trainable scalars, from the configuration alone."""
        return sum(math.prod(s) for s in self.param_shapes().values())

    def output_shape(self, input_shape: Shape) -> Shape:
        """Per-sample output shape (no batch axis) for a per-sample ``input_shape``."""
        return input_shape

    def describe(self) -> str:
        """A short human description, e.g. ``Conv 3×3, 8 filters, stride 1, pad 1``."""
        return self.kind

    def initialize(self, rng: np.random.Generator, dtype: np.dtype) -> None:
        """Allocate parameters (He initialisation for weights, zeros for biases)."""

    # -- computation ---------------------------------------------------------------------
    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError


def _he_normal(rng: np.random.Generator, shape: Shape, fan_in: int, dtype) -> np.ndarray:
    """He (Kaiming) normal initialisation, suited to ReLU: std = sqrt(2 / fan_in)."""
    return (rng.standard_normal(shape) * math.sqrt(2.0 / fan_in)).astype(dtype)


#: Up to this many input channels, patches are gathered with a precomputed index.
GATHER_MAX_CHANNELS = 2


def _patches(x: np.ndarray, k: int, stride: int, ones: bool = False,
             pad: int = 0) -> np.ndarray:
    """Every ``k×k`` window of ``x: (N, H, W, C)`` zero-padded by ``pad`` as rows:
    ``(N*Ho*Wo, k*k*C)``, plus a last column of ones when ``ones`` (``k*k*C + 1`` columns).

    The column of ones lets one matrix product add the bias (``[W; b]``) and give the bias
    gradient with the weight gradient (its last row), saving a pass over the output and a
    product each way (issue 18).

    ``sliding_window_view`` makes a zero-copy view; the single copy that follows is done by
    NumPy in C (about 2.5× faster than nine slice copies in Python). With one or two
    channels (the CNN's first layer) that copy moves one to six numbers at a time, and
    gathering each image's patches through a precomputed flat index (``take``) is ~3× faster:
    0.25 against 0.80 ms for a batch of 64 digits, ~10% of a default CNN epoch. From three
    channels on the copy wins (0.21 against 0.26 ms at four).
    """
    n, h, w, c = x.shape
    if c <= GATHER_MAX_CHANNELS:
        hp, wp = h + 2 * pad, w + 2 * pad
        index, ho, wo = _patch_index(hp, wp, c, k, stride, ones)
        if ones or pad:  # padding and the 1 that the index's extra column points at
            flat = np.zeros((n, hp * wp * c + ones), dtype=x.dtype)
            flat[:, : hp * wp * c].reshape(n, hp, wp, c)[:, pad : pad + h, pad : pad + w] = x
            flat[:, hp * wp * c :] = 1
        else:
            flat = np.ascontiguousarray(x).reshape(n, h * w * c)
        return flat.take(index, axis=1).reshape(n * ho * wo, k * k * c + ones)
    if pad:
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(x, (k, k), axis=(1, 2))  # (N, H-k+1, W-k+1, C, k, k)
    if stride > 1:
        windows = windows[:, ::stride, ::stride]
    n, ho, wo, c = windows.shape[:4]
    windows = windows.transpose(0, 1, 2, 4, 5, 3)
    if not ones:
        return windows.reshape(n * ho * wo, k * k * c)
    cols = np.empty((n * ho * wo, k * k * c + 1), dtype=x.dtype)
    cols[:, :-1].reshape(n, ho, wo, k, k, c)[...] = windows
    cols[:, -1] = 1
    return cols


@lru_cache(maxsize=64)
def _patch_index(h: int, w: int, c: int, k: int, stride: int,
                 ones: bool = False) -> tuple[np.ndarray, int, int]:
    """Flat positions in one ``(H, W, C)`` image of its patches' values, in ``_patches``'
    order (window row, window column, kernel row, kernel column, channel), each window
    followed by position ``H*W*C`` when ``ones``; and Ho, Wo."""
    ho, wo = conv_output_size(h, k, 0, stride), conv_output_size(w, k, 0, stride)
    rows = (np.arange(ho) * stride)[:, None, None, None, None] + np.arange(k)[:, None, None]
    cols = (np.arange(wo) * stride)[:, None, None, None] + np.arange(k)[:, None]
    index = ((rows * w + cols) * c + np.arange(c)).reshape(ho * wo, k * k * c)
    if ones:
        index = np.concatenate([index, np.full((ho * wo, 1), h * w * c)], axis=1)
    index.setflags(write=False)  # shared by every call (and thread) with this shape
    return index.reshape(-1), ho, wo


class Conv2D(Layer):
    """2-D convolution (cross-correlation) as one matrix product over image patches.

    Weights ``W: (K, K, C_in, C_out)``, bias ``b: (C_out,)``.
    ``forward``: ``x: (N, H, W, C_in) -> y: (N, H_out, W_out, C_out)``.

    The input gradient is built one kernel tap at a time (see ``_input_gradient``).
    """

    kind = "conv"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        padding: int = 1,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if min(in_channels, out_channels, kernel_size, stride) < 1 or padding < 0:
            raise ValueError("channels, kernel size and stride must be >= 1, padding >= 0")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding

    def param_shapes(self) -> dict[str, Shape]:
        k = self.kernel_size
        return {"W": (k, k, self.in_channels, self.out_channels), "b": (self.out_channels,)}

    def output_shape(self, input_shape: Shape) -> Shape:
        if input_shape[2] != self.in_channels:
            raise ValueError(
                f"{self.name} expects {self.in_channels} channels, got {input_shape[2]}")
        return window_output_shape(
            input_shape, self.kernel_size, self.padding, self.stride, self.out_channels)

    def describe(self) -> str:
        k = self.kernel_size
        return (
            f"Conv {k}×{k}, {self.out_channels} filters, stride {self.stride}, "
            f"pad {self.padding}"
        )

    def initialize(self, rng: np.random.Generator, dtype) -> None:
        shapes = self.param_shapes()
        fan_in = self.kernel_size**2 * self.in_channels
        self.params = {
            "W": _he_normal(rng, shapes["W"], fan_in, dtype),
            "b": np.zeros(shapes["b"], dtype=dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        n, h, w, c = x.shape
        k, s, p = self.kernel_size, self.stride, self.padding
        ho, wo, f = self.output_shape((h, w, c))
        cols = _patches(x, k, s, ones=True, pad=p)  # the last column is 1: [W; b] adds b
        weights = np.concatenate([self.params["W"].reshape(k * k * c, f), self.params["b"][None]])
        y = cols @ weights
        if train:
            self._cache = (x.shape, cols)
        return y.reshape(n, ho, wo, f)

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        (n, h, w, c), cols = self._cache
        self._cache = None
        k = self.kernel_size
        f = dy.shape[-1]
        dy2 = dy.reshape(-1, f)
        both = np.empty((k * k * c + 1, f), dtype=dy.dtype)
        _weight_gradient(cols, dy2, both)  # cols' column of ones gives the bias row
        self.grads["W"].reshape(k * k * c, f)[...] = both[:-1]
        self.grads["b"][...] = both[-1]
        if not self.needs_input_grad:
            return None
        return self._input_gradient(dy2, (n, h, w, c), dy.shape[1:3])

    def _input_gradient(self, dy2: np.ndarray, input_shape: Shape,
                        out_hw: tuple[int, int]) -> np.ndarray:
        """``dx: (N, H, W, C_in)`` from ``dy2: (N*Ho*Wo, C_out)``, one kernel tap at a time.

        Output position ``(y, x)`` read input ``(y*S + i - P, x*S + j - P)`` through tap
        ``(i, j)``, so that input receives ``dy[y, x] @ W[i, j].T``. For each of the ``K*K``
        taps, one matrix product ``(N*Ho*Wo, C_out) @ (C_out, C_in)`` into a reused buffer,
        then one strided add of it onto the padded input grid. Only positions some window
        touched are computed, nothing is gathered: for the default CNN's conv2 this takes
        1.4 ms a batch of 64 where a correlation of the padded gradient with the flipped
        kernel (on the 16×16 padded grid, then cropped) took 8.3 (issue 18).
        """
        n, h, w, c = input_shape
        ho, wo = out_hw
        k, s, p = self.kernel_size, self.stride, self.padding
        taps = self.params["W"].transpose(0, 1, 3, 2)  # (K, K, C_out, C_in)
        dxp = np.zeros((n, h + 2 * p, w + 2 * p, c), dtype=dy2.dtype)
        buffer = np.empty((len(dy2), c), dtype=dy2.dtype)
        spread = buffer.reshape(n, ho, wo, c)
        hi, wi = (ho - 1) * s + 1, (wo - 1) * s + 1
        for i in range(k):
            for j in range(k):
                np.matmul(dy2, taps[i, j], out=buffer)
                dxp[:, i : i + hi : s, j : j + wi : s, :] += spread
        return dxp[:, p : p + h, p : p + w, :] if p else dxp


#: Rows per block of the weight gradient's long reduction (see ``_weight_gradient``).
WEIGHT_GRAD_BLOCK = 2048


def _weight_gradient(cols: np.ndarray, dy2: np.ndarray, out: np.ndarray) -> None:
    """``out = cols.T @ dy2`` for ``cols: (M, D)``, ``dy2: (M, F)``, ``out: (D, F)``.

    ``M`` is every output position of the batch (50,176 for conv1 at batch 64) while the
    result is tiny (9×8), and OpenBLAS does such long, thin products poorly in one call:
    summing blocks of ``WEIGHT_GRAD_BLOCK`` rows is 1.5–1.8× faster (0.24 against 0.38 ms
    for conv1, 5.0 against 8.7 ms for conv2 with 32 filters, one thread).
    """
    m = len(cols)
    if m <= WEIGHT_GRAD_BLOCK:
        np.matmul(cols.T, dy2, out=out)
        return
    part = np.empty_like(out)
    np.matmul(cols[:WEIGHT_GRAD_BLOCK].T, dy2[:WEIGHT_GRAD_BLOCK], out=out)
    for start in range(WEIGHT_GRAD_BLOCK, m, WEIGHT_GRAD_BLOCK):
        stop = start + WEIGHT_GRAD_BLOCK
        np.matmul(cols[start:stop].T, dy2[start:stop], out=part)
        out += part


class MaxPool2D(Layer):
    """Max pooling over ``size×size`` windows: ``(N, H, W, C) -> (N, H_out, W_out, C)``.

    ``H_out = floor((H + 2P - K) / S) + 1`` with ``K = size``, ``S = stride`` (default: the
    window size, so windows do not overlap) and ``P = padding``. Padding is with ``-inf``, so
    it never wins a maximum; PyTorch's rule ``2P <= K`` keeps a real pixel in every window.
    Rows/columns that do not fill a whole window are dropped, as in PyTorch's default.

    Both paths work on the ``K*K`` strided views of the (padded) input, one per position in
    the window, which is several times faster than reshaping into windows and taking
    ``argmax``. The gradient goes to exactly one input per window: the first maximum in
    reading order. When windows overlap (``S < K``, e.g. AlexNet's 3×3 stride-2 pools) an
    input can be the maximum of several windows and receives the sum of their gradients.
    """

    kind = "maxpool"

    def __init__(
        self, size: int = 2, stride: int | None = None, padding: int = 0, name: str | None = None
    ) -> None:
        super().__init__(name)
        stride = size if stride is None else stride
        if size < 1 or stride < 1:
            raise ValueError("pool size and stride must be >= 1")
        if padding < 0 or 2 * padding > size:
            raise ValueError(f"pool padding must be between 0 and half the window (size {size})")
        self.size = size
        self.stride = stride
        self.padding = padding

    @property
    def _simple(self) -> bool:
        """Non-overlapping, unpadded windows: the common case, with its own fast path."""
        return self.stride == self.size and self.padding == 0

    def output_shape(self, input_shape: Shape) -> Shape:
        return window_output_shape(
            input_shape, self.size, self.padding, self.stride, input_shape[2])

    def describe(self) -> str:
        pad = f", pad {self.padding}" if self.padding else ""
        return f"MaxPool {self.size}×{self.size}, stride {self.stride}{pad}"

    def _views(self, x: np.ndarray, ho: int, wo: int) -> list[np.ndarray]:
        """The ``K*K`` strided views ``(N, ho, wo, C)`` of ``x``, offsets in reading order."""
        k, s = self.size, self.stride
        hi, wi = (ho - 1) * s + 1, (wo - 1) * s + 1
        return [x[:, i : i + hi : s, j : j + wi : s, :] for i in range(k) for j in range(k)]

    def _padded(self, x: np.ndarray) -> np.ndarray:
        p = self.padding
        if not p:
            return x
        low = -np.inf if np.issubdtype(x.dtype, np.floating) else np.iinfo(x.dtype).min
        return np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), constant_values=low)

    @property
    def _pairs(self) -> bool:
        """2×2 windows, stride 2, no padding (the app's CNN): pooled in two halving steps."""
        return self.size == 2 and self._simple

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        if self._pairs:
            return self._forward_pairs(x, train)
        ho, wo, _ = self.output_shape(x.shape[1:])
        views = self._views(self._padded(x), ho, wo)
        y = views[0].copy()
        for view in views[1:]:
            np.maximum(y, view, out=y)
        if train:
            self._cache = (x, y)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if self._pairs:
            return self._backward_pairs(dy)
        x, y = self._cache
        self._cache = None
        if self._simple:
            return self._backward_disjoint(x, y, dy)
        _, ho, wo, _ = y.shape
        p = self.padding
        n, h, w, c = x.shape
        dxp = np.zeros((n, h + 2 * p, w + 2 * p, c), dy.dtype)
        taken = np.zeros(y.shape, dtype=bool)
        views = zip(self._views(self._padded(x), ho, wo), self._views(dxp, ho, wo), strict=True)
        for view, target in views:
            wins = view == y
            wins &= ~taken
            taken |= wins
            target += dy * wins  # views of overlapping windows share inputs: accumulate
        return dxp[:, p : p + h, p : p + w, :] if p else dxp

    def _forward_pairs(self, x: np.ndarray, train: bool) -> np.ndarray:
        """Max of each column pair, then of each row pair of those: ``(N, H, W, C) ->
        (N, H//2, W//2, C)``.

        The first step reads the whole input once and halves it; the second reads only that
        half. The masks cached for ``backward`` say which of each pair won, ties going to
        the first (left, then top), so together they name the first maximum of each window
        in reading order, as the general path does. Issue 18: this and ``_backward_pairs``
        cost 0.6 of the four strided views' time with their 16 boolean passes.
        """
        n, h, w, c = x.shape
        ho, wo = h // 2, w // 2
        x = x[:, : 2 * ho, : 2 * wo]  # an odd last row or column is dropped
        cols = x.reshape(n, 2 * ho, wo, 2, c)
        left, right = cols[:, :, :, 0], cols[:, :, :, 1]
        rows = np.maximum(left, right).reshape(n, ho, 2, wo, c)  # (N, Ho, 2, Wo, C)
        top, bottom = rows[:, :, 0], rows[:, :, 1]
        y = np.maximum(top, bottom)
        if train:
            self._cache = (h, w, np.greater(right, left), np.greater(bottom, top))
        return y

    def _backward_pairs(self, dy: np.ndarray) -> np.ndarray:
        """Route ``dy: (N, Ho, Wo, C)`` to the winners that ``_forward_pairs`` recorded."""
        h, w, right_won, bottom_won = self._cache
        self._cache = None
        n, ho, wo, c = dy.shape
        rows = np.empty((n, ho, 2, wo, c), dy.dtype)
        np.multiply(dy, bottom_won, out=rows[:, :, 1])
        np.subtract(dy, rows[:, :, 1], out=rows[:, :, 0])  # dy where the top row won, else 0
        rows = rows.reshape(n, 2 * ho, wo, 1, c)
        exact = 2 * ho == h and 2 * wo == w
        dx = np.empty((n, h, w, c), dy.dtype) if exact else np.zeros((n, h, w, c), dy.dtype)
        cols = dx[:, : 2 * ho, : 2 * wo].reshape(n, 2 * ho, wo, 2, c)
        np.multiply(rows[:, :, :, 0], right_won, out=cols[:, :, :, 1])
        np.subtract(rows[:, :, :, 0], cols[:, :, :, 1], out=cols[:, :, :, 0])
        return dx

    def _backward_disjoint(self, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """Windows do not overlap: each input belongs to at most one window, so write, not add."""
        _, ho, wo, _ = y.shape
        s = self.size
        exact = ho * s == x.shape[1] and wo * s == x.shape[2]
        dx = np.empty(x.shape, dy.dtype) if exact else np.zeros(x.shape, dy.dtype)
        taken = np.zeros(y.shape, dtype=bool)
        for view, target in zip(self._views(x, ho, wo), self._views(dx, ho, wo), strict=True):
            wins = view == y
            wins &= ~taken
            taken |= wins
            np.multiply(dy, wins, out=target)
        return dx


class ReLU(Layer):
    """``max(0, x)``, any shape; the gradient passes where the input was positive."""

    kind = "relu"

    def describe(self) -> str:
        return "ReLU"

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        y = np.maximum(x, 0)
        if train:
            self._cache = y > 0
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        mask, self._cache = self._cache, None
        return dy * mask


class Flatten(Layer):
    """``(N, ...) -> (N, prod(...))``: the spatial layout is dropped, values kept."""

    kind = "flatten"

    def output_shape(self, input_shape: Shape) -> Shape:
        return (math.prod(input_shape),)

    def describe(self) -> str:
        return "Flatten"

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        if train:
            self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy.reshape(self._cache)


class Dense(Layer):
    """Fully-connected layer. ``W: (D_in, D_out)``, ``b: (D_out,)``; ``(N, D_in) -> (N, D_out)``."""

    kind = "dense"

    def __init__(self, in_features: int, out_features: int, name: str | None = None) -> None:
        super().__init__(name)
        if min(in_features, out_features) < 1:
            raise ValueError("dense layer sizes must be >= 1")
        self.in_features = in_features
        self.out_features = out_features

    def param_shapes(self) -> dict[str, Shape]:
        return {"W": (self.in_features, self.out_features), "b": (self.out_features,)}

    def output_shape(self, input_shape: Shape) -> Shape:
        if input_shape != (self.in_features,):
            raise ValueError(f"{self.name} expects {self.in_features} inputs, got {input_shape}")
        return (self.out_features,)

    def describe(self) -> str:
        return f"Dense {self.in_features} → {self.out_features}"

    def initialize(self, rng: np.random.Generator, dtype) -> None:
        shapes = self.param_shapes()
        self.params = {
            "W": _he_normal(rng, shapes["W"], self.in_features, dtype),
            "b": np.zeros(shapes["b"], dtype=dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        if train:
            self._cache = x
        y = x @ self.params["W"]
        y += self.params["b"]
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        x, self._cache = self._cache, None
        np.matmul(x.T, dy, out=self.grads["W"])
        np.sum(dy, axis=0, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        return dy @ self.params["W"].T


class GlobalAvgPool2D(Layer):
    """Mean over all positions of each channel: ``(N, H, W, C) -> (N, C)``; no parameters.

    Used as a CNN head instead of flatten + dense: each channel becomes one number however
    large the map, so the classifier needs ``C`` inputs rather than ``H·W·C``, and a feature
    counts the same wherever it appears. The gradient spreads each ``dy[n, c]`` evenly over
    the ``H·W`` positions it averaged.
    """

    kind = "globalavgpool"

    def output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[-1],)

    def describe(self) -> str:
        return "Global average pool: one mean per channel"

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        if train:
            self._cache = x.shape
        return x.mean(axis=(1, 2))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        n, h, w, c = self._cache
        self._cache = None
        return np.broadcast_to((dy / (h * w))[:, None, None, :], (n, h, w, c)).copy()
