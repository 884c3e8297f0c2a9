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
from tuicnn.nn.kinds import MODEL_NAMES
from tuicnn.nn.model import Sequential
from tuicnn.nn.training import evaluate

DIRECTIONS: tuple[str, ...] = ("right", "down", "diagonal")
"""Ways to shift: right (+x), down (+y), or diagonally (right and down by the same amount)."""

DEFAULT_SHIFTS = range(0, 7)
"""0..6 pixels: 6 is 30% of the 20-pixel box a digit fills, past what pooling can absorb."""

CHUNK = 1000
"""Test images shifted at a time: memory stays at one chunk however large the test set."""

CLOSE = 0.02
"""Differences in accuracy lost (fractions) below this read as "about the same"."""

CLEARLY = 0.10
"""Differences below this (and above :data:`CLOSE`) read as "a little" better or worse."""


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


def _points(fraction: float) -> str:
    """An accuracy difference in percentage points, e.g. ``41.2 pts``."""
    return f"{abs(fraction) * 100:.1f} pts"


def reading(
    rows: list[ShiftRow],
    direction: str = "right",
    first: str = "fc",
    second: str = "cnn",
    labels: Mapping[str, str] = MODEL_NAMES,
    arrow: str = "→",
) -> str:
    """One line saying what the numbers show, for the table's caption.

    Compares how much accuracy each model loses from the smallest to the largest shift and
    says which held up better: "about the same" within :data:`CLOSE`, "a little" within
    :data:`CLEARLY`. It also names the shifts where ``first`` (the FC) beats ``second`` (the
    CNN), because the expected story is not guaranteed: a briefly trained CNN can lose.

    Args:
        rows: Results from :func:`shift_test`, in increasing shift order.
        direction: The direction the rows were measured in (for the wording).
        first: Name of the model expected to suffer more (the FC).
        second: Name of the model expected to hold up (the CNN).
        labels: Display names.
        arrow: Drawn between before and after values (``"->"`` for ASCII-only output).

    Returns:
        A plain line; an explanation if there are fewer than two rows.
    """
    if len(rows) < 2:
        return "Needs at least two shifts to compare."
    a, b = labels.get(first, first), labels.get(second, second)
    base, last = rows[0], rows[-1]
    drop_a = base.accuracies[first] - last.accuracies[first]
    drop_b = base.accuracies[second] - last.accuracies[second]
    change = (
        f"{base.shift}{arrow}{last.shift} px {direction}: "
        f"{a} {base.accuracies[first]:.1%}{arrow}{last.accuracies[first]:.1%}, "
        f"{b} {base.accuracies[second]:.1%}{arrow}{last.accuracies[second]:.1%}"
    )
    gap = drop_a - drop_b
    if abs(gap) < CLOSE:
        verdict = "both lose about the same"
    else:
        degree = "" if abs(gap) >= CLEARLY else " a little"
        if gap > 0:
            verdict = f"{b} loses {_points(gap)} less (holds up{degree} better)"
        else:
            verdict = f"{b} loses {_points(gap)} more (does{degree} worse than {a})"
    ahead = [str(r.shift) for r in rows if r.accuracies[first] > r.accuracies[second]]
    note = f"; {a} ahead at {', '.join(ahead)} px" if ahead else ""
    return f"{change}; {verdict}{note}."
