"""What every ``tuicnn`` command shares: the program name, the one-line usage error, the
parser class that raises it, and the data options.

Parsing only, and no NumPy: every command module builds its own options from these.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, NoReturn

from tuicnn.nn.config import LIMITS

if TYPE_CHECKING:
    from tuicnn.session.workspace import ModelRecord

PROG = "tuicnn"
MODELS = ("fc", "cnn", "both")
DATASETS = ("mnist", "fashion")
TRAIN_SIZE_HELP = ("training images, class-balanced (default: 1000; up to 4,000 of the bundled "
                   "digits, or the whole training file of IDX data, e.g. 60000)")


class UsageError(Exception):
    """A command line that cannot run; ``main`` prints it as one line and exits with 2."""


class CliParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that raises ``UsageError`` instead of printing usage and exiting.

    argparse's own ``error`` prints the whole usage block and calls ``sys.exit(2)``. We want
    exactly one ``tuicnn: error: ...`` line, and ``main`` to return its exit code so tests and
    other callers can run it in-process. Sub-parsers inherit this class.
    """

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def limits_text(name: str) -> str:
    """``LIMITS[name]`` for a help text, whole numbers in full (``0 to 4294967295``)."""
    return " to ".join(str(int(v)) if float(v).is_integer() else f"{v:g}" for v in LIMITS[name])


def add_data_options(parser: argparse.ArgumentParser) -> None:
    """``--data-dir`` and ``--dataset``, the same for every command that reads data.

    They exclude each other; that is checked when the data is resolved (one message for
    the app and every command) rather than with an argparse group, whose message is
    phrased differently.
    """
    parser.add_argument("--data-dir", metavar="DIR",
                        help="MNIST-style IDX files in DIR instead of the bundled digits")
    parser.add_argument("--dataset", choices=DATASETS,
                        help="mnist = the bundled digits (default), fashion = Debian's "
                        "Fashion-MNIST (package dataset-fashion-mnist)")


def load_records(path: str) -> tuple[ModelRecord, ModelRecord]:
    """The FC and CNN records saved in ``path`` (``--load``), for any command.

    Raises:
        UsageError: the model file's one-sentence ``ModelFileError``.
    """
    from tuicnn.session.model_file import ModelFileError, load_models  # NumPy: on use only

    try:
        return load_models(path)
    except ModelFileError as error:
        raise UsageError(str(error)) from None
