"""Peak memory while training, and seconds per epoch on a full 60,000-image IDX data set.

Each measurement runs in a fresh process so ``ru_maxrss`` (peak resident memory) belongs to
that measurement alone. Both models train at once, as in the app.

Usage:
    python benchmarks/bench_memory_scale.py                 # largest config, bundled data
    python benchmarks/bench_memory_scale.py --data-dir /usr/share/datasets/fashion-mnist
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from tuicnn.data.dataset import bundled_split, idx_split
from tuicnn.nn.concurrent import train_concurrently
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import EpochEnd
from tuicnn.nn.model import build_cnn, build_fc
data_dir = sys.argv[1]
epochs, hidden, filters, batch = (int(a) for a in sys.argv[2:6])
start = time.perf_counter()
split = idx_split(data_dir) if data_dir else bundled_split()
load = time.perf_counter() - start
cfg = TrainConfig(epochs=epochs, batch_size=batch)
seconds = {"fc": [], "cnn": []}
for e in train_concurrently([build_fc(hidden), build_cnn(filters)], split.x_train, split.y_train,
                            split.x_test, split.y_test, cfg):
    if isinstance(e, EpochEnd):
        seconds[e.model].append(e.seconds)
        last = e
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"n_train": split.n_train, "n_test": split.n_test, "load_s": load,
                  "seconds": seconds, "peak_mb": peak_mb, "wall": time.perf_counter() - start}))
"""


def run(data_dir: str, epochs: int, hidden: int, filters: int, batch: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, data_dir, str(epochs), str(hidden), str(filters), str(batch)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="", help="IDX directory (default: bundled data)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--rss-target", type=float, default=300.0, help="MB, bundled data only")
    args = parser.parse_args()
    epochs = args.epochs or (1 if args.data_dir else 3)
    r = run(args.data_dir, epochs, 512, 16, 32)
    print(f"data: {args.data_dir or 'bundled'}  train {r['n_train']:,}  test {r['n_test']:,}  "
          f"(loaded in {r['load_s']:.2f} s)")
    print("config: largest (hidden 512, filters 16, batch 32), FC and CNN trained at once")
    for model, secs in r["seconds"].items():
        print(f"  {model:4s} seconds per epoch: " + ", ".join(f"{s:.2f}" for s in secs))
    verdict = ""
    if not args.data_dir:
        verdict = "  PASS" if r["peak_mb"] <= args.rss_target else "  FAIL"
        verdict += f" (target <= {args.rss_target:.0f} MB)"
    print(f"  peak RSS {r['peak_mb']:.0f} MB{verdict}; wall {r['wall']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
