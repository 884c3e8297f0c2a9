"""How many BLAS threads a training step is worth, decided by the work in one step.

On this project's 2-core machine a second BLAS thread pays only when one step's matrix
products are large: for the default CNN (batch 64) the products are small and thin, and the
threads' hand-offs cost more than they save (issue 18 measured both libraries slower with
two threads on the default nets). ``blas_threads_for`` keeps one thread below
``TWO_THREAD_FLOPS`` per step and the whole budget above it; ``train`` applies it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from tuicnn.nn.layers import Conv2D, Dense
from tuicnn.nn.model import Sequential

TWO_THREAD_FLOPS = 10.0e9
"""Floating-point operations per training step from which the whole budget is used.

Measured (issue 18, NumPy alone, median step, machine at load 6-7 as a shared class server
is): two threads against one were 8.7× slower for the default CNN (0.14 GFLOP a step),
4.2× with 32 filters (1.6 GFLOP), 8.1× at batch 256 (0.56 GFLOP), 4-80× for the FC nets.
Every size measured therefore trains with one thread; above 10 GFLOP a step (64 filters at
batch 256 and larger, not measured) the budget is used."""


def step_flops(model: Sequential, batch_size: int) -> int:
    """Floating-point operations in the matrix products of one training step.

    Forward, weight gradient and (where computed) input gradient of every convolution and
    dense layer each cost ``2 · batch · outputs · fan_in``; the element-wise layers are
    left out (they are memory-bound and BLAS does not run them).
    """
    shape, total = model.input_shape, 0
    for layer in model.layers:
        out = layer.output_shape(shape)
        if isinstance(layer, Conv2D):
            fan_in = layer.kernel_size**2 * layer.in_channels
            products = 3 if layer.needs_input_grad else 2
            total += products * 2 * batch_size * math.prod(out) * fan_in
        elif isinstance(layer, Dense):
            products = 3 if layer.needs_input_grad else 2
            total += products * 2 * batch_size * layer.in_features * layer.out_features
        shape = out
    return total


def blas_threads_for(model: Sequential, batch_size: int, budget: int) -> int:
    """BLAS threads for training ``model`` at ``batch_size``, at most ``budget``."""
    if budget <= 1 or step_flops(model, batch_size) < TWO_THREAD_FLOPS:
        return 1
    return budget


def current_blas_threads() -> int:
    """The BLAS pool's current thread limit (1 if NumPy's BLAS cannot be found)."""
    from threadpoolctl import threadpool_info

    pools = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    return max(pools, default=1)


@contextmanager
def blas_threads_while_training(model: Sequential, batch_size: int) -> Iterator[int]:
    """Lower the BLAS pool to ``blas_threads_for`` (never raise it) for the ``with`` body.

    The pool is process-wide. ``train_concurrently`` shares it out before its threads call
    ``train``: with two models each starts with one thread, so nothing changes here.
    """
    from threadpoolctl import threadpool_limits

    budget = current_blas_threads()
    threads = blas_threads_for(model, batch_size, budget)
    if threads >= budget:
        yield budget
        return
    limiter = threadpool_limits(limits=threads, user_api="blas")
    try:
        yield threads
    finally:
        limiter.restore_original_limits()
