"""Bytes the app writes to its terminal: what a learner pays over SSH, phase by phase.

The app runs in a pseudo-terminal of a fixed size (as ``ssh -t`` gives it one), keys are
typed into it, and every byte it writes is counted with a time stamp. The reference, in
the same run, is a minimal Textual app whose only activity is a label updated once a
second (a clock), the least any live Textual screen costs.

Phases (each waits for the output to settle, or a fixed time where the phase is "idle"):
start-up; idle on the Train tab; a first and a later visit to Explore, Draw, Shift test and
Architectures; a default training run (5 epochs of both models, from ``t`` until the output
has been quiet for a while).

Usage: ``python benchmarks/bench_ssh_bytes.py [--size 100x30] [--idle 5]``
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

MINIMAL = r"""
from datetime import datetime
from textual.app import App
from textual.widgets import Footer, Header, Static

class Clock(App):
    def compose(self):
        yield Header()
        yield Static(id="clock")
        yield Footer()

    def on_mount(self):
        self.set_interval(1.0, lambda: self.query_one("#clock", Static).update(
            datetime.now().strftime("%H:%M:%S")))

Clock().run()
"""

#: F-keys as an xterm sends them.
KEYS = {"f2": "\x1bOQ", "f3": "\x1bOR", "f4": "\x1bOS", "f5": "\x1b[15~", "f6": "\x1b[17~"}


class Terminal:
    """A child process on a pseudo-terminal; a thread counts what it writes."""

    def __init__(self, argv: list[str], cols: int, rows: int) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols),
               "LINES": str(rows)}
        env.pop("NO_COLOR", None)
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                        env=env, start_new_session=True)
        os.close(slave)
        self.chunks: list[tuple[float, int]] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if not ready:
                if self.process.poll() is not None:
                    return
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.chunks.append((time.monotonic(), len(data)))

    def total(self) -> int:
        with self._lock:
            return sum(n for _, n in self.chunks)

    def last_write(self) -> float:
        with self._lock:
            return self.chunks[-1][0] if self.chunks else 0.0

    def send(self, text: str) -> None:
        os.write(self.master, text.encode())

    def settle(self, quiet: float, limit: float) -> int:
        """Bytes written from now until nothing was written for ``quiet`` seconds (counted
        from the first byte written after now, so a slow start is not taken for quiet)."""
        start, t0 = self.total(), time.monotonic()
        while self.total() == start and time.monotonic() - t0 < limit:
            time.sleep(0.02)
        time.sleep(quiet)
        while time.monotonic() - t0 < limit and time.monotonic() - self.last_write() < quiet:
            time.sleep(0.05)
        return self.total() - start

    def check_alive(self, phase: str) -> None:
        """Stop the benchmark if the app has ended: its figures would read as zero bytes."""
        if self.process.poll() is not None:
            raise SystemExit(f"the app ended (exit {self.process.returncode}) during {phase}")

    def idle(self, seconds: float) -> float:
        """Bytes per second written while nothing is typed."""
        start = self.total()
        time.sleep(seconds)
        return (self.total() - start) / seconds

    def close(self) -> None:
        with_suppress_kill(self.process)
        os.close(self.master)


def with_suppress_kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100x30", help="COLSxROWS (default: 100x30)")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds per idle phase")
    parser.add_argument("--train-quiet", type=float, default=3.0,
                        help="a run has ended when nothing was written for this long")
    args = parser.parse_args()
    cols, rows = (int(v) for v in args.size.split("x"))
    with open("/proc/loadavg") as loadavg:
        print(f"terminal {cols}x{rows}; load {' '.join(loadavg.read().split()[:3])}")

    ref = Terminal([sys.executable, "-c", MINIMAL], cols, rows)
    ref_start = ref.settle(quiet=1.5, limit=20)
    ref_idle = ref.idle(args.idle)
    ref.close()

    app = Terminal([sys.executable, "-m", "tuicnn"], cols, rows)
    rows_out: list[tuple[str, str]] = []
    rows_out.append(("start-up", f"{app.settle(quiet=1.5, limit=30):,} B"))
    rows_out.append(("idle on Train", f"{app.idle(args.idle):.0f} B/s"))
    for visit in ("first", "later"):
        for key, name in (("f3", "Explore"), ("f4", "Draw"), ("f5", "Shift test"),
                          ("f6", "Architectures"), ("f2", "Train")):
            app.send(KEYS[key])
            rows_out.append((f"{visit} visit: {name}", f"{app.settle(1.5, 20):,} B"))
            app.check_alive(rows_out[-1][0])
    for key, name in (("f3", "Explore"), ("f4", "Draw"), ("f5", "Shift test"),
                      ("f6", "Architectures"), ("f2", "Train")):
        app.send(KEYS[key])
        app.settle(1.5, 20)
        rows_out.append((f"idle on {name}", f"{app.idle(args.idle):.0f} B/s"))
    app.send("t")
    t0 = time.monotonic()
    run_bytes = app.settle(quiet=args.train_quiet, limit=300)
    rows_out.append(("default training run (t to quiet)",
                     f"{run_bytes:,} B in {time.monotonic() - t0 - args.train_quiet:.1f} s"))
    rows_out.append(("idle after the run", f"{app.idle(args.idle):.0f} B/s"))
    app.check_alive("the training run")
    app.close()

    width = max(len(name) for name, _ in rows_out) + 2
    print(f"{'reference: minimal Textual app, 1 Hz clock':<{width}}")
    print(f"  {'start-up':<{width}}{ref_start:,} B")
    print(f"  {'idle':<{width}}{ref_idle:.0f} B/s")
    print("tuicnn")
    for name, value in rows_out:
        print(f"  {name:<{width}}{value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
