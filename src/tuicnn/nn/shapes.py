"""Output-size arithmetic shared by convolution and pooling layers, and the sizes that
tuicnn's two nets are built around.

Pure Python: the Train tab counts parameters from these before NumPy is imported.
"""

from __future__ import annotations

INPUT_SHAPE: tuple[int, int, int] = (28, 28, 1)
"""One image, channels last: MNIST's 28×28 grey pixels."""
N_CLASSES = 10
CNN_FC_UNITS = 128
"""Units of the CNN's hidden dense layer (after the two conv-pool stages)."""
CNN_HEADS: tuple[str, ...] = ("flatten", "gap")
"""How the CNN's conv maps reach its dense layer: flattened (every position its own weight)
or global average pooled (one mean per channel)."""


def conv_output_size(size: int, kernel: int, padding: int = 0, stride: int = 1) -> int:
    """Spatial output size of a convolution or pooling window along one axis.

    ``H_out = floor((H + 2P - K) / S) + 1``

    Args:
        size: input height or width ``H``.
        kernel: window size ``K``.
        padding: zeros added on each side ``P``.
        stride: step between windows ``S``.

    Returns:
        The output size, always >= 1.

    Raises:
        ValueError: when the window does not fit (``K > H + 2P``) or an argument is out of range.
    """
    if size < 1 or kernel < 1 or stride < 1 or padding < 0:
        raise ValueError(
            f"sizes must be positive and padding non-negative (got H={size}, K={kernel}, "
            f"P={padding}, S={stride})"
        )
    padded = size + 2 * padding
    if kernel > padded:
        raise ValueError(
            f"a {kernel}-wide window does not fit in an input of {size} with padding {padding} "
            f"({padded} after padding)"
        )
    return (padded - kernel) // stride + 1


def window_output_shape(
    input_shape: tuple[int, int, int], kernel: int, padding: int, stride: int, channels: int
) -> tuple[int, int, int]:
    """``(H, W, C) -> (H_out, W_out, channels)`` for a square window slid over both axes.

    Shared by convolutions and pooling, so the formula lives in one place.
    """
    h, w, _ = input_shape
    return (
        conv_output_size(h, kernel, padding, stride),
        conv_output_size(w, kernel, padding, stride),
        channels,
    )
