"""End the app when its terminal goes away, instead of spinning on end of file.

When an SSH connection drops, the kernel normally sends the app SIGHUP and it ends. A
terminal can also vanish without one: its pseudo-terminal closed by a program that never
made it the controlling terminal (a session manager, a test harness, a web terminal).
Textual's input thread then reads end of file in a loop, and an app nobody can see keeps
half a core busy for good: three such apps, left behind by a benchmark, used 49 % of a CPU
each for over an hour on a two-core classroom machine.

The watcher is a thread blocked in ``poll()`` on the terminal asking for *no* event: a
hang-up, an error or a closed descriptor is reported whatever is asked for, and nothing
else wakes it, so it costs nothing while the terminal lives.
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Callable


def watch_for_hangup(fd: int, on_hangup: Callable[[], None]) -> threading.Thread | None:
    """Call ``on_hangup`` (from a thread of its own) once terminal ``fd`` hangs up.

    Returns the watching thread, or None where there is nothing to watch (``fd`` is not a
    terminal, or the platform has no ``poll``).
    """
    if not hasattr(select, "poll"):
        return None
    try:
        if not os.isatty(fd):
            return None
    except OSError:
        return None

    def wait() -> None:
        poller = select.poll()
        poller.register(fd, 0)  # POLLHUP, POLLERR and POLLNVAL come unasked
        while not poller.poll():
            pass
        on_hangup()

    thread = threading.Thread(target=wait, name="tuicnn-hangup", daemon=True)
    thread.start()
    return thread
