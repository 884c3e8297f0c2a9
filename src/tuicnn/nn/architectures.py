"""Famous CNN architectures described layer by layer, computed from specifications alone.

Every number here (output shapes, parameter counts, receptive fields, totals) comes from the
engine's own ``Layer.output_shape`` and ``Layer.param_shapes`` applied to layer specifications
(see ``blocks.py``); nothing is typed in, and no weight is ever allocated. Summarising VGG-16
costs kilobytes, not the 553 MB its float32 weights would take.

The output-size calculator's parsing and wording live in ``tuicnn.lessons.output_size``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tuicnn.nn.blocks import (
    Activation,
    AvgPool2D,
    BatchNorm2D,
    BiasFreeConv2D,
    Bottleneck,
    Dropout,
    GlobalAvgPool2D,
    LocalResponseNorm,
    Window,
    weight_depth,
    window_of,
)
from tuicnn.nn.layers import Conv2D, Dense, Flatten, Layer, MaxPool2D, ReLU, Shape
from tuicnn.nn.model import Sequential, cnn_layers, fc_layers
from tuicnn.nn.shapes import CNN_FC_UNITS, INPUT_SHAPE

#: Short type names for tables, by ``Layer.kind``.
KIND_LABELS = {
    "conv": "conv",
    "maxpool": "max pool",
    "avgpool": "avg pool",
    "globalavgpool": "global avg",
    "dense": "dense",
    "relu": "ReLU",
    "activation": "activation",
    "flatten": "flatten",
    "batchnorm": "batch norm",
    "dropout": "dropout",
    "lrn": "LRN",
    "bottleneck": "bottleneck",
    "residual": "residual",
}


@dataclass(frozen=True)
class Architecture:
    """A network to describe: its input and a builder of fresh, unallocated layers.

    Attributes:
        key: short identifier (``"vgg16"``).
        name: display name (``"VGG-16"``).
        input_shape: per-sample ``(H, W, C)``.
        build: returns new layer specifications on each call (layers are mutable objects).
        note: one sentence on what the architecture shows, for the UI.
    """

    key: str
    name: str
    input_shape: Shape
    build: Callable[[], list[Layer]]
    note: str = ""


@dataclass(frozen=True)
class LayerRow:
    """One layer of a summary.

    Attributes:
        name: the layer's name (``conv1_1``).
        kind: short type label (``conv``, ``max pool``, ``bottleneck``...).
        description: ``Layer.describe()``.
        window: kernel/stride/padding for layers that slide a window (a composite block gives
            its equivalent window), None for element-wise and fully-connected layers.
        output_shape: per-sample output shape, ``(H, W, C)`` or ``(D,)``.
        n_params: trainable scalars in this layer.
        receptive_field: input pixels (per side) that one output unit can see; None once the
            spatial layout is gone (flatten, dense, global pooling): then it sees everything.
            It can exceed the image size: the excess falls on padding.
        weight_layers: convolution/dense layers this row counts for the network's depth.
        fully_connected: True for dense layers.
    """

    name: str
    kind: str
    description: str
    window: Window | None
    output_shape: Shape
    n_params: int
    receptive_field: int | None
    weight_layers: int
    fully_connected: bool


@dataclass(frozen=True)
class ArchitectureSummary:
    """Per-layer rows and totals of one architecture."""

    key: str
    name: str
    note: str
    input_shape: Shape
    rows: tuple[LayerRow, ...]

    @property
    def total_params(self) -> int:
        return sum(row.n_params for row in self.rows)

    @property
    def depth(self) -> int:
        """Convolution and dense layers on the longest path (the "16" of VGG-16)."""
        return sum(row.weight_layers for row in self.rows)

    @property
    def fc_params(self) -> int:
        """Parameters in fully-connected (dense) layers."""
        return sum(row.n_params for row in self.rows if row.fully_connected)

    @property
    def fc_share(self) -> float:
        """Share of all parameters in dense layers, 0..1 (VGG-16: 0.89, ResNet-50: 0.08)."""
        total = self.total_params
        return self.fc_params / total if total else 0.0

    @property
    def float32_bytes(self) -> int:
        """Memory the weights would take as float32 (4 bytes each)."""
        return 4 * self.total_params


def summarize(architecture: Architecture) -> ArchitectureSummary:
    """Shapes, parameters and receptive fields of every layer, without allocating weights.

    Output shapes and parameter counts come from ``Sequential.summary()`` (the engine's own
    ``output_shape``/``param_shapes``). The receptive field follows the standard recurrence
    over each layer's window: ``rf_out = rf_in + (K - 1)·jump_in``, ``jump_out = jump_in·S``,
    starting from one pixel with jump 1.

    Raises:
        ValueError: the layers do not fit together (a shape mismatch names the layer).
    """
    layers = architecture.build()
    infos = Sequential(layers, input_shape=architecture.input_shape).summary()
    rows: list[LayerRow] = []
    rf: int | None = 1
    jump = 1
    for layer, info in zip(layers, infos, strict=True):
        window = window_of(layer)
        if window is None:
            rf = None
        elif rf is not None:
            rf += (window.kernel - 1) * jump
            jump *= window.stride
        rows.append(
            LayerRow(
                name=info.name,
                kind=KIND_LABELS.get(layer.kind, layer.kind),
                description=info.description,
                window=window if window is not None and _slides(layer) else None,
                output_shape=info.output_shape,
                n_params=info.n_params,
                receptive_field=rf,
                weight_layers=weight_depth(layer),
                fully_connected=isinstance(layer, Dense),
            )
        )
    return ArchitectureSummary(
        architecture.key, architecture.name, architecture.note, architecture.input_shape,
        tuple(rows),
    )


def _slides(layer: Layer) -> bool:
    """Layers whose window is worth showing: convolutions, pools and residual blocks."""
    return isinstance(layer, Conv2D | MaxPool2D | AvgPool2D | Bottleneck)


# -- the architectures --------------------------------------------------------------------


def _fc_first_layer() -> list[Layer]:
    return [Flatten(name="flatten"), Dense(224 * 224 * 3, 1000, name="fc")]


def _lenet5() -> list[Layer]:
    return [
        Conv2D(1, 6, 5, 1, 0, name="c1"),
        Activation("tanh", name="tanh1"),
        AvgPool2D(2, name="s2"),
        Conv2D(6, 16, 5, 1, 0, name="c3"),
        Activation("tanh", name="tanh3"),
        AvgPool2D(2, name="s4"),
        Flatten(name="flatten"),
        Dense(5 * 5 * 16, 120, name="c5"),
        Activation("tanh", name="tanh5"),
        Dense(120, 84, name="f6"),
        Activation("tanh", name="tanh6"),
        Dense(84, 10, name="output"),
    ]


def _alexnet() -> list[Layer]:
    return [
        Conv2D(3, 96, 11, 4, 0, name="conv1"),
        ReLU(name="relu1"),
        LocalResponseNorm(5, name="lrn1"),
        MaxPool2D(3, 2, name="pool1"),
        Conv2D(96, 256, 5, 1, 2, name="conv2"),
        ReLU(name="relu2"),
        LocalResponseNorm(5, name="lrn2"),
        MaxPool2D(3, 2, name="pool2"),
        Conv2D(256, 384, 3, 1, 1, name="conv3"),
        ReLU(name="relu3"),
        Conv2D(384, 384, 3, 1, 1, name="conv4"),
        ReLU(name="relu4"),
        Conv2D(384, 256, 3, 1, 1, name="conv5"),
        ReLU(name="relu5"),
        MaxPool2D(3, 2, name="pool5"),
        Flatten(name="flatten"),
        Dropout(0.5, name="drop6"),
        Dense(6 * 6 * 256, 4096, name="fc6"),
        ReLU(name="relu6"),
        Dropout(0.5, name="drop7"),
        Dense(4096, 4096, name="fc7"),
        ReLU(name="relu7"),
        Dense(4096, 1000, name="fc8"),
    ]


#: VGG-16's five stages: (convolutions, filters). Every convolution is 3×3, stride 1, pad 1.
VGG16_STAGES = ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))


def _vgg16() -> list[Layer]:
    layers: list[Layer] = []
    channels = 3
    for stage, (convs, filters) in enumerate(VGG16_STAGES, start=1):
        for i in range(1, convs + 1):
            layers += [
                Conv2D(channels, filters, 3, 1, 1, name=f"conv{stage}_{i}"),
                ReLU(name=f"relu{stage}_{i}"),
            ]
            channels = filters
        layers.append(MaxPool2D(2, name=f"pool{stage}"))
    return layers + [
        Flatten(name="flatten"),
        Dense(7 * 7 * 512, 4096, name="fc6"),
        ReLU(name="relu6"),
        Dropout(0.5, name="drop6"),
        Dense(4096, 4096, name="fc7"),
        ReLU(name="relu7"),
        Dropout(0.5, name="drop7"),
        Dense(4096, 1000, name="fc8"),
    ]


#: ResNet-50's four stages: (bottleneck blocks, 3×3 width, stride of the first block).
RESNET50_STAGES = ((3, 64, 1), (4, 128, 2), (6, 256, 2), (3, 512, 2))


def _resnet50() -> list[Layer]:
    layers: list[Layer] = [
        BiasFreeConv2D(3, 64, 7, 2, 3, name="conv1"),
        BatchNorm2D(64, name="bn1"),
        ReLU(name="relu"),
        MaxPool2D(3, 2, 1, name="maxpool"),
    ]
    channels = 64
    for stage, (blocks, width, stride) in enumerate(RESNET50_STAGES, start=1):
        for i in range(blocks):
            block = Bottleneck(channels, width, stride if i == 0 else 1, name=f"layer{stage}.{i}")
            layers.append(block)
            channels = block.out_channels
    return layers + [GlobalAvgPool2D(name="avgpool"), Dense(channels, 1000, name="fc")]


PUBLISHED: tuple[Architecture, ...] = (
    Architecture(
        "fc224", "FC on 224×224×3", (224, 224, 3), _fc_first_layer,
        "One dense layer from a 224×224 RGB image to 1,000 units: every pixel gets its own "
        "weight to every unit.",
    ),
    Architecture(
        "lenet5", "LeNet-5", (32, 32, 1), _lenet5,
        "LeCun et al. 1998, with average pooling and tanh: two 5×5 convolutions, then dense "
        "layers (C3's partial channel table simplified to full).",
    ),
    Architecture(
        "alexnet", "AlexNet", (227, 227, 3), _alexnet,
        "Krizhevsky et al. 2012, its two GPU streams merged: big early strides and "
        "overlapping 3×3 stride-2 max-pools; most weights sit in the dense layers.",
    ),
    Architecture(
        "vgg16", "VGG-16", (224, 224, 3), _vgg16,
        "Simonyan & Zisserman 2014: only 3×3 convolutions, channels doubling as the image "
        "halves; the first dense layer alone holds 103 M weights.",
    ),
    Architecture(
        "resnet50", "ResNet-50", (224, 224, 3), _resnet50,
        "He et al. 2015 (torchvision's v1.5, stride on the 3×3): bottleneck blocks with "
        "batch norm and a global average pool, so the classifier is small.",
    ),
)


def app_architectures(hidden: int, filters: int,
                      fc_units: int = CNN_FC_UNITS) -> tuple[Architecture, ...]:
    """tuicnn's own FC and CNN as built from the given settings (``fc_layers``/``cnn_layers``).

    Args:
        hidden: hidden units of the FC network.
        filters: first-layer filters ``F`` of the CNN (the second layer has ``2F``).
        fc_units: the CNN's dense hidden layer.
    """
    return (
        Architecture(
            "app_fc", f"tuicnn FC (h={hidden})", INPUT_SHAPE, lambda: fc_layers(hidden),
            f"The app's fully-connected network on 28×28 digits, {hidden} hidden units.",
        ),
        Architecture(
            "app_cnn", f"tuicnn CNN (F={filters})", INPUT_SHAPE,
            lambda: cnn_layers(filters, fc_units),
            f"The app's CNN on 28×28 digits: 3×3 convolutions with {filters} and "
            f"{2 * filters} filters, 2×2 max-pools, a {fc_units}-unit dense layer.",
        ),
    )


def all_architectures(hidden: int, filters: int,
                      fc_units: int = CNN_FC_UNITS) -> tuple[Architecture, ...]:
    """The published architectures followed by the app's FC and CNN."""
    return PUBLISHED + app_architectures(hidden, filters, fc_units)
