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

Prints the distributions and checks p95 <= 50 ms and max <= 150 ms for keys and timer.
Usage: ``python benchmarks/bench_ui_latency.py [--epochs 20] [--keys 100] [--verbose]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

from textual import events
from textual.screen import Screen

from tuicnn.app import TuicnnApp
from tuicnn.tabs.train_tab import TrainTab
from tuicnn.widgets.stepper import Stepper
from tuicnn.widgets.train.cached_plot import CachedPlot
from tuicnn.widgets.train.training_chart import TrainingChart


def describe(name: str, samples: list[float], p95_target: float, max_target: float) -> bool:
    """Print one distribution (milliseconds); return whether it meets its targets."""
    if not samples:
        print(f"  {name:9s} no samples")
        return False
    ms = sorted(s * 1000 for s in samples)
    p50, p95 = statistics.median(ms), ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    ok = p95 <= p95_target and ms[-1] <= max_target
    print(f"  {name:9s} n={len(ms):4d}  p50 {p50:6.1f}  p95 {p95:6.1f}  max {ms[-1]:6.1f} ms"
          f"  {'PASS' if ok else 'FAIL'} (p95 <= {p95_target:.0f}, max <= {max_target:.0f})")
    return ok


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--verbose", action="store_true", help="print every sample")
    args = parser.parse_args()
    print("UI latency while the largest config trains (FC 512 + CNN 16 filters, batch 32):")
    results = asyncio.run(measure(args.epochs, args.keys))
    if args.verbose:
        for name in ("idle keys", "keys", "timer"):
            print(f"  {name}: " + " ".join(f"{1000 * x:.0f}" for x in results[name]))
    describe("idle keys", results["idle keys"], 50, 150)
    ok = describe("keys", results["keys"], 50, 150)
    ok &= describe("timer", results["timer"], 50, 150)
    for name, unit in (("charts", "redraw"), ("pictures", "build")):
        ms = sorted(s * 1000 for s in results[name])
        if ms:
            print(f"  {name:9s} n={len(ms):4d}  p50 {statistics.median(ms):6.1f}  "
                  f"max {ms[-1]:6.1f} ms per {unit}")
    print(f"Result: {'PASS' if ok else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
