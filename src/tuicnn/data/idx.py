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
import math
import zlib
from os import PathLike
from pathlib import Path
from typing import BinaryIO

import numpy as np

from tuicnn.data.errors import DataError
from tuicnn.data.files import PathProblem, open_regular, reason

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
MAX_IDX_BYTES = 2**31
"""The most data an IDX file may promise (2 GiB). MNIST's training images are 47 MB and
EMNIST's largest file about 0.6 GB; a header claiming more is refused before anything is
allocated or decompressed."""
_CHUNK = 1 << 20


def _open(path: Path) -> BinaryIO:
    """The file's bytes as a stream, through gzip if it is compressed (by suffix or magic).

    Only a regular file is opened, so ``/dev/zero`` or a FIFO is refused instead of read
    forever.
    """
    try:
        raw = open_regular(path)
    except PathProblem as problem:
        if str(problem) == "the file does not exist":
            raise DataError(f"{path} does not exist.") from None
        raise DataError(f"{path} cannot be read: {problem}.") from None
    try:
        magic = raw.read(2)
        raw.seek(0)
    except OSError as e:
        raw.close()
        raise DataError(f"{path} cannot be read ({reason(e)}).") from None
    if path.suffix == ".gz" or magic == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")  # closing it does not close ``raw``
    return raw


def _read_exactly(stream: BinaryIO, size: int, path: Path) -> bytes:
    """Up to ``size`` bytes (fewer only at the end), in chunks, as a gzip error says."""
    try:
        buffer = bytearray()
        while len(buffer) < size:
            chunk = stream.read(min(_CHUNK, size - len(buffer)))
            if not chunk:
                break
            buffer += chunk
        return bytes(buffer)
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(f"{path} is not a valid gzip file ({e}).") from None


def read_idx(path: str | PathLike[str]) -> np.ndarray:
    """Read an IDX file, plain or gzip-compressed.

    The header is read and checked first; the data is then read (or decompressed) only up
    to the size the header implies plus one byte, so a small ``.gz`` that expands to
    gigabytes, or a header promising more than :data:`MAX_IDX_BYTES`, costs nothing.

    Args:
        path: file to read; ``.gz`` files (or any file starting with the gzip magic
            bytes) are decompressed as they are read.

    Returns:
        The array with the shape stored in the header, in native byte order: for MNIST,
        images (N, 28, 28) uint8 or labels (N,) uint8. uint8 arrays are read-only views
        of the file's bytes (no copy of a 47 MB training set); copy before writing.

    Raises:
        DataError: the file is missing, unreadable or not a regular file, is not valid
            gzip, does not start with an IDX magic number, uses an unknown dtype code,
            promises too much data, or holds fewer or more bytes than its header promises.
    """
    path = Path(path)
    stream = _open(path)
    raw = getattr(stream, "fileobj", None)
    try:
        return _parse(path, stream)
    finally:
        stream.close()
        if raw is not None:
            raw.close()


def _parse(path: Path, stream: BinaryIO) -> np.ndarray:
    start = _read_exactly(stream, 4, path)
    if len(start) < 4:
        raise DataError(f"{path} is too short to be an IDX file ({len(start)} bytes).")
    if start[:2] != b"\0\0":
        raise DataError(
            f"{path} is not an IDX file: its magic number is 0x{start[:4].hex()}, "
            "but IDX magic numbers start with 0x0000."
        )
    code, ndim = start[2], start[3]
    if code not in _DTYPES:
        raise DataError(f"{path} uses IDX data type code 0x{code:02x}, which is not supported.")
    if ndim == 0:
        raise DataError(f"{path} declares 0 dimensions; an IDX array needs at least one.")
    dims = _read_exactly(stream, 4 * ndim, path)
    if len(dims) < 4 * ndim:
        raise DataError(
            f"{path} is truncated: its header is cut short after {4 + len(dims)} bytes."
        )
    shape = tuple(int.from_bytes(dims[i:i + 4], "big") for i in range(0, 4 * ndim, 4))
    dtype = _DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize  # Python ints: no wrap-around
    if expected > MAX_IDX_BYTES:
        raise DataError(
            f"{path} has a header promising {expected:,} bytes of data for shape {shape}, "
            f"more than the {MAX_IDX_BYTES:,} tuicnn reads; the file is damaged or not a "
            "data set."
        )
    data = _read_exactly(stream, expected + 1, path)
    actual = len(data)
    if actual < expected:
        raise DataError(
            f"{path} is truncated: its header promises {expected:,} bytes of data "
            f"for shape {shape}, but only {actual:,} are there."
        )
    if actual > expected:
        following = _read_exactly(stream, _CHUNK, path)
        rest = actual - expected + len(following)
        more = "at least " if len(following) == _CHUNK else ""
        raise DataError(
            f"{path} has {more}{rest:,} unexpected bytes after the {expected:,} bytes "
            f"of data its header promises for shape {shape}."
        )
    array = np.frombuffer(data, dtype, count=expected // dtype.itemsize)
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
