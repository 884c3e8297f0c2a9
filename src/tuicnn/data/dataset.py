"""Train/test splits ready for the engine, from the bundled MNIST subset or from IDX files.

Everything here returns a :class:`Split` whose images are (N, 28, 28, 1) float32 in [0, 1]
(channels-last, the layout the engine's convolutions take) and whose labels are (N,) int64
(NumPy's default index type, so they can index one-hot tables and loss rows directly).
Random subsets are class-balanced, so that a small training set still teaches every class
and accuracy differences between models are not an artefact of a lopsided draw.
"""

from __future__ import annotations

import functools
import os
import stat
import zipfile
from dataclasses import dataclass
from importlib import resources
from os import PathLike
from pathlib import Path

import numpy as np

from tuicnn.data.errors import DataError
from tuicnn.data.files import kind_of, reason, shown
from tuicnn.data.idx import read_idx

DIGIT_NAMES = tuple(str(i) for i in range(10))
FASHION_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
BUNDLED_FILE = "mnist_5k.npz"
BUNDLED_SIZE = 5000
IDX_FILES = {  # key -> file name stem; each may also be spelt with a dot or end in .gz
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


@dataclass(frozen=True, eq=False)  # eq=False: == on arrays is elementwise, not a bool
class Split:
    """Train and test sets ready for the engine.

    Attributes:
        x_train: (N, 28, 28, 1) float32 in [0, 1].
        y_train: (N,) int64 class indices into ``class_names``.
        x_test: (M, 28, 28, 1) float32 in [0, 1].
        y_test: (M,) int64.
        class_names: one display name per class, e.g. ``DIGIT_NAMES``.
        source: short human description, e.g. "bundled MNIST subset (5,000 digits)".
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str

    @property
    def n_train(self) -> int:
        return len(self.y_train)

    @property
    def n_test(self) -> int:
        return len(self.y_test)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


def to_input(images_uint8: np.ndarray) -> np.ndarray:
    """Scale raw images to the engine's input: (N, 28, 28) uint8 -> (N, 28, 28, 1) float32 / 255.

    Raises:
        ValueError: the images are not uint8 (dividing by 255 would then be meaningless).
    """
    images = np.asarray(images_uint8)
    if images.dtype != np.uint8:
        raise ValueError(f"to_input expects uint8 images, got {images.dtype}.")
    return np.divide(images, 255, dtype=np.float32)[..., np.newaxis]


@functools.cache
def load_bundled() -> tuple[np.ndarray, np.ndarray]:
    """Load the 5,000 MNIST digits shipped with tuicnn (see ``tuicnn/assets/README.md``).

    Read through ``importlib.resources`` so it works from an installed wheel and any working
    directory. Cached: the arrays are shared, so they are returned read-only.

    Returns:
        images (5000, 28, 28) uint8 and labels (5000,) uint8, sorted by label.

    Raises:
        DataError: the asset is missing or damaged (a broken install).
    """
    resource = resources.files("tuicnn").joinpath("assets", BUNDLED_FILE)
    try:
        with resource.open("rb") as f, np.load(f, allow_pickle=False) as npz:
            images, labels = npz["images"], npz["labels"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise DataError(
            f"The bundled {BUNDLED_FILE} cannot be read ({e}); reinstall tuicnn."
        ) from e
    if images.shape != (BUNDLED_SIZE, 28, 28) or labels.shape != (BUNDLED_SIZE,):
        raise DataError(f"The bundled {BUNDLED_FILE} has unexpected shapes; reinstall tuicnn.")
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def _balanced(
    labels: np.ndarray, size: int, n_classes: int, rng: np.random.Generator, name: str
) -> np.ndarray:
    """Pick ``size`` indices, ``size // n_classes`` per class, the remainder to the first classes.

    Returns:
        (size,) int64 indices into ``labels``, in random order.
    """
    counts = np.bincount(labels, minlength=n_classes)
    wanted = np.full(n_classes, size // n_classes)
    wanted[: size % n_classes] += 1
    picked = []
    for c in range(n_classes):
        if wanted[c] > counts[c]:
            raise DataError(
                f"{name} has only {counts[c]:,} examples of class {c}, but a balanced training "
                f"set of {size:,} needs {wanted[c]:,}; choose a smaller training size."
            )
        picked.append(rng.choice(np.flatnonzero(labels == c), wanted[c], replace=False))
    return rng.permutation(np.concatenate(picked))


def bundled_split(train_size: int = 1000, test_size: int | None = 1000, seed: int = 0) -> Split:
    """Draw a class-balanced training set and a disjoint test set from the bundled digits.

    Args:
        train_size: 10..4000 training digits, ``train_size // 10`` per class (the remainder
            goes one each to the first classes).
        test_size: number of other digits to test on, drawn at random from the rest, or
            None for all the rest. ``train_size + test_size`` must not exceed 5,000.
        seed: seed of ``np.random.default_rng``; the same seed gives the same split.

    Raises:
        DataError: the sizes are out of range.
    """
    if not 10 <= train_size <= 4000:
        raise DataError(
            f"The training size must be between 10 and 4,000 digits, not {train_size:,}."
        )
    if test_size is not None and not 1 <= test_size <= BUNDLED_SIZE - train_size:
        raise DataError(
            f"The test size must be between 1 and {BUNDLED_SIZE - train_size:,} digits "
            f"(5,000 minus {train_size:,} for training), not {test_size:,}."
        )
    images, labels = load_bundled()
    rng = np.random.default_rng(seed)
    train = _balanced(labels, train_size, 10, rng, f"The bundled {BUNDLED_FILE}")
    # The indices not in ``train``, ascending (as np.setdiff1d gives them, without the ~15 ms
    # it spends importing numpy.ma on first use, which the app's start-up would pay).
    unused = np.ones(BUNDLED_SIZE, dtype=bool)
    unused[train] = False
    rest = np.flatnonzero(unused)
    test = rng.permutation(rest)[:test_size]  # labels are sorted: shuffle even when taking all
    return Split(
        to_input(images[train]), labels[train].astype(np.int64),
        to_input(images[test]), labels[test].astype(np.int64),
        DIGIT_NAMES, "bundled MNIST subset (5,000 digits)",
    )  # fmt: skip


def find_idx_files(directory: str | PathLike[str]) -> dict[str, Path]:
    """Locate the four MNIST-style IDX files in ``directory``.

    Accepts the standard names (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, as Debian's dataset-fashion-mnist
    ships them) and the dotted spelling some mirrors use (``train-images.idx3-ubyte``),
    each plain or ``.gz``; a plain file wins over its ``.gz`` twin.

    Returns:
        ``{"train_images", "train_labels", "test_images", "test_labels"}`` -> path.

    Raises:
        DataError: the directory or one of the files is missing.
    """
    directory = Path(directory)
    try:
        mode = os.stat(directory).st_mode
        names = set(os.listdir(directory)) if stat.S_ISDIR(mode) else set()
    except FileNotFoundError:
        raise DataError(f"The data directory {shown(directory)} does not exist.") from None
    except NotADirectoryError:
        raise DataError(f"The data directory {shown(directory)} does not exist "
                        f"({directory.parent} is not a directory).") from None
    except OSError as e:
        raise DataError(f"The data directory {shown(directory)} cannot be read: {reason(e)}."
                        ) from None
    if not stat.S_ISDIR(mode):
        kind = kind_of(mode) or "a file"
        raise DataError(f"{directory} is {kind}, not a directory of IDX files.")
    found = {}
    for key, stem in IDX_FILES.items():
        dotted = stem.replace("-idx", ".idx")
        candidates = [n for n in (stem, stem + ".gz", dotted, dotted + ".gz") if n in names]
        if not candidates:
            raise DataError(f"{directory} has no {stem} (nor {stem}.gz).")
        # A regular file wins; otherwise the first name, which read_idx then refuses with
        # the reason (a directory, or a folder without execute permission: listed, unopenable).
        paths = [directory / n for n in candidates]
        found[key] = next((p for p in paths if _is_regular(p)), paths[0])
    return found


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _load_pair(images_path: Path, labels_path: Path, n_classes: int) -> tuple[np.ndarray, ...]:
    """Read and check one images/labels pair: (N, 28, 28) uint8 and (N,) uint8."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != np.uint8 or images.shape[1:] != (28, 28):
        raise DataError(
            f"{images_path} holds {images.dtype} images of shape {images.shape[1:]}, "
            "but tuicnn needs 28x28 uint8 images."
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise DataError(
            f"{labels_path} holds {labels.dtype} data of shape {labels.shape}, not uint8 labels."
        )
    if len(images) != len(labels):
        raise DataError(
            f"{labels_path} holds {len(labels):,} labels but {images_path.name} "
            f"holds {len(images):,} images."
        )
    if len(labels) and labels.max() >= n_classes:
        raise DataError(
            f"{labels_path} has label {labels.max()}, but there are only {n_classes} classes."
        )
    return images, labels


def idx_split(
    directory: str | PathLike[str],
    train_size: int | None = None,
    test_size: int | None = None,
    seed: int = 0,
    class_names: tuple[str, ...] | None = None,
) -> Split:
    """Load MNIST-style IDX files (e.g. MNIST or Fashion-MNIST) from ``directory``.

    Args:
        directory: folder holding the four files ``find_idx_files`` looks for.
        train_size: None for every training image (file order), or a class-balanced random
            subset of that size (at least one per class).
        test_size: None for the whole t10k set (file order), or a random subset of that size.
        seed: seed of ``np.random.default_rng`` for the subsets.
        class_names: display names; by default ``FASHION_NAMES`` when the directory path
            contains "fashion" (any case), else ``DIGIT_NAMES``.

    Raises:
        DataError: a file is missing or broken, images and labels disagree, or a size is
            out of range.
    """
    directory = Path(directory)
    if class_names is None:
        path_text = f"{directory} {directory.resolve()}".lower()
        class_names = FASHION_NAMES if "fashion" in path_text else DIGIT_NAMES
    files = find_idx_files(directory)
    n_classes = len(class_names)
    x_train, y_train = _load_pair(files["train_images"], files["train_labels"], n_classes)
    x_test, y_test = _load_pair(files["test_images"], files["test_labels"], n_classes)
    rng = np.random.default_rng(seed)
    if train_size is not None:
        if not n_classes <= train_size <= len(y_train):
            raise DataError(
                f"The training size must be between {n_classes} and {len(y_train):,} "
                f"(the images in {files['train_images'].name}), not {train_size:,}."
            )
        keep = _balanced(y_train, train_size, n_classes, rng, files["train_labels"].name)
        x_train, y_train = x_train[keep], y_train[keep]
    if test_size is not None:
        if not 1 <= test_size <= len(y_test):
            raise DataError(
                f"The test size must be between 1 and {len(y_test):,} "
                f"(the images in {files['test_images'].name}), not {test_size:,}."
            )
        keep = rng.choice(len(y_test), test_size, replace=False)
        x_test, y_test = x_test[keep], y_test[keep]
    return Split(
        to_input(x_train), y_train.astype(np.int64),
        to_input(x_test), y_test.astype(np.int64),
        tuple(class_names), f"IDX files in {directory}",
    )  # fmt: skip
