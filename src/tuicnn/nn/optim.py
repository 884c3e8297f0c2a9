"""The Adam optimiser (Kingma & Ba, 2015), updating parameters in place."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def flat_view(arrays: Sequence[np.ndarray]) -> np.ndarray | None:
    """One 1-D view over ``arrays`` when they lie back to back in one buffer, else None.

    ``Sequential.initialize`` packs a model's parameters (and, separately, its gradients)
    this way, so Adam can update all of them with a dozen array operations instead of a
    dozen per parameter: most of the FC's optimiser step was call overhead (issue 18).
    """
    if not arrays:
        return None
    root = arrays[0].base if arrays[0].base is not None else arrays[0]
    # (an unpickled array's base can be the bytes it was read from: not packed)
    if not isinstance(root, np.ndarray) or root.ndim != 1 or not root.flags.c_contiguous:
        return None
    itemsize = root.itemsize
    start = arrays[0].__array_interface__["data"][0]
    address = start
    for array in arrays:
        base = array.base if array.base is not None else array
        if (base is not root or array.dtype != root.dtype or not array.flags.c_contiguous
                or array.__array_interface__["data"][0] != address):
            return None
        address += array.size * itemsize
    offset = (start - root.__array_interface__["data"][0]) // itemsize
    return root[offset : offset + (address - start) // itemsize]


FLUSH_EVERY = 8
"""Every this many steps, moments too small for a normal float are set to zero (``Adam``)."""


def flush_subnormals(array: np.ndarray, scratch: np.ndarray) -> None:
    """Set the values of ``array`` smaller in size than the dtype's smallest normal to 0.

    ``scratch``: an array of the same shape and dtype, overwritten.
    """
    np.abs(array, out=scratch)
    array[scratch < np.finfo(array.dtype).tiny] = 0


class Adam:
    """Adam with bias-corrected moment estimates.

    ``m = b1*m + (1-b1)*g``; ``v = b2*v + (1-b2)*g*g``;
    ``p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)``.

    Args:
        params: the arrays to update (updated in place, so layers keep their references).
        grads: the gradient arrays, same order and shapes as ``params``.

    Subnormal moments are flushed to zero every ``FLUSH_EVERY`` steps. A weight whose
    gradient stays zero for hundreds of steps (one for a border pixel that few images
    light) has its first moment shrink by ``b1`` a step until it is subnormal, and x86
    arithmetic on subnormals is many times slower: training the FC on 60,000 Fashion-MNIST
    images, epochs took 0.75, 1.39 and 2.12 s, the step's Adam going from 0.66 to 1.75 ms
    with 26,000-34,000 subnormal moments (issue 18). Zeroing them changes an update by
    less than ``lr * 1e-30``; flushing costs two passes over ``m`` and ``v`` (0.06 ms for
    the FC's 101,770 values), so it runs every few steps, not every one.
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
        self.t = 0
        # Work on one flat array when both lists are packed the same way (see flat_view).
        flat_p, flat_g = flat_view(self.params), flat_view(self.grads)
        packed = (flat_p is not None and flat_g is not None
                  and [p.shape for p in self.params] == [g.shape for g in self.grads])
        self._pairs = [(flat_p, flat_g)] if packed else list(zip(self.params, self.grads,
                                                                    strict=True))
        self._m = [np.zeros_like(p) for p, _ in self._pairs]
        self._v = [np.zeros_like(p) for p, _ in self._pairs]
        self._scratch = [np.empty_like(p) for p, _ in self._pairs]

    def step(self) -> None:
        """Apply one update using the current contents of ``grads``.

        The moments are kept divided by ``1 - b1`` and ``1 - b2`` (``m' = b1*m' + g``,
        ``v' = b2*v' + g*g``) and the constants folded into two scalars, which is the same
        update in ten array passes instead of thirteen (issue 18)::

            p -= lr*(1-b1)/(1-b1^t)/c * m' / (sqrt(v') + eps/c),  c = sqrt((1-b2)/(1-b2^t))
        """
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        c = math.sqrt((1 - b2) / (1 - b2**self.t))
        step_size = self.lr * (1 - b1) / (1 - b1**self.t) / c
        eps = self.eps / c
        for (p, g), m, v, tmp in zip(self._pairs, self._m, self._v, self._scratch, strict=True):
            m *= b1
            m += g
            np.multiply(g, g, out=tmp)
            v *= b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += eps
            np.divide(m, tmp, out=tmp)
            tmp *= step_size
            p -= tmp
            if self.t % FLUSH_EVERY == 0:
                flush_subnormals(m, tmp)
                flush_subnormals(v, tmp)
