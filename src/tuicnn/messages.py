"""Messages shared between tabs. The main screen is the go-between that forwards them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # annotations only: the first frame imports this module, and no NumPy
    import numpy as np

    from .data import Split
    from .nn import BatchEnd, Cancelled, EpochEnd, Sequential, TrainConfig


class ModelsChanged(Message):
    """The workspace's models were replaced (a run finished or was cancelled, or a file loaded).

    Posted by the tab that changed them; the main screen tells the other tabs.
    """


# -- Draw tab -> Explore tab (the main screen forwards it) ----------------------------------


@dataclass(eq=False)
class SendToExplore(Message):
    """Show this image in the Explore tab (posted by the Draw tab's ``s`` key).

    Attributes:
        image: ``(28, 28)`` float32 in ``[0, 1]``, already preprocessed like an MNIST digit
            (cropped, scaled to 20x20, centred by mass): exactly what the models were fed.
        label: a caption saying where the image came from, e.g. ``"your drawing"``. Not a
            class label: nobody told the app which digit was drawn.
    """

    image: np.ndarray
    label: str


# -- Train tab: from its training thread to itself (``post_message`` is thread-safe) --------


@dataclass(eq=False)
class TrainingProgress(Message, bubble=False):
    """The latest ``BatchEnd`` of each model still training, one snapshot per step.

    A later snapshot holds everything an earlier one does, so queued snapshots collapse
    (``can_replace``): a burst of fast batches costs the UI one update, not one per batch.
    """

    latest: tuple[BatchEnd, ...]

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TrainingProgress)


@dataclass(eq=False)
class EpochFinished(Message, bubble=False):
    """One model finished an epoch (never collapsed: each is a table row)."""

    event: EpochEnd


@dataclass(eq=False)
class ModelStopped(Message, bubble=False):
    """One model stopped early because the run was cancelled."""

    event: Cancelled


@dataclass(eq=False)
class TrainingEnded(Message, bubble=False):
    """The training thread is done; its models are no longer being changed.

    Attributes:
        models: the new FC and CNN, in that order, trained (or partly trained) in place.
        split: the data they were trained on (None if it could not be made).
        config: the settings used.
        error: a one-line reason when training failed, else None.
    """

    models: tuple[Sequential, ...]
    split: Split | None
    config: TrainConfig
    error: str | None = None
