"""Peak memory of a long session: a 20-epoch largest-config run with tab switches.

Drives the real app headless at 80x24 (a benchmark, not a test). The Train tab is set to the
largest config (hidden 512, filters 16, batch 32, 20 epochs; the session's 1,000 training
digits unless ``--train-size``) and ``t`` starts both models. While they train, the
function keys switch through every tab, one switch every ``--switch-every`` seconds, so each
tab is built and redrawn mid-run. Resident memory is sampled every 0.25 s from
``/proc/self/status``; the peak is the kernel's own high-water mark (``VmHWM``), so a spike
between samples still counts.

Prints the peak and final RSS, the run's wall time, the tab switches made and
``/proc/loadavg`` before and after (a busy machine slows the run, not the memory), and
checks peak <= 300 MB (issue 17 measured 480 MB peak, 372 MB at the end).

Usage: ``python benchmarks/bench_soak.py [--epochs 20] [--train-size 1000]``
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from tuicnn.app import TuicnnApp
from tuicnn.screens.main import TABS
from tuicnn.tabs.train_tab import TrainTab
from tuicnn.widgets.stepper import Stepper

TARGET_MB = 300.0


def status_mb(field: str) -> float:
    """``VmRSS`` or ``VmHWM`` of this process, in MB (the kernel reports kB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


async def soak(epochs: int, train_size: int | None, switch_every: float) -> dict:
    app = TuicnnApp()
    samples: list[float] = []
    switches = 0
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.5)  # the default session loads after the first frame
        screen = app.screen
        train = screen.query_one(TrainTab)
        settings = [("set-hidden", 512), ("set-filters", 16), ("set-batch_size", 32),
                    ("set-epochs", epochs)]
        for stepper_id, value in settings:
            screen.query_one(f"#{stepper_id}", Stepper).set_value(value)
        if train_size is not None:
            train.settings = train.settings.with_value("train_size", train_size)
        await pilot.pause()
        start = time.monotonic()
        train.action_train()
        keys = [key for *_, key in TABS]
        next_switch = time.monotonic() + switch_every
        while train.training:
            samples.append(status_mb("VmRSS"))
            if time.monotonic() >= next_switch:
                await pilot.press(keys[switches % len(keys)])
                switches += 1
                next_switch = time.monotonic() + switch_every
            await asyncio.sleep(0.25)
        wall = time.monotonic() - start
        await pilot.press(keys[0])
        await pilot.pause(0.5)
        fc, cnn = app.workspace.fc, app.workspace.cnn
        end_mb = status_mb("VmRSS")
    return {"wall": wall, "switches": switches, "peak": status_mb("VmHWM"), "end": end_mb,
            "sampled_max": max(samples, default=0.0), "fc": fc.status, "cnn": cnn.status,
            "n_train": app.workspace.split.n_train}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--train-size", type=int, default=None,
                        help="training digits (default: the session's 1,000)")
    parser.add_argument("--switch-every", type=float, default=1.0, metavar="SECONDS")
    args = parser.parse_args()
    before = loadavg()
    r = asyncio.run(soak(args.epochs, args.train_size, args.switch_every))
    print(f"config: hidden 512, filters 16, batch 32, {args.epochs} epochs, "
          f"{r['n_train']:,} training digits; 80x24, headless")
    print(f"run: {r['wall']:.1f} s, {r['switches']} tab switches; FC {r['fc']}; CNN {r['cnn']}")
    verdict = "PASS" if r["peak"] <= TARGET_MB else "FAIL"
    print(f"peak RSS {r['peak']:.0f} MB (VmHWM; sampled max {r['sampled_max']:.0f} MB), "
          f"at the end {r['end']:.0f} MB: {verdict} (target <= {TARGET_MB:.0f} MB)")
    print(f"/proc/loadavg before: {before}; after: {loadavg()}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
