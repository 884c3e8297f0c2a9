"""The command-line grammar: ``tuicnn [options]`` opens the app; ``tuicnn COMMAND ...`` runs
a command headless.

Parsing only. Value ranges are checked by the commands against the engine's ``LIMITS``, so
the CLI and the UI reject the same values with the same words. Each command's module adds
its own options (``configure_parser``) and names its runner (``run``); this module lists the
commands in the order ``--help`` shows them.
"""

from __future__ import annotations

import argparse

from tuicnn import __version__
from tuicnn.cli import (
    analyze_command,
    exercises_command,
    explain_command,
    shift_command,
    train_command,
)
from tuicnn.cli.common import DATASETS, PROG, CliParser, limits_text

#: The commands, in the order ``--help`` lists them.
COMMANDS = (
    ("train", train_command),
    ("shift-test", shift_command),
    ("explain", explain_command),
    ("exercises", exercises_command),
    ("analyze", analyze_command),
)


def build_parser() -> argparse.ArgumentParser:
    """The ``tuicnn`` parser with a sub-parser per command of :data:`COMMANDS`.

    The top-level ``--data-dir``/``--seed`` belong to the app (no sub-command) and use their
    own destinations: argparse copies a sub-parser's defaults over the parent's values, so
    sharing ``seed`` would silently drop ``tuicnn --seed 3 train``'s seed.
    """
    parser = CliParser(
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
                        help=f"seed for the app's data split and models ({limits_text('seed')}; "
                        "default: 0, or the loaded models' seed with --load)")
    parser.add_argument("--load", dest="app_load", metavar="FILE",
                        help="start with the FC and CNN saved in FILE (by ctrl+s or "
                        "'tuicnn train --save')")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS:
        module.configure_parser(commands.add_parser(name, help=module.HELP,
                                                    description=module.DESCRIPTION))
    return parser
