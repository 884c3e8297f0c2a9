"""Every intermediate value of one image's forward pass, for the layer explorer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tuicnn.nn.losses import softmax
from tuicnn.nn.model import Sequential


@dataclass(frozen=True)
class Stage:
    """One step of the forward pass: its name, what it does, and its output for one image.

    ``values`` has no batch axis, e.g. ``(28, 28, 8)`` after conv1 or ``(10,)`` for softmax.
    """

    name: str
    description: str
    values: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape


@dataclass(frozen=True)
class Trace:
    """The stages in order: ``input``, one per layer (by layer name), then ``softmax``."""

    stages: tuple[Stage, ...]

    def __getitem__(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    @property
    def probabilities(self) -> np.ndarray:
        """``(10,)`` softmax output."""
        return self["softmax"].values

    @property
    def prediction(self) -> int:
        return int(self.probabilities.argmax())


def trace(model: Sequential, image: np.ndarray) -> Trace:
    """Run one image through ``model`` and keep every layer's output.

    Args:
        image: ``(28, 28)`` or ``(28, 28, 1)``; uint8 0–255 or float in [0, 1].

    Returns:
        A ``Trace`` whose stage names are ``input``, the model's layer names (for the CNN:
        conv1, relu1, pool1, conv2, relu2, pool2, flatten, fc, fc_relu, logits) and ``softmax``.
    """
    x = np.asarray(image)
    if x.dtype == np.uint8:
        x = x.astype(np.float32) / 255.0
    x = x.astype(model.dtype, copy=False).reshape((1, *model.input_shape))
    stages = [Stage("input", "the image as the network receives it", x[0])]
    for layer in model.layers:
        x = layer.forward(x, train=False)
        stages.append(Stage(layer.name, layer.describe(), x[0]))
    stages.append(Stage("softmax", "probabilities for each class", softmax(x)[0]))
    return Trace(tuple(stages))
