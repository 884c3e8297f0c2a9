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
    LocalResponseNorm,
    SpecOnly,
    Window,
    weight_depth,
    window_of,
)
from tuicnn.nn.layers import (
    Conv2D,
    Dense,
    Flatten,
    GlobalAvgPool2D,
    Layer,
    MaxPool2D,
    ReLU,
    Shape,
)
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


class GroupedConv2D(SpecOnly, Conv2D):
    """A convolution whose channels are split into ``groups`` that never mix:
    ``W: (K, K, C_in / groups, C_out)``, so each filter sees only its group's inputs.

    AlexNet's conv2, conv4 and conv5 were grouped in two because each half of the network
    lived on its own GPU. Specification only: never allocated.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int,
                 padding: int, groups: int, name: str | None = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, name)
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{groups} groups must divide {in_channels} and {out_channels}")
        self.groups = groups

    def param_shapes(self) -> dict[str, Shape]:
        k = self.kernel_size
        return {"W": (k, k, self.in_channels // self.groups, self.out_channels),
                "b": (self.out_channels,)}

    def describe(self) -> str:
        return super().describe() + f", {self.groups} groups"


def _alexnet_paper() -> list[Layer]:
    """The paper's layers as trained: conv2, conv4, conv5 see only their own GPU's half."""
    layers = _alexnet()
    grouped = {"conv2": (96, 256, 5, 1, 2), "conv4": (384, 384, 3, 1, 1),
               "conv5": (384, 256, 3, 1, 1)}
    return [GroupedConv2D(*grouped[layer.name], groups=2, name=layer.name)
            if layer.name in grouped else layer for layer in layers]


def _alexnet_torchvision() -> list[Layer]:
    """torchvision's ``alexnet``: one stream with 64/192/384/256/256 filters, 224×224
    input, conv1 padded by 2, no LRN. (Its adaptive average pool to 6×6 does nothing to a
    6×6 map, so it is left out.)"""
    return [
        Conv2D(3, 64, 11, 4, 2, name="conv1"),
        ReLU(name="relu1"),
        MaxPool2D(3, 2, name="pool1"),
        Conv2D(64, 192, 5, 1, 2, name="conv2"),
        ReLU(name="relu2"),
        MaxPool2D(3, 2, name="pool2"),
        Conv2D(192, 384, 3, 1, 1, name="conv3"),
        ReLU(name="relu3"),
        Conv2D(384, 256, 3, 1, 1, name="conv4"),
        ReLU(name="relu4"),
        Conv2D(256, 256, 3, 1, 1, name="conv5"),
        ReLU(name="relu5"),
        MaxPool2D(3, 2, name="pool5"),
        *_alexnet_classifier(),
    ]


def _alexnet_classifier() -> list[Layer]:
    """AlexNet's three dense layers on the 6×6×256 pool5 output (all its variants share them)."""
    return [
        Flatten(name="flatten"),
        Dropout(0.5, name="drop6"),
        Dense(6 * 6 * 256, 4096, name="fc6"),
        ReLU(name="relu6"),
        Dropout(0.5, name="drop7"),
        Dense(4096, 4096, name="fc7"),
        ReLU(name="relu7"),
        Dense(4096, 1000, name="fc8"),
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
        *_alexnet_classifier(),
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
        "Krizhevsky et al. 2012 with the paper's widths and its two GPU streams merged into "
        "one (every conv sees all channels): big early strides, overlapping 3×3 stride-2 "
        "max-pools; most weights sit in the dense layers. See the comparisons below for the "
        "paper's own count and torchvision's.",
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


#: AlexNet as the paper trained it and as torchvision builds it, for the comparisons.
ALEXNET_PAPER = Architecture(
    "alexnet_paper", "AlexNet (paper, 2 GPUs)", (227, 227, 3), _alexnet_paper,
    "Krizhevsky et al. 2012 as trained: conv2, conv4 and conv5 in two groups, one per GPU.")
ALEXNET_TORCHVISION = Architecture(
    "alexnet_torchvision", "AlexNet (torchvision)", (224, 224, 3), _alexnet_torchvision,
    "torchvision's single-GPU AlexNet: 64/192/384/256/256 filters.")


def app_architectures(hidden: int, filters: int, fc_units: int = CNN_FC_UNITS,
                      head: str = "flatten") -> tuple[Architecture, ...]:
    """tuicnn's own FC and CNN as built from the given settings (``fc_layers``/``cnn_layers``).

    Args:
        hidden: hidden units of the FC network.
        filters: first-layer filters ``F`` of the CNN (the second layer has ``2F``).
        fc_units: the CNN's dense hidden layer.
        head: the CNN's head, ``"flatten"`` or ``"gap"``.
    """
    gap = head == "gap"
    return (
        Architecture(
            "app_fc", f"tuicnn FC (h={hidden})", INPUT_SHAPE, lambda: fc_layers(hidden),
            f"The app's fully-connected network on 28×28 digits, {hidden} hidden units.",
        ),
        Architecture(
            "app_cnn", f"tuicnn CNN (F={filters}{', GAP' if gap else ''})", INPUT_SHAPE,
            lambda: cnn_layers(filters, fc_units, head),
            f"The app's CNN on 28×28 digits: 3×3 convolutions with {filters} and "
            f"{2 * filters} filters, 2×2 max-pools, "
            f"{'a global average pool, ' if gap else ''}a {fc_units}-unit dense layer.",
        ),
    )


def all_architectures(hidden: int, filters: int, fc_units: int = CNN_FC_UNITS,
                      head: str = "flatten") -> tuple[Architecture, ...]:
    """The published architectures followed by the app's FC and CNN."""
    return PUBLISHED + app_architectures(hidden, filters, fc_units, head)


# -- the "why" comparisons ----------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Two ways to build the same thing, each summarised by the shape code.

    Attributes:
        topic: what is compared, e.g. ``"Two 3×3 vs one 5×5"``.
        left, right: the two designs (``right`` is the economical one).
        same: what the two share, in words (computed where it is a number).
    """

    topic: str
    left: ArchitectureSummary
    right: ArchitectureSummary
    same: str

    @property
    def ratio(self) -> float:
        """``left``'s parameters per ``right`` parameter."""
        return self.left.total_params / self.right.total_params


def _summary(key: str, name: str, shape: Shape, build: Callable[[], list[Layer]]
             ) -> ArchitectureSummary:
    return summarize(Architecture(key, name, shape, build))


def _rf(summary: ArchitectureSummary) -> int:
    """Receptive field of the last layer that still has one."""
    return [row.receptive_field for row in summary.rows if row.receptive_field is not None][-1]


#: Channels of the 3×3-against-5×5 comparison (VGG's first stage width).
STACK_CHANNELS = 64
#: The ResNet-50 stage width at which the bottleneck is compared (its first stage).
BOTTLENECK_CHANNELS = 256


def comparisons() -> tuple[Comparison, ...]:
    """The design choices the architectures above are known for, each counted by
    ``summarize``: stacked 3×3 against 5×5 (VGG), global average pooling against VGG-16's
    first dense layer (ResNet), and the bottleneck against two 3×3 layers (ResNet)."""
    c = STACK_CHANNELS
    two = _summary("two3", f"two 3×3 convs, {c}→{c}→{c}", (56, 56, c), lambda: [
        BiasFreeConv2D(c, c, 3, 1, 1, name="conv_a"), ReLU(name="relu_a"),
        BiasFreeConv2D(c, c, 3, 1, 1, name="conv_b")])
    one = _summary("one5", f"one 5×5 conv, {c}→{c}", (56, 56, c), lambda: [
        BiasFreeConv2D(c, c, 5, 1, 2, name="conv")])
    seen = (f"an output sees {_rf(two)}×{_rf(two)} pixels either way" if _rf(two) == _rf(one)
            else f"an output sees {_rf(two)}×{_rf(two)} pixels against {_rf(one)}×{_rf(one)}")
    stack = Comparison("Two 3×3 layers vs one 5×5", one, two,
                       f"18C² vs 25C² weights at C = {c}; {seen}, and the pair has a ReLU "
                       "between")
    fc6 = _summary("vgg_fc6", "VGG-16 fc6: flatten 7×7×512 → 4096", (7, 7, 512), lambda: [
        Flatten(name="flatten"), Dense(7 * 7 * 512, 4096, name="fc6")])
    gap = _summary("gap_fc", "global avg pool → 512 → 4096", (7, 7, 512), lambda: [
        GlobalAvgPool2D(name="gap"), Dense(512, 4096, name="fc")])
    pooling = Comparison("Global average pooling vs VGG-16's first dense layer", fc6, gap,
                         "both turn the last 7×7×512 maps into 4,096 units; the average "
                         "keeps what each map found, not where")
    w = BOTTLENECK_CHANNELS
    plain = _summary("two3_256", f"two 3×3 convs at {w} channels", (56, 56, w), lambda: [
        BiasFreeConv2D(w, w, 3, 1, 1, name="conv_a"), BatchNorm2D(w, name="bn_a"),
        ReLU(name="relu_a"), BiasFreeConv2D(w, w, 3, 1, 1, name="conv_b"),
        BatchNorm2D(w, name="bn_b")])
    neck = _summary("bottleneck", f"bottleneck {w}→{w // 4}→{w // 4}→{w}", (56, 56, w),
                    lambda: [Bottleneck(w, w // 4, 1, name="block")])
    bottleneck = Comparison("ResNet's bottleneck vs two 3×3 layers", plain, neck,
                            f"both map {w} channels to {w} (batch norms counted); the 1×1s "
                            f"squeeze to {w // 4} channels around one 3×3, so a block sees "
                            f"{_rf(neck)}×{_rf(neck)} pixels against the pair's "
                            f"{_rf(plain)}×{_rf(plain)}")
    return stack, pooling, bottleneck


def alexnet_variants() -> tuple[ArchitectureSummary, ArchitectureSummary, ArchitectureSummary]:
    """AlexNet three ways: the table's (paper widths, GPU streams merged: 62,378,344), the
    paper's as trained (conv2/4/5 grouped: 60,965,224) and torchvision's (61,100,840)."""
    merged = summarize(next(a for a in PUBLISHED if a.key == "alexnet"))
    return merged, summarize(ALEXNET_PAPER), summarize(ALEXNET_TORCHVISION)
