"""The command-line grammar: ``tuicnn [options]``, ``tuicnn train ...``, ``tuicnn shift-test ...``.

Parsing only. Value ranges are checked by the commands against the engine's ``LIMITS``, so
the CLI and the UI reject the same values with the same words; the help texts quote
``LIMITS`` too, so no range is written down twice.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from tuicnn import __version__
from tuicnn.nn.config import LIMITS

PROG = "tuicnn"
MODELS = ("fc", "cnn", "both")
DATASETS = ("mnist", "fashion")
TRAIN_SIZE_HELP = ("training images, class-balanced (default: 1000; up to 4,000 of the bundled "
                   "digits, or the whole training file of IDX data, e.g. 60000)")


class UsageError(Exception):
    """A command line that cannot run; ``main`` prints it as one line and exits with 2."""


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that raises ``UsageError`` instead of printing usage and exiting.

    argparse's own ``error`` prints the whole usage block and calls ``sys.exit(2)``. We want
    exactly one ``tuicnn: error: ...`` line, and ``main`` to return its exit code so tests and
    other callers can run it in-process. Sub-parsers inherit this class.
    """

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _limits(name: str) -> str:
    """``LIMITS[name]`` for a help text, whole numbers in full (``0 to 4294967295``)."""
    return " to ".join(str(int(v)) if float(v).is_integer() else f"{v:g}" for v in LIMITS[name])


def build_parser() -> argparse.ArgumentParser:
    """The ``tuicnn`` parser with its ``train`` and ``shift-test`` sub-commands.

    The top-level ``--data-dir``/``--seed`` belong to the app (no sub-command) and use their
    own destinations: argparse copies a sub-parser's defaults over the parent's values, so
    sharing ``seed`` would silently drop ``tuicnn --seed 3 train``'s seed.
    """
    parser = _Parser(
        prog=PROG,
        description="A terminal playground for convolutional neural networks. "
        "Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--data-dir", dest="app_data_dir", metavar="DIR",
                        help="open the app on MNIST-style IDX files in DIR (default: the "
                        "bundled 5,000 digits)")
    parser.add_argument("--dataset", dest="app_dataset", choices=DATASETS,
                        help="mnist = the bundled digits, fashion = Debian's Fashion-MNIST "
                        "(package dataset-fashion-mnist)")
    parser.add_argument("--seed", dest="app_seed", type=int, metavar="S",
                        help=f"seed for the app's data split and models ({_limits('seed')}; "
                        "default: 0, or the loaded models' seed with --load)")
    parser.add_argument("--load", dest="app_load", metavar="FILE",
                        help="start with the FC and CNN saved in FILE (by ctrl+s or "
                        "'tuicnn train --save')")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    train = commands.add_parser(
        "train",
        help="train FC and/or CNN without the UI",
        description="Train the fully-connected network and/or the CNN on the same split and "
        "seed (so both see the same batches), printing a table or JSON lines.",
    )
    train.add_argument("--model", choices=MODELS, default="both",
                       help="which network(s) to train; both = FC, then CNN (default: both)")
    train.add_argument("--epochs", type=int, default=5, metavar="N",
                       help=f"passes over the training set, {_limits('epochs')} (default: 5)")
    train.add_argument("--batch-size", type=int, default=64, metavar="B",
                       help=f"images per step, {_limits('batch_size')} (default: 64)")
    train.add_argument("--hidden", type=int, default=128, metavar="H",
                       help=f"FC hidden units, {_limits('hidden')} (default: 128)")
    train.add_argument("--filters", type=int, default=8, metavar="F",
                       help=f"CNN first-layer filters (the second has 2F), {_limits('filters')} "
                       "(default: 8)")
    train.add_argument("--lr", type=float, default=1e-3, metavar="LR",
                       help=f"Adam learning rate, {_limits('lr')} (default: 0.001)")
    train.add_argument("--seed", type=int, default=0, metavar="S",
                       help=f"seed for the split, the weights and the batch order, "
                       f"{_limits('seed')} (default: 0)")
    train.add_argument("--train-size", type=int, default=1000, metavar="N",
                       help=TRAIN_SIZE_HELP)
    train.add_argument("--test-size", type=int, default=1000, metavar="N",
                       help="test images, disjoint from training (default: 1000)")
    add_data_options(train)
    train.add_argument("--json", action="store_true",
                       help="print one JSON object per finished epoch on stdout, nothing else")
    train.add_argument("--save", metavar="FILE",
                       help="after training, save both models to FILE (.npz; needs --model "
                       "both) for 'tuicnn --load' and 'tuicnn shift-test --load'")
    train.add_argument("--export-history", metavar="FILE",
                       help="after training, write every epoch's numbers to FILE.csv or "
                       "FILE.json")
    train.add_argument("--force", action="store_true",
                       help="let --save and --export-history replace existing files")

    from tuicnn.cli.shift_command import configure_parser  # NumPy-only, like this module

    shift = commands.add_parser(
        "shift-test",
        help="how FC and CNN accuracy falls as test digits move",
        description="Train the FC and the CNN (or --load saved ones), then measure their test "
        "accuracy with every test digit shifted 0..K pixels, printing a table or JSON lines.",
    )
    configure_parser(shift)
    add_data_options(shift)
    return parser


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
