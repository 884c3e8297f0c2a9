"""The padding / stride / dilation / kernel lab: a convolution with every knob, on one digit.

The engine's ``Conv2D`` has no dilation, so the lab's convolution is its own, in NumPy: a
dilated kernel of size ``K`` spaced ``D`` pixels apart covers ``D·(K − 1) + 1`` pixels (the
*effective* kernel), and the output size is

    ``H_out = floor((H + 2P − (D·(K − 1) + 1)) / S) + 1``.

Images and maps are ``(H, W)`` here (one channel, no batch axis).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tuicnn.nn.shapes import conv_output_size

LAB_LIMITS: dict[str, tuple[int, int]] = {
    "kernel": (1, 7),
    "padding": (0, 4),
    "stride": (1, 4),
    "dilation": (1, 4),
}
"""Each setting's range: wide enough to see the effect, small enough for a 28×28 digit."""

SETTING_NAMES = ("kernel", "padding", "stride", "dilation")


@dataclass(frozen=True)
class LabSettings:
    """Kernel size ``K``, padding ``P``, stride ``S`` and dilation ``D``."""

    kernel: int = 3
    padding: int = 1
    stride: int = 1
    dilation: int = 1

    @property
    def effective_kernel(self) -> int:
        """Pixels the dilated kernel spans: ``D·(K − 1) + 1``."""
        return self.dilation * (self.kernel - 1) + 1

    def check(self) -> LabSettings:
        """Return ``self`` if every setting is in :data:`LAB_LIMITS`, else raise ValueError."""
        for name in SETTING_NAMES:
            low, high = LAB_LIMITS[name]
            value = getattr(self, name)
            if not low <= value <= high:
                raise ValueError(f"{name} must be between {low} and {high} (got {value})")
        return self

    def output_size(self, size: int) -> int:
        """Output side for an input side ``size``.

        Raises:
            ValueError: the effective kernel does not fit in the padded input.
        """
        return conv_output_size(size, self.effective_kernel, self.padding, self.stride)

    def formula(self, size: int) -> str:
        """The output-size formula with these numbers filled in (two lines), ending in the
        result."""
        k_eff = self.effective_kernel
        padded = size + 2 * self.padding
        head = (f"K_eff = D·(K−1)+1 = {self.dilation}·({self.kernel}−1)+1 = {k_eff}\n"
                f"out = ⌊(H + 2P − K_eff) / S⌋ + 1 = ⌊({size} + {2 * self.padding} − {k_eff})"
                f" / {self.stride}⌋ + 1")
        if k_eff > padded:
            return f"{head}: the window ({k_eff}) is wider than the padded input ({padded})"
        return f"{head} = {self.output_size(size)}"

    def with_setting(self, name: str, value: int) -> LabSettings:
        """A copy with ``name`` set to ``value`` clamped into its range."""
        low, high = LAB_LIMITS[name]
        values = {key: getattr(self, key) for key in SETTING_NAMES}
        values[name] = min(max(value, low), high)
        return LabSettings(**values)


def window_starts(size: int, settings: LabSettings) -> list[int]:
    """Input coordinate of the window's first row (or column) at each output position.

    Negative values start in the zero padding. Empty when the window does not fit.
    """
    try:
        count = settings.output_size(size)
    except ValueError:
        return []
    return [i * settings.stride - settings.padding for i in range(count)]


def visited(shape: tuple[int, int], settings: LabSettings) -> np.ndarray:
    """``(H + 2P, W + 2P)`` counts of how many window taps land on each padded-input pixel.

    A dilated window touches only every ``D``-th pixel of its span, so gaps show as zeros.
    """
    p, d, k = settings.padding, settings.dilation, settings.kernel
    height, width = shape
    counts = np.zeros((height + 2 * p, width + 2 * p), dtype=np.int64)
    taps = np.arange(k) * d
    for top in window_starts(height, settings):
        for left in window_starts(width, settings):
            rows = top + p + taps
            cols = left + p + taps
            counts[np.ix_(rows, cols)] += 1
    return counts


def lab_conv(image: np.ndarray, kernel: np.ndarray, settings: LabSettings) -> np.ndarray:
    """Cross-correlate ``image`` with ``kernel`` using padding, stride and dilation.

    Args:
        image: ``(H, W)``.
        kernel: ``(K, K)`` with ``K == settings.kernel``.

    Returns:
        ``(H_out, W_out)`` float64, no bias, no activation.

    Raises:
        ValueError: the kernel's size does not match, or the window does not fit.
    """
    k = settings.kernel
    if np.shape(kernel) != (k, k):
        raise ValueError(f"the kernel must be {k}×{k}, got {np.shape(kernel)}")
    h_out = settings.output_size(image.shape[0])
    w_out = settings.output_size(image.shape[1])
    p, s, d = settings.padding, settings.stride, settings.dilation
    padded = np.pad(np.asarray(image, dtype=np.float64), p)
    span = settings.effective_kernel
    windows = sliding_window_view(padded, (span, span))[::s, ::s, ::d, ::d]
    windows = windows[:h_out, :w_out]  # (H_out, W_out, K, K)
    return np.einsum("hwij,ij->hw", windows, np.asarray(kernel, dtype=np.float64))


def pool(fmap: np.ndarray, kind: str, size: int = 2) -> np.ndarray:
    """Max or average pooling over ``size×size`` blocks (stride ``size``; a last row or
    column that does not fill a block is dropped, as the CNN's max-pool does).

    Returns:
        ``(H // size, W // size)``; empty when the map is smaller than one block.
    """
    if kind not in ("max", "average"):
        raise ValueError(f"pooling must be max or average, not {kind!r}")
    height, width = fmap.shape[0] // size, fmap.shape[1] // size
    blocks = np.asarray(fmap, dtype=np.float64)[: height * size, : width * size]
    blocks = blocks.reshape(height, size, width, size)
    return blocks.max(axis=(1, 3)) if kind == "max" else blocks.mean(axis=(1, 3))


@dataclass(frozen=True)
class LabKernel:
    """The kernel the lab convolves with, and whether it was learned or made by hand."""

    weights: np.ndarray
    label: str
    learned: bool


def hand_made_kernel(size: int) -> np.ndarray:
    """A ``size×size`` vertical-edge detector: −1 left of the centre column, +1 right of it,
    scaled so each side sums to ±1 (for size 1: the identity ``[[1]]``)."""
    if size == 1:
        return np.ones((1, 1))
    half = size // 2
    kernel = np.zeros((size, size))
    kernel[:, :half] = -1.0 / (half * size)
    kernel[:, size - half:] = 1.0 / (half * size)
    return kernel


def lab_kernel(conv1_weights: np.ndarray | None, size: int, filter_index: int,
               hand_made: bool) -> LabKernel:
    """The CNN's conv1 filter ``filter_index`` when it fits (3×3 and not ``hand_made``),
    else the hand-made edge detector of ``size``.

    Args:
        conv1_weights: ``(3, 3, 1, F)`` the CNN's first-layer weights, or None.
    """
    if not hand_made and conv1_weights is not None and conv1_weights.shape[0] == size:
        count = conv1_weights.shape[-1]
        f = filter_index % count
        return LabKernel(np.asarray(conv1_weights[:, :, 0, f], dtype=np.float64),
                         f"the CNN's conv1 filter {f} (learned, bias left out)", True)
    name = "identity 1×1" if size == 1 else f"vertical-edge {size}×{size}"
    return LabKernel(hand_made_kernel(size), f"hand-made {name} kernel (not learned)", False)
