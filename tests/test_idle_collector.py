"""IdleCollector: full collections deferred while keys are pressed, run once input is quiet."""

from __future__ import annotations

import gc

import pytest

from tuicnn import idle_collector
from tuicnn.idle_collector import DEFERRED_THRESHOLD, IdleCollector


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collections(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Full collections the collector asks for; generation 1 says one is due."""
    ran: list[int] = []
    monkeypatch.setattr(idle_collector.gc, "collect", lambda *a: ran.append(1) or 0)
    monkeypatch.setattr(idle_collector.gc, "get_count", lambda: (0, 0, 12))
    return ran


def test_start_defers_automatic_full_collections_and_stop_restores() -> None:
    before = gc.get_threshold()
    collector = IdleCollector()
    collector.start()
    try:
        assert gc.get_threshold() == (before[0], before[1], DEFERRED_THRESHOLD)
    finally:
        collector.stop()
    assert gc.get_threshold() == before


def test_collects_only_after_the_input_has_been_quiet(collections: list[int]) -> None:
    clock = Clock()
    collector = IdleCollector(idle_seconds=1.0, clock=clock)
    collector.input_seen()
    clock.now += 0.5
    assert not collector.tick() and collections == []  # typing: not now
    clock.now += 0.6
    assert collector.tick() and collections == [1]  # 1.1 s of quiet: collect


def test_does_not_collect_when_none_is_due(monkeypatch: pytest.MonkeyPatch,
                                           collections: list[int]) -> None:
    monkeypatch.setattr(idle_collector.gc, "get_count", lambda: (0, 0, 3))
    clock = Clock()
    collector = IdleCollector(clock=clock)
    clock.now += 60
    assert not collector.tick() and collections == []


async def test_the_app_defers_collections_and_notes_key_presses(untrained) -> None:
    from tuicnn.app import TuicnnApp

    before = gc.get_threshold()
    app = TuicnnApp(workspace=untrained)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert gc.get_threshold()[2] == DEFERRED_THRESHOLD
        clock = Clock()
        app.idle_collector.clock = clock
        clock.now = 500.0
        await pilot.press("right")  # a key press counts as input
        assert app.idle_collector.last_input == 500.0
    assert gc.get_threshold() == before
