"""Receptive fields of the CNN's cells: the input box a cell can see, and how much each
pixel in it matters.

* The **theoretical** receptive field composes each layer's window (kernel, stride,
  padding) from the input up to the chosen layer with ``nn.blocks.Window.then``, the same
  recurrence the Architectures tab's numbers come from. Cell ``(r, c)`` sees input rows
  ``r·S − P`` to ``r·S − P + K − 1``, clipped to the image.
* The **effective** receptive field is ``|∂cell/∂input|``: the engine's backward pass from a
  one-hot upstream gradient at that cell. It is zero outside the box, and often small near
  the box's edges (or zero everywhere when ReLU or max-pool blocked the cell).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tuicnn.nn.blocks import IDENTITY_WINDOW, Window, window_of
from tuicnn.nn.gradients import input_gradient as engine_input_gradient
from tuicnn.nn.layers import Layer
from tuicnn.nn.model import Sequential

RF_LAYERS: tuple[str, ...] = ("conv1", "pool1", "conv2", "pool2")
"""The layers whose cells the tracer can pick: every spatial stage with its own window."""


@dataclass(frozen=True)
class Box:
    """Input pixels a cell can see, inclusive, clipped to the image.

    Attributes:
        top, left, bottom, right: inclusive bounds in input pixels.
        side: the unclipped side ``K`` of the composite window (the Architectures tab's
            receptive field); the part outside the image falls on padding.
    """

    top: int
    left: int
    bottom: int
    right: int
    side: int

    @property
    def height(self) -> int:
        return self.bottom - self.top + 1

    @property
    def width(self) -> int:
        return self.right - self.left + 1

    def as_dict(self) -> dict:
        return {"top": self.top, "left": self.left, "bottom": self.bottom, "right": self.right,
                "height": self.height, "width": self.width, "size": self.height * self.width}


def layers_up_to(model: Sequential, layer: str) -> list[Layer]:
    """The model's layers from the input up to and including ``layer``.

    Raises:
        ValueError: ``layer`` is not one of :data:`RF_LAYERS`.
    """
    if layer not in RF_LAYERS:
        raise ValueError(f"layer must be one of {', '.join(RF_LAYERS)}, not {layer!r}")
    names = [item.name for item in model.layers]
    return model.layers[: names.index(layer) + 1]


def composite_window(model: Sequential, layer: str) -> Window:
    """The one window equivalent to every layer up to ``layer`` (see ``Window.then``)."""
    window = IDENTITY_WINDOW
    for item in layers_up_to(model, layer):
        step = window_of(item)
        assert step is not None, "spatial layers only"
        window = window.then(step)
    return window


def layer_shape(model: Sequential, layer: str) -> tuple[int, int, int]:
    """``(H, W, C)`` of ``layer``'s output for one input image."""
    shape = model.input_shape
    for item in layers_up_to(model, layer):
        shape = item.output_shape(shape)
    return shape  # type: ignore[return-value]


def input_box(model: Sequential, layer: str, row: int, col: int) -> Box:
    """The theoretical receptive field of cell ``(row, col)`` of ``layer``.

    Raises:
        ValueError: unknown layer, or a cell outside the layer's map.
    """
    height, width, _ = layer_shape(model, layer)
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(f"position {row},{col} is outside {layer}'s map, which is "
                         f"{height}×{width} (rows 0–{height - 1}, columns 0–{width - 1})")
    window = composite_window(model, layer)
    top = row * window.stride - window.padding
    left = col * window.stride - window.padding
    image_h, image_w = model.input_shape[:2]
    return Box(max(top, 0), max(left, 0), min(top + window.kernel - 1, image_h - 1),
               min(left + window.kernel - 1, image_w - 1), window.kernel)


def input_gradient(model: Sequential, image: np.ndarray, layer: str, channel: int, row: int,
                   col: int) -> np.ndarray:
    """``∂ layer[row, col, channel] / ∂ input`` for one image, by the engine's backward pass.

    The layers up to ``layer`` through :func:`tuicnn.nn.gradients.input_gradient`, on copies
    that share the weights: the model is never written to.

    Args:
        image: ``(28, 28, 1)`` float image in [0, 1].

    Returns:
        ``(H, W)`` gradient over the input pixels (float64).

    Raises:
        ValueError: unknown layer, channel out of range or a cell outside the map.
    """
    layers = layers_up_to(model, layer)
    height, width, channels = layer_shape(model, layer)
    if not 0 <= channel < channels:
        raise ValueError(f"channel {channel} is out of range: {layer} has channels "
                         f"0–{channels - 1}")
    input_box(model, layer, row, col)  # checks the cell
    x = np.asarray(image, dtype=model.dtype).reshape((1, *model.input_shape))
    gradient = engine_input_gradient(layers, x, (0, row, col, channel))
    return np.asarray(gradient[0, :, :, 0], dtype=np.float64)


def support_box(gradient: np.ndarray) -> tuple[int, int, int, int] | None:
    """``(top, left, bottom, right)`` of the nonzero gradient, or None when it is all zero."""
    rows, cols = np.nonzero(gradient)
    if rows.size == 0:
        return None
    return int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max())
