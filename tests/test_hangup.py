"""A terminal that goes away ends the app (instead of Textual spinning on end of file)."""

import os
import select
import subprocess
import sys
import threading
import time

import pytest

from tuicnn.hangup import watch_for_hangup

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs pseudo-terminals")


def test_input_does_not_wake_the_watcher_and_a_hang_up_does():
    master, slave = os.openpty()
    called = threading.Event()
    try:
        thread = watch_for_hangup(slave, called.set)
        assert thread is not None
        os.write(master, b"typed keys\n")  # readable input: not a hang-up
        assert not called.wait(0.3)
    finally:
        os.close(master)
    try:
        assert called.wait(5), "closing the terminal was not noticed"
    finally:
        os.close(slave)


def test_nothing_is_watched_when_the_input_is_not_a_terminal():
    read, write = os.pipe()
    try:
        assert watch_for_hangup(read, lambda: None) is None
    finally:
        os.close(read)
        os.close(write)


def test_the_app_ends_when_its_terminal_is_closed_without_a_sighup():
    master, slave = os.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24")
    app = subprocess.Popen([sys.executable, "-m", "tuicnn"], stdin=slave, stdout=slave,
                           stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    try:
        started = time.monotonic()
        written = b""
        while len(written) < 2000 and time.monotonic() - started < 30:  # its first frame
            if select.select([master], [], [], 1.0)[0]:
                written += os.read(master, 65536)
        assert len(written) >= 2000, "the app drew nothing"
        os.close(master)
        master = -1
        app.wait(timeout=15)  # raises TimeoutExpired if it is still running
    finally:
        if master >= 0:
            os.close(master)
        if app.poll() is None:
            app.kill()
            app.wait()
