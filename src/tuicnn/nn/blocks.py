"""Specification layers: shapes and parameter counts of layers tuicnn describes but never trains.

The Architectures tab compares published networks (LeNet-5, AlexNet, VGG-16, ResNet-50) with
the app's own. Their batch norms, average pools, dropouts and residual blocks only need what
every ``Layer`` knows from its configuration alone: ``param_shapes()`` and
``output_shape(input_shape)`` (per-sample, channels-last ``(H, W, C)``). No weights are ever
allocated, so describing VGG-16 (138 M parameters, 553 MB as float32) costs a few kilobytes.

``forward``/``backward`` of these layers raise ``NotImplementedError``: they are descriptions.

``Window`` and ``window_of`` give the sliding-window geometry (kernel, stride, padding) that
receptive-field arithmetic needs, for engine layers and for the composite blocks here.

``GlobalAvgPool2D`` (ResNet's head) is an engine layer, re-exported here: the app's CNN can
train with it. ResNet ends with it instead of flattening a 7×7×2048 map into a dense layer,
which is why its classifier has 2 M weights where VGG-16's first dense layer alone has 103 M.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tuicnn.nn.layers import Conv2D, Dense, GlobalAvgPool2D, Layer, MaxPool2D, Shape
from tuicnn.nn.shapes import window_output_shape


@dataclass(frozen=True)
class Window:
    """Sliding-window geometry along one spatial axis (square windows).

    Attributes:
        kernel: window size ``K``.
        stride: step ``S`` between windows.
        padding: cells ``P`` added on each side.
    """

    kernel: int
    stride: int
    padding: int

    def then(self, other: Window) -> Window:
        """The single window equivalent to ``self`` followed by ``other``.

        ``other`` steps over ``self``'s outputs, each ``self.stride`` input cells apart, so its
        kernel and padding are scaled by that stride: ``K = K1 + (K2 - 1)·S1``, ``S = S1·S2``,
        ``P = P1 + P2·S1``. This is the receptive-field recurrence applied to two layers.
        """
        return Window(
            self.kernel + (other.kernel - 1) * self.stride,
            self.stride * other.stride,
            self.padding + other.padding * self.stride,
        )

    def text(self) -> str:
        """``"3×3 s1 p1"``, the compact form used in tables."""
        return f"{self.kernel}×{self.kernel} s{self.stride} p{self.padding}"


IDENTITY_WINDOW = Window(1, 1, 0)


def window_of(layer: Layer) -> Window | None:
    """The spatial window of a layer, or None when it has none.

    Element-wise layers (ReLU, batch norm, dropout, LRN) return ``IDENTITY_WINDOW``; layers
    that drop the spatial layout (flatten, dense, global pooling) return None: each of their
    outputs sees the whole input.
    """
    if isinstance(layer, Conv2D):
        return Window(layer.kernel_size, layer.stride, layer.padding)
    if isinstance(layer, MaxPool2D):
        return Window(layer.size, layer.stride, layer.padding)
    if isinstance(layer, SpecLayer):
        return layer.window()
    if isinstance(layer, Dense | GlobalAvgPool2D) or layer.kind == "flatten":
        return None
    return IDENTITY_WINDOW


def weight_depth(layer: Layer) -> int:
    """Convolution and dense layers on the longest path through ``layer``.

    This is how networks are named: VGG-16 has 16, ResNet-50 has 50 (a bottleneck counts
    its three convolutions; projection shortcuts and batch norms are not counted).
    """
    if isinstance(layer, Conv2D | Dense):
        return 1
    if isinstance(layer, Residual):
        return sum(weight_depth(inner) for inner in layer.main)
    return 0


class SpecOnly:
    """Mixin for layers that exist only to be described: never allocated, never run."""

    name: str

    def initialize(self, rng: np.random.Generator, dtype) -> None:
        raise NotImplementedError(f"{self.name}: specification layers are never allocated")

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        raise NotImplementedError(f"{self.name}: specification layers do not compute")

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError(f"{self.name}: specification layers do not compute")


class SpecLayer(SpecOnly, Layer):
    """A layer known only by its configuration: shapes and parameter counts, no computation."""

    def window(self) -> Window | None:
        """Spatial window (see ``window_of``); element-wise by default."""
        return IDENTITY_WINDOW


class BiasFreeConv2D(SpecOnly, Conv2D):
    """A convolution without bias, ``W: (K, K, C_in, C_out)`` only.

    ResNet's convolutions drop the bias because the batch norm that follows subtracts the
    mean anyway (and adds its own ``β``). Specification only: never allocated.
    """

    def param_shapes(self) -> dict[str, Shape]:
        return {"W": super().param_shapes()["W"]}

    def describe(self) -> str:
        return super().describe() + ", no bias"


class BatchNorm2D(SpecLayer):
    """Batch normalisation per channel: ``γ: (C,)``, ``β: (C,)``; ``(H, W, C) -> (H, W, C)``.

    The running mean and variance are statistics, not trained parameters, so they are not
    counted (as in PyTorch's ``parameters()`` and the published 25,557,032 for ResNet-50).
    """

    kind = "batchnorm"

    def __init__(self, channels: int, name: str | None = None) -> None:
        super().__init__(name)
        if channels < 1:
            raise ValueError("channels must be >= 1")
        self.channels = channels

    def param_shapes(self) -> dict[str, Shape]:
        return {"gamma": (self.channels,), "beta": (self.channels,)}

    def output_shape(self, input_shape: Shape) -> Shape:
        if input_shape[-1] != self.channels:
            raise ValueError(f"{self.name} expects {self.channels} channels, got {input_shape}")
        return input_shape

    def describe(self) -> str:
        return f"BatchNorm, γ and β for {self.channels} channels"


class AvgPool2D(SpecLayer):
    """Average pooling, ``(H, W, C) -> (H_out, W_out, C)``; no parameters.

    LeNet-5's "subsampling" layers averaged 2×2 windows (with one trainable scale and bias
    per map, which this plain average leaves out, as modern re-implementations do).
    """

    kind = "avgpool"

    def __init__(
        self, size: int = 2, stride: int | None = None, padding: int = 0, name: str | None = None
    ) -> None:
        super().__init__(name)
        self.size = size
        self.stride = size if stride is None else stride
        self.padding = padding
        if size < 1 or self.stride < 1 or padding < 0:
            raise ValueError("pool size and stride must be >= 1, padding >= 0")

    def window(self) -> Window:
        return Window(self.size, self.stride, self.padding)

    def output_shape(self, input_shape: Shape) -> Shape:
        return window_output_shape(
            input_shape, self.size, self.padding, self.stride, input_shape[2])

    def describe(self) -> str:
        pad = f", pad {self.padding}" if self.padding else ""
        return f"AvgPool {self.size}×{self.size}, stride {self.stride}{pad}"


class Activation(SpecLayer):
    """An element-wise non-linearity other than the engine's ReLU (e.g. LeNet's tanh)."""

    kind = "activation"

    def __init__(self, function: str, name: str | None = None) -> None:
        super().__init__(name or function)
        self.function = function

    def describe(self) -> str:
        return self.function


class Dropout(SpecLayer):
    """Zeroes a random share ``rate`` of activations while training; no parameters."""

    kind = "dropout"

    def __init__(self, rate: float = 0.5, name: str | None = None) -> None:
        super().__init__(name)
        if not 0.0 <= rate < 1.0:
            raise ValueError("dropout rate must be in [0, 1)")
        self.rate = rate

    def describe(self) -> str:
        return f"Dropout {self.rate:g}"


class LocalResponseNorm(SpecLayer):
    """AlexNet's local response normalisation across ``size`` neighbouring channels.

    Fixed constants (k=2, α=1e-4, β=0.75 in the paper), no trained parameters, and it mixes
    channels at one position, so its spatial window is 1×1.
    """

    kind = "lrn"

    def __init__(self, size: int = 5, name: str | None = None) -> None:
        super().__init__(name)
        self.size = size

    def describe(self) -> str:
        return f"Local response norm over {self.size} channels"


class Residual(SpecLayer):
    """``relu(main(x) + shortcut(x))``: a composite described entirely by its inner layers.

    ``param_shapes`` gathers the inner layers' shapes under qualified keys (``conv1.W``,
    ``shortcut.bn.gamma``...), ``output_shape`` runs the shape through both paths and checks
    they agree (the sum needs equal shapes), and ``window`` composes the main path's windows.
    An empty ``shortcut`` is the identity.
    """

    kind = "residual"

    def __init__(self, main: list[Layer], shortcut: list[Layer], name: str | None = None) -> None:
        super().__init__(name)
        if not main:
            raise ValueError("a residual block needs at least one layer on its main path")
        self.main = list(main)
        self.shortcut = list(shortcut)

    def param_shapes(self) -> dict[str, Shape]:
        shapes: dict[str, Shape] = {}
        for prefix, path in (("", self.main), ("shortcut.", self.shortcut)):
            for layer in path:
                for key, shape in layer.param_shapes().items():
                    shapes[f"{prefix}{layer.name}.{key}"] = shape
        return shapes

    @staticmethod
    def _through(path: list[Layer], shape: Shape) -> Shape:
        for layer in path:
            shape = layer.output_shape(shape)
        return shape

    def output_shape(self, input_shape: Shape) -> Shape:
        main = self._through(self.main, input_shape)
        short = self._through(self.shortcut, input_shape)
        if main != short:
            raise ValueError(
                f"{self.name}: main path gives {main} but the shortcut gives {short}; "
                "a residual sum needs equal shapes"
            )
        return main

    def window(self) -> Window:
        composed = IDENTITY_WINDOW
        for layer in self.main:
            inner = window_of(layer)
            if inner is None:
                raise ValueError(f"{self.name}: {layer.name} has no spatial window")
            composed = composed.then(inner)
        return composed


class Bottleneck(Residual):
    """ResNet's bottleneck: 1×1 reduce → 3×3 → 1×1 expand (×4), each followed by batch norm.

    ``(H, W, C_in) -> (H/stride, W/stride, 4·mid)``. The stride sits on the 3×3 convolution
    (torchvision's "ResNet v1.5"; the paper puts it on the first 1×1, which gives the same
    shapes and parameter count but a smaller receptive field). When the stride or channel
    count changes, the shortcut is a projection: a strided 1×1 convolution and its batch norm.

    Args:
        in_channels: ``C_in``.
        mid_channels: width of the 3×3 convolution; the block outputs ``4 * mid_channels``.
        stride: 1, or 2 in the first block of a stage.
    """

    kind = "bottleneck"
    expansion = 4

    def __init__(
        self, in_channels: int, mid_channels: int, stride: int = 1, name: str | None = None
    ) -> None:
        out = self.expansion * mid_channels
        main: list[Layer] = [
            BiasFreeConv2D(in_channels, mid_channels, 1, 1, 0, name="conv1"),
            BatchNorm2D(mid_channels, name="bn1"),
            BiasFreeConv2D(mid_channels, mid_channels, 3, stride, 1, name="conv2"),
            BatchNorm2D(mid_channels, name="bn2"),
            BiasFreeConv2D(mid_channels, out, 1, 1, 0, name="conv3"),
            BatchNorm2D(out, name="bn3"),
        ]
        shortcut: list[Layer] = []
        if stride != 1 or in_channels != out:
            shortcut = [
                BiasFreeConv2D(in_channels, out, 1, stride, 0, name="conv"),
                BatchNorm2D(out, name="bn"),
            ]
        super().__init__(main, shortcut, name)
        self.in_channels, self.mid_channels, self.out_channels = in_channels, mid_channels, out
        self.stride = stride

    def describe(self) -> str:
        short = "projection shortcut" if self.shortcut else "identity shortcut"
        return (
            f"Bottleneck {self.in_channels}→{self.mid_channels}→{self.out_channels}, "
            f"stride {self.stride}, {short}"
        )
