"""The bundled MNIST asset, the splits built from it, and splits from IDX directories."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from tuicnn.data.dataset import (
    DIGIT_NAMES,
    FASHION_NAMES,
    Split,
    bundled_split,
    find_idx_files,
    idx_split,
    load_bundled,
    to_input,
)
from tuicnn.data.errors import DataError
from tuicnn.data.idx import write_idx

ASSETS = resources.files("tuicnn").joinpath("assets")
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian package dataset-fashion-mnist


# --- the bundled asset ------------------------------------------------------------------------


def test_asset_checksum_matches_the_readme():
    readme = ASSETS.joinpath("README.md").read_text(encoding="utf-8")
    recorded = re.findall(r"sha256 ([0-9a-f]{64})", readme)
    assert len(recorded) == 1, "assets/README.md must record exactly one sha256"
    actual = hashlib.sha256(ASSETS.joinpath("mnist_5k.npz").read_bytes()).hexdigest()
    assert actual == recorded[0]


def test_asset_holds_plain_arrays_loadable_without_pickle():
    with ASSETS.joinpath("mnist_5k.npz").open("rb") as f, np.load(f, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["images", "labels"]
        assert npz["images"].dtype == np.uint8
        assert npz["labels"].dtype == np.uint8


def test_load_bundled_shapes_range_and_balance():
    images, labels = load_bundled()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.uint8
    assert images.min() == 0 and images.max() == 255
    assert np.bincount(labels, minlength=10).tolist() == [500] * 10
    assert len(np.unique(images.reshape(5000, -1), axis=0)) == 5000  # lets tests compare bytes


def test_load_bundled_is_cached_and_read_only():
    images, labels = load_bundled()
    assert load_bundled()[0] is images
    with pytest.raises(ValueError):
        images[0, 0, 0] = 1
    with pytest.raises(ValueError):
        labels[0] = 1


def test_to_input_scales_and_adds_a_channel():
    images = np.array([[[0, 51], [255, 102]]], np.uint8)
    x = to_input(images)
    assert x.shape == (1, 2, 2, 1) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, :, :, 0], [[0.0, 0.2], [1.0, 0.4]], rtol=1e-6)
    with pytest.raises(ValueError, match="uint8"):
        to_input(images.astype(np.float32))


# --- splits of the bundled digits -------------------------------------------------------------


def _bundled_lookup() -> dict[bytes, int]:
    """Map each bundled image's bytes to its label."""
    images, labels = load_bundled()
    return {img.tobytes(): int(y) for img, y in zip(images, labels, strict=True)}


def _keys(x: np.ndarray) -> list[bytes]:
    """(N, 28, 28, 1) float32 inputs -> the bytes of the uint8 images they came from."""
    return [img.tobytes() for img in np.rint(x[..., 0] * 255).astype(np.uint8)]


def test_default_split_sizes_types_and_balance():
    split = bundled_split()
    assert isinstance(split, Split)
    assert (split.n_train, split.n_test, split.n_classes) == (1000, 1000, 10)
    assert split.x_train.shape == (1000, 28, 28, 1) and split.x_train.dtype == np.float32
    assert split.x_test.shape == (1000, 28, 28, 1) and split.x_test.dtype == np.float32
    assert split.y_train.dtype == np.int64 and split.y_test.dtype == np.int64
    assert split.x_train.min() == 0.0 and split.x_train.max() == 1.0
    assert np.bincount(split.y_train, minlength=10).tolist() == [100] * 10
    assert split.class_names == DIGIT_NAMES
    assert "5,000" in split.source


def test_split_is_disjoint_and_labels_stay_with_their_images():
    split = bundled_split(train_size=2000, test_size=None)
    lookup = _bundled_lookup()
    train, test = _keys(split.x_train), _keys(split.x_test)
    assert len(set(train)) == 2000 and len(set(test)) == 3000
    assert not set(train) & set(test)
    assert set(train) | set(test) == set(lookup)  # test_size=None: all the rest
    assert [lookup[k] for k in train] == split.y_train.tolist()
    assert [lookup[k] for k in test] == split.y_test.tolist()


def test_split_order_is_shuffled():
    split = bundled_split(test_size=None)  # the asset itself is sorted by label
    assert np.any(np.diff(split.y_train) < 0)
    assert np.any(np.diff(split.y_test) < 0)


def test_remainder_goes_to_the_first_classes():
    split = bundled_split(train_size=1003, test_size=10)
    assert np.bincount(split.y_train).tolist() == [101, 101, 101] + [100] * 7
    assert split.n_test == 10


def test_same_seed_same_split_other_seed_differs():
    a, b, c = bundled_split(seed=7), bundled_split(seed=7), bundled_split(seed=8)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert set(_keys(a.x_train)) != set(_keys(c.x_train))
    assert set(_keys(a.x_test)) != set(_keys(c.x_test))


def test_largest_allowed_split_uses_every_digit():
    split = bundled_split(train_size=4000, test_size=1000)
    assert not set(_keys(split.x_train)) & set(_keys(split.x_test))
    assert split.n_train + split.n_test == 5000


@pytest.mark.parametrize(
    ("train_size", "test_size", "words"),
    [
        (9, 100, "between 10 and 4,000"),
        (4001, 100, "between 10 and 4,000"),
        (1000, 0, "between 1 and 4,000"),
        (4000, 1001, "between 1 and 1,000"),
    ],
)
def test_bundled_split_rejects_bad_sizes(train_size, test_size, words):
    with pytest.raises(DataError, match=words):
        bundled_split(train_size=train_size, test_size=test_size)


# --- IDX directories (synthetic) --------------------------------------------------------------


def _write_labels(path: Path, n: int) -> None:
    """Write (n,) uint8 labels cycling 0..9."""
    write_idx(path, (np.arange(n) % 10).astype(np.uint8))


def _make_idx_dir(directory: Path, n_train=200, n_test=50, gz=False, dotted=False) -> Path:
    """Write a small MNIST-style data set: labels cycle 0..9, image i is filled with i % 256."""
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = np.broadcast_to((np.arange(n) % 256).astype(np.uint8)[:, None, None], (n, 28, 28))
        sep = "." if dotted else "-"
        write_idx(directory / f"{prefix}-images{sep}idx3-ubyte{suffix}", images)
        _write_labels(directory / f"{prefix}-labels{sep}idx1-ubyte{suffix}", n)
    return directory


@pytest.fixture
def idx_dir(tmp_path) -> Path:
    return _make_idx_dir(tmp_path / "digits")


def test_idx_split_loads_everything_by_default(idx_dir):
    split = idx_split(idx_dir)
    assert split.x_train.shape == (200, 28, 28, 1) and split.x_train.dtype == np.float32
    assert split.x_test.shape == (50, 28, 28, 1)
    assert split.y_train.dtype == np.int64
    np.testing.assert_array_equal(split.y_train, np.arange(200) % 10)  # file order kept
    np.testing.assert_allclose(split.x_train[3, 0, 0, 0], 3 / 255)
    assert split.class_names == DIGIT_NAMES
    assert str(idx_dir) in split.source


def test_idx_split_balanced_subsets_reproducible(idx_dir):
    a = idx_split(idx_dir, train_size=55, test_size=20, seed=1)
    b = idx_split(idx_dir, train_size=55, test_size=20, seed=1)
    c = idx_split(idx_dir, train_size=55, test_size=20, seed=2)
    assert np.bincount(a.y_train).tolist() == [6] * 5 + [5] * 5
    assert a.n_test == 20
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.x_train, c.x_train)
    # Labels stay with their images: image i has value i and label i % 10.
    values = np.rint(a.x_train[:, 0, 0, 0] * 255).astype(int)
    np.testing.assert_array_equal(values % 10, a.y_train)
    assert len(set(values)) == 55


@pytest.mark.parametrize(("gz", "dotted"), [(True, False), (False, True), (True, True)])
def test_find_idx_files_accepts_gzip_and_dotted_names(tmp_path, gz, dotted):
    directory = _make_idx_dir(tmp_path / "d", gz=gz, dotted=dotted)
    files = find_idx_files(directory)
    assert set(files) == {"train_images", "train_labels", "test_images", "test_labels"}
    assert files["test_labels"].name.startswith("t10k-labels")
    assert files["test_labels"].name.endswith(".gz") == gz
    assert idx_split(directory).n_train == 200


def test_find_idx_files_prefers_the_plain_file(tmp_path):
    directory = _make_idx_dir(tmp_path / "d", gz=True)
    _make_idx_dir(directory, gz=False)
    assert find_idx_files(directory)["train_images"].name == "train-images-idx3-ubyte"


def test_fashion_names_follow_the_directory_name(tmp_path):
    directory = _make_idx_dir(tmp_path / "My-Fashion-MNIST")
    assert idx_split(directory).class_names == FASHION_NAMES
    names = tuple("abcdefghij")
    assert idx_split(directory, class_names=names).class_names == names


def _expect_error(words, directory, **kwargs):
    with pytest.raises(DataError) as info:
        idx_split(directory, **kwargs)
    for word in words:
        assert word in str(info.value)


def test_missing_directory(tmp_path):
    _expect_error(["nowhere", "does not exist"], tmp_path / "nowhere")


def test_directory_is_a_file(tmp_path):
    (tmp_path / "data.txt").write_text("hello")
    _expect_error(["data.txt", "not a directory"], tmp_path / "data.txt")


def test_missing_file(idx_dir):
    (idx_dir / "t10k-images-idx3-ubyte").unlink()
    _expect_error(["t10k-images-idx3-ubyte", str(idx_dir)], idx_dir)


def test_count_mismatch_between_images_and_labels(idx_dir):
    _write_labels(idx_dir / "train-labels-idx1-ubyte", 199)
    _expect_error(["train-labels-idx1-ubyte", "199", "200"], idx_dir)


def test_broken_file_is_named(idx_dir):
    path = idx_dir / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    _expect_error(["t10k-labels-idx1-ubyte", "truncated"], idx_dir)


def test_images_must_be_28x28_uint8(idx_dir):
    write_idx(idx_dir / "train-images-idx3-ubyte", np.zeros((200, 32, 32), np.uint8))
    _expect_error(["train-images-idx3-ubyte", "28x28"], idx_dir)


def test_labels_must_fit_the_class_names(idx_dir):
    words = ["train-labels-idx1-ubyte", "label 9", "3 classes"]
    _expect_error(words, idx_dir, class_names=("a", "b", "c"))


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"train_size": 201}, ["between 10 and 200", "train-images-idx3-ubyte"]),
        ({"train_size": 9}, ["between 10 and 200"]),
        ({"test_size": 51}, ["between 1 and 50", "t10k-images-idx3-ubyte"]),
        ({"test_size": 0}, ["between 1 and 50"]),
    ],
)
def test_idx_split_rejects_bad_sizes(idx_dir, kwargs, words):
    _expect_error(words, idx_dir, **kwargs)


def test_balanced_subset_larger_than_a_class_is_refused(idx_dir):
    labels = (np.arange(200) % 10).astype(np.uint8)
    labels[labels == 3] = 4  # no class 3 at all
    write_idx(idx_dir / "train-labels-idx1-ubyte", labels)
    _expect_error(["train-labels-idx1-ubyte", "class 3", "smaller"], idx_dir, train_size=100)


# --- real Fashion-MNIST from Debian -----------------------------------------------------------


@pytest.fixture(scope="module")
def fashion() -> Split:
    if not FASHION_DIR.is_dir():
        pytest.skip(f"{FASHION_DIR} not found: install the Debian package dataset-fashion-mnist")
    return idx_split(FASHION_DIR)


def test_real_fashion_mnist_files(fashion):
    names = sorted(p.name for p in find_idx_files(FASHION_DIR).values())
    assert names == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]


def test_real_fashion_mnist_shapes_and_labels(fashion):
    assert fashion.x_train.shape == (60000, 28, 28, 1)
    assert fashion.x_test.shape == (10000, 28, 28, 1)
    assert fashion.y_train.min() == 0 and fashion.y_train.max() == 9
    assert np.bincount(fashion.y_train).tolist() == [6000] * 10
    assert np.bincount(fashion.y_test).tolist() == [1000] * 10
    assert fashion.class_names == FASHION_NAMES
    assert fashion.x_train.min() >= 0.0 and fashion.x_train.max() == 1.0


def test_real_fashion_mnist_subset(fashion):
    split = idx_split(FASHION_DIR, train_size=500, test_size=300, seed=0)
    assert np.bincount(split.y_train).tolist() == [50] * 10
    assert split.n_test == 300
