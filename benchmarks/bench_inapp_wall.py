"""In-app training wall time against headless ``tuicnn train`` of the same run (issue 18).

For each config (default: hidden 128, filters 8, batch 64; largest: hidden 512, filters 16,
batch 32; both 5 epochs on the bundled 1,000 / 1,000 digits, seed 0):

* **headless**: ``tuicnn train --json`` in a fresh process, the FC then the CNN, as a user
  runs it. Its training time is the sum of the epochs' own ``seconds`` (so Python's start,
  imports and data loading are left out: the stricter reference); the process's whole wall
  time is printed beside it;
* **app**: the real app, headless at 100x30, default session loaded, the Train tab set to
  the config, ``t`` pressed; wall time from the key to the run's end as the tab measures it
  (both models, side by side, its start-up included: a child process's launch or the
  threads'), once per ``--trainer``.

The three alternate, ``--repeats`` times, so a change of load slows them all. With
``--neighbours N``, N CPU-bound processes (``python -c 'while 1: pass'``) run beside them
all the time, each in a session of its own as a classmate's (``--same-session``: in the
app's). The app's final test accuracies are checked against the headless run's: the
same seed must give the same numbers. Prints the median of each and the ratio app /
headless against <= 1.2, with the load average.

Usage: ``python benchmarks/bench_inapp_wall.py [--config default largest] [--repeats 3]
[--neighbours 2] [--trainer thread process] [--nice 10] [--epochs 5] [--wait 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import tuicnn.tabs.train_tab as train_tab
from tuicnn.app import TuicnnApp
from tuicnn.tabs.train_tab import TrainTab
from tuicnn.widgets.stepper import Stepper

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ui_latency import load, start_neighbours, stop_neighbours  # noqa: E402  (a sibling)

CONFIGS = {
    "default": {"hidden": 128, "filters": 8, "batch_size": 64},
    "largest": {"hidden": 512, "filters": 16, "batch_size": 32},
}
EPOCHS = 5  # --epochs changes it (a busy machine makes a 5-epoch run last a minute)
TARGET = 1.2
TUICNN = [str(Path(sys.executable).with_name("tuicnn"))]


def headless(config: dict) -> tuple[float, float, dict[str, float]]:
    """(training seconds, process wall seconds, final test accuracy per model)."""
    command = [*TUICNN, "train", "--json", "--epochs", str(EPOCHS),
               "--hidden", str(config["hidden"]), "--filters", str(config["filters"]),
               "--batch-size", str(config["batch_size"])]
    start = time.perf_counter()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - start
    epochs = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    accuracy = {e["model"]: e["test_acc"] for e in epochs if e["epoch"] == EPOCHS}
    return sum(e["seconds"] for e in epochs), wall, accuracy


async def in_app(config: dict, wait: float = 0.0) -> tuple[float, dict[str, float]]:
    """(wall seconds from ``t`` to the run's end, final test accuracy per model); ``t`` is
    pressed ``wait`` seconds after the Train tab is set up."""
    app = TuicnnApp()
    async with app.run_test(size=(100, 30)) as pilot:
        while not app.workspace_loaded:
            await asyncio.sleep(0.05)
        await app.screen.show_tab("train")
        await pilot.pause()
        tab = app.screen.query_one(TrainTab)
        for name, value in (*config.items(), ("epochs", EPOCHS)):
            app.screen.query_one(f"#set-{name}", Stepper).set_value(value)
        await pilot.pause()
        await asyncio.sleep(wait)
        await pilot.press("t")
        while tab.training:
            await asyncio.sleep(0.05)
        await pilot.pause()
        accuracy = {kind: getattr(app.workspace, kind).history[-1].test_acc
                    for kind in ("fc", "cnn")}
        return tab._run_wall, accuracy


def main() -> int:
    global EPOCHS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", nargs="+", choices=tuple(CONFIGS),
                        default=list(CONFIGS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--neighbours", type=int, default=0, metavar="N")
    parser.add_argument("--same-session", action="store_true",
                        help="neighbours in the app's session (default: each in its own)")
    parser.add_argument("--trainer", nargs="+", choices=("thread", "process"),
                        default=[TrainTab.trainer])
    parser.add_argument("--nice", type=int, default=train_tab.TRAINING_NICENESS)
    parser.add_argument("--wait", type=float, default=0.0,
                        help="seconds between setting the tab up and pressing t (default 0; "
                        f"the app starts its training child {train_tab.PRESTART_SECONDS:g} s "
                        "after the tab appears, so a learner who reads the tab first does "
                        "not wait for it)")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()
    EPOCHS = args.epochs
    train_tab.TRAINING_NICENESS = args.nice
    print(f"In-app vs headless wall time, {EPOCHS} epochs, {args.neighbours} CPU-bound "
          f"neighbour(s), training nice +{args.nice} in the app, t pressed after "
          f"{args.wait:g} s, {os.cpu_count()} CPUs; "
          f"load before: {load()}")
    neighbours = start_neighbours(args.neighbours, own_session=not args.same_session)
    try:
        if neighbours:
            time.sleep(2)
        for name in args.config:
            config = CONFIGS[name]
            times: dict[str, list[float]] = {"headless": [], "headless process": []}
            times.update({f"app ({t})": [] for t in args.trainer})
            same = True
            for repeat in range(args.repeats):
                seconds, wall, reference = headless(config)
                times["headless"].append(seconds)
                times["headless process"].append(wall)
                row = [f"headless {seconds:5.2f} s (process {wall:5.2f})"]
                for trainer in args.trainer:
                    TrainTab.trainer = trainer
                    app_wall, accuracy = asyncio.run(in_app(config, args.wait))
                    times[f"app ({trainer})"].append(app_wall)
                    same &= accuracy == reference
                    row.append(f"app ({trainer}) {app_wall:5.2f} s")
                print(f"  {name} {repeat + 1}/{args.repeats}: " + ", ".join(row)
                      + f"  load {load()}")
            base = statistics.median(times["headless"])
            print(f"{name} ({config}): medians, same final test accuracies: "
                  f"{'yes' if same else 'NO'}")
            for label, values in times.items():
                median = statistics.median(values)
                verdict = ""
                if label.startswith("app"):
                    ratio = median / base
                    verdict = (f"  ratio {ratio:.2f}  {'PASS' if ratio <= TARGET else 'FAIL'}"
                               f" (<= {TARGET})")
                print(f"  {label:17s} {median:6.2f} s  [{min(values):.2f}-{max(values):.2f}]"
                      + verdict)
    finally:
        stop_neighbours(neighbours)
    print(f"load after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
