"""Seconds per epoch of the NumPy engine against the same networks in PyTorch (CPU).

Both sides train the *same* computation in the same run: identical initial weights (ours,
copied into PyTorch), the same Adam settings, the same batches (``shuffle_rng(seed)``, one
permutation per epoch) and the same per-epoch test evaluation (batches of 256, the engine's
default). Their final test accuracies should therefore be close; the printed difference checks
that the two sides really compute the same thing, so the speed ratio compares like with like.

Epochs alternate between NumPy and PyTorch, so load from other processes hits both alike.
Times are medians over all epochs; the median absorbs the slow first (warm-up) epoch, so no
epoch is discarded or run extra. Each epoch's time covers its training steps and its test
evaluation, as ``EpochEnd.seconds`` does. Two clocks are read around every epoch: wall time
and the process's CPU time (all its threads; the issue's figures are CPU time with one thread
per side).

Threads: ``--threads N`` is the budget of both sides. PyTorch gets ``torch.set_num_threads(N)``;
NumPy's BLAS pool is limited to N with threadpoolctl, and the engine's own rule
(``tuicnn.nn.threads.blas_threads_for``) may use fewer when a batch is too small to gain.

Usage:
    python benchmarks/bench_train.py                       # default config, 5 epochs
    python benchmarks/bench_train.py --config filters32 --threads 1
    python benchmarks/bench_train.py --config fashion60k --data-dir DIR   # 3 epochs at most
    python benchmarks/bench_train.py --all --data-dir DIR  # every config, 1 and 2 threads
    python benchmarks/bench_train.py --config fashion60k --data-dir DIR --profile

Where the time goes (cProfile of NumPy CNN epochs, one thread, before issue 18's work; see
PROFILE_NOTES, printed with ``--profile``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# Benchmark the engine in this checkout, not some installed copy of it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np

from tuicnn.data.dataset import Split, bundled_split, idx_split
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import EpochEnd
from tuicnn.nn.layers import Conv2D, Dense
from tuicnn.nn.model import Sequential, build_cnn, build_fc
from tuicnn.nn.training import shuffle_rng, train

try:
    from tuicnn.nn.threads import blas_threads_for
except ImportError:  # an engine from before issue 18: BLAS uses the whole budget
    def blas_threads_for(model: Sequential, batch_size: int, budget: int) -> int:
        return budget

EVAL_BATCH = TrainConfig().eval_batch_size  # what the app and the CLI use (256)
TEST_SIZE = 1000  # the app's test set, with bundled digits and with IDX files alike


@dataclass(frozen=True)
class Bench:
    """One benchmark configuration: the networks, the data, and the ratio to beat.

    ``targets`` maps each model trained (``"fc"``, ``"cnn"``) to its NumPy/PyTorch target
    (issue 18), or None where the issue names none. ``max_epochs`` caps ``--epochs`` for
    configs whose epochs are long.
    """

    hidden: int = 128
    filters: int = 8
    batch_size: int = 64
    train_size: int | None = 1000  # None: every image of the IDX training file
    fashion: bool = False
    targets: dict = field(default_factory=lambda: {"fc": None, "cnn": None})
    max_epochs: int | None = None

    def describe(self) -> str:
        size = "all" if self.train_size is None else f"{self.train_size:,}"
        data = "Fashion-MNIST IDX" if self.fashion else "bundled MNIST"
        return (f"FC hidden {self.hidden}, CNN filters {self.filters}, batch "
                f"{self.batch_size}, {size} train / {TEST_SIZE:,} test images ({data})")


CONFIGS = {
    "default": Bench(targets={"fc": 0.6, "cnn": 0.75}),
    "filters32": Bench(filters=32, targets={"cnn": 0.9}),
    "batch256": Bench(batch_size=256, targets={"fc": 0.9, "cnn": 0.9}),
    "train4000": Bench(train_size=4000, targets={"fc": 0.9, "cnn": 0.9}),
    "fashion60k": Bench(train_size=None, fashion=True, targets={"fc": 0.9, "cnn": 0.9},
                        max_epochs=3),
    "largest": Bench(hidden=512, filters=16, batch_size=32),
}
ALL = ("default", "filters32", "batch256", "train4000", "fashion60k")


@dataclass
class Run:
    """Per-epoch wall and CPU seconds and the last test accuracy of one model on one side."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    test_acc: float = float("nan")

    @property
    def median_wall(self) -> float:
        return statistics.median(self.wall) if self.wall else float("nan")

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")


def blas_pool() -> str:
    """NumPy's BLAS library and its current thread limit, as threadpoolctl reads them."""
    from threadpoolctl import threadpool_info

    pools = [p for p in threadpool_info() if p["user_api"] == "blas"]
    if not pools:
        return "no BLAS thread pool found"
    pool = pools[0]
    return f"{pool['internal_api']} {pool['version']}, {pool['num_threads']} threads"


def import_torch():
    """PyTorch if importable, else None (the NumPy side still runs and reports)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


# -- PyTorch twins of our models ------------------------------------------------------------
def torch_twin(torch, model: Sequential):
    """The same network in PyTorch, starting from ``model``'s current weights.

    Our conv weights are ``(K, K, C_in, C_out)`` and PyTorch's ``(C_out, C_in, K, K)``; our
    dense weights are ``(D_in, D_out)`` and ``nn.Linear``'s ``(D_out, D_in)``. PyTorch convs
    run NCHW, so the CNN permutes back to NHWC before flattening: then the flattened features
    come out in our HWC order and the copied FC weights line up.
    """
    nn = torch.nn
    layers = []
    for layer in model.layers:
        if isinstance(layer, Conv2D):
            conv = nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                             stride=layer.stride, padding=layer.padding)
            _copy(torch, conv, layer.params["W"].transpose(3, 2, 0, 1), layer.params["b"])
            layers.append(conv)
        elif isinstance(layer, Dense):
            linear = nn.Linear(layer.in_features, layer.out_features)
            _copy(torch, linear, layer.params["W"].T, layer.params["b"])
            layers.append(linear)
        elif layer.kind == "relu":
            layers.append(nn.ReLU())
        elif layer.kind == "maxpool":
            layers.append(nn.MaxPool2d(layer.size))
        elif layer.kind == "flatten":
            if model.kind == "cnn":
                layers.append(_NHWC(torch))
            layers.append(nn.Flatten())
        else:
            raise ValueError(f"no PyTorch twin for layer {layer.name!r}")
    return nn.Sequential(*layers)


def _copy(torch, module, weight: np.ndarray, bias: np.ndarray) -> None:
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
        module.bias.copy_(torch.from_numpy(bias))


def _NHWC(torch):  # noqa: N802 - reads like the layer it makes
    class NHWC(torch.nn.Module):
        def forward(self, x):
            return x.permute(0, 2, 3, 1)

    return NHWC()


class TorchTrainer:
    """Mirrors ``tuicnn.nn.train`` step for step: same batches, Adam, and evaluation."""

    def __init__(self, torch, net, split: Split, config: TrainConfig, nchw: bool) -> None:
        self.torch, self.net, self.config = torch, net, config
        # Layout conversion happens once, outside the timed epochs.
        def prepare(x: np.ndarray):
            x = x.transpose(0, 3, 1, 2) if nchw else x.reshape(len(x), -1)
            return torch.from_numpy(np.ascontiguousarray(x))

        self.x_train, self.y_train = prepare(split.x_train), torch.from_numpy(split.y_train)
        self.x_test, self.y_test = prepare(split.x_test), torch.from_numpy(split.y_test)
        self.optimizer = torch.optim.Adam(net.parameters(), lr=config.lr, betas=(0.9, 0.999),
                                          eps=1e-8)
        self.rng = shuffle_rng(config.seed)

    def epoch(self) -> tuple[float, float, float]:
        """One epoch of training and test evaluation: ``(wall s, CPU s, test accuracy)``."""
        torch, f = self.torch, self.torch.nn.functional
        wall, cpu = time.perf_counter(), time.process_time()
        n, bs = len(self.x_train), self.config.batch_size
        order = torch.from_numpy(self.rng.permutation(n))
        loss_sum, train_correct = 0.0, 0
        for i in range(0, n, bs):
            idx = order[i : i + bs]
            xb, yb = self.x_train[idx], self.y_train[idx]
            self.optimizer.zero_grad(set_to_none=True)
            logits = self.net(xb)
            loss = f.cross_entropy(logits, yb)
            loss.backward()
            self.optimizer.step()
            # Running stats, as the engine keeps for its BatchEnd events.
            loss_sum += loss.item() * len(idx)
            train_correct += int((logits.argmax(1) == yb).sum())
        correct = 0
        with torch.no_grad():
            for i in range(0, len(self.x_test), EVAL_BATCH):
                logits = self.net(self.x_test[i : i + EVAL_BATCH])
                yb = self.y_test[i : i + EVAL_BATCH]
                f.cross_entropy(logits, yb).item()  # the engine computes the test loss too
                correct += int((logits.argmax(1) == yb).sum())
        return (time.perf_counter() - wall, time.process_time() - cpu,
                correct / len(self.x_test))


# -- the benchmark --------------------------------------------------------------------------
def build(kind: str, bench: Bench, seed: int) -> Sequential:
    if kind == "fc":
        return build_fc(bench.hidden, seed=seed)
    return build_cnn(bench.filters, seed=seed)


def load_split(bench: Bench, data_dir: str | None, seed: int) -> Split:
    if bench.fashion:
        if data_dir is None:
            raise SystemExit("this config needs --data-dir (a folder of Fashion-MNIST IDX files)")
        return idx_split(data_dir, bench.train_size, TEST_SIZE, seed=seed)
    return bundled_split(bench.train_size, TEST_SIZE, seed=seed)


def bench_model(kind: str, bench: Bench, split: Split, config: TrainConfig,
                torch) -> tuple[Sequential, Run, Run | None]:
    """Train ``kind`` on both sides, one epoch each in turn.

    The NumPy clocks run only while the engine's generator runs (from asking for its next
    event to receiving its ``EpochEnd``), so PyTorch's epochs in between are not counted.
    """
    model = build(kind, bench, config.seed)
    trainer = (TorchTrainer(torch, torch_twin(torch, model), split, config, kind == "cnn")
               if torch is not None else None)  # copies the weights before ours change
    ours, theirs = Run(), Run() if trainer else None
    events = train(model, split.x_train, split.y_train, split.x_test, split.y_test, config)
    wall, cpu = time.perf_counter(), time.process_time()
    for event in events:
        if not isinstance(event, EpochEnd):
            continue
        ours.wall.append(time.perf_counter() - wall)
        ours.cpu.append(time.process_time() - cpu)
        ours.test_acc = event.test_acc
        if trainer is not None:
            seconds, cpu_seconds, theirs.test_acc = trainer.epoch()
            theirs.wall.append(seconds)
            theirs.cpu.append(cpu_seconds)
        wall, cpu = time.perf_counter(), time.process_time()
    return model, ours, theirs


def set_threads(threads: int, torch) -> None:
    """Both sides get the same thread budget for the rest of the process."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    if torch is not None:
        torch.set_num_threads(threads)


@dataclass
class Row:
    config: str
    threads: int
    kind: str
    params: int
    ours: Run
    theirs: Run | None
    target: float | None
    engine_threads: int  # what the engine's rule used of the budget ``threads``

    def ratio(self, clock: str) -> float:
        if self.theirs is None:
            return float("nan")
        return getattr(self.ours, f"median_{clock}") / getattr(self.theirs, f"median_{clock}")

    def verdict(self, clock: str) -> str:
        if self.target is None or self.theirs is None:
            return "-"
        return "PASS" if self.ratio(clock) <= self.target else "FAIL"


def run_config(name: str, threads: int, args, torch, split_cache: dict) -> list[Row]:
    bench = CONFIGS[name]
    epochs = args.epochs if bench.max_epochs is None else min(args.epochs, bench.max_epochs)
    if args.max_epochs is not None:
        epochs = min(epochs, args.max_epochs)
    config = TrainConfig(epochs=epochs, batch_size=bench.batch_size, lr=1e-3, seed=args.seed,
                         eval_batch_size=EVAL_BATCH)
    key = (bench.train_size, bench.fashion)
    if key not in split_cache:
        split_cache[key] = load_split(bench, args.data_dir, args.seed)
    split = split_cache[key]
    set_threads(threads, torch)
    rows = []
    for kind, target in bench.targets.items():
        model, ours, theirs = bench_model(kind, bench, split, config, torch)
        rows.append(Row(name, threads, kind, model.n_params, ours, theirs,
                        args.target if args.target is not None else target,
                        blas_threads_for(model, bench.batch_size, threads)))
    return rows


HEAD = (f"{'config':<10} {'thr':>3} {'model':<5} {'np':>2} {'params':>9} {'NumPy wall':>10} "
        f"{'Torch wall':>10} {'ratio':>5} {'NumPy CPU':>9} {'Torch CPU':>9} {'ratio':>5} "
        f"{'acc diff':>8} {'target':>6}  verdict (CPU, wall)")


def row_line(row: Row) -> str:
    o, t = row.ours, row.theirs
    target = "-" if row.target is None else f"<={row.target:g}"
    if t is None:
        return (f"{row.config:<10} {row.threads:>3} {row.kind:<5} {row.engine_threads:>2} "
                f"{row.params:>9,} {o.median_wall:>10.4f} {'-':>10} {'-':>5} "
                f"{o.median_cpu:>9.4f} {'-':>9} {'-':>5} {'-':>8} {target:>6}  n/a")
    diff = 100 * (o.test_acc - t.test_acc)
    return (f"{row.config:<10} {row.threads:>3} {row.kind:<5} {row.engine_threads:>2} "
            f"{row.params:>9,} {o.median_wall:>10.4f} {t.median_wall:>10.4f} "
            f"{row.ratio('wall'):>5.2f} {o.median_cpu:>9.4f} {t.median_cpu:>9.4f} "
            f"{row.ratio('cpu'):>5.2f} "
            f"{diff:>+7.1f}p {target:>6}  {row.verdict('cpu')}, {row.verdict('wall')}")


PROFILE_NOTES = """\
Where a NumPy CNN training step's time goes (issue 18; each layer's forward and backward timed
over 60 steps, one BLAS thread, machine at load 5-7, so shares, not absolute times, count).
fashion60k trains the default CNN at batch 64, so its step is the default's; only the test
evaluation's share differs (4 batches of 256 per 938 steps instead of per 16).

before (47.8 ms a step at batch 64 under that load):
  default   conv2 backward 29 % (its input gradient a correlation on the padded 16x16 grid),
            conv1 24 %, conv2 forward 17 %, pool1 13 % (4 strided views, 16 boolean passes
            back), relu1 6 %, relu2 + pool2 5 %, Adam 3 %, dense layers 2 %
  filters32 conv2 backward 39 %, conv2 forward 17 %, pool1 11 %, conv1 10 %, relu1 7 %,
            pool2 5 %, Adam 5 %
  batch256  conv2 backward 30 %, pool1 18 %, conv2 forward 14 %, conv1 forward 13 %,
            relu1 7 %, conv1 backward 6 %
after the changes (26.8 ms a step in the same conditions, before the bias was folded in):
  default   conv2 backward 23 %, conv1 forward 20 %, conv2 forward 19 %, pool1 14 %,
            conv1 backward 10 %, pool2 6 %, dense 3 %, Adam 2 %, loss 1 %
What changed: conv input gradient by kernel taps (no padded correlation); weight gradient
summed over blocks of 2,048 rows; 2x2 pool in two halving steps with two masks; ReLU run
after the pool it precedes (a quarter of the values); bias folded into the patch product;
parameters in one buffer and Adam over it in ten passes; one BLAS thread (see threads.py).
What is left is memory traffic of the patch copies and pools, not arithmetic."""


def profile_epoch(kind: str, bench: Bench, split: Split, config: TrainConfig,
                  top: int = 20) -> str:
    """cProfile of the second NumPy epoch of ``kind`` (the first is a warm-up), top ``top``
    by own time, so we can see which layer's forward/backward the time goes to."""
    model = build(kind, bench, config.seed)
    events = train(model, split.x_train, split.y_train, split.x_test, split.y_test,
                   TrainConfig(epochs=2, batch_size=config.batch_size, lr=config.lr,
                               seed=config.seed))
    next(e for e in events if isinstance(e, EpochEnd))
    profiler = cProfile.Profile()
    profiler.enable()
    next(e for e in events if isinstance(e, EpochEnd))
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(top)
    return out.getvalue().strip()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", choices=sorted(CONFIGS), default=["default"], nargs="+",
                        help="one or more configs (default: default)")
    parser.add_argument("--all", action="store_true",
                        help=f"every config of issue 18 ({', '.join(ALL)}) at 1 and 2 threads")
    parser.add_argument("--threads", type=int, choices=(1, 2), default=None,
                        help="thread budget of each side (default: 2 threads with --all "
                             "also 1; else NumPy's BLAS pool as found)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per model (default: 5)")
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="cap on epochs for every config (fashion60k is capped at 3)")
    parser.add_argument("--data-dir", default=None,
                        help="folder of Fashion-MNIST IDX files, for fashion60k")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", type=float, default=None,
                        help="override every config's NumPy/PyTorch target")
    parser.add_argument("--strict", action="store_true", help="exit 1 on any CPU-time FAIL")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile one NumPy CNN epoch of --config instead of timing")
    parser.add_argument("--no-torch", action="store_true", help="time NumPy only")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch = None if args.no_torch else import_torch()
    print(f"Python {platform.python_version()}, NumPy {np.__version__} ({blas_pool()}), "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    if torch is not None:
        print(f"PyTorch {torch.__version__}, threads set equal to NumPy's BLAS limit")
    else:
        print("PyTorch: not used (" + ("--no-torch" if args.no_torch else "not importable") + ")")
    if args.profile:
        bench = CONFIGS[args.config[0]]
        set_threads(args.threads or 1, None)
        split = load_split(bench, args.data_dir, args.seed)
        config = TrainConfig(batch_size=bench.batch_size, lr=1e-3, seed=args.seed)
        print(PROFILE_NOTES)
        print(f"\ncProfile, one NumPy CNN epoch of {args.config[0]} ({bench.describe()}), "
              f"{args.threads or 1} BLAS thread(s), top 20 by own time:")
        print(profile_epoch("cnn", bench, split, config))
        return 0
    names = ALL if args.all else tuple(args.config)
    thread_counts = (1, 2) if args.all and args.threads is None else (args.threads,)
    for name in names:
        print(f"  {name}: {CONFIGS[name].describe()}")
    print("thr: threads of each side (PyTorch uses them all); np: BLAS threads the engine's "
          "rule (tuicnn.nn.threads) uses of them.")
    print("Timing: median s/epoch (training + test evaluation) over all epochs, NumPy and "
          "PyTorch epochs alternating; ratio = NumPy / PyTorch. Verdicts compare the CPU-time "
          "ratio, then the wall-time ratio, with the target.\n")
    print(HEAD)
    rows, epoch_lines, split_cache = [], [], {}
    for threads in thread_counts:
        if threads is None:  # the pool as found; PyTorch gets the same count
            from threadpoolctl import threadpool_info
            pools = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
            threads = pools[0] if pools else 1
        for name in names:
            for row in run_config(name, threads, args, torch, split_cache):
                rows.append(row)
                print(row_line(row), flush=True)
                for side, run in (("NumPy", row.ours), ("Torch", row.theirs)):
                    if run is not None:
                        epoch_lines.append(
                            f"  {name:<10} {threads}t {row.kind:<3} {side} wall "
                            + " ".join(f"{s:.3f}" for s in run.wall) + "  CPU "
                            + " ".join(f"{s:.3f}" for s in run.cpu))
    print("\nseconds per epoch:")
    print("\n".join(epoch_lines))
    verdicts = [row.verdict("cpu") for row in rows if row.verdict("cpu") != "-"]
    overall = ("n/a" if not verdicts else
               "PASS" if all(v == "PASS" for v in verdicts) else "FAIL")
    print(f"\nResult (CPU time against each target): {overall}; "
          f"load now {os.getloadavg()[0]:.2f}")
    return 1 if args.strict and overall == "FAIL" else 0


if __name__ == "__main__":
    raise SystemExit(main())
