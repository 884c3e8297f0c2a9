"""Messages that cross tabs. The main screen is the go-between that forwards them.

A tab's messages to itself (the Train tab's from its training thread) are nested in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # annotations only: the first frame imports this module, and no NumPy
    import numpy as np


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
