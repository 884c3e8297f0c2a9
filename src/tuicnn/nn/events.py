"""Small, immutable events that the training generator yields.

The CLI prints them and the UI draws them: both consume the same stream, and the
generator itself never prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class BatchEnd:
    """One optimisation step done. ``loss``/``acc`` are running means over this epoch so far."""

    model: str
    epoch: int
    epochs: int
    batch: int
    batches: int
    loss: float
    acc: float


@dataclass(frozen=True)
class EpochEnd:
    """One epoch done, evaluated on the held-out test set.

    ``seconds`` is the wall time of the epoch, including its test evaluation.
    """

    model: str
    epoch: int
    epochs: int
    train_loss: float
    train_acc: float
    test_loss: float
    test_acc: float
    seconds: float

    def to_dict(self) -> dict:
        """A JSON-ready dict (the CLI's ``--json`` line for this epoch)."""
        return asdict(self)


@dataclass(frozen=True)
class Cancelled:
    """Training stopped on request before ``epoch``/``batch`` ran; earlier epochs stand."""

    model: str
    epoch: int
    batch: int


@dataclass(frozen=True, eq=False)
class LayerSnapshot:
    """A copy of one layer's parameters: at the start (``epoch`` 0) and after each epoch.

    Yielded only when ``train`` is asked to ``watch`` a layer the model has, just before
    that epoch's ``EpochEnd``, so the Explore tab can replay how the filters changed.
    ``weights`` is e.g. conv1's ``(3, 3, 1, F)`` and ``bias`` its ``(F,)``, copies that
    later training never touches.
    """

    model: str
    layer: str
    epoch: int
    weights: np.ndarray
    bias: np.ndarray


TrainEvent = BatchEnd | EpochEnd | Cancelled | LayerSnapshot
