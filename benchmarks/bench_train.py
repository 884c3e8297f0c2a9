"""Seconds per epoch of the NumPy engine against the same networks in PyTorch (CPU).

Both sides train the *same* computation in the same run: identical initial weights (ours,
copied into PyTorch), the same Adam settings, the same batches (``shuffle_rng(seed)``, one
permutation per epoch) and the same per-epoch test evaluation (batches of 1,000). Their final
test accuracies should therefore be close; the printed difference checks that the two sides
really compute the same thing, so the speed ratio compares like with like.

Epochs alternate between NumPy and PyTorch, so load from other processes hits both alike.
Times are medians over all epochs; the median absorbs the slow first (warm-up) epoch, so no
epoch is discarded or run extra. Each epoch's time covers its training steps and its test
evaluation, as ``EpochEnd.seconds`` does.

Usage:
    python benchmarks/bench_train.py                    # default config, 5 epochs
    python benchmarks/bench_train.py --config largest   # hidden 512, filters 16, batch 32
    python benchmarks/bench_train.py --profile          # + cProfile of one NumPy CNN epoch
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

from tuicnn.data.dataset import Split, bundled_split
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import EpochEnd
from tuicnn.nn.layers import Conv2D, Dense
from tuicnn.nn.model import Sequential, build_cnn, build_fc
from tuicnn.nn.training import shuffle_rng, train

CONFIGS = {
    "default": {"hidden": 128, "filters": 8, "batch_size": 64},
    "largest": {"hidden": 512, "filters": 16, "batch_size": 32},
}
EVAL_BATCH = TrainConfig().eval_batch_size  # what the app and the CLI use (256)


@dataclass
class Run:
    """Per-epoch seconds and the last epoch's test accuracy of one model on one side."""

    seconds: list[float] = field(default_factory=list)
    test_acc: float = float("nan")

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


def blas_threads() -> tuple[int, str]:
    """NumPy's BLAS thread count and a description of where that number comes from."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        n = os.cpu_count() or 1
        return n, f"assumed {n} (threadpoolctl not installed; OpenBLAS defaults to all CPUs)"
    pools = [p for p in threadpool_info() if p["user_api"] == "blas"]
    if not pools:
        return 1, "assumed 1 (no BLAS thread pool found)"
    pool = pools[0]
    return pool["num_threads"], f"{pool['internal_api']} {pool['version']}"


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

    def epoch(self) -> tuple[float, float]:
        """One epoch of training and test evaluation: ``(seconds, test accuracy)``."""
        torch, f = self.torch, self.torch.nn.functional
        start = time.perf_counter()
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
        return time.perf_counter() - start, correct / len(self.x_test)


# -- the benchmark --------------------------------------------------------------------------
def build(kind: str, settings: dict, seed: int) -> Sequential:
    if kind == "fc":
        return build_fc(settings["hidden"], seed=seed)
    return build_cnn(settings["filters"], seed=seed)


def bench_model(kind: str, settings: dict, split: Split, config: TrainConfig,
                torch) -> tuple[Sequential, Run, Run | None]:
    """Train ``kind`` on both sides, one epoch each in turn."""
    model = build(kind, settings, config.seed)
    trainer = (TorchTrainer(torch, torch_twin(torch, model), split, config, kind == "cnn")
               if torch is not None else None)  # copies the weights before ours change
    ours, theirs = Run(), Run() if trainer else None
    events = train(model, split.x_train, split.y_train, split.x_test, split.y_test, config)
    for event in events:
        if not isinstance(event, EpochEnd):
            continue
        ours.seconds.append(event.seconds)
        ours.test_acc = event.test_acc
        if trainer is not None:
            seconds, theirs.test_acc = trainer.epoch()
            theirs.seconds.append(seconds)
    return model, ours, theirs


def profile_cnn_epoch(settings: dict, split: Split, config: TrainConfig, top: int = 15) -> str:
    """cProfile of the second NumPy CNN epoch (the first is a warm-up), top ``top`` by
    cumulative time, so we can see which layer's forward/backward the time goes to."""
    model = build("cnn", settings, config.seed)
    events = train(model, split.x_train, split.y_train, split.x_test, split.y_test,
                   TrainConfig(epochs=2, batch_size=config.batch_size, lr=config.lr,
                               seed=config.seed))
    next(e for e in events if isinstance(e, EpochEnd))
    profiler = cProfile.Profile()
    profiler.enable()
    next(e for e in events if isinstance(e, EpochEnd))
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue().strip()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", choices=sorted(CONFIGS), default="default")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per model (default: 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", type=float, default=1.5,
                        help="PASS when NumPy/PyTorch seconds per epoch <= this (default: 1.5)")
    parser.add_argument("--strict", action="store_true", help="exit 1 on FAIL")
    parser.add_argument("--profile", action="store_true",
                        help="also print the top 15 functions of one NumPy CNN epoch")
    parser.add_argument("--no-torch", action="store_true", help="time NumPy only")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = CONFIGS[args.config]
    config = TrainConfig(epochs=args.epochs, batch_size=settings["batch_size"], lr=1e-3,
                         seed=args.seed, eval_batch_size=EVAL_BATCH)
    split = bundled_split(1000, 1000, seed=args.seed)
    threads, blas = blas_threads()
    torch = None if args.no_torch else import_torch()
    print(f"config {args.config}: FC hidden {settings['hidden']}, CNN filters "
          f"{settings['filters']}, batch {config.batch_size}, lr {config.lr:g}, seed "
          f"{config.seed}, {args.epochs} epochs, {split.n_train:,} train / {split.n_test:,} "
          f"test ({split.source})")
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, {os.cpu_count()} CPUs")
    print(f"NumPy BLAS threads: {threads} ({blas})")
    if torch is not None:
        torch.set_num_threads(threads)
        print(f"PyTorch {torch.__version__} threads: {torch.get_num_threads()} "
              "(set equal to NumPy's BLAS threads)")
    else:
        print("PyTorch: not used (" + ("--no-torch" if args.no_torch else "not importable") + ")")
    print("Timing: median s/epoch (training + test evaluation) over all epochs, NumPy and "
          "PyTorch epochs alternating; the median absorbs the warm-up epoch.\n")

    head = (f"{'model':<5} {'params':>9} {'NumPy s/ep':>10} {'Torch s/ep':>10} {'NumPy/Torch':>11}"
            f" {'acc NumPy':>9} {'acc Torch':>9} {'acc diff':>8}  target <= {args.target:g}")
    print(head)
    verdicts = []
    epoch_lines = []
    for kind in ("fc", "cnn"):
        model, ours, theirs = bench_model(kind, settings, split, config, torch)
        epoch_lines.append(f"  {kind:<3} NumPy " + " ".join(f"{s:.3f}" for s in ours.seconds))
        if theirs is None:
            print(f"{kind:<5} {model.n_params:>9,} {ours.median:>10.4f} {'-':>10} {'-':>11} "
                  f"{ours.test_acc:>9.2%} {'-':>9} {'-':>8}  n/a")
            continue
        epoch_lines.append(f"  {kind:<3} Torch " + " ".join(f"{s:.3f}" for s in theirs.seconds))
        ratio = ours.median / theirs.median
        verdict = "PASS" if ratio <= args.target else "FAIL"
        verdicts.append(verdict)
        diff = 100 * (ours.test_acc - theirs.test_acc)
        print(f"{kind:<5} {model.n_params:>9,} {ours.median:>10.4f} {theirs.median:>10.4f} "
              f"{ratio:>11.2f} {ours.test_acc:>9.2%} {theirs.test_acc:>9.2%} {diff:>+7.1f}p  "
              f"{verdict}")
    print("\nseconds per epoch:")
    print("\n".join(epoch_lines))
    overall = ("n/a (no PyTorch)" if not verdicts else
               "PASS" if all(v == "PASS" for v in verdicts) else "FAIL")
    print(f"\nResult: {overall} (NumPy/PyTorch <= {args.target:g} for every model)")
    if args.profile:
        print("\ncProfile, one NumPy CNN epoch (the second; top 15 by cumulative time):")
        print(profile_cnn_epoch(settings, split, config))
    return 1 if args.strict and overall == "FAIL" else 0


if __name__ == "__main__":
    raise SystemExit(main())
