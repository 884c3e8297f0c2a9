"""Train several models at once, one thread each, as a single merged event stream.

NumPy releases the GIL inside its array kernels and BLAS calls, so on a two-core machine
the FC and the CNN really do train in parallel. To avoid oversubscribing the cores, the
BLAS thread pool is shared out: while ``k`` models train, BLAS gets ``threads // k``
threads; when one finishes, the others get its share back (up to ``blas_threads`` each
when the caller caps it: on a busy machine two BLAS threads per model were 4-5x slower
than one, as OpenBLAS's threads wait for each other; see benchmarks/bench_inapp_wall.py).
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator, Sequence

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import TrainEvent
from tuicnn.nn.model import Sequential
from tuicnn.nn.threads import blas_threads_for
from tuicnn.nn.training import train


def _lower_priority(nice: int) -> None:
    """Make the calling thread nicer; on Linux a nice value is per thread."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    except (AttributeError, OSError):  # other platforms or no permission: run as we are
        pass


class _BlasBudget:
    """Gives BLAS ``total // running`` threads, restoring the original limits at the end."""

    def __init__(self, cap: int | None = None) -> None:
        self._limiters: list = []
        pools = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        self._total = max(pools, default=1)
        self._cap = cap

    def share(self, running: int) -> None:
        if running > 0:
            threads = max(1, self._total // running)
            if self._cap is not None:
                threads = min(threads, max(1, self._cap))
            self._limiters.append(threadpool_limits(limits=threads, user_api="blas"))

    def restore(self) -> None:
        while self._limiters:
            self._limiters.pop().restore_original_limits()


_DONE = object()


def train_concurrently(
    models: Sequence[Sequential],
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    config: TrainConfig | None = None,
    stop: threading.Event | None = None,
    nice: int = 0,
    watch: str | None = None,
    blas_threads: int | None = None,
) -> Iterator[TrainEvent]:
    """Like ``train`` for each model, run side by side; events arrive in completion order.

    Each model's own events keep their order, and each model computes exactly what
    ``train`` alone would. ``stop`` cancels all of them. An exception in one thread stops
    the others and is re-raised here.

    Args:
        nice: raise the training threads' OS niceness by this much (Linux; ignored where
            threads have no priority of their own), so an interactive UI sharing the cores
            is scheduled first.
        watch: passed to ``train``: snapshot this layer of the models that have it.
        blas_threads: at most this many BLAS threads per model (None: the whole pool
            shared out). The thread counts never change the numbers, only the speed.

    Yields:
        The events of all models, interleaved.
    """
    config = config or TrainConfig()
    stop = stop or threading.Event()
    events: queue.Queue = queue.Queue(maxsize=1024)
    errors: list[BaseException] = []

    def run(model: Sequential) -> None:
        if nice:
            _lower_priority(nice)
        try:
            for event in train(model, x_train, y_train, x_test, y_test, config, stop, watch):
                events.put(event)
        except BaseException as error:  # forwarded to the consumer below
            errors.append(error)
            stop.set()
        finally:
            events.put(_DONE)

    threads = [threading.Thread(target=run, args=(m,), name=f"train-{m.kind}", daemon=True)
               for m in models]
    # Issue 18: no more threads than the models' work is worth (nn/threads.py).
    cap = max((blas_threads_for(m, config.batch_size, os.cpu_count() or 1) for m in models),
              default=1)
    budget = _BlasBudget(cap if blas_threads is None else min(cap, blas_threads))
    running = len(threads)
    budget.share(running)
    for thread in threads:
        thread.start()
    try:
        while running:
            event = events.get()
            if event is _DONE:
                running -= 1
                budget.share(running)
            else:
                yield event
    finally:
        # The consumer stopped early (closed generator) or we are done: let threads finish.
        if running:
            stop.set()
            while running:
                if events.get() is _DONE:
                    running -= 1
        for thread in threads:
            thread.join()
        budget.restore()
    if errors:
        raise errors[0]
