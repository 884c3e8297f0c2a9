"""``--dataset {mnist,fashion}``: named data sets as a shortcut for ``--data-dir``.

``mnist`` is the bundled 5,000 digits (no directory); ``fashion`` is Debian's Fashion-MNIST
in :data:`FASHION_DIR`, installed by the ``dataset-fashion-mnist`` package. Resolving the
name here, before any data is read, lets every command say in one line what is missing and
how to get it, instead of a bare "directory does not exist".
"""

from __future__ import annotations

from pathlib import Path

from tuicnn.cli.common import DATASETS, UsageError

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_PACKAGE = "dataset-fashion-mnist"


def resolve_data_dir(data_dir: str | None, dataset: str | None,
                     fashion_dir: Path | None = None) -> str | None:
    """The IDX directory to read, or None for the bundled digits.

    Args:
        data_dir: ``--data-dir``, if given.
        dataset: ``--dataset``, if given (one of :data:`DATASETS`).
        fashion_dir: where Fashion-MNIST is looked for (default: :data:`FASHION_DIR`, read
            at call time so tests can point it elsewhere).

    Raises:
        UsageError: both options were given (they name the data twice), or Fashion-MNIST is
            not installed (the message names the Debian package).
    """
    if data_dir is not None and dataset is not None:
        raise UsageError("use --data-dir or --dataset, not both (they both choose the data)")
    if dataset is None or dataset == "mnist":
        return data_dir
    if dataset != "fashion":
        raise UsageError(f"dataset must be one of {', '.join(DATASETS)}, not {dataset!r}")
    fashion_dir = FASHION_DIR if fashion_dir is None else fashion_dir
    if not fashion_dir.is_dir():
        raise UsageError(f"Fashion-MNIST is not installed ({fashion_dir} is missing): install "
                         f"the Debian package {FASHION_PACKAGE}, or pass --data-dir DIR")
    return str(fashion_dir)
