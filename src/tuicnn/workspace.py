"""What the user has in this session: the data, the two models and their training history.

Plain Python (no Textual), so the CLI, the UI and the tests share it. A training run builds
*new* model objects and only replaces the ones here when it ends, so the Explore tab never
reads weights that a background thread is changing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .data import Split, bundled_split, find_idx_files, idx_split, read_idx
from .nn import EpochEnd, Sequential, TrainConfig, build_cnn, build_fc

DEFAULT_HIDDEN = 128
DEFAULT_FILTERS = 8
START_SIZE = 1000
"""Training (and test) images a session starts with, as ``tuicnn train`` defaults to."""
BUNDLED_MAX_TRAIN = 4000
"""The largest bundled training set: 4,000 of the 5,000 digits, the rest left to test on."""


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


def idx_sizes(data_dir: str) -> tuple[int, int]:
    """How many images the IDX training and test files in ``data_dir`` hold.

    Read from the label files (60 kB for MNIST), not the images.

    Raises:
        DataError: a file is missing or broken.
    """
    files = find_idx_files(data_dir)
    return len(read_idx(files["train_labels"])), len(read_idx(files["test_labels"]))


@dataclass
class Workspace:
    """The session's data split and its FC and CNN models.

    Attributes:
        split: the data the models train and are explored on.
        fc, cnn: the two models.
        data_dir: where ``split`` came from: a directory of IDX files, or None for the
            bundled digits. ``resplit`` draws from the same place.
        max_train_size: the largest training set ``resplit`` can draw (4,000 bundled
            digits, or every image of the IDX training file).
    """

    split: Split
    fc: ModelRecord
    cnn: ModelRecord
    data_dir: str | None = None
    max_train_size: int = BUNDLED_MAX_TRAIN

    @classmethod
    def untrained(cls, split: Split, seed: int = 0) -> Workspace:
        """Seeded, untrained default models: something real to explore before any training."""
        return cls(
            split,
            ModelRecord(build_fc(DEFAULT_HIDDEN, seed=seed)),
            ModelRecord(build_cnn(DEFAULT_FILTERS, seed=seed)),
        )

    @classmethod
    def from_data(cls, data_dir: str | None = None, seed: int = 0) -> Workspace:
        """Untrained models on the split ``tuicnn train`` would use by default.

        That is 1,000 class-balanced training images and 1,000 test images, drawn with
        ``seed`` from the bundled digits or from the IDX files in ``data_dir`` (fewer when
        a file holds fewer).

        Raises:
            DataError: the IDX files are missing or broken.
        """
        if data_dir is None:
            return cls.untrained(bundled_split(START_SIZE, START_SIZE, seed=seed), seed)
        n_train, n_test = idx_sizes(data_dir)
        split = idx_split(data_dir, min(START_SIZE, n_train), min(START_SIZE, n_test),
                          seed=seed)
        workspace = cls.untrained(split, seed)
        workspace.data_dir, workspace.max_train_size = data_dir, n_train
        return workspace

    def resplit(self, train_size: int, seed: int) -> Split:
        """A new split from the same data: ``train_size`` class-balanced training images
        and as many test images as now, drawn with ``seed`` (exactly as ``tuicnn train``
        draws them). Loads the data files again for IDX data (about a second for MNIST):
        call it off the UI thread.

        Raises:
            DataError: ``train_size`` does not fit the data.
        """
        n_test = self.split.n_test
        if self.data_dir is None:
            return bundled_split(train_size, n_test, seed=seed)
        return idx_split(self.data_dir, train_size, n_test, seed=seed)
