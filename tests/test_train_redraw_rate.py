"""While a run goes, the Train tab's charts redraw at most every CHART_SECONDS: each redraw
rewrites most of their rows on the terminal, which is bytes over SSH
(benchmarks/bench_ssh_bytes.py). A run's start and end, and new models, draw at once."""

from __future__ import annotations

from tuicnn.app import TuicnnApp
from tuicnn.tabs.train_tab import CHART_SECONDS, TrainTab


async def test_charts_redraw_at_most_every_chart_seconds_unless_forced(untrained, monkeypatch):
    app = TuicnnApp(workspace=untrained)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tab = app.screen.query_one(TrainTab)
        now = [100.0]
        tab.clock = lambda: now[0]
        drawn: list[float] = []
        monkeypatch.setattr(tab, "_refresh_charts", lambda: drawn.append(now[0]))

        def tick(at: float, force: bool = False) -> None:
            now[0] = at
            tab._live_stale = True
            tab._tick(force=force)

        tick(100.0, force=True)
        tick(100.0 + CHART_SECONDS / 2)  # too soon: waits
        tick(100.0 + CHART_SECONDS)  # due
        tick(100.0 + CHART_SECONDS + 0.1, force=True)  # a run's end draws at once
        assert drawn == [100.0, 100.0 + CHART_SECONDS, 100.0 + CHART_SECONDS + 0.1]
        assert tab._live_stale is False
