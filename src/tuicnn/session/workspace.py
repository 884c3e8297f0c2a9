"""What the user has in this session: the data, the two models and their training history.

Plain Python (no Textual), so the CLI, the UI and the tests share it. A training run builds
*new* model objects and only replaces the ones here when it ends, so the Explore tab never
reads weights that a background thread is changing.

The data and the engine are imported inside the functions that need them: the app imports
this module for its first frame, which shows a :class:`WorkspaceSummary` and must not wait
for NumPy (see :class:`WorkspaceLoader`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from tuicnn.data.dataset import Split
    from tuicnn.nn.config import TrainConfig
    from tuicnn.nn.events import EpochEnd
    from tuicnn.nn.model import Sequential

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
        snapshots: the CNN's conv1 ``(W (3, 3, 1, F), b (F,))`` at its start (index 0) and
            after each finished epoch; empty when they were not kept (an FC, or a model
            file saved before tuicnn kept them).
    """

    model: Sequential
    history: list[EpochEnd] = field(default_factory=list)
    config: TrainConfig | None = None
    cancelled: bool = False
    snapshots: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    @property
    def start_weights(self) -> np.ndarray | None:
        """conv1's weights before training ``(3, 3, 1, F)``, or None when unknown.

        An untrained model is its own start; a trained one knows it only from its snapshots.
        """
        if self.snapshots:
            return self.snapshots[0][0]
        if not self.history and any(layer.name == "conv1" for layer in self.model.layers):
            return self.model.layer("conv1").params["W"]
        return None

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
        """One line for the UI, e.g. ``trained 5 epochs · 94.1% test accuracy``."""
        if not self.history:
            return untrained_status(self.seed)
        last = self.history[-1]
        epochs = f"{len(self.history)} epoch{'s' if len(self.history) != 1 else ''}"
        verb = f"cancelled after {epochs}" if self.cancelled else f"trained {epochs}"
        return f"{verb} · {last.test_acc:.1%} test accuracy"


def untrained_status(seed: int) -> str:
    """``ModelRecord.status`` of a model that has not been trained."""
    return f"untrained (random weights, seed {seed})"


@dataclass(frozen=True)
class WorkspaceSummary:
    """What the Train tab shows about the session, without the arrays.

    Attributes:
        n_train, n_test: images in the split.
        source: where IDX data came from (``Split.source``), or None for the bundled digits.
        max_train_size: the largest training set a re-split can draw.
        seed: the seed of the split and of the models' starting weights.
        fc_status, cnn_status: ``ModelRecord.status`` of each model.
    """

    n_train: int
    n_test: int
    source: str | None
    max_train_size: int
    seed: int
    fc_status: str
    cnn_status: str


def idx_sizes(data_dir: str) -> tuple[int, int]:
    """How many images the IDX training and test files in ``data_dir`` hold.

    Read from the label files (60 kB for MNIST), not the images.

    Raises:
        DataError: a file is missing or broken.
    """
    from tuicnn.data.dataset import find_idx_files
    from tuicnn.data.idx import read_idx

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
        from tuicnn.nn.model import build_cnn, build_fc

        return cls(split, ModelRecord(build_fc(seed=seed)), ModelRecord(build_cnn(seed=seed)))

    @classmethod
    def from_data(cls, data_dir: str | None = None, seed: int = 0) -> Workspace:
        """Untrained models on the split ``tuicnn train`` would use by default.

        That is 1,000 class-balanced training images and 1,000 test images, drawn with
        ``seed`` from the bundled digits or from the IDX files in ``data_dir`` (fewer when
        a file holds fewer).

        Raises:
            DataError: the IDX files are missing or broken.
        """
        from tuicnn.data.dataset import bundled_split, idx_split

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
        from tuicnn.data.dataset import bundled_split, idx_split

        n_test = self.split.n_test
        if self.data_dir is None:
            return bundled_split(train_size, n_test, seed=seed)
        return idx_split(self.data_dir, train_size, n_test, seed=seed)

    def summary(self) -> WorkspaceSummary:
        """The facts the Train tab shows (the split's seed is the FC's)."""
        split = self.split
        return WorkspaceSummary(
            split.n_train, split.n_test, split.source if self.data_dir is not None else None,
            self.max_train_size, self.fc.seed, self.fc.status, self.cnn.status)


class WorkspaceLoader:
    """The default session (bundled digits, untrained models), loaded on a thread.

    Importing NumPy and the engine, reading the digits and drawing the split take about
    100 ms, a quarter of the app's start-up, and the first frame needs none of it: it shows
    only the :attr:`summary`, which is known in advance. The app calls :meth:`start` once its
    first frame is on screen; whatever needs the workspace itself calls :meth:`result`,
    which waits for the thread (a key pressed in the first tenth of a second waits that
    long), or loads right away if nothing started it.

    Args:
        seed: seed of the split and of the untrained models.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        status = untrained_status(seed)
        self.summary = WorkspaceSummary(START_SIZE, START_SIZE, None, BUNDLED_MAX_TRAIN, seed,
                                        status, status)
        self._future: Future[Workspace] = Future()
        self._lock = threading.Lock()
        self._started = False

    def start(self, on_error: Callable[[BaseException], None] | None = None) -> None:
        """Load on a daemon thread (once; later calls do nothing). ``on_error`` is called
        on that thread if loading fails, e.g. to end the app with the reason."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._load, args=(on_error,), name="tuicnn-load",
                         daemon=True).start()

    @property
    def done(self) -> bool:
        return self._future.done()

    def result(self) -> Workspace:
        """The workspace, waiting for the thread if it is still loading.

        Raises:
            DataError: the bundled digits could not be read (a broken install).
        """
        self.start()
        return self._future.result()

    def _load(self, on_error: Callable[[BaseException], None] | None) -> None:
        try:
            workspace = Workspace.from_data(None, seed=self.seed)
        except BaseException as error:  # handed to whoever waits; never lost in the thread
            self._future.set_exception(error)
            if on_error is not None:
                on_error(error)
        else:
            self._future.set_result(workspace)
