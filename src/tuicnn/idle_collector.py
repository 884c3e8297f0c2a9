"""Python's garbage collector, kept out of the way of key presses."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

#: Python starts a full (generation 2) collection after 10 younger ones; the app raises that
#: to this, so the automatic ones become rare and ``IdleCollector.tick`` does the work.
DEFERRED_THRESHOLD = 1000
#: As Python: a full collection is due after this many generation-1 collections.
DUE_AFTER = 10


class IdleCollector:
    """Keeps long-lived objects out of full collections and runs those after input pauses.

    A built tab, like everything loaded before it, lives as long as the app, yet every full
    (generation 2) collection re-scanned all ~130,000 of those objects: 70-100 ms pauses
    every few seconds. :meth:`freeze` (called once a tab is built) moves what exists into a
    generation the collector skips (those collections then take 3-8 ms); the price is that
    frozen objects which become garbage are freed only at :meth:`stop` (at start-up only ~30
    such objects were waiting).

    While a run trains, Textual's render caches fill generation 2 with tens of thousands of
    objects, and every few seconds Python stopped the app for 15-30 ms to scan them, often
    in the middle of a key press (see ``benchmarks/bench_ui_latency.py``). Here the
    automatic collections are deferred (``DEFERRED_THRESHOLD``) and ``tick`` runs the one
    that is due once the user has not pressed a key or moved the mouse for
    ``idle_seconds``. Memory stays bounded: Python still collects by itself at the higher
    threshold if the user never pauses.

    Args:
        idle_seconds: how long the input must have been quiet.
        clock: a monotonic time source (replaceable in tests).
    """

    def __init__(self, idle_seconds: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.last_input = clock()
        """When the last key press or mouse event arrived (``clock`` time)."""
        self._saved: tuple[int, int, int] | None = None

    def start(self) -> None:
        """Defer Python's automatic full collections (until ``stop``)."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            young, middle, _ = self._saved
            gc.set_threshold(young, middle, DEFERRED_THRESHOLD)

    def stop(self) -> None:
        """Give Python back its own thresholds and the frozen objects."""
        gc.unfreeze()
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def freeze(self) -> None:
        """Everything that exists now lives as long as the app: stop re-scanning it."""
        gc.freeze()

    def input_seen(self) -> None:
        """A key press or mouse event arrived."""
        self.last_input = self.clock()

    def tick(self) -> bool:
        """Run a full collection if one is due and the input is quiet; True if it ran."""
        due = gc.get_count()[2] >= DUE_AFTER
        if due and self.clock() - self.last_input >= self.idle_seconds:
            gc.collect()
            return True
        return False
