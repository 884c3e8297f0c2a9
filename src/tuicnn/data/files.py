"""Opening user-named files without hanging, crashing or hiding why it failed (no Textual).

Users type paths into the app's prompts and the CLI, and some are hostile by accident:
``~nosuchuser/x``, a 300-character name, a folder they cannot enter, ``/dev/zero``, a FIFO.
Python answers those with ``RuntimeError``, ``OSError(ENAMETOOLONG)``, ``PermissionError``,
an endless read or a read that blocks forever. Everything here turns them into one short
reason (``"permission denied"``, ``"it is a device, not a regular file"``) that the caller puts
into its own one-line message naming the file, and refuses what is not a regular file
*before* reading a byte of it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO


class PathProblem(Exception):
    """A path cannot be used; the message is a short reason, e.g. ``"permission denied"``."""


#: ``st_mode`` file types -> how to name them in a message.
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def expand(text: str | os.PathLike[str]) -> Path:
    """``Path(text).expanduser()``, with a clear reason when ``~user`` names nobody.

    Raises:
        PathProblem: ``~name`` names no user on this machine, or the home directory is unknown.
    """
    path = Path(text)
    try:
        return path.expanduser()
    except RuntimeError:  # pathlib: "Could not determine home directory."
        head = str(path).split(os.sep, 1)[0]
        raise PathProblem(f"{head} is not a user on this machine") from None


def reason(error: OSError) -> str:
    """A short reason for an ``OSError``: its ``strerror`` (``"Permission denied"``)."""
    if error.errno == errno.ENAMETOOLONG:
        return "the name is too long (a file name can have at most 255 bytes)"
    return error.strerror or str(error) or type(error).__name__


def kind_of(mode: int) -> str | None:
    """``"a directory"``, ``"a device"``... for anything but a regular file, else None."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "a special file"


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open ``path`` for reading in binary mode, only if it is a regular file.

    ``O_NONBLOCK`` makes opening a FIFO return at once instead of waiting for a writer; the
    file type is then checked on the open descriptor (no race with a rename), and the flag
    cleared for ordinary reads.

    Raises:
        PathProblem: missing, unreadable, too long a name, or not a regular file (directory,
            device such as ``/dev/zero``, FIFO, socket).
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise PathProblem("the file does not exist") from None
    except IsADirectoryError:
        raise PathProblem("it is a directory") from None
    except OSError as error:
        raise PathProblem(reason(error)) from None
    try:
        mode = os.fstat(fd).st_mode
        kind = kind_of(mode)
        if kind is not None:
            raise PathProblem(f"it is {kind}, not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_writable_target(path: Path, overwrite: bool) -> None:
    """Refuse a save target that must not be replaced, before anything is written.

    Raises:
        PathProblem: the name is too long or cannot be looked at, it exists and is not a
            regular file (a directory, ``/dev/full``...: never replaced, even with
            ``overwrite``), or it exists and ``overwrite`` is False.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise PathProblem(f"{path.parent} is not a directory") from None
    except OSError as error:
        raise PathProblem(reason(error)) from None
    kind = kind_of(mode)
    if kind is not None:
        raise PathProblem(f"it is {kind}; only regular files are ever replaced")
    if not overwrite:
        raise PathProblem("the file already exists")


SHOWN_CHARS = 80
"""Longer names are shortened in messages, so a 300-character name still gives one line."""


def shown(path: str | os.PathLike[str]) -> str:
    """``path`` for a message: as typed, or its start and end around ``...`` if very long."""
    text = str(path)
    if len(text) <= SHOWN_CHARS:
        return text
    half = (SHOWN_CHARS - 3) // 2
    return f"{text[:half]}...{text[-half:]}"
