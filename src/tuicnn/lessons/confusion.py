"""Where each net goes wrong on the test set: confusion matrices, per-class accuracy, the most
confused pairs, how the FC's and the CNN's mistakes differ, and the test digits behind a cell.

Plain NumPy (no Textual): the Mistakes tab and ``tuicnn analyze`` share it. Every number is
counted from the model's own predictions on the test images (``Sequential.predict_proba``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tuicnn.nn.model import Sequential

KINDS = ("fc", "cnn")
"""The two nets compared, in the order every view lists them."""

FILTERS = ("all", "cnn_right_fc_wrong", "fc_right_cnn_wrong")
"""Gallery filters: every digit of the cell, or only those exactly one of the nets gets right."""

FILTER_NAMES = {
    "all": "all digits",
    "cnn_right_fc_wrong": "CNN right, FC wrong",
    "fc_right_cnn_wrong": "FC right, CNN wrong",
}


@dataclass(frozen=True)
class Evaluation:
    """One model's predictions on the whole test set.

    Attributes:
        probabilities: ``(N, K)`` softmax outputs.
        predictions: ``(N,)`` argmax of ``probabilities``.
        losses: ``(N,)`` cross-entropy of each digit, ``-log p(true class)``.
        matrix: ``(K, K)`` int counts, ``matrix[true][pred]``.
    """

    probabilities: np.ndarray
    predictions: np.ndarray
    losses: np.ndarray
    matrix: np.ndarray

    @property
    def correct(self) -> int:
        """Digits predicted right: the matrix's trace."""
        return int(np.trace(self.matrix))

    @property
    def total(self) -> int:
        return int(self.matrix.sum())

    @property
    def accuracy(self) -> float:
        """``trace / total`` (0 for an empty test set)."""
        return self.correct / self.total if self.total else 0.0

    @property
    def per_class_accuracy(self) -> np.ndarray:
        """``(K,)`` fraction of each true class predicted right (NaN for an absent class)."""
        support = self.matrix.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(support > 0, np.diag(self.matrix) / np.maximum(support, 1), np.nan)


@dataclass(frozen=True)
class Pair:
    """A confusion: ``count`` test digits of class ``true`` predicted as ``pred``."""

    true: int
    pred: int
    count: int


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, n_classes: int) -> np.ndarray:
    """``(K, K)`` int64 counts: ``matrix[t][p]`` = digits of true class t predicted as p."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(labels, dtype=np.int64),
                       np.asarray(predictions, dtype=np.int64)), 1)
    return matrix


def evaluate(model: Sequential, x: np.ndarray, y: np.ndarray, n_classes: int = 10,
             batch_size: int = 256) -> Evaluation:
    """Run ``model`` on ``x: (N, 28, 28, 1)`` and count its predictions against ``y: (N,)``."""
    probabilities = model.predict_proba(x, batch_size=batch_size)
    predictions = probabilities.argmax(axis=1)
    true_p = probabilities[np.arange(len(y)), np.asarray(y, dtype=np.int64)]
    losses = -np.log(np.maximum(true_p.astype(np.float64), 1e-12))
    return Evaluation(probabilities, predictions, losses,
                      confusion_matrix(y, predictions, n_classes))


def most_confused(matrix: np.ndarray, limit: int = 5) -> list[Pair]:
    """The off-diagonal cells with the largest counts, largest first (ties: by true, pred).

    Cells with a count of 0 are never listed.
    """
    pairs = [Pair(t, p, int(matrix[t, p])) for t in range(matrix.shape[0])
             for p in range(matrix.shape[1]) if t != p and matrix[t, p] > 0]
    pairs.sort(key=lambda pair: (-pair.count, pair.true, pair.pred))
    return pairs[:limit]


def difference(fc: np.ndarray, cnn: np.ndarray) -> np.ndarray:
    """``cnn - fc`` counts: negative off the diagonal = confusions the CNN makes less often."""
    return np.asarray(cnn, dtype=np.int64) - np.asarray(fc, dtype=np.int64)


def fixes_and_adds(fc: np.ndarray, cnn: np.ndarray, limit: int = 5) -> tuple[list[Pair],
                                                                               list[Pair]]:
    """The confusions the CNN fixes (fewer than the FC) and adds (more), largest change first.

    Each :class:`Pair` carries the size of the change as a positive ``count``.
    """
    diff = difference(fc, cnn)
    off = ~np.eye(diff.shape[0], dtype=bool)
    fixes = most_confused(np.where(off, -diff, 0).clip(min=0), limit)
    adds = most_confused(np.where(off, diff, 0).clip(min=0), limit)
    return fixes, adds


def gallery(evaluations: dict[str, Evaluation], labels: np.ndarray, kind: str,
            true: int | None = None, pred: int | None = None, keep: str = "all") -> np.ndarray:
    """Test-set indices behind a matrix cell, the worst first (highest loss of that net).

    Args:
        evaluations: ``{"fc": ..., "cnn": ...}``.
        labels: ``(N,)`` true classes.
        kind: ``"fc"`` or ``"cnn"``: whose cell (and whose loss sorts it); ``"diff"`` takes the
            digits either net put in that cell, sorted by the larger of the two losses.
        true, pred: the cell; None for any class (e.g. every digit the filter keeps).
        keep: one of :data:`FILTERS`.

    Returns:
        ``(M,)`` int64 indices into the test set.
    """
    if keep not in FILTERS:
        raise ValueError(f"filter must be one of {', '.join(FILTERS)}, not {keep!r}")
    labels = np.asarray(labels)
    fc, cnn = evaluations["fc"], evaluations["cnn"]
    mask = np.ones(len(labels), dtype=bool) if true is None else labels == true
    if pred is not None:
        if kind == "diff":
            mask &= (fc.predictions == pred) | (cnn.predictions == pred)
        else:
            mask &= evaluations[kind].predictions == pred
    fc_right, cnn_right = fc.predictions == labels, cnn.predictions == labels
    if keep == "cnn_right_fc_wrong":
        mask &= cnn_right & ~fc_right
    elif keep == "fc_right_cnn_wrong":
        mask &= fc_right & ~cnn_right
    losses = np.maximum(fc.losses, cnn.losses) if kind == "diff" else evaluations[kind].losses
    indices = np.flatnonzero(mask)
    return indices[np.argsort(-losses[indices], kind="stable")]


def evaluation_json(evaluation: Evaluation, limit: int = 5) -> dict:
    """What ``tuicnn analyze --json`` prints for one model."""
    per_class = evaluation.per_class_accuracy
    return {
        "accuracy": evaluation.accuracy,
        "correct": evaluation.correct,
        "total": evaluation.total,
        "matrix": evaluation.matrix.tolist(),
        "per_class_accuracy": [None if np.isnan(a) else float(a) for a in per_class],
        "most_confused": [pair_json(p) for p in most_confused(evaluation.matrix, limit)],
    }


def pair_json(pair: Pair) -> dict:
    return {"true": pair.true, "pred": pair.pred, "count": pair.count}
