"""Launch-to-first-frame time of tuicnn against a minimal Textual app, in the same run.

Each sample is a fresh Python process (imports included, as a user experiences it).
The child records the wall clock once its first screen has been composed, laid out and
rendered (``auto_pilot`` runs after the app is ready; ``pilot.pause()`` waits until the
process is idle, so the screen has settled), and prints the time since the parent
started it.

tuicnn draws its first frame without NumPy and loads the bundled digits and the untrained
models on a thread afterwards (``tuicnn.app.LOAD_AFTER_SECONDS``). The script also prints
when that is done ("ready"): a key that needs the data before then waits for it.

Usage: ``python benchmarks/bench_startup.py [--runs 7] [--target 1.5]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CHILD = r"""
import sys, time
t0 = float(sys.argv[1])
which = sys.argv[2]
if which == "minimal":
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Minimal(App):
        def compose(self):
            yield Header()
            yield Static("hello")
            yield Footer()

    app = Minimal()
else:
    from tuicnn.app import create_app
    app = create_app()

async def first_frame(pilot):
    await pilot.pause()
    print(time.time() - t0, flush=True)
    while not getattr(pilot.app, "workspace_loaded", True):
        await pilot.pause(0.005)
    print(time.time() - t0, flush=True)
    pilot.app.exit()

app.run(headless=True, size=(100, 30), auto_pilot=first_frame)
"""


#: Bytecode caches allowed, as in an installed package (pip compiles them): with
#: PYTHONDONTWRITEBYTECODE set (some sandboxes set it), a source checkout would recompile
#: tuicnn's modules on every launch, but not Textual's, which came compiled.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def sample(which: str) -> tuple[float, float]:
    """Seconds from process launch to the app's first settled frame, and until it is ready
    (its data loaded; the same moment for an app that loads nothing)."""
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, repr(start), which],
        check=True, capture_output=True, text=True, env=CHILD_ENV,
    ).stdout
    frame, ready = (float(line) for line in out.strip().splitlines()[-2:])
    return frame, ready


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--target", type=float, default=1.5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"minimal": [], "tuicnn": []}
    ready: list[float] = []
    sample("minimal")  # warm the OS file cache for both
    sample("tuicnn")
    for _ in range(args.runs):  # interleaved, so machine noise hits both alike
        for which in times:
            frame, loaded = sample(which)
            times[which].append(frame)
            if which == "tuicnn":
                ready.append(loaded)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["tuicnn"] / med["minimal"]
    print(f"launch to first frame, median of {args.runs} (interleaved, fresh processes):")
    for k, v in times.items():
        spread = f"min {min(v) * 1000:.0f}, max {max(v) * 1000:.0f}"
        print(f"  {k:8s} {med[k] * 1000:7.0f} ms   ({spread})")
    verdict = "PASS" if ratio <= args.target else "FAIL"
    print(f"  ratio tuicnn / minimal = {ratio:.2f}  (target <= {args.target})  {verdict}")
    print(f"  tuicnn ready (digits and models loaded after the first frame): "
          f"{statistics.median(ready) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
