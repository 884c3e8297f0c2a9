"""Training as a generator of events, and evaluation in bounded-memory batches."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator

import numpy as np

from tuicnn.data.transforms import shift_images
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import BatchEnd, Cancelled, EpochEnd, LayerSnapshot, TrainEvent
from tuicnn.nn.losses import softmax_cross_entropy
from tuicnn.nn.model import Sequential
from tuicnn.nn.optim import Adam
from tuicnn.nn.threads import blas_threads_while_training


def shuffle_rng(seed: int) -> np.random.Generator:
    """The generator that orders mini-batches; separate from weight initialisation so the
    FC and the CNN trained with one seed see exactly the same batches."""
    return np.random.default_rng([seed, 1])


def augment_rng(seed: int) -> np.random.Generator:
    """The generator of augmentation shifts; separate, so augmenting leaves the batch order
    (``shuffle_rng``) exactly as without it."""
    return np.random.default_rng([seed, 2])


def shifted_batch(xb: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """``xb: (B, H, W, C)`` with image ``i`` moved ``shifts[i] = (dx, dy)`` pixels, zero-filled."""
    return np.concatenate([shift_images(xb[i : i + 1], int(dx), int(dy))
                           for i, (dx, dy) in enumerate(shifts)])


def evaluate(
    model: Sequential, x: np.ndarray, y: np.ndarray, batch_size: int = 256
) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` on ``x: (N, 28, 28, 1)``, ``y: (N,)``."""
    if len(x) == 0:
        return float("nan"), float("nan")
    loss_sum, correct = 0.0, 0
    for i in range(0, len(x), batch_size):
        xb, yb = x[i : i + batch_size], y[i : i + batch_size]
        logits = model.forward(xb, train=False)
        loss, _, _ = softmax_cross_entropy(logits, yb)
        loss_sum += loss * len(xb)
        correct += int((logits.argmax(axis=1) == yb).sum())
    return loss_sum / len(x), correct / len(x)


def train(
    model: Sequential,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    config: TrainConfig | None = None,
    stop: threading.Event | None = None,
    watch: str | None = None,
) -> Iterator[TrainEvent]:
    """Train ``model`` in place with Adam, yielding an event after every batch and epoch.

    Args:
        model: an initialised model; its weights are updated in place.
        x_train: ``(N, 28, 28, 1)`` images in the model's dtype; ``y_train: (N,)`` labels.
        x_test: ``(M, 28, 28, 1)``; ``y_test: (M,)``: evaluated after every epoch.
        config: epochs, batch size, learning rate, seed, augmentation shifts.
        stop: when set (from any thread), training stops before the next batch and a
            ``Cancelled`` event is the last one yielded.
        watch: a layer name (e.g. ``"conv1"``): if the model has that layer, a
            ``LayerSnapshot`` of its weights and bias comes first (epoch 0) and just before
            every ``EpochEnd``. Ignored for a model without it (the FC).

    Yields:
        ``BatchEnd`` after each step, ``EpochEnd`` after each epoch, maybe ``Cancelled``,
        and ``LayerSnapshot`` events when ``watch`` names one of the model's layers.
    """
    config = config or TrainConfig()
    with blas_threads_while_training(model, config.batch_size):
        yield from _train(model, x_train, y_train, x_test, y_test, config, stop, watch)


def _train(model: Sequential, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
           y_test: np.ndarray, config: TrainConfig, stop: threading.Event | None,
           watch: str | None) -> Iterator[TrainEvent]:
    """``train``'s loop, run with the BLAS threads ``blas_threads_for`` picks."""
    params = [p for _, p, _ in model.parameters()]
    grads = [g for _, _, g in model.parameters()]
    optimizer = Adam(params, grads, lr=config.lr)
    rng = shuffle_rng(config.seed)
    jitter = augment_rng(config.seed)
    n, bs = len(x_train), config.batch_size
    batches = math.ceil(n / bs)
    name = model.kind
    watched = watch if watch in {layer.name for layer in model.layers} else None
    if watched is not None:
        yield _snapshot(model, watched, 0)
    for epoch in range(1, config.epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(n)
        loss_sum, correct, seen = 0.0, 0, 0
        for b in range(batches):
            if stop is not None and stop.is_set():
                yield Cancelled(name, epoch, b + 1)
                return
            idx = order[b * bs : (b + 1) * bs]
            xb, yb = x_train[idx], y_train[idx]
            if config.augment:
                xb = shifted_batch(xb, jitter.integers(-config.augment, config.augment + 1,
                                                       size=(len(idx), 2)))
            logits = model.forward(xb, train=True)
            loss, dlogits, _ = softmax_cross_entropy(logits, yb)
            model.backward(dlogits)
            optimizer.step()
            loss_sum += loss * len(idx)
            correct += int((logits.argmax(axis=1) == yb).sum())
            seen += len(idx)
            yield BatchEnd(name, epoch, config.epochs, b + 1, batches, loss_sum / seen,
                           correct / seen)
        test_loss, test_acc = evaluate(model, x_test, y_test, config.eval_batch_size)
        if watched is not None:
            yield _snapshot(model, watched, epoch)
        yield EpochEnd(
            name, epoch, config.epochs, loss_sum / seen, correct / seen, test_loss, test_acc,
            time.perf_counter() - start,
        )


def _snapshot(model: Sequential, layer: str, epoch: int) -> LayerSnapshot:
    """Copies of ``layer``'s ``W`` and ``b`` now (a few hundred bytes for conv1)."""
    params = model.layer(layer).params
    return LayerSnapshot(model.kind, layer, epoch, params["W"].copy(), params["b"].copy())
