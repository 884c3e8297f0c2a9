"""The names people see for the workspace's two model kinds, in one table.

The engine tags each built-in model with a ``kind`` (``"fc"`` or ``"cnn"``); the Train, Draw
and Shift tabs, the CLI and the model-file messages all show it through :func:`display_name`
so they spell it the same way. No NumPy: the Train tab's first frame may import this.
"""

from __future__ import annotations

MODEL_NAMES: dict[str, str] = {"fc": "FC", "cnn": "CNN"}
"""``model.kind`` → the name shown for it."""


def display_name(kind: str) -> str:
    """``"fc"`` → ``"FC"``, ``"cnn"`` → ``"CNN"``; any other kind is shown as it is."""
    return MODEL_NAMES.get(kind, kind)
