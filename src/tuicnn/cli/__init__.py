"""The ``tuicnn`` command: the app by default; ``train`` and ``shift-test`` run headless.

Importing this package stays light (no Textual): the app is imported only when launched,
so ``tuicnn train`` and ``tuicnn --version`` work fast, and on machines without a usable
terminal UI.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from tuicnn.cli.args import PROG, UsageError, build_parser

#: Exit codes: 0 done, 1 the app cannot start, 2 bad usage or data, 130 Ctrl-C (128 + SIGINT).
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _launch_app(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Open the Textual app via ``tuicnn.app.run_app(data_dir, seed)``; help if there is none.

    ``--dataset`` is resolved to a directory here, so the app only ever sees ``data_dir``.
    ``load`` is passed only when ``--load`` is given, and then ``seed`` may be None ("the
    loaded models' seed"): a ``run_app`` that predates loading keeps working without it.
    The app module is written separately and may not exist yet (or lack ``run_app``): then
    the command still works and shows its help instead of failing.
    """
    from tuicnn.cli.datasets import resolve_data_dir

    data_dir = resolve_data_dir(args.app_data_dir, args.app_dataset)
    seed = 0 if args.app_seed is None else args.app_seed
    try:
        from tuicnn.nn import check_range

        check_range("seed", seed)
    except ValueError as error:
        raise UsageError(str(error)) from None
    try:
        app = importlib.import_module("tuicnn.app")
    except ModuleNotFoundError as error:
        if error.name != "tuicnn.app":  # the app exists, one of its dependencies does not
            print(f"{PROG}: error: the app cannot start: {error}", file=sys.stderr)
            return 1
        app = None
    run_app = getattr(app, "run_app", None)
    if run_app is None:
        parser.print_help()
        return 0
    if args.app_load is not None:
        return run_app(data_dir=data_dir, seed=args.app_seed, load=args.app_load)
    return run_app(data_dir=data_dir, seed=seed)


#: App options (their destinations) and how they are spelt, to say which are misplaced.
_APP_OPTIONS = {"app_data_dir": "--data-dir", "app_dataset": "--dataset", "app_seed": "--seed",
                "app_load": "--load"}


def _dispatch(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    args = parser.parse_args(argv)
    if args.command is None:
        return _launch_app(parser, args)
    misplaced = [flag for dest, flag in _APP_OPTIONS.items() if getattr(args, dest) is not None]
    if args.command == "train" and args.app_load is not None:
        raise UsageError(f"'{PROG} train' trains new models; to use saved ones, run "
                         f"'{PROG} --load FILE' or '{PROG} shift-test --load FILE'")
    if misplaced:
        verb = "goes" if len(misplaced) == 1 else "go"
        raise UsageError(f"{' and '.join(misplaced)} {verb} after the command, e.g. "
                         f"'{PROG} {args.command} --seed 3'")
    if args.command == "shift-test":
        from tuicnn.cli.shift_command import run_shift_test

        return run_shift_test(args)
    from tuicnn.cli.train_command import run_train  # NumPy and the engine, only when needed

    return run_train(args)


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
