"""What the user has in this session: the data, the two models and their training history.

Plain Python (no Textual), so the CLI, the UI and the tests share it. A training run builds
*new* model objects and only replaces the ones here when it ends, so the Explore tab never
reads weights that a background thread is changing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .data import Split
from .nn import EpochEnd, Sequential, TrainConfig, build_cnn, build_fc

DEFAULT_HIDDEN = 128
DEFAULT_FILTERS = 8


@dataclass
class ModelRecord:
    """A model and how it came to be.

    Attributes:
        model: the network.
        history: one ``EpochEnd`` per finished epoch (empty when untrained).
        config: the training settings used, or None when untrained.
        cancelled: True when the run was stopped before its last epoch.
    """

    model: Sequential
    history: list[EpochEnd] = field(default_factory=list)
    config: TrainConfig | None = None
    cancelled: bool = False

    @property
    def trained(self) -> bool:
        return bool(self.history)

    @property
    def seed(self) -> int:
        """The seed the model was built (and, in this app, its data split drawn) with.

        A loaded model brings its seed along, so the split it is shown can be the one it was
        trained next to, with test digits it never saw.
        """
        return int(self.model.hparams.get("seed", 0))

    @property
    def status(self) -> str:
        """One line for the UI, e.g. ``trained 5 epochs · 94.1% test``."""
        seed = self.seed
        if not self.history:
            return f"untrained (random weights, seed {seed})"
        last = self.history[-1]
        epochs = f"{len(self.history)} epoch{'s' if len(self.history) != 1 else ''}"
        verb = f"cancelled after {epochs}" if self.cancelled else f"trained {epochs}"
        return f"{verb} · {last.test_acc:.1%} test"


@dataclass
class Workspace:
    """The session's data split and its FC and CNN models."""

    split: Split
    fc: ModelRecord
    cnn: ModelRecord

    @classmethod
    def untrained(cls, split: Split, seed: int = 0) -> Workspace:
        """Seeded, untrained default models: something real to explore before any training."""
        return cls(
            split,
            ModelRecord(build_fc(DEFAULT_HIDDEN, seed=seed)),
            ModelRecord(build_cnn(DEFAULT_FILTERS, seed=seed)),
        )
