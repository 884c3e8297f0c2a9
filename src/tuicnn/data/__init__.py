"""Data layer: the bundled MNIST subset, IDX files, and train/test splits (no Textual here).

Names are imported from their submodules on first use (:mod:`tuicnn.lazy_exports`), so
``from tuicnn.data import DataError`` does not import NumPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_exports

_EXPORTS = {
    "DIGIT_NAMES": "dataset", "FASHION_NAMES": "dataset", "Split": "dataset",
    "bundled_split": "dataset", "find_idx_files": "dataset", "idx_split": "dataset",
    "load_bundled": "dataset", "to_input": "dataset",
    "DataError": "errors",
    "read_idx": "idx", "write_idx": "idx",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from .dataset import (
        DIGIT_NAMES,
        FASHION_NAMES,
        Split,
        bundled_split,
        find_idx_files,
        idx_split,
        load_bundled,
        to_input,
    )
    from .errors import DataError
    from .idx import read_idx, write_idx
