"""How far each conv1 filter moved from its start, and the words a caption may use for it.

Pure NumPy (no Textual), shared by the Explore tab and ``tuicnn train --json``. The post says
backprop "adjusts the filter until it detects something useful"; measured, a default run
moves conv1 by a few per cent and keeps its random pattern (correlation ~0.999 with its
start). So captions here say what was measured and never more:

* **relative change** ``‖W − W₀‖ / ‖W₀‖`` (per filter): how much moved, against the start;
* **correlation with the start** (Pearson, per flattened filter): whether the *pattern* is
  the start's pattern. A filter can change a lot and keep its pattern (training scaled it);
* **start share** ``‖W₀‖ / ‖W‖``: how much of what is seen now was there at the start.

Wording rules (:func:`verdict`), in this order:

1. no start known (a model file saved before starts were kept): say so, claim nothing;
2. correlation ≥ 0.95 and change < 25 %: "its pattern was already there" (the default run);
3. correlation ≥ 0.95: "kept its start's pattern; training scaled it ×k";
4. correlation < 0.5: "training reshaped it";
5. otherwise: "partly reshaped".
A start that is under a fifth of the filter now adds "mostly learned: the start is p % of it".
No rule calls a filter an edge or stroke detector: nothing here measures that.

Arrays follow the engine: conv1 weights ``(3, 3, 1, F)``, one filter per last index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KEPT_CORRELATION = 0.95
"""At or above this, a filter's pattern is called the start's pattern."""

RESHAPED_CORRELATION = 0.5
"""Below this, the pattern is called reshaped by training."""

SMALL_CHANGE = 0.25
"""Below this relative change (25 %), a kept pattern "was already there"."""

MOSTLY_LEARNED = 0.2
"""A start under this share of the filter now (by norm) makes the filter "mostly learned"."""

WEIGHT_VIEWS = ("now", "start", "change")
"""What a filter card's numbers show: ``W`` now, ``W₀`` at the start, or ``W − W₀``."""

WEIGHT_VIEW_TITLES = {"now": "weights now", "start": "weights at the start",
                      "change": "change W − W₀"}


def _columns(weights: np.ndarray) -> np.ndarray:
    """``(3, 3, C, F)`` → ``(F, 9C)`` float64, one flattened filter per row."""
    w = np.asarray(weights, dtype=np.float64)
    return w.reshape(-1, w.shape[-1]).T


def relative_change(start: np.ndarray, now: np.ndarray) -> np.ndarray:
    """``‖W − W₀‖ / ‖W₀‖`` per filter, ``(F,)``; ``inf`` where the start is all zero."""
    a, b = _columns(start), _columns(now)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.linalg.norm(b - a, axis=1) / np.linalg.norm(a, axis=1)


def start_correlation(start: np.ndarray, now: np.ndarray) -> np.ndarray:
    """Pearson correlation of each flattened filter with its start, ``(F,)``.

    NaN where either is constant (e.g. all zero): a correlation is undefined there.
    """
    a, b = _columns(start), _columns(now)
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    denominator = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, (a * b).sum(axis=1) / denominator, np.nan)


def start_share(start: np.ndarray, now: np.ndarray) -> np.ndarray:
    """``‖W₀‖ / ‖W‖`` per filter, ``(F,)``: how much of the filter now its start accounts for."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.linalg.norm(_columns(start), axis=1)
                / np.linalg.norm(_columns(now), axis=1))


def layer_change(start: np.ndarray, now: np.ndarray) -> tuple[float, float]:
    """Means over filters of the relative change and the start correlation.

    The ``conv1_change`` and ``conv1_init_corr`` fields of ``tuicnn train --json``.
    NaN entries (a constant filter) are left out of the correlation mean.
    """
    change = relative_change(start, now)
    correlation = start_correlation(start, now)
    finite = correlation[np.isfinite(correlation)]
    return float(np.mean(change)), float(np.mean(finite)) if finite.size else float("nan")


@dataclass(frozen=True)
class FilterChange:
    """One filter's measured change from its start (``None`` fields: start unknown)."""

    change: float | None
    correlation: float | None
    share: float | None

    @property
    def known(self) -> bool:
        return self.change is not None


UNKNOWN = FilterChange(None, None, None)


def filter_changes(start: np.ndarray | None, now: np.ndarray) -> list[FilterChange]:
    """Per filter of ``now`` (``(3, 3, C, F)``), its change from ``start`` (or unknown)."""
    count = np.shape(now)[-1]
    if start is None:
        return [UNKNOWN] * count
    change = relative_change(start, now)
    correlation = start_correlation(start, now)
    share = start_share(start, now)
    return [FilterChange(float(c), float(r), float(s))
            for c, r, s in zip(change, correlation, share, strict=True)]


def _percent(value: float) -> str:
    """``0.065`` → ``7%``; ``12.0`` → ``1,200%`` (thousands separated)."""
    return f"{value:.0%}" if value < 10 else f"{value * 100:,.0f}%"


def short_caption(fc: FilterChange) -> str:
    """The numbers, for a filter card: ``moved 7% · corr 1.00 with start``."""
    if not fc.known:
        return "start unknown: saved without it"
    assert fc.change is not None and fc.correlation is not None
    if not np.isfinite(fc.change):
        return "started at zero"
    corr = "corr n/a" if not np.isfinite(fc.correlation) else f"corr {fc.correlation:.3f}"
    return f"moved {_percent(fc.change)} · {corr} with start"


def verdict(fc: FilterChange) -> str:
    """What the numbers mean, in words that claim no more than they measure (rules above)."""
    if not fc.known:
        return ("its starting weights are unknown (the model file was saved before tuicnn "
                "kept them), so how far it moved cannot be measured")
    assert fc.change is not None and fc.correlation is not None and fc.share is not None
    corr, change = fc.correlation, fc.change
    if change == 0:
        return "not changed: these are its random starting weights"
    if not np.isfinite(change) or not np.isfinite(corr):
        return "its start or its weights are constant, so no correlation can be measured"
    numbers = f"moved {_percent(change)} from its start, correlation {corr:.3f}"
    if corr >= KEPT_CORRELATION and change < SMALL_CHANGE:
        text = f"{numbers}: its pattern was already there at the start"
    elif corr >= KEPT_CORRELATION:
        text = f"{numbers}: it kept its start's pattern, training mostly scaled it"
    elif corr < RESHAPED_CORRELATION:
        text = f"{numbers}: training reshaped it"
    else:
        text = f"{numbers}: partly reshaped, partly its start's pattern"
    if fc.share < MOSTLY_LEARNED:
        text += f"; the start is only {fc.share:.0%} of it now, so it is mostly learned"
    return text


def layer_verdict(changes: list[FilterChange]) -> str:
    """One sentence for all filters: means and ranges, or that the start is unknown."""
    known = [c for c in changes if c.known]
    if not known:
        return ("Start unknown: this model was saved without its starting weights, so how "
                "far its filters moved cannot be measured.")
    moved = np.array([c.change for c in known], dtype=np.float64)
    corr = np.array([c.correlation for c in known], dtype=np.float64)
    if not np.all(np.isfinite(moved)) or not np.all(np.isfinite(corr)):
        return "Some filters started (or are) constant: no change or correlation for them."
    if np.all(moved == 0):
        return "Before training: every filter is still its random start."
    return (f"Since their random start the filters moved {_percent(float(moved.min()))}–"
            f"{_percent(float(moved.max()))} (correlation {corr.min():.3f}–{corr.max():.3f} "
            f"with their start).")


def weights_to_show(view: str, start: np.ndarray | None, now: np.ndarray) -> np.ndarray | None:
    """The ``(3, 3, C, F)`` numbers a card shows for ``view`` (None: start unknown)."""
    if view == "now":
        return now
    if start is None:
        return None
    return start if view == "start" else np.asarray(now) - np.asarray(start)


def experiment_note(conv1_init: str, changes: list[FilterChange], trained: bool) -> str:
    """What the model's conv1 start means for reading its filters, and the experiment to try.

    Args:
        conv1_init: the model's ``hparams["conv1_init"]`` (``"he"`` or ``"small"``).
        changes: per-filter change from the start, at the moment shown.
        trained: whether the model has finished an epoch.
    """
    if conv1_init == "small":
        return ("This CNN's conv1 started near zero (a hundredth of the usual random size), "
                "so the patterns on the cards are what training put there.")
    known = [c for c in changes if c.known and c.change is not None and c.correlation is not None]
    kept = known and all(c.correlation >= KEPT_CORRELATION and c.change < SMALL_CHANGE
                         for c in known)
    if trained and kept:
        return ("To see filters that training shapes, train with \"CNN conv1 starts near "
                "zero\" (Train tab, Advanced) or tuicnn train --conv1-init small.")
    return ""
