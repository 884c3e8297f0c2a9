"""The NumPy engine: layers, models, Adam, training events and traces. No UI imports here."""

from .concurrent import train_concurrently
from .config import LIMITS, TrainConfig, check_range
from .events import BatchEnd, Cancelled, EpochEnd, TrainEvent
from .layers import Conv2D, Dense, Flatten, Layer, MaxPool2D, ReLU
from .losses import softmax, softmax_cross_entropy
from .model import LayerInfo, Sequential, build_cnn, build_fc, cnn_layers, fc_layers
from .optim import Adam
from .shapes import conv_output_size
from .trace import Stage, Trace, trace
from .training import evaluate, shuffle_rng, train

__all__ = [
    "LIMITS", "Adam", "BatchEnd", "Cancelled", "Conv2D", "Dense", "EpochEnd", "Flatten", "Layer",
    "LayerInfo", "MaxPool2D", "ReLU", "Sequential", "Stage", "Trace", "TrainConfig", "TrainEvent",
    "build_cnn", "build_fc", "check_range", "cnn_layers", "conv_output_size", "evaluate",
    "fc_layers", "shuffle_rng", "softmax", "softmax_cross_entropy", "trace", "train",
    "train_concurrently",
]
