"""How responsive the UI stays while the largest configuration trains.

Drives the real app headless at 100x30. The Train tab is set to the largest config
(hidden 512, filters 16, batch 32) and `t` starts both models. While they train:

* **keys**: F3 / F2 (switch tabs) are sent through the app's driver, the same path a
  terminal's input takes; latency runs from sending the key until the end of the first
  frame that shows the new tab (its widgets laid out, on screen) — not merely the next
  refresh, which Textual may draw before it lays out the tab;
* **timer**: a 20 Hz interval callback; latency runs from when it was due until the
  screen refreshed after it;
* **charts**: wall time of each chart's redraw (the data handed to plotext) and of each
  picture build (plotext drawing it, then its text turned into strips), which happens in
  the next screen update and only while the chart is on screen.

Twenty epochs of the largest config end in about 20 s, before 100 keys are sampled; when a
run ends, the next key starts another one, and only samples taken while a run is going count.

With ``--neighbours N``, N CPU-bound processes (``python -c 'while 1: pass'``, a class
sharing one server) run beside the app for the whole measurement; the script starts and
kills them, each in a session of its own as a classmate's would be (``--same-session``:
in the app's). ``--trainer thread|process|both`` picks where the app trains (niced threads of
the app, or a niced child process; ``both`` measures each in turn, ``--rounds`` times,
alternating), ``--nice`` overrides the training's niceness (the app's TRAINING_NICENESS).
The load average is printed with each result.

Prints the distributions and checks keys p95 <= 50 ms and max <= 150 ms, and timer p95 <=
50 ms (its max is shown against 150 ms).
Usage: ``python benchmarks/bench_ui_latency.py [--epochs 20] [--keys 100] [--neighbours 2]
[--same-session] [--trainer both] [--rounds 1] [--nice 10] [--verbose]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time

from textual import events
from textual.screen import Screen

import tuicnn.tabs.train_tab as train_tab
from tuicnn.app import TuicnnApp
from tuicnn.tabs.train_tab import TrainTab
from tuicnn.widgets.stepper import Stepper
from tuicnn.widgets.train.cached_plot import CachedPlot
from tuicnn.widgets.train.training_chart import TrainingChart


def describe(name: str, samples: list[float], p95_target: float, max_target: float,
             max_counts: bool = True) -> bool:
    """Print one distribution (milliseconds); return whether it meets its targets (the
    max only when ``max_counts``: the timer's max is shown, not a target)."""
    if not samples:
        print(f"  {name:9s} no samples")
        return False
    ms = sorted(s * 1000 for s in samples)
    p50, p95 = statistics.median(ms), ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    ok = p95 <= p95_target and (ms[-1] <= max_target or not max_counts)
    targets = f"p95 <= {p95_target:.0f}" + (f", max <= {max_target:.0f}" if max_counts else "")
    print(f"  {name:9s} n={len(ms):4d}  p50 {p50:6.1f}  p95 {p95:6.1f}  max {ms[-1]:6.1f} ms"
          f"  {'PASS' if ok else 'FAIL'} ({targets})")
    return ok


def load() -> str:
    """The 1-minute load average (and 5, 15), as the kernel reports it."""
    with open("/proc/loadavg") as file:
        return " ".join(file.read().split()[:3])


def start_neighbours(count: int, own_session: bool = True) -> list[subprocess.Popen]:
    """``count`` CPU-bound processes at the app's own priority, as busy classmates'.

    A classmate's process runs in their own login session; Linux (with autogroups, its
    default) shares the CPU between sessions before it shares it between the processes of
    one, so a neighbour in the app's session (``own_session=False``) models one of the
    learner's own programs instead, and takes a larger share from the app."""
    return [subprocess.Popen([sys.executable, "-c", "while 1: pass"],
                             start_new_session=own_session) for _ in range(count)]


def stop_neighbours(neighbours: list[subprocess.Popen]) -> None:
    for process in neighbours:
        process.kill()
    for process in neighbours:
        process.wait()


#: Callbacks run after every frame the app draws (see ``measure``).
AFTER_FRAME: list = []


def _drawing_frames(original):
    """Wrap ``Screen._compositor_refresh`` (which draws a frame) to run AFTER_FRAME."""

    def compositor_refresh(screen) -> None:
        original(screen)
        for callback in list(AFTER_FRAME):
            callback()

    return compositor_refresh


async def sample_keys(app: TuicnnApp, n_keys: int, train: TrainTab | None = None) -> list[float]:
    """Alternate F3 / F2 ``n_keys`` times; seconds from each key to the first frame that
    shows the new tab (laid out, with a non-empty region on screen).

    With ``train``, every key is sent while that tab is training: a run that has ended is
    started again first, and a key during which the run ended is sampled again.
    """
    screen = app.screen
    loop = asyncio.get_running_loop()
    samples: list[float] = []
    while len(samples) < n_keys:
        if train is not None and not train.training:
            train.action_train()
            await asyncio.sleep(0.5)  # past the run's start-up work
        target = "train" if screen.active_tab == "explore" else "explore"
        drawn = loop.create_future()

        def check(target=target, drawn=drawn) -> None:
            tab = app.screen.tab(target)
            if tab is not None and tab.region.area > 0 and not drawn.done():
                drawn.set_result(time.perf_counter())

        AFTER_FRAME.append(check)
        sent = time.perf_counter()
        # The path a terminal's input takes: the driver posts the key to the app.
        app._driver.send_message(events.Key("f3" if target == "explore" else "f2", None))
        try:
            latency = await asyncio.wait_for(drawn, timeout=5) - sent
        finally:
            AFTER_FRAME.remove(check)
        if train is None or train.training:
            samples.append(latency)
        await asyncio.sleep(0.1)
    return samples


async def measure(epochs: int, n_keys: int) -> dict[str, list[float]]:
    app = TuicnnApp()
    results: dict[str, list[float]] = {"keys": [], "timer": [], "charts": [], "pictures": [],
                                       "idle keys": []}
    original_redraw, original_build = TrainingChart.redraw, CachedPlot._build

    def timed_redraw(chart: TrainingChart) -> None:
        start = time.perf_counter()
        original_redraw(chart)
        results["charts"].append(time.perf_counter() - start)

    def timed_build(plot: CachedPlot):
        start = time.perf_counter()
        strips = original_build(plot)
        results["pictures"].append(time.perf_counter() - start)
        return strips

    TrainingChart.redraw = timed_redraw  # type: ignore[method-assign]
    CachedPlot._build = timed_build  # type: ignore[method-assign]
    original_refresh = Screen._compositor_refresh
    Screen._compositor_refresh = _drawing_frames(original_refresh)  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = app.screen
            await screen.show_tab("explore")  # build the Explore tab before timing
            await pilot.pause()
            await screen.show_tab("train")
            await pilot.pause()
            train = screen.query_one(TrainTab)
            for stepper_id, value in (("set-hidden", 512), ("set-filters", 16),
                                      ("set-batch_size", 32), ("set-epochs", epochs)):
                screen.query_one(f"#{stepper_id}", Stepper).set_value(value)
            await pilot.pause()
            results["idle keys"] = await sample_keys(app, n_keys // 2)
            train.action_train()
            results["charts"].clear()
            results["pictures"].clear()
            period = 0.05
            ticking = [True]

            def schedule() -> None:
                due = time.perf_counter() + period

                def tick() -> None:
                    if train.training:
                        app.call_after_refresh(
                            lambda: results["timer"].append(time.perf_counter() - due))
                    if ticking[0]:
                        schedule()

                app.set_timer(period, tick)

            schedule()
            await asyncio.sleep(0.5)  # let training get going
            results["keys"] = await sample_keys(app, n_keys, train)
            ticking[0] = False
            app.workers.cancel_all()
    finally:
        TrainingChart.redraw = original_redraw  # type: ignore[method-assign]
        CachedPlot._build = original_build  # type: ignore[method-assign]
        Screen._compositor_refresh = original_refresh  # type: ignore[method-assign]
    return results


def report(results: dict[str, list[float]], verbose: bool) -> bool:
    """Print one measurement's distributions; return whether keys and timer pass."""
    if verbose:
        for name in ("idle keys", "keys", "timer"):
            print(f"  {name}: " + " ".join(f"{1000 * x:.0f}" for x in results[name]))
    describe("idle keys", results["idle keys"], 50, 150)
    ok = describe("keys", results["keys"], 50, 150)
    ok &= describe("timer", results["timer"], 50, 150, max_counts=False)
    for name, unit in (("charts", "redraw"), ("pictures", "build")):
        ms = sorted(s * 1000 for s in results[name])
        if ms:
            print(f"  {name:9s} n={len(ms):4d}  p50 {statistics.median(ms):6.1f}  "
                  f"max {ms[-1]:6.1f} ms per {unit}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--neighbours", type=int, default=0, metavar="N",
                        help="CPU-bound processes running beside the app (default: 0)")
    parser.add_argument("--same-session", action="store_true",
                        help="start the neighbours in the app's session (default: each in "
                        "a session of its own, as a classmate's)")
    parser.add_argument("--trainer", choices=("thread", "process", "both"),
                        default=TrainTab.trainer,
                        help=f"where the app trains (default: the app's, {TrainTab.trainer})")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measurements per trainer, alternating (default: 1)")
    parser.add_argument("--nice", type=int, default=train_tab.TRAINING_NICENESS,
                        help="the training's niceness above the UI's (default: the app's, "
                        f"{train_tab.TRAINING_NICENESS})")
    parser.add_argument("--verbose", action="store_true", help="print every sample")
    args = parser.parse_args()
    train_tab.TRAINING_NICENESS = args.nice
    trainers = ("thread", "process") if args.trainer == "both" else (args.trainer,)
    print("UI latency while the largest config trains (FC 512 + CNN 16 filters, batch 32); "
          f"{args.neighbours} CPU-bound neighbour(s) "
          f"({'in the app' if args.same_session else 'each in its own'} session), "
          f"training nice +{args.nice}, "
          f"{os.cpu_count()} CPUs")
    print(f"load before: {load()}")
    neighbours = start_neighbours(args.neighbours, own_session=not args.same_session)
    passed: dict[str, list[bool]] = {trainer: [] for trainer in trainers}
    try:
        if neighbours:
            time.sleep(2)  # let them get going
        for round_ in range(args.rounds):
            for trainer in trainers:
                TrainTab.trainer = trainer
                print(f"\n[{trainer}, round {round_ + 1}/{args.rounds}]  load at start: "
                      f"{load()}")
                results = asyncio.run(measure(args.epochs, args.keys))
                passed[trainer].append(report(results, args.verbose))
                print(f"  load at end: {load()}")
    finally:
        stop_neighbours(neighbours)
    print()
    for trainer, oks in passed.items():
        print(f"Result ({trainer}): {sum(oks)}/{len(oks)} rounds PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
