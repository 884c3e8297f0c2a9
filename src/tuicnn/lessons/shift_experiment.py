"""The shift test: how a model's test accuracy changes when every digit is moved a few pixels.

MNIST digits are centred by centre of mass, so a network trained on them has only seen digits
in one place. Convolutions share their weights across positions and max-pooling forgives
small moves, so a CNN is expected to cope with shifted digits better than a fully-connected
net, whose every weight is tied to one pixel. This module measures that instead of assuming
it: :func:`shift_test` shifts the whole test set by 0, 1, 2, ... pixels and evaluates each
model with the engine's :func:`~tuicnn.nn.evaluate`. :func:`reading` states the result in
one sentence, including when the CNN does *not* hold up better.

No Textual here: the Shift tab runs :func:`iter_shift_test` in a worker thread and the CLI's
``shift-test`` command calls :func:`shift_test`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from tuicnn.data.transforms import shift_images
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import EpochEnd, TrainEvent
from tuicnn.nn.kinds import MODEL_NAMES
from tuicnn.nn.model import Sequential, build_cnn
from tuicnn.nn.training import evaluate, train

DIRECTIONS: tuple[str, ...] = ("right", "down", "diagonal")
"""Ways to shift: right (+x), down (+y), or diagonally (right and down by the same amount)."""

DEFAULT_SHIFTS = range(0, 7)
"""0..6 pixels: 6 is 30% of the 20-pixel box a digit fills, past what pooling can absorb."""

CHUNK = 1000
"""Test images shifted at a time: memory stays at one chunk however large the test set."""

LABELS = {**MODEL_NAMES, "cnn_aug": "CNN+aug", "cnn_gap": "GAP CNN",
          "cnn_gap_aug": "GAP CNN+aug"}
"""Display names of the models a shift test can compare: the FC, the CNN (flatten head),
the CNN trained on shifted copies (``_aug``) and the CNN with a global-average-pool head."""

VARIANT_AUGMENT = 3
"""Pixels the Shift tab's augmented CNN is trained with (the CLI takes ``--augment N``)."""

AHEAD = 0.05
"""A lead of at least this (5 points) counts as one model being ahead at a shift; below it
the two are within what another seed could change on 1,000 test digits."""

COLLAPSED = 0.30
"""Below this accuracy (3× chance for 10 classes) a model has lost most digits: collapsed."""

HOLDS = 0.05
"""A model "holds" its accuracy at a shift while it is within this (5 points) of 0 px."""

WHY = ("Why: the CNN's two 2×2 max-pools forgive a move of a pixel or two, but its dense "
       "head weighs every position separately, so bigger moves put strokes where it never "
       "learned them.")


def model_key(head: str = "flatten", augment: int = 0, kind: str = "cnn") -> str:
    """The name a model goes by in a shift test: ``fc``, ``cnn``, ``cnn_aug``, ``cnn_gap``..."""
    if kind != "cnn":
        return kind
    return "cnn" + ("_gap" if head == "gap" else "") + ("_aug" if augment else "")


@dataclass(frozen=True)
class ShiftRow:
    """One row of the shift test.

    Attributes:
        shift: Pixels moved (in each axis for ``"diagonal"``).
        accuracies: Model name -> test accuracy in ``[0, 1]`` on the shifted test set.
    """

    shift: int
    accuracies: dict[str, float] = field(default_factory=dict)


def offsets(direction: str, shift: int) -> tuple[int, int]:
    """``(dx, dy)`` for moving ``shift`` pixels in ``direction``.

    ``"diagonal"`` moves ``shift`` pixels right *and* down, so the distance travelled is
    ``shift * sqrt(2)``.

    Raises:
        ValueError: If ``direction`` is not one of :data:`DIRECTIONS`.
    """
    if direction == "right":
        return shift, 0
    if direction == "down":
        return 0, shift
    if direction == "diagonal":
        return shift, shift
    raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")


def iter_shift_test(
    models: Mapping[str, Sequential],
    x_test: np.ndarray,
    y_test: np.ndarray,
    shifts: Iterable[int] = DEFAULT_SHIFTS,
    direction: str = "right",
    batch_size: int = CHUNK,
    stop: threading.Event | None = None,
) -> Iterator[ShiftRow]:
    """Yield one :class:`ShiftRow` per shift, as soon as it is measured.

    Each chunk of ``batch_size`` test images is shifted once and evaluated by every model
    with :func:`~tuicnn.nn.evaluate`; correct counts are summed over chunks, so the result
    equals ``evaluate(model, shift_images(x_test, dx, dy), y_test)`` without holding a
    shifted copy of the whole test set.

    Args:
        models: Name -> model, e.g. ``{"fc": fc, "cnn": cnn}``. Models are only read.
        x_test: ``(N, 28, 28, 1)`` images in ``[0, 1]``.
        y_test: ``(N,)`` integer labels.
        shifts: Pixel counts to test, e.g. ``range(0, 7)``.
        direction: One of :data:`DIRECTIONS`.
        batch_size: Images shifted and evaluated at a time (bounds memory).
        stop: When set (from any thread), stops before the next chunk; no partial row is
            yielded.

    Yields:
        ``ShiftRow(shift, {name: accuracy})`` in the order of ``shifts``.

    Raises:
        ValueError: If ``direction`` is unknown or the test set is empty.
    """
    shifts = [int(s) for s in shifts]
    for shift in shifts:
        offsets(direction, shift)  # fail early on a bad direction
    if len(x_test) == 0:
        raise ValueError("the shift test needs at least one test image")
    if len(x_test) != len(y_test):
        raise ValueError(f"{len(x_test)} test images but {len(y_test)} labels")
    for shift in shifts:
        dx, dy = offsets(direction, shift)
        correct = dict.fromkeys(models, 0)
        for start in range(0, len(x_test), batch_size):
            if stop is not None and stop.is_set():
                return
            xb = shift_images(x_test[start : start + batch_size], dx, dy)
            yb = y_test[start : start + batch_size]
            for name, model in models.items():
                _, acc = evaluate(model, xb, yb, batch_size)
                correct[name] += round(acc * len(yb))
        yield ShiftRow(shift, {name: correct[name] / len(x_test) for name in models})


def shift_test(
    models: Mapping[str, Sequential],
    x_test: np.ndarray,
    y_test: np.ndarray,
    shifts: Iterable[int] = DEFAULT_SHIFTS,
    direction: str = "right",
    batch_size: int = CHUNK,
    stop: threading.Event | None = None,
) -> list[ShiftRow]:
    """Every model's test accuracy at every shift; see :func:`iter_shift_test`.

    Returns:
        One :class:`ShiftRow` per shift (fewer if ``stop`` was set).
    """
    return list(iter_shift_test(models, x_test, y_test, shifts, direction, batch_size, stop))


def _span(shifts: list[int]) -> str:
    """``[1, 2, 3, 5] -> "1-3, 5 px"``: consecutive shifts as ranges."""
    runs: list[list[int]] = []
    for shift in shifts:
        if runs and shift == runs[-1][-1] + 1:
            runs[-1].append(shift)
        else:
            runs.append([shift])
    parts = [f"{r[0]}" if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs]
    return f"{', '.join(parts)} px"


def _typeset(text: str, arrow: str) -> str:
    """Unicode signs on screen (``arrow`` "→"), ASCII ones for the CLI (``"->"``)."""
    if arrow == "→":
        return text.replace(">=", "≥")
    return text.replace("×", "x")


def _pct(fraction: float) -> str:
    return f"{100 * fraction:.1f}%"


def reading(
    rows: list[ShiftRow],
    direction: str = "right",
    first: str = "fc",
    second: str = "cnn",
    labels: Mapping[str, str] = MODEL_NAMES,
    arrow: str = "→",
) -> str:
    """What the numbers show at *every* shift, for the table's caption.

    Names the shifts where ``second`` (the CNN) leads ``first`` (the FC) by at least
    :data:`AHEAD` (and its biggest lead), where ``first`` leads, where the two are within
    :data:`AHEAD` of each other, and from which shift both are below :data:`COLLAPSED`;
    then why (max-pooling forgives small moves, the dense head is tied to positions).

    Args:
        rows: Results from :func:`shift_test`, in increasing shift order.
        direction: The direction the rows were measured in (for the wording).
        first: Name of the model expected to suffer more (the FC).
        second: Name of the model expected to hold up (the CNN).
        labels: Display names.
        arrow: Drawn between before and after values (``"->"`` for ASCII-only output).

    Returns:
        Plain sentences; an explanation if there are fewer than two rows.
    """
    if len(rows) < 2:
        return "Needs at least two shifts to compare."
    a, b = labels.get(first, first), labels.get(second, second)
    base, last = rows[0], rows[-1]
    change = (
        f"{base.shift}{arrow}{last.shift} px {direction}: "
        f"{a} {_pct(base.accuracies[first])}{arrow}{_pct(last.accuracies[first])}, "
        f"{b} {_pct(base.accuracies[second])}{arrow}{_pct(last.accuracies[second])}."
    )
    collapsed = [r.shift for r in rows
                 if max(r.accuracies[first], r.accuracies[second]) < COLLAPSED]
    leads = [(r.shift, r.accuracies[second] - r.accuracies[first]) for r in rows]
    standing = [(shift, lead) for shift, lead in leads if shift not in collapsed]
    b_ahead = [shift for shift, lead in standing if lead >= AHEAD]
    a_ahead = [shift for shift, lead in standing if lead <= -AHEAD]
    close = [shift for shift, lead in standing if abs(lead) < AHEAD]
    parts = []
    if b_ahead:
        best_shift, best = max(standing, key=lambda item: item[1])
        parts.append(f"{b} ahead by >=5 pts at {_span(b_ahead)} "
                     f"(most at {best_shift} px: +{100 * best:.1f})")
    if a_ahead:
        parts.append(f"{a} ahead by >=5 pts at {_span(a_ahead)}")
    if close:
        parts.append(f"within 5 pts at {_span(close)}")
    verdict = ""
    if parts:
        verdict = " " + "; ".join(parts) + "."
        verdict = " " + verdict[1].upper() + verdict[2:]
    tail = ""
    if collapsed:
        there = [100 * lead for shift, lead in leads if shift in collapsed]
        spread = (f"{min(there):+.1f}" if round(min(there), 1) == round(max(there), 1)
                  else f"{min(there):+.1f} to {max(there):+.1f}")
        tail = (f" Both below {COLLAPSED:.0%} (chance 10%) at {_span(collapsed)}: "
                f"collapsed ({b} {spread} pts there).")
    moved_ahead = [shift for shift in b_ahead if shift > base.shift]  # a lead kept while moved
    why = f" {WHY}" if first == "fc" and second == "cnn" and moved_ahead else ""
    return _typeset(f"{change}{verdict}{tail}{why}", arrow)


def holds_up_to(rows: list[ShiftRow], name: str) -> int | None:
    """The largest shift up to which ``name`` stays within :data:`HOLDS` of its 0 px
    accuracy at every shift on the way; None without rows."""
    if not rows:
        return None
    base = rows[0].accuracies[name]
    held = rows[0].shift
    for row in rows[1:]:
        if row.accuracies[name] < base - HOLDS:
            break
        held = row.shift
    return held


def variant_reading(rows: list[ShiftRow], name: str, labels: Mapping[str, str] = LABELS,
                    arrow: str = "→", against: str = "cnn") -> str:
    """One line on a variant (augmented or GAP CNN): its range, and how it compares.

    E.g. ``CNN+aug: 87.8%→30.9% over 0-6 px; within 5 pts of its 0 px score up to 3 px;
    ahead of CNN by ≥5 pts at 2-6 px.``
    """
    if len(rows) < 2:
        return ""
    label = labels.get(name, name)
    base, last = rows[0], rows[-1]
    held = holds_up_to(rows, name)
    text = (f"{label}: {_pct(base.accuracies[name])}{arrow}{_pct(last.accuracies[name])} over "
            f"{base.shift}-{last.shift} px; within 5 pts of its {base.shift} px score up to "
            f"{held} px")
    if against in base.accuracies and against != name:
        ahead = [r.shift for r in rows
                 if r.accuracies[name] - r.accuracies[against] >= AHEAD]
        behind = [r.shift for r in rows
                  if r.accuracies[against] - r.accuracies[name] >= AHEAD]
        other = labels.get(against, against)
        if ahead:
            text += f"; ahead of {other} by >=5 pts at {_span(ahead)}"
        if behind:
            text += f"; behind {other} by >=5 pts at {_span(behind)}"
    text += "."
    return _typeset(text, arrow)


def readings(rows: list[ShiftRow], direction: str = "right",
             labels: Mapping[str, str] = LABELS, arrow: str = "→") -> list[str]:
    """The FC-against-CNN :func:`reading`, then a :func:`variant_reading` per other model."""
    if not rows:
        return []
    names = list(rows[0].accuracies)
    lines = []
    if "fc" in names and "cnn" in names:
        lines.append(reading(rows, direction, labels=labels, arrow=arrow))
    against = "cnn" if "cnn" in names else "fc"
    for name in names:
        if name not in ("fc", "cnn"):
            line = variant_reading(rows, name, labels, arrow, against)
            if line:
                lines.append(line)
    return lines


def record_key(model: Sequential, config: TrainConfig | None) -> str:
    """The shift-test name of a workspace model: its kind, head and augmentation."""
    augment = config.augment if config is not None else 0
    return model_key(model.hparams.get("head", "flatten"), augment, model.kind)


def variant_specs(base_key: str, augment: int = VARIANT_AUGMENT) -> dict[str, tuple[str, int]]:
    """The plain, augmented and GAP CNNs a shift test compares, less the one already there.

    Returns:
        Name -> ``(head, augment px)`` for the CNNs to train, e.g. ``{"cnn_aug":
        ("flatten", 3), "cnn_gap": ("gap", 0)}`` when ``base_key`` is ``"cnn"``.
    """
    wanted = {model_key("flatten", 0): ("flatten", 0),
              model_key("flatten", augment): ("flatten", augment),
              model_key("gap", 0): ("gap", 0)}
    return {name: spec for name, spec in wanted.items() if name != base_key}


def train_variants(
    specs: Mapping[str, tuple[str, int]],
    filters: int,
    fc_units: int,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    config: TrainConfig,
    stop: threading.Event | None = None,
) -> Iterator[tuple[str, TrainEvent | Sequential]]:
    """Train a CNN per spec (same filters, seed and settings as the base CNN), in turn.

    Yields ``(name, event)`` for every training event and, once a model has finished all
    its epochs, ``(name, model)``. Stops (without that model) when ``stop`` is set.
    """
    from dataclasses import replace

    for name, (head, augment) in specs.items():
        model = build_cnn(filters, seed=config.seed, fc_units=fc_units, head=head)
        finished = False
        for event in train(model, x_train, y_train, x_test, y_test,
                           replace(config, augment=augment), stop):
            yield name, event
            finished = isinstance(event, EpochEnd) and event.epoch == event.epochs
        if not finished:
            return
        yield name, model
