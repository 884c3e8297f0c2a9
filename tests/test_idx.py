"""IDX reading and writing: round trips and every way a file can be broken."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from tuicnn.data.errors import DataError
from tuicnn.data.idx import read_idx, write_idx

IMAGE_HEADER = bytes([0, 0, 0x08, 3]) + np.array([2, 28, 28], ">u4").tobytes()


@pytest.fixture
def images() -> np.ndarray:
    """(5, 28, 28) uint8 covering the whole 0..255 range."""
    return (np.arange(5 * 28 * 28) % 256).astype(np.uint8).reshape(5, 28, 28)


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_round_trip_images(tmp_path, images, name):
    path = tmp_path / name
    write_idx(path, images)
    back = read_idx(path)
    assert back.dtype == np.uint8
    assert back.shape == (5, 28, 28)
    np.testing.assert_array_equal(back, images)


@pytest.mark.parametrize("name", ["labels-idx1-ubyte", "labels-idx1-ubyte.gz"])
def test_round_trip_labels_and_header_bytes(tmp_path, name):
    labels = np.array([7, 2, 1, 0, 4], np.uint8)
    path = tmp_path / name
    write_idx(path, labels)
    raw = path.read_bytes()
    if name.endswith(".gz"):
        assert raw[:2] == b"\x1f\x8b"
        raw = gzip.decompress(raw)
    assert raw == bytes.fromhex("00000801") + bytes.fromhex("00000005") + labels.tobytes()
    np.testing.assert_array_equal(read_idx(path), labels)


@pytest.mark.parametrize("dtype", ["i1", "<i2", ">i4", "f4", "f8"])
def test_round_trip_other_idx_dtypes_in_native_order(tmp_path, dtype):
    array = np.linspace(-100, 100, 24).astype(dtype).reshape(2, 3, 4)
    write_idx(tmp_path / "a.idx", array)
    back = read_idx(tmp_path / "a.idx")
    assert back.dtype.isnative
    np.testing.assert_array_equal(back, array)


def test_gzip_is_detected_by_content_and_output_is_deterministic(tmp_path, images):
    write_idx(tmp_path / "a.gz", images)
    write_idx(tmp_path / "b.gz", images)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    (tmp_path / "a.gz").rename(tmp_path / "no-suffix")
    np.testing.assert_array_equal(read_idx(tmp_path / "no-suffix"), images)


def test_write_rejects_dtypes_idx_cannot_store(tmp_path):
    with pytest.raises(ValueError, match="int64"):
        write_idx(tmp_path / "x", np.zeros(3, np.int64))


def _expect_error(path, *words):
    """read_idx(path) must raise DataError naming the file and containing ``words``."""
    with pytest.raises(DataError) as info:
        read_idx(path)
    message = str(info.value)
    assert path.name in message
    for word in words:
        assert word in message
    return message


def test_missing_file(tmp_path):
    _expect_error(tmp_path / "train-images-idx3-ubyte", "does not exist")


def test_unreadable_file(tmp_path):
    path = tmp_path / "a-directory-idx3-ubyte"
    path.mkdir()  # exists but cannot be read as a file (chmod does not stop root)
    _expect_error(path, "cannot be read")


def test_wrong_magic(tmp_path):
    path = tmp_path / "photo.idx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    _expect_error(path, "not an IDX file", "0x89504e47")


def test_unsupported_dtype_code(tmp_path):
    path = tmp_path / "odd.idx"
    path.write_bytes(bytes([0, 0, 0x0A, 1]) + np.array([3], ">u4").tobytes() + bytes(3))
    _expect_error(path, "0x0a", "not supported")


def test_zero_dimensions(tmp_path):
    path = tmp_path / "scalar.idx"
    path.write_bytes(bytes([0, 0, 0x08, 0]))
    _expect_error(path, "0 dimensions")


@pytest.mark.parametrize("content", [b"\0\0", IMAGE_HEADER[:9]])
def test_header_cut_short(tmp_path, content):
    path = tmp_path / "short.idx"
    path.write_bytes(content)
    _expect_error(path)


def test_truncated_data(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(IMAGE_HEADER + bytes(2 * 784 - 1))
    _expect_error(path, "truncated", "1,568", "1,567")


def test_truncated_data_inside_gzip(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(IMAGE_HEADER + bytes(784)))
    _expect_error(path, "truncated")


def test_trailing_bytes(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(bytes.fromhex("00000801 00000002") + b"\x01\x02junk")
    _expect_error(path, "4 unexpected bytes")


def test_not_gzip_despite_suffix(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(b"this is plain text, not gzip")
    _expect_error(path, "gzip")


def test_gzip_stream_cut_short(tmp_path, images):
    path = tmp_path / "cut.gz"
    write_idx(path, images)
    path.write_bytes(path.read_bytes()[:200])
    _expect_error(path, "gzip")


def test_gzip_with_corrupt_bytes(tmp_path, images):
    path = tmp_path / "flipped.gz"
    write_idx(path, images)
    raw = bytearray(path.read_bytes())
    raw[-8] ^= 0xFF  # CRC of the uncompressed data
    path.write_bytes(bytes(raw))
    _expect_error(path, "gzip")
