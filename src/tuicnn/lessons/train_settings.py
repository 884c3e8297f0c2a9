"""The Train tab's settings: which values each control accepts, and what they add up to.

Plain Python (no Textual, no NumPy) so the rules a field enforces can be tested without a
UI, and so the Train tab's first frame needs neither. Every config goes through
``TrainConfig``'s validation. Parameter counts are worked out from the two architectures
(as a learner would, layer by layer) rather than by importing the engine; a test checks
them against the engine's own layer lists for every value the controls allow.

A *scale* answers three questions for one control: is this typed text a valid value (and if
not, what short message explains why), which value is one step up or down, and how is a
value written. ``IntScale`` is a range with a step, ``ChoiceScale`` a fixed list (batch
size), ``LadderScale`` a list to step through that also accepts any typed value in between
(learning rate).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, replace

from tuicnn.nn.config import DEFAULT_FILTERS, DEFAULT_HIDDEN, LIMITS, TrainConfig
from tuicnn.nn.shapes import CNN_FC_UNITS, CNN_HEADS, INPUT_SHAPE, N_CLASSES
from tuicnn.session.workspace import BUNDLED_MAX_TRAIN


class Scale:
    """The values one control may take. Subclasses define ``parse``, ``step`` and ``hint``."""

    def parse(self, text: str) -> float:
        """The value ``text`` stands for.

        Raises:
            ValueError: with a message short enough to show beside the field.
        """
        raise NotImplementedError

    def step(self, value: float, direction: int) -> float:
        """The value one step up (``direction > 0``) or down from ``value``, kept in range."""
        raise NotImplementedError

    def format(self, value: float) -> str:
        """How ``value`` is written in the field (``parse(format(v)) == v``)."""
        return str(value)

    @property
    def hint(self) -> str:
        """The allowed values in a few words, e.g. ``64–512, steps of 64``."""
        raise NotImplementedError


def _parse_int(text: str) -> int:
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        raise ValueError("type a number")
    try:
        return int(cleaned)
    except ValueError:
        try:
            number = float(cleaned)
        except ValueError:
            raise ValueError("not a number") from None
        if not math.isfinite(number) or number != int(number):
            raise ValueError("whole numbers only") from None
        return int(number)


@dataclass(frozen=True)
class IntScale(Scale):
    """Whole numbers from ``low`` to ``high`` that are ``low`` plus a multiple of ``step``."""

    low: int
    high: int
    step_size: int = 1

    def parse(self, text: str) -> int:
        value = _parse_int(text)
        if not self.low <= value <= self.high:
            raise ValueError(f"must be {self.low:,}–{self.high:,}")
        if (value - self.low) % self.step_size:
            raise ValueError(f"steps of {self.step_size:,} only")
        return value

    def step(self, value: float, direction: int) -> int:
        moved = int(value) + (self.step_size if direction > 0 else -self.step_size)
        return min(self.high, max(self.low, moved))

    def format(self, value: float) -> str:
        return str(int(value))

    @property
    def hint(self) -> str:
        steps = f", steps of {self.step_size:,}" if self.step_size != 1 else ""
        return f"{self.low:,}–{self.high:,}{steps}"


@dataclass(frozen=True)
class ChoiceScale(Scale):
    """One of a few whole numbers (sorted ascending), e.g. batch sizes 32, 64, 128."""

    choices: tuple[int, ...]

    def parse(self, text: str) -> int:
        value = _parse_int(text)
        if value not in self.choices:
            raise ValueError(f"must be {self.hint}")
        return value

    def step(self, value: float, direction: int) -> int:
        index = bisect.bisect_left(self.choices, value)
        if direction > 0:
            index += 1 if index < len(self.choices) and self.choices[index] == value else 0
        else:
            index -= 1
        return self.choices[min(len(self.choices) - 1, max(0, index))]

    def format(self, value: float) -> str:
        return str(int(value))

    @property
    def hint(self) -> str:
        *first, last = (f"{c:,}" for c in self.choices)
        return f"{', '.join(first)} or {last}" if first else last


@dataclass(frozen=True)
class LadderScale(Scale):
    """Any number in ``[low, high]``; the arrows move along ``ladder`` (sorted ascending)."""

    ladder: tuple[float, ...]
    low: float
    high: float

    def parse(self, text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise ValueError("not a number") from None
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise ValueError(f"must be {self.low:g}–{self.high:g}")
        return value

    def step(self, value: float, direction: int) -> float:
        if direction > 0:
            index = bisect.bisect_right(self.ladder, value * (1 + 1e-9))
        else:
            index = bisect.bisect_left(self.ladder, value * (1 - 1e-9)) - 1
        return self.ladder[min(len(self.ladder) - 1, max(0, index))]

    def format(self, value: float) -> str:
        return f"{value:.6f}".rstrip("0").rstrip(".")

    @property
    def hint(self) -> str:
        return f"{self.low:g}–{self.high:g}"


@dataclass(frozen=True)
class NamedScale(Scale):
    """One of a few named options; the value is the option's index (the arrows step it)."""

    names: tuple[str, ...]
    shown: tuple[str, ...]

    def parse(self, text: str) -> int:
        typed = text.strip().lower()
        for index, (name, shown) in enumerate(zip(self.names, self.shown, strict=True)):
            if typed in (name.lower(), shown.lower()):
                return index
        raise ValueError(f"must be {self.hint}")

    def step(self, value: float, direction: int) -> int:
        return min(len(self.names) - 1, max(0, int(value) + (1 if direction > 0 else -1)))

    def format(self, value: float) -> str:
        return self.shown[int(value)]

    @property
    def hint(self) -> str:
        return " or ".join(self.shown)


#: The friendlier subset of ``LIMITS`` that the Train tab offers.
HIDDEN = IntScale(64, 512, 64)
FILTERS = IntScale(4, 16, 4)
EPOCHS = IntScale(int(LIMITS["epochs"][0]), int(LIMITS["epochs"][1]))
BATCH_SIZE = ChoiceScale((32, 64, 128))
LEARNING_RATE = LadderScale((0.0001, 0.0003, 0.001, 0.003, 0.01), 0.00001, 0.1)
SEED = IntScale(0, int(LIMITS["seed"][1]))
CNN_HEAD = NamedScale(CNN_HEADS, ("flatten", "GAP"))
AUGMENT = IntScale(0, 4)
TRAIN_SIZE_STEP = 100


def train_size_scale(max_size: int) -> IntScale:
    """Training-set sizes in steps of 100, up to ``max_size`` (rounded down to a step).

    ``max_size`` is what the data allows (``Workspace.max_train_size``): 4,000 bundled
    digits, or e.g. 60,000 MNIST images. Data with fewer than 100 allows just ``max_size``.
    """
    high = max_size - max_size % TRAIN_SIZE_STEP if max_size >= TRAIN_SIZE_STEP else max_size
    return IntScale(min(TRAIN_SIZE_STEP, high), high, TRAIN_SIZE_STEP)


TRAIN_SIZE = train_size_scale(BUNDLED_MAX_TRAIN)  # the bundled digits' scale


def dense_params(inputs: int, outputs: int) -> int:
    """A dense layer: a weight per input-output pair, and a bias per output."""
    return inputs * outputs + outputs


def conv3x3_params(channels: int, filters: int) -> int:
    """A 3×3 convolution: 9 weights per input channel for each filter, and a bias each."""
    return 3 * 3 * channels * filters + filters


def fc_params(hidden: int) -> int:
    """The FC net (``fc_layers``): 784 pixels → ``hidden`` → 10 classes."""
    height, width, channels = INPUT_SHAPE
    return dense_params(height * width * channels, hidden) + dense_params(hidden, N_CLASSES)


def cnn_conv_params(filters: int) -> int:
    """The CNN's two 3×3 conv layers: ``filters`` on the image, ``2 * filters`` on those."""
    channels = INPUT_SHAPE[2]
    return conv3x3_params(channels, filters) + conv3x3_params(filters, 2 * filters)


def cnn_head_params(filters: int, head: str = "flatten") -> int:
    """The CNN's dense head after the conv layers: → 128 → 10.

    ``flatten`` feeds it the 7×7 maps (28 halved twice) of all ``2 * filters`` channels,
    one weight per position; ``gap`` feeds it one average per channel.
    """
    height, width, _ = INPUT_SHAPE
    features = 2 * filters if head == "gap" else (height // 4) * (width // 4) * 2 * filters
    return dense_params(features, CNN_FC_UNITS) + dense_params(CNN_FC_UNITS, N_CLASSES)


def cnn_params(filters: int, head: str = "flatten") -> int:
    """The CNN (``cnn_layers``): its conv layers and its dense head. Pooling and ReLU have
    no parameters."""
    return cnn_conv_params(filters) + cnn_head_params(filters, head)


@dataclass(frozen=True)
class FirstLayers:
    """The two nets' first layers side by side: the weight-sharing count.

    Attributes:
        pixels: inputs of one image (784).
        fc_weights: the FC's first dense layer, one weight per pixel per hidden unit.
        conv_weights: conv1's 3×3 filters, one small set per filter.
        positions: where each filter is applied (``padding 1``: every pixel).
    """

    pixels: int
    hidden: int
    filters: int
    fc_weights: int
    conv_weights: int
    positions: int

    @classmethod
    def of(cls, hidden: int, filters: int) -> FirstLayers:
        height, width, channels = INPUT_SHAPE
        pixels = height * width * channels
        return cls(pixels, hidden, filters, pixels * hidden, 3 * 3 * channels * filters,
                   height * width)

    @property
    def ratio(self) -> float:
        """FC first-layer weights per conv1 weight."""
        return self.fc_weights / self.conv_weights


@dataclass(frozen=True)
class TrainSettings:
    """Everything the Train tab's controls set; defaults match ``tuicnn train``."""

    hidden: int = DEFAULT_HIDDEN
    filters: int = DEFAULT_FILTERS
    epochs: int = TrainConfig.epochs
    batch_size: int = TrainConfig.batch_size
    lr: float = TrainConfig.lr
    seed: int = TrainConfig.seed
    train_size: int = 1000
    #: How the CNN's conv1 starts: ``"he"`` or ``"small"`` (``nn.model.CONV1_INITS``).
    conv1_init: str = "he"
    cnn_head: str = "flatten"
    augment: int = 0

    def with_value(self, name: str, value: float | str) -> TrainSettings:
        """A copy with one setting changed (``name`` is one of this class's fields; the
        head is given as its index in ``CNN_HEADS``, as its stepper holds it)."""
        if name == "cnn_head":
            return replace(self, cnn_head=CNN_HEADS[int(value)])
        if name in ("lr", "conv1_init"):
            return replace(self, **{name: value})
        return replace(self, **{name: int(value)})

    def config(self) -> TrainConfig:
        """The engine's config for these settings (validated by ``TrainConfig``)."""
        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                           seed=self.seed, augment=self.augment)

    @property
    def fc_params(self) -> int:
        return fc_params(self.hidden)

    @property
    def cnn_params(self) -> int:
        return cnn_params(self.filters, self.cnn_head)

    def split_line(self) -> str:
        """Where the CNN's parameters sit, e.g. ``CNN: conv layers 1,248 (1.2%) · dense
        head 101,770 (98.8%)``."""
        conv = cnn_conv_params(self.filters)
        head = cnn_head_params(self.filters, self.cnn_head)
        total = conv + head
        kind = "GAP + dense head" if self.cnn_head == "gap" else "dense head"
        return (f"CNN: conv layers {conv:,} ({conv / total:.1%}) · {kind} {head:,} "
                f"({head / total:.1%})")

    def first_layer_line(self) -> str:
        """The weight-sharing count: FC's first layer against conv1."""
        first = FirstLayers.of(self.hidden, self.filters)
        return (f"First layer: FC {first.pixels}×{first.hidden} = {first.fc_weights:,} "
                f"weights, one per pixel and unit; conv1 9×{first.filters} = "
                f"{first.conv_weights:,}, each used at all {first.positions} positions "
                f"({first.ratio:,.0f}× fewer)")

    def params_line(self) -> str:
        """E.g. ``FC 101,770 · CNN 103,018 (CNN/FC 1.01×)``."""
        fc, cnn = self.fc_params, self.cnn_params
        return f"FC {fc:,} · CNN {cnn:,} (CNN/FC {cnn / fc:.2f}×)"
