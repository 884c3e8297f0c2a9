"""Training settings and their allowed ranges, checked in one place for the CLI and the UI."""

from __future__ import annotations

from dataclasses import dataclass

#: Inclusive (low, high) bounds. The UI offers a friendlier subset within these.
LIMITS: dict[str, tuple[float, float]] = {
    "epochs": (1, 20),
    "batch_size": (1, 4096),
    "hidden": (1, 4096),
    "filters": (1, 64),
    "lr": (1e-6, 1.0),
    "seed": (0, 2**32 - 1),
    "augment": (0, 8),
}


def check_range(name: str, value: float) -> None:
    """Raise ``ValueError`` with a short, user-facing message if ``value`` is out of range."""
    low, high = LIMITS[name]
    if not low <= value <= high:
        label = name.replace("_", " ")
        raise ValueError(f"{label} must be between {_show(low)} and {_show(high)} "
                         f"(got {_show(value)})")


def _show(value: float) -> str:
    """Whole numbers in full (``4294967295``), others compactly (``1e-06``)."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class TrainConfig:
    """How to train: the same config and seed always give the same numbers."""

    epochs: int = 5
    batch_size: int = 64
    lr: float = 1e-3
    seed: int = 0
    #: Images per forward pass when evaluating; bounds memory on large test sets. 256 keeps
    #: conv2's patch matrix cache-sized: 1,000 test digits evaluate ~30% faster than at 1000.
    eval_batch_size: int = 256
    #: Shift each training digit by a random whole number of pixels in ``[-augment, augment]``
    #: across and down (zero-filled) every time it is drawn for a batch; 0 trains on the
    #: digits as they are.
    augment: int = 0

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "lr", "seed", "augment"):
            check_range(name, getattr(self, name))


DEFAULT_HIDDEN = 128
"""FC hidden units the app, the CLI and ``build_fc`` start from."""

DEFAULT_FILTERS = 8
"""CNN first-layer filters (the second layer has twice as many) they start from."""

DEFAULTS: dict[str, float] = {
    "epochs": TrainConfig.epochs,
    "batch_size": TrainConfig.batch_size,
    "lr": TrainConfig.lr,
    "hidden": DEFAULT_HIDDEN,
    "filters": DEFAULT_FILTERS,
}
"""Every training setting's default but the seed (0), in one table for the CLI and the UI."""
