"""The training time machine: conv1 as it was at the start and after every epoch.

Training keeps a copy of conv1 (``ModelRecord.snapshots``: 8×3×3 weights and 8 biases each);
the Explore tab steps through them and runs the chosen digit through each one with the
engine's own ``Conv2D``, so the maps shown for "epoch 2" are what conv1 computed after
epoch 2. Pure NumPy, no Textual.

Arrays follow the engine: weights ``(3, 3, 1, F)``, bias ``(F,)``, maps ``(28, 28, F)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tuicnn.nn.layers import Conv2D
from tuicnn.session.workspace import ModelRecord


@dataclass(frozen=True, eq=False)
class Conv1Frame:
    """conv1 at one moment of training.

    Attributes:
        epoch: epochs finished when the copy was taken (0 = the start).
        weights: ``(3, 3, 1, F)``.
        bias: ``(F,)``.
        label: what the tab calls this moment, e.g. ``epoch 2 of 5`` or ``the start``.
    """

    epoch: int
    weights: np.ndarray
    bias: np.ndarray
    label: str


def conv1_frames(record: ModelRecord) -> list[Conv1Frame]:
    """The moments a learner can step through, oldest first; the last is the model now.

    With snapshots: the start and every finished epoch, plus the model's own weights when a
    cancelled run stopped mid-epoch (they differ from the last snapshot). Without (a file
    saved before snapshots were kept): just the model now.
    """
    conv1 = record.model.layer("conv1").params
    epochs = len(record.history)
    frames = [Conv1Frame(i, w, b, _label(i, epochs)) for i, (w, b) in enumerate(record.snapshots)]
    last = frames[-1] if frames else None
    if last is None or not (np.array_equal(last.weights, conv1["W"])
                            and np.array_equal(last.bias, conv1["b"])):
        label = _label(epochs, epochs) if last is None else "now (stopped mid-epoch)"
        frames.append(Conv1Frame(epochs, conv1["W"], conv1["b"], label))
    return frames


def _label(epoch: int, epochs: int) -> str:
    if epoch == 0:
        return "at the start (before training)" if epochs else "at the start (untrained)"
    return f"after epoch {epoch} of {epochs}"


def conv1_maps(image: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """conv1 + ReLU of one image with the given weights, by the engine's ``Conv2D``.

    Args:
        image: ``(28, 28)`` or ``(28, 28, 1)`` float image.
        weights: ``(3, 3, 1, F)``; bias: ``(F,)``.

    Returns:
        ``(28, 28, F)``: the same numbers as the model's ``relu1`` when the weights are its own.
    """
    layer = Conv2D(weights.shape[2], weights.shape[3], 3, 1, 1, name="conv1")
    layer.params = {"W": weights, "b": bias}
    x = np.asarray(image, dtype=weights.dtype).reshape(1, *np.shape(image)[:2], 1)
    return np.maximum(layer.forward(x, train=False)[0], 0)


def loss_marks(record: ModelRecord, epoch: int) -> str:
    """The test loss of every epoch on one line, the shown epoch in brackets.

    E.g. ``test loss by epoch: start – · 1.13 · 0.54 · [0.39] · 0.31``: a curve in numbers
    that reads the same without colour. The start has no test loss (none was measured).
    """
    if not record.history:
        return "no training yet: press t on the Train tab (F2)"
    cells = ["start –"] + [f"{e.test_loss:.2f}" for e in record.history]
    if 0 <= epoch < len(cells):
        cells[epoch] = f"[{cells[epoch]}]"
    return "test loss by epoch: " + " · ".join(cells)
