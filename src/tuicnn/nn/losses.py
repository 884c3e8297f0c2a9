"""Softmax and cross-entropy, computed the numerically stable way."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax. ``logits: (N, K) -> probabilities (N, K)``, each row sums to 1.

    The row maximum is subtracted first so ``exp`` never overflows.
    """
    z = logits - logits.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


def softmax_cross_entropy(
    logits: np.ndarray, labels: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    Args:
        logits: ``(N, K)`` raw scores.
        labels: ``(N,)`` integer classes in ``[0, K)``.

    Returns:
        ``(loss, dlogits, probs)``: the mean loss as a float, ``d loss / d logits`` of
        shape ``(N, K)``, and the probabilities ``(N, K)``.
    """
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_probs = shifted - log_norm
    rows = np.arange(n)
    loss = float(-log_probs[rows, labels].mean())
    probs = np.exp(log_probs)
    dlogits = probs.copy()
    dlogits[rows, labels] -= 1
    dlogits /= n
    return loss, dlogits, probs
