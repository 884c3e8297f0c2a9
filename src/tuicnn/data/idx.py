"""Read and write IDX files, the format MNIST and Fashion-MNIST are distributed in.

An IDX file is a 4-byte magic number ``00 00 <dtype code> <ndim>``, then ``ndim``
big-endian uint32 sizes, then the values, big-endian, in C order. MNIST images are
``0x00000803`` (uint8, 3 dims: N, 28, 28) and labels ``0x00000801`` (uint8, 1 dim: N).
Files may be gzip-compressed, as they usually are when downloaded.

Every problem with a file raises :class:`DataError` with a message naming the file, because
users point tuicnn at their own downloads and need to know which one is broken.
"""

from __future__ import annotations

import gzip
import zlib
from os import PathLike
from pathlib import Path

import numpy as np

from tuicnn.data.errors import DataError

# IDX dtype code -> big-endian NumPy dtype (the full table from the MNIST page).
_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dtype.newbyteorder("="): code for code, dtype in _DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path) -> bytes:
    """Return the file's content, decompressed if it is gzip (by suffix or by magic bytes)."""
    if not path.exists():
        raise DataError(f"{path} does not exist.")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise DataError(f"{path} cannot be read ({e.strerror or e}).") from e
    if path.suffix == ".gz" or data.startswith(_GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise DataError(f"{path} is not a valid gzip file ({e}).") from e
    return data


def read_idx(path: str | PathLike[str]) -> np.ndarray:
    """Read an IDX file, plain or gzip-compressed.

    Args:
        path: file to read; ``.gz`` files (or any file starting with the gzip magic
            bytes) are decompressed in memory.

    Returns:
        The array with the shape stored in the header, in native byte order: for MNIST,
        images (N, 28, 28) uint8 or labels (N,) uint8. uint8 arrays are read-only views
        of the file's bytes (no copy of a 47 MB training set); copy before writing.

    Raises:
        DataError: the file is missing or unreadable, is not valid gzip, does not start
            with an IDX magic number, uses an unknown dtype code, or holds fewer or more
            bytes than its header promises.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise DataError(f"{path} is too short to be an IDX file ({len(data)} bytes).")
    if data[:2] != b"\0\0":
        raise DataError(
            f"{path} is not an IDX file: its magic number is 0x{data[:4].hex()}, "
            "but IDX magic numbers start with 0x0000."
        )
    code, ndim = data[2], data[3]
    if code not in _DTYPES:
        raise DataError(f"{path} uses IDX data type code 0x{code:02x}, which is not supported.")
    if ndim == 0:
        raise DataError(f"{path} declares 0 dimensions; an IDX array needs at least one.")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path} is truncated: its header is cut short after {len(data)} bytes.")
    shape = tuple(int(n) for n in np.frombuffer(data, ">u4", count=ndim, offset=4))
    dtype = _DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(data) - header
    if actual < expected:
        raise DataError(
            f"{path} is truncated: its header promises {expected:,} bytes of data "
            f"for shape {shape}, but only {actual:,} are there."
        )
    if actual > expected:
        raise DataError(
            f"{path} has {actual - expected:,} unexpected bytes after the {expected:,} bytes "
            f"of data its header promises for shape {shape}."
        )
    array = np.frombuffer(data, dtype, count=expected // dtype.itemsize, offset=header)
    return array.reshape(shape).astype(dtype.newbyteorder("="), copy=False)


def write_idx(path: str | PathLike[str], array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzip-compressed if ``path`` ends with ``.gz``.

    The output is deterministic (the gzip header carries no timestamp), so the same array
    always gives the same bytes.

    Args:
        path: destination file.
        array: any shape with 1 to 255 dims, dtype uint8, int8, int16, int32, float32 or
            float64; e.g. images (N, 28, 28) uint8 or labels (N,) uint8.

    Raises:
        ValueError: the dtype or number of dimensions cannot be stored in IDX.
    """
    path = Path(path)
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _CODES:
        raise ValueError(
            f"IDX cannot store dtype {array.dtype}; use one of {sorted(map(str, _CODES))}."
        )
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX needs 1 to 255 dimensions, got {array.ndim}.")
    code = _CODES[native]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    data = header + np.ascontiguousarray(array, _DTYPES[code]).tobytes()
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
