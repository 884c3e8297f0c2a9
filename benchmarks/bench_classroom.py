"""A class on one box: many app instances in pseudo-terminals on one machine, a few training.

Each instance is ``python -m tuicnn`` in its own pseudo-terminal (as each learner's SSH
session would give it). Once all are up, ``--training`` of them start a default training run
again and again (``t`` whenever the previous run has been quiet for 2 s) while the benchmark types
tab keys (F3, then F2, ...) into the idle ones, one key at a time, round-robin, and times
each key to the first byte the app writes back: the start of the frame that answers it.

Each instance visits Explore once before anything is timed (the first visit builds the tab).
Printed: peak and median RSS of an idle instance (``VmRSS`` of each process; its training
child, which the app starts 2 s after start-up, separately) and the
key-to-first-byte distribution in the idle instances, against the same keys typed into one
instance alone on the machine, measured first in the same run.

Usage: ``python benchmarks/bench_classroom.py [--instances 30] [--training 4] [--keys 200]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ssh_bytes import KEYS, Terminal  # noqa: E402  (a sibling script, not a package)


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (its ``VmRSS``), or NaN if it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def rss_of_children_mb() -> dict[int, float]:
    """Resident memory of every process's children together, in MB, by parent pid (one
    pass over ``/proc``; an app's child is its training process)."""
    totals: dict[int, float] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if line.startswith(("PPid:", "VmRSS:")))
        except (OSError, ValueError):
            continue
        if "PPid" in fields and "VmRSS" in fields:
            parent = int(fields["PPid"])
            totals[parent] = totals.get(parent, 0.0) + int(fields["VmRSS"].split()[0]) / 1024
    return totals


def key_latency(terminal: Terminal, key: str, limit: float = 5.0) -> float | None:
    """Seconds from writing ``key`` to the first byte written back (None past ``limit``)."""
    before = terminal.total()
    sent = time.monotonic()
    terminal.send(key)
    while time.monotonic() - sent < limit:
        if terminal.total() != before:
            with terminal._lock:
                return terminal.chunks[-1][0] - sent if terminal.chunks else None
        time.sleep(0.001)
    return None


def typed(terminals: list[Terminal], keys: int,
          trainers: tuple[Terminal, ...] = ()) -> list[float]:
    """Latencies of ``keys`` tab keys typed round-robin into ``terminals``, 0.1 s apart;
    each of ``trainers`` is sent ``t`` whenever it has been quiet for 2 s (its run ended)."""
    cycle = ["f3", "f2"]
    samples = []
    for i in range(keys):
        for trainer in trainers:
            if time.monotonic() - trainer.last_write() > 2.0:
                trainer.send("t")
        terminal = terminals[i % len(terminals)]
        latency = key_latency(terminal, KEYS[cycle[(i // len(terminals)) % 2]])
        samples.append(float("inf") if latency is None else latency)
        time.sleep(0.1)
    return samples


def warm_up(terminals: list[Terminal]) -> None:
    """Visit Explore once in each instance and come back: the first visit builds the tab
    (a few hundred ms of CPU), which a learner pays once, not per key."""
    for key in ("f3", "f2"):
        before = [terminal.total() for terminal in terminals]
        for terminal in terminals:
            terminal.send(KEYS[key])
        for terminal, written in zip(terminals, before, strict=True):
            # Its answer first (until then its last write is old, and looks quiet), then
            # 1 s of quiet: the tab is built and laid out before the next key.
            terminal.settle(quiet=1.0, limit=60, since=written)


def summary(samples: list[float]) -> str:
    ms = sorted(1000 * s for s in samples)
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    lost = sum(1 for s in samples if s == float("inf"))
    return (f"p50 {p(0.5):.0f} ms, p95 {p(0.95):.0f} ms, max {ms[-1]:.0f} ms"
            + (f" ({lost} keys unanswered within 5 s)" if lost else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=30)
    parser.add_argument("--training", type=int, default=4)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--size", default="100x30")
    args = parser.parse_args()
    cols, rows = (int(v) for v in args.size.split("x"))
    with open("/proc/loadavg") as loadavg:
        print(f"{args.instances} instances ({args.training} training), {cols}x{rows}; "
              f"load before {' '.join(loadavg.read().split()[:3])}")

    alone = Terminal([sys.executable, "-m", "tuicnn"], cols, rows)
    alone.settle(quiet=1.5, limit=60)
    warm_up([alone])
    reference = typed([alone], min(args.keys, 40))
    alone.close()

    terminals = []
    started = time.monotonic()
    for _ in range(args.instances):
        terminals.append(Terminal([sys.executable, "-m", "tuicnn"], cols, rows))
        time.sleep(0.2)
    for terminal in terminals:  # up: something written, then quiet for 1.5 s
        while time.monotonic() - terminal.last_write() < 1.5 or not terminal.total():
            time.sleep(0.1)
    print(f"all {args.instances} up after {time.monotonic() - started:.0f} s")
    warm_up(terminals)
    idle = terminals[args.training:]
    rss = [rss_mb(t.process.pid) for t in idle]
    training = terminals[: args.training]
    try:
        samples = typed(idle, args.keys, tuple(training))
        rss_after = [rss_mb(t.process.pid) for t in idle]
        children = rss_of_children_mb()
        child_rss = [children.get(t.process.pid, 0.0) for t in idle]
        busy_rss = [rss_mb(t.process.pid) for t in training]
    finally:
        for terminal in terminals:
            terminal.close()
    with open("/proc/loadavg") as loadavg:
        load = " ".join(loadavg.read().split()[:3])
    print(f"reference, one instance alone: key to first byte {summary(reference)}")
    print(f"idle instances while {args.training} train: key to first byte {summary(samples)}")
    print(f"RSS of an idle instance: median {statistics.median(rss_after):.0f} MB, "
          f"max {max(rss_after):.0f} MB (at start-up: median {statistics.median(rss):.0f} MB); "
          f"its training child, started ahead of a run: median "
          f"{statistics.median(child_rss):.0f} MB")
    print(f"RSS of a training instance: max {max(busy_rss):.0f} MB; load at the end {load}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
