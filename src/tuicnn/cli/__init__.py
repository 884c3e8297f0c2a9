"""The ``tuicnn`` command: the app by default; the commands of ``args.COMMANDS`` run headless.

Importing this package stays light (no Textual): the app is imported only when launched,
so ``tuicnn train`` and ``tuicnn --version`` work fast, and on machines without a usable
terminal UI.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from tuicnn.cli.args import build_parser
from tuicnn.cli.common import PROG, UsageError

#: Exit codes: 0 done, 1 the app cannot start, 2 bad usage or data, 130 Ctrl-C (128 + SIGINT).
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _launch_app(args: argparse.Namespace) -> int:
    """Open the Textual app via ``tuicnn.app.run_app``.

    ``--dataset`` is resolved to a directory here, so the app only ever sees ``data_dir``.
    With ``--load`` the seed may stay None: the loaded models' own seed.
    """
    from tuicnn.cli.datasets import resolve_data_dir
    from tuicnn.nn.config import check_range

    data_dir = resolve_data_dir(args.app_data_dir, args.app_dataset)
    seed = 0 if args.app_seed is None else args.app_seed
    try:
        check_range("seed", seed)
    except ValueError as error:
        raise UsageError(str(error)) from None
    try:
        from tuicnn.app import run_app
    except ModuleNotFoundError as error:  # a dependency of the app is missing
        print(f"{PROG}: error: the app cannot start: {error}", file=sys.stderr)
        return 1
    if args.app_load is not None:
        return run_app(data_dir=data_dir, seed=args.app_seed, load=args.app_load)
    return run_app(data_dir=data_dir, seed=seed)


#: App options (their destinations) and how they are spelt, to say which are misplaced.
_APP_OPTIONS = {"app_data_dir": "--data-dir", "app_dataset": "--dataset", "app_seed": "--seed",
                "app_load": "--load"}


def _dispatch(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    args = parser.parse_args(argv)
    if args.command is None:
        return _launch_app(args)
    misplaced = [flag for dest, flag in _APP_OPTIONS.items() if getattr(args, dest) is not None]
    if args.command == "train" and args.app_load is not None:
        raise UsageError(f"'{PROG} train' trains new models; to use saved ones, run "
                         f"'{PROG} --load FILE' or '{PROG} shift-test --load FILE'")
    if misplaced:
        verb = "goes" if len(misplaced) == 1 else "go"
        raise UsageError(f"{' and '.join(misplaced)} {verb} after the command, e.g. "
                         f"'{PROG} {args.command} --seed 3'")
    return args.run(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tuicnn`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit code.

    Every expected failure is one ``tuicnn: error: ...`` line on stderr and exit code 2;
    Ctrl-C is one ``tuicnn: interrupted`` line and 130. Never raises ``SystemExit``, so it can
    be called in-process (tests) as well as from the console script.
    """
    parser = build_parser()
    try:
        return _dispatch(parser, argv)
    except UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as done:  # --help and --version print, then exit through argparse
        return done.code if isinstance(done.code, int) else 0
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `tuicnn train --json | head -1`): stop quietly, and point
        # stdout at /dev/null so the interpreter's final flush does not raise again.
        with contextlib.suppress(OSError, ValueError):  # no real file descriptor: nothing to do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13  # SIGPIPE, as a shell reports a command killed by it
