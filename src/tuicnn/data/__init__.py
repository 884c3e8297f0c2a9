"""Data layer: the bundled MNIST subset, IDX files, and train/test splits (no Textual here)."""

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
from tuicnn.data.idx import read_idx, write_idx

__all__ = [
    "DIGIT_NAMES",
    "FASHION_NAMES",
    "DataError",
    "Split",
    "bundled_split",
    "find_idx_files",
    "idx_split",
    "load_bundled",
    "read_idx",
    "to_input",
    "write_idx",
]
