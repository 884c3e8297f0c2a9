"""Bytes the app writes to its terminal: what a learner pays over SSH, phase by phase.

The app runs in a pseudo-terminal of a fixed size (as ``ssh -t`` gives it one), keys are
typed into it, and every byte it writes is counted with a time stamp. The reference, in
the same run, is a minimal Textual app whose only activity is a label updated once a
second (a clock), the least any live Textual screen costs.

Phases (each waits for the output to settle, or a fixed time where the phase is "idle"):
start-up; idle on the Train tab; a first and a later visit to every tab (Explore, Draw,
Shift test, Architectures, Mechanics, Mistakes, then back to Train); idle on each tab; a
default training run (5 epochs of both models, from ``t`` until the output has been quiet
for a while), at the first size only unless ``--run-sizes``. Each figure is printed against
issue 18's target (15 KB a tab switch, 40 KB a default run, 0 B/s idle; 1 KB = 1,000 B)
with PASS or FAIL.

What the bytes were (found with a per-frame log of Textual's updates, 100x30, 256 colours):
a tab switch repainted ~3,000 cells in ~450 styled segments and ~120 line pieces; over half
the bytes were SGR codes (``ESC[...m text ESC[0m`` per segment) and cursor moves, and a
first visit drew the tab two or three times (every newly laid-out widget repaints once
more). A run's frames rewrote whole chart rows every second. ``screens/lean_updates.py``
now writes only the cells that changed.

A run's bytes grow with its length (a progress frame every 0.5 s, charts at most 1 Hz), and
its length with the machine's load: quote the load with the figure.

Usage: ``python benchmarks/bench_ssh_bytes.py [--sizes 100x30,80x24] [--idle 5]
[--term xterm] [--no-color]``
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
KEYS = {"f2": "\x1bOQ", "f3": "\x1bOR", "f4": "\x1bOS", "f5": "\x1b[15~", "f6": "\x1b[17~",
        "f7": "\x1b[18~", "f8": "\x1b[19~"}


class Terminal:
    """A child process on a pseudo-terminal; a thread counts what it writes."""

    def __init__(self, argv: list[str], cols: int, rows: int, term: str = "xterm-256color",
                 no_color: bool = False) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": term, "COLUMNS": str(cols), "LINES": str(rows)}
        env.pop("NO_COLOR", None)
        env.pop("COLORTERM", None)  # ssh does not pass it on: 256 colours for xterm-256color
        if no_color:
            env["NO_COLOR"] = "1"
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

    def settle(self, quiet: float, limit: float, since: int | None = None) -> int:
        """Bytes written from now until nothing was written for ``quiet`` seconds (counted
        from the first byte written after now, so a slow start is not taken for quiet).
        ``since``: a ``total()`` taken earlier, to count from then instead of now (a key
        sent to many terminals before waiting on each)."""
        start, t0 = self.total() if since is None else since, time.monotonic()
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


#: Targets of issue 18 (1 KB = 1,000 B here).
SWITCH_TARGET = 15_000
RUN_TARGET = 40_000

#: (key, tab name) in the order of the tab bar, Train last so a round ends where it began.
TABS = (("f3", "Explore"), ("f4", "Draw"), ("f5", "Shift test"), ("f6", "Architectures"),
        ("f7", "Mechanics"), ("f8", "Mistakes"), ("f2", "Train"))


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "FAIL"


def measure(cols: int, rows: int, args: argparse.Namespace, run: bool) -> list[tuple[str, str]]:
    """Every phase at one terminal size: (phase, figure with its target and verdict)."""
    app = Terminal([sys.executable, "-m", "tuicnn"], cols, rows, args.term, args.no_color)
    out: list[tuple[str, str]] = []

    def switch(label: str, value: int) -> None:
        out.append((label, f"{value:>7,} B   <= {SWITCH_TARGET:,}  "
                           f"{verdict(value, SWITCH_TARGET)}"))

    def idle(label: str, rate: float) -> None:
        out.append((label, f"{rate:>7.0f} B/s     0    {verdict(rate, 0)}"))

    out.append(("start-up", f"{app.settle(quiet=1.5, limit=30):>7,} B"))
    idle("idle on Train", app.idle(args.idle))
    for visit in ("first", "later"):
        for key, name in TABS:
            app.send(KEYS[key])
            switch(f"{visit} visit: {name}", app.settle(1.5, 20))
            app.check_alive(out[-1][0])
    for key, name in TABS:
        app.send(KEYS[key])
        app.settle(1.5, 20)
        idle(f"idle on {name}", app.idle(args.idle))
    if run:
        app.send("t")
        t0 = time.monotonic()
        run_bytes = app.settle(quiet=args.train_quiet, limit=300)
        seconds = time.monotonic() - t0 - args.train_quiet
        out.append(("default training run (t to quiet)",
                    f"{run_bytes:>7,} B   <= {RUN_TARGET:,}  {verdict(run_bytes, RUN_TARGET)}"
                    f"  ({seconds:.1f} s)"))
        idle("idle after the run", app.idle(args.idle))
        app.check_alive("the training run")
    app.close()
    return out


def reference(cols: int, rows: int, args: argparse.Namespace) -> tuple[int, float]:
    """Start-up bytes and idle bytes per second of the minimal Textual app."""
    ref = Terminal([sys.executable, "-c", MINIMAL], cols, rows, args.term, args.no_color)
    start = ref.settle(quiet=1.5, limit=20)
    rate = ref.idle(args.idle)
    ref.close()
    return start, rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100x30,80x24",
                        help="COLSxROWS,... (default: 100x30,80x24)")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds per idle phase")
    parser.add_argument("--train-quiet", type=float, default=3.0,
                        help="a run has ended when nothing was written for this long")
    parser.add_argument("--run-sizes", type=int, default=1,
                        help="train at this many of the sizes, from the first (default 1)")
    parser.add_argument("--term", default="xterm-256color",
                        help="TERM for both apps (xterm: 16 colours; default xterm-256color)")
    parser.add_argument("--no-color", action="store_true", help="run both with NO_COLOR=1")
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in size.split("x")) for size in args.sizes.split(",")]
    failed = 0
    for index, (cols, rows) in enumerate(sizes):
        with open("/proc/loadavg") as loadavg:
            load = " ".join(loadavg.read().split()[:3])
        ref_start, ref_idle = reference(cols, rows, args)
        rows_out = measure(cols, rows, args, run=index < args.run_sizes)
        width = max(len(name) for name, _ in rows_out) + 2
        print(f"terminal {cols}x{rows}, TERM={args.term}{', NO_COLOR=1' if args.no_color else ''}"
              f"; load {load} (at the start)")
        print("reference: minimal Textual app, 1 Hz clock")
        print(f"  {'start-up':<{width}}{ref_start:>7,} B")
        print(f"  {'idle':<{width}}{ref_idle:>7.0f} B/s")
        print(f"tuicnn{'':<{width - 4}}figure    target verdict")
        for name, value in rows_out:
            print(f"  {name:<{width}}{value}")
            failed += "FAIL" in value
        print()
    print(f"{failed} FAIL" if failed else "all PASS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
