"""A sequential network, and the two networks tuicnn compares."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tuicnn.nn.config import DEFAULT_FILTERS, DEFAULT_HIDDEN
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
from tuicnn.nn.losses import softmax
from tuicnn.nn.shapes import CNN_FC_UNITS, CNN_HEADS, INPUT_SHAPE, N_CLASSES


@dataclass(frozen=True)
class LayerInfo:
    """One row of a model summary: what a layer does and what it produces."""

    name: str
    description: str
    output_shape: Shape
    n_params: int


@dataclass
class Sequential:
    """Layers applied in order. ``x: (N, *input_shape) -> logits (N, n_classes)``.

    Attributes:
        kind: ``"fc"`` or ``"cnn"`` for the built-in models (used in events and tables).
        hparams: the settings the model was built from (hidden size, filters, seed...).
    """

    layers: list[Layer]
    input_shape: Shape = INPUT_SHAPE
    kind: str = "custom"
    hparams: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names must be unique, got {names}")
        # Nobody uses the gradient with respect to the images: the layers up to and
        # including the first one with weights skip it (for the FC, whose first layer is a
        # Flatten, that was a third of its backward pass; issue 18).
        for layer in self.layers:
            layer.needs_input_grad = False
            if layer.n_params:
                break

    # -- description ---------------------------------------------------------------------
    @property
    def n_params(self) -> int:
        """Trainable scalars, summed from the layers' own parameter shapes."""
        return sum(layer.n_params for layer in self.layers)

    def summary(self) -> list[LayerInfo]:
        """Per-layer output shape and parameter count, computed from shapes alone."""
        rows, shape = [], self.input_shape
        for layer in self.layers:
            shape = layer.output_shape(shape)
            rows.append(LayerInfo(layer.name, layer.describe(), shape, layer.n_params))
        return rows

    def layer(self, name: str) -> Layer:
        """The layer called ``name``."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    # -- parameters ----------------------------------------------------------------------
    def initialize(self, seed: int = 0, dtype=np.float32) -> Sequential:
        """Allocate all parameters from one seeded generator; returns ``self``."""
        rng = np.random.default_rng(seed)
        for layer in self.layers:
            layer.initialize(rng, np.dtype(dtype))
        for attribute in ("params", "grads"):
            self._pack(attribute)
        return self

    def _pack(self, attribute: str) -> None:
        """Move every layer's ``params`` (or ``grads``) into one flat buffer, in
        ``parameters()`` order, each layer keeping a view of its part: the same values, and
        ``Adam`` can then update the whole model in a dozen array operations (``flat_view``).
        """
        arrays = [(getattr(layer, attribute), key) for layer in self.layers
                  for key in getattr(layer, attribute)]
        if not arrays:
            return
        flat = np.empty(sum(table[key].size for table, key in arrays), dtype=self.dtype)
        start = 0
        for table, key in arrays:
            value = table[key]
            part = flat[start : start + value.size].reshape(value.shape)
            part[...] = value
            table[key] = part
            start += value.size

    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``(qualified name, parameter, gradient)`` triples, e.g. ``("conv1.W", W, dW)``."""
        return [
            (f"{layer.name}.{key}", value, layer.grads[key])
            for layer in self.layers
            for key, value in layer.params.items()
        ]

    @property
    def dtype(self) -> np.dtype:
        for layer in self.layers:
            for value in layer.params.values():
                return value.dtype
        return np.dtype(np.float32)

    # -- computation ---------------------------------------------------------------------
    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        """Logits for a batch; with ``train`` the layers cache what ``backward`` needs.

        Runs the layers in ``run_order`` (a pool before the ReLU that precedes it in
        ``layers``), which gives exactly the same logits with a quarter of the ReLU's work.
        """
        for layer in run_order(self.layers):
            x = layer.forward(x, train)
        return x

    def backward(self, dlogits: np.ndarray) -> None:
        """Fill every layer's ``grads`` from ``d loss / d logits`` (N, n_classes)."""
        d = dlogits
        for layer in reversed(run_order(self.layers)):
            d = layer.backward(d)
            if d is None:  # the layers below need no gradient (see ``__post_init__``)
                break

    def predict_proba(self, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Softmax probabilities ``(N, n_classes)``, computed in batches to bound memory."""
        x = np.asarray(x, dtype=self.dtype)
        out = [softmax(self.forward(x[i : i + batch_size], train=False))
               for i in range(0, len(x), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, N_CLASSES), self.dtype)


def run_order(layers: list[Layer]) -> list[Layer]:
    """``layers`` with every ReLU that a max pool follows moved after that pool.

    ``max`` over a window commutes with ``max(·, 0)``, so pooling first gives the same
    output, and the ReLU then touches a quarter of the values (2×2 pools). The gradients are
    the same too: where a window's maximum is positive, both orders send the gradient to its
    first maximum; where it is not, the ReLU zeroes the gradient of the whole window either
    way. Only the layers' order of execution changes, never what a single layer computes
    (a trace of ``relu1`` still shows the unpooled map). Issue 18: ~6 % of a default CNN step.
    """
    order = list(layers)
    for i in range(len(order) - 1):
        if isinstance(order[i], ReLU) and isinstance(order[i + 1], MaxPool2D):
            order[i], order[i + 1] = order[i + 1], order[i]
    return order


def fc_layers(hidden: int = DEFAULT_HIDDEN) -> list[Layer]:
    """Flatten → Dense(784, hidden) → ReLU → Dense(hidden, 10), not yet initialised."""
    d = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2]
    return [
        Flatten(name="flatten"),
        Dense(d, hidden, name="fc"),
        ReLU(name="fc_relu"),
        Dense(hidden, N_CLASSES, name="logits"),
    ]


def build_fc(hidden: int = DEFAULT_HIDDEN, seed: int = 0, dtype=np.float32) -> Sequential:
    """The fully-connected baseline: 784 → hidden (ReLU) → 10.

    Every pixel is wired to every hidden unit with its own weight: the image's 2-D layout
    is thrown away at the first step.
    """
    model = Sequential(fc_layers(hidden), kind="fc", hparams={"hidden": hidden, "seed": seed})
    return model.initialize(seed, dtype)


def cnn_layers(filters: int = DEFAULT_FILTERS, fc_units: int = CNN_FC_UNITS,
               head: str = "flatten") -> list[Layer]:
    """Conv(F) → ReLU → MaxPool → Conv(2F) → ReLU → MaxPool → head → Dense → ReLU → Dense(10).

    ``head`` joins the conv layers to the dense ones: ``"flatten"`` keeps every position of
    the 7×7×2F maps (7·7·2F inputs to the dense layer, one weight per position), ``"gap"``
    averages each map to one number (2F inputs, no weight tied to a position).

    Not yet initialised: ``Sequential(cnn_layers(f)).n_params`` costs no memory.

    Raises:
        ValueError: ``head`` is not one of ``CNN_HEADS``.
    """
    if head not in CNN_HEADS:
        raise ValueError(f"CNN head must be one of {', '.join(CNN_HEADS)}, not {head!r}")
    h, w, c = INPUT_SHAPE
    if head == "gap":
        joint: list[Layer] = [GlobalAvgPool2D(name="gap")]
        features = 2 * filters
    else:
        joint = [Flatten(name="flatten")]
        features = (h // 4) * (w // 4) * 2 * filters
    return [
        Conv2D(c, filters, 3, 1, 1, name="conv1"),
        ReLU(name="relu1"),
        MaxPool2D(2, name="pool1"),
        Conv2D(filters, 2 * filters, 3, 1, 1, name="conv2"),
        ReLU(name="relu2"),
        MaxPool2D(2, name="pool2"),
        *joint,
        Dense(features, fc_units, name="fc"),
        ReLU(name="fc_relu"),
        Dense(fc_units, N_CLASSES, name="logits"),
    ]


CONV1_INITS = ("he", "small")
"""How conv1's weights start: He's scale (as every layer), or near zero (``CONV1_SMALL``)."""

CONV1_SMALL = 0.01
"""``conv1_init="small"`` multiplies conv1's He weights by this: the start is so small that
whatever pattern the filters show after training is almost all learned (W₀ is ~1 % of it)."""


def build_cnn(filters: int = DEFAULT_FILTERS, seed: int = 0, dtype=np.float32,
              fc_units: int = CNN_FC_UNITS, conv1_init: str = "he",
              head: str = "flatten") -> Sequential:
    """The convolutional network the Train and Explore tabs share.

    A 3×3 filter is one small set of weights slid over the whole image, so the first
    layer has only ``9 * F + F`` parameters however large the image is. ``head`` is
    ``"flatten"`` or ``"gap"`` (see ``cnn_layers``); ``hparams["head"]`` records it.

    ``conv1_init="small"`` scales conv1's starting weights by ``CONV1_SMALL`` after the
    usual seeded initialisation, so every other weight is exactly the default model's.
    """
    if conv1_init not in CONV1_INITS:
        raise ValueError(f"conv1 init must be one of {', '.join(CONV1_INITS)} "
                         f"(got {conv1_init!r})")
    model = Sequential(
        cnn_layers(filters, fc_units, head),
        kind="cnn",
        hparams={"filters": filters, "fc_units": fc_units, "head": head, "seed": seed,
                 "conv1_init": conv1_init},
    )
    model.initialize(seed, dtype)
    if conv1_init == "small":
        model.layer("conv1").params["W"] *= model.dtype.type(CONV1_SMALL)
    return model
