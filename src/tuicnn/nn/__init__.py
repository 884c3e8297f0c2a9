"""The NumPy engine: layers, models, Adam, training events and traces. No UI imports here.

Names are imported from their submodules on first use (:mod:`tuicnn.lazy_exports`): the
events, the config limits and the shape helpers are pure Python, and the app's first frame
uses only those, so it starts without waiting for NumPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_exports

_EXPORTS = {
    "train_concurrently": "concurrent",
    "LIMITS": "config", "TrainConfig": "config", "check_range": "config",
    "BatchEnd": "events", "Cancelled": "events", "EpochEnd": "events", "TrainEvent": "events",
    "Conv2D": "layers", "Dense": "layers", "Flatten": "layers", "Layer": "layers",
    "MaxPool2D": "layers", "ReLU": "layers",
    "softmax": "losses", "softmax_cross_entropy": "losses",
    "LayerInfo": "model", "Sequential": "model", "build_cnn": "model", "build_fc": "model",
    "cnn_layers": "model", "fc_layers": "model",
    "Adam": "optim",
    "CNN_FC_UNITS": "shapes", "INPUT_SHAPE": "shapes", "N_CLASSES": "shapes",
    "conv_output_size": "shapes",
    "Stage": "tracing", "Trace": "tracing", "trace": "tracing",
    "evaluate": "training", "shuffle_rng": "training", "train": "training",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from .concurrent import train_concurrently
    from .config import LIMITS, TrainConfig, check_range
    from .events import BatchEnd, Cancelled, EpochEnd, TrainEvent
    from .layers import Conv2D, Dense, Flatten, Layer, MaxPool2D, ReLU
    from .losses import softmax, softmax_cross_entropy
    from .model import LayerInfo, Sequential, build_cnn, build_fc, cnn_layers, fc_layers
    from .optim import Adam
    from .shapes import CNN_FC_UNITS, INPUT_SHAPE, N_CLASSES, conv_output_size
    from .tracing import Stage, Trace, trace
    from .training import evaluate, shuffle_rng, train
