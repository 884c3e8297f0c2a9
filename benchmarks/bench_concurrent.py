"""Training FC and CNN at once against the slower of the two trained alone, same run.

The app trains both models together (``train_concurrently``: one thread each, the BLAS
thread pool shared out between them). On two cores that should cost little more than the
CNN alone. Runs are interleaved (FC alone, CNN alone, both) so machine noise hits all three.

Usage: ``python benchmarks/bench_concurrent.py [--epochs 2] [--repeats 7] [--target 1.15]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from threadpoolctl import threadpool_info

from tuicnn.data.dataset import bundled_split
from tuicnn.nn.concurrent import train_concurrently
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.nn.training import train

CONFIGS = {"default": (128, 8, 64), "largest": (512, 16, 32)}


def make_runs(hidden: int, filters: int, config: TrainConfig, data: tuple) -> dict:
    """The three timed runs: FC alone, CNN alone, both at once (fresh models each time)."""
    return {
        "fc": lambda: list(train(build_fc(hidden), *data, config)),
        "cnn": lambda: list(train(build_cnn(filters), *data, config)),
        "both": lambda: list(
            train_concurrently([build_fc(hidden), build_cnn(filters)], *data, config)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--target", type=float, default=1.15)
    args = parser.parse_args()
    split = bundled_split()
    data = (split.x_train, split.y_train, split.x_test, split.y_test)
    blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    print(f"BLAS threads: {blas}; {args.epochs} epochs per run, median of {args.repeats}")
    for name, (hidden, filters, batch) in CONFIGS.items():
        runs = make_runs(hidden, filters, TrainConfig(epochs=args.epochs, batch_size=batch), data)
        times: dict[str, list[float]] = {k: [] for k in runs}
        for _ in range(args.repeats):
            for key, run in runs.items():
                start = time.perf_counter()
                run()
                times[key].append(time.perf_counter() - start)
        med = {k: statistics.median(v) for k, v in times.items()}
        ratio = med["both"] / max(med["fc"], med["cnn"])
        verdict = "PASS" if ratio <= args.target else "FAIL"
        print(f"  {name:8s} hidden {hidden}, filters {filters}, batch {batch}: "
              f"FC {med['fc']:.3f} s, CNN {med['cnn']:.3f} s, both {med['both']:.3f} s; "
              f"both / slower = {ratio:.2f}  {verdict} (target <= {args.target})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
