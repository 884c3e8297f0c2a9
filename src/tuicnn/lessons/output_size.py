"""The output-size calculator: ``H_out = ⌊(H + 2P − K) / S⌋ + 1``, explained.

Typed, impossible or out-of-range input becomes one clear sentence that the UI shows as is;
the arithmetic itself is the engine's ``conv_output_size``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tuicnn.nn.shapes import conv_output_size

#: Largest value the calculator accepts: a bound that keeps messages short.
CALC_MAX = 100_000
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class OutputSize:
    """The calculator's answer: the size, or None with a message saying what is wrong."""

    value: int | None
    message: str

    @property
    def ok(self) -> bool:
        return self.value is not None


def _parse(label: str, text: int | str, low: int) -> int:
    """An integer ``>= low`` from a typed string (or an int); ValueError with a clear sentence."""
    if isinstance(text, bool):
        raise ValueError(f"{label} must be a whole number")
    if isinstance(text, str):
        stripped = text.strip()
        if not stripped:
            raise ValueError(f"{label} is empty: type a whole number")
        if not _INTEGER.fullmatch(stripped) or len(stripped) > 12:
            shown = stripped if len(stripped) <= 12 else stripped[:11] + "…"
            raise ValueError(f"{label} must be a whole number, not '{shown}'")
        value = int(stripped)
    elif isinstance(text, int):
        value = text
    else:
        raise ValueError(f"{label} must be a whole number, not {text!r}")
    if value < low:
        raise ValueError(f"{label} must be {'at least 1' if low == 1 else '0 or more'}")
    if value > CALC_MAX:
        raise ValueError(f"{label} is too large (at most {CALC_MAX:,})")
    return value


def output_size(
    size: int | str, kernel: int | str, padding: int | str, stride: int | str
) -> OutputSize:
    """``H_out = ⌊(H + 2P − K) / S⌋ + 1``, explained, for typed or numeric input.

    Never raises: every problem (empty, non-integer, out of range, a window that does not
    fit) becomes ``OutputSize(None, "<one sentence>")``. On success the message shows the
    arithmetic, and says how many edge rows no window reaches when ``S`` does not divide
    ``H + 2P − K``.

    Args:
        size: input height or width ``H`` (>= 1).
        kernel: window ``K`` (>= 1).
        padding: ``P`` (>= 0) on each side.
        stride: ``S`` (>= 1).
    """
    try:
        h = _parse("H", size, 1)
        k = _parse("K", kernel, 1)
        p = _parse("P", padding, 0)
        s = _parse("S", stride, 1)
    except ValueError as error:
        return OutputSize(None, str(error))
    span = h + 2 * p - k
    try:
        value = conv_output_size(h, k, p, s)
    except ValueError:
        would = span // s + 1
        return OutputSize(
            None,
            f"K={k} does not fit: H + 2P = {h + 2 * p}, so the output would be "
            f"⌊({h + 2 * p} − {k}) / {s}⌋ + 1 = {would} (it must be at least 1)",
        )
    message = f"⌊({h} + 2·{p} − {k}) / {s}⌋ + 1 = {value}"
    left = span % s
    if left:
        rows = f"{left} padded row fits" if left == 1 else f"{left} padded rows fit"
        message += f"; the last {rows} no window"
    if p >= k:
        message += "; P ≥ K: edge outputs see only padding"
    return OutputSize(value, message)
