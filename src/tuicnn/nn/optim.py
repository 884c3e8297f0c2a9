"""The Adam optimiser (Kingma & Ba, 2015), updating parameters in place."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


class Adam:
    """Adam with bias-corrected moment estimates.

    ``m = b1*m + (1-b1)*g``; ``v = b2*v + (1-b2)*g*g``;
    ``p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)``.

    Args:
        params: the arrays to update (updated in place, so layers keep their references).
        grads: the gradient arrays, same order and shapes as ``params``.
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        grads: Sequence[np.ndarray],
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        if len(params) != len(grads):
            raise ValueError("params and grads must pair up")
        self.params = list(params)
        self.grads = list(grads)
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0
        self._scratch = [np.empty_like(p) for p in self.params]

    def step(self) -> None:
        """Apply one update using the current contents of ``grads``."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step_size = self.lr / (1 - b1**self.t)
        v_scale = 1.0 / math.sqrt(1 - b2**self.t)
        for p, g, m, v, tmp in zip(
            self.params, self.grads, self.m, self.v, self._scratch, strict=True
        ):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - b2
            v += tmp
            # tmp <- sqrt(v_hat) + eps, then p -= step_size * m / tmp
            np.sqrt(v, out=tmp)
            tmp *= v_scale
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= step_size
            p -= tmp
