"""ModelProgress: one line per model, in proportion to the batches done."""

from __future__ import annotations

import pytest
from widget_helpers import OneWidgetApp

pytestmark = pytest.mark.usefixtures("colour_terminal")


async def test_model_progress_draws_one_line_in_proportion() -> None:
    from tuicnn.lessons.training_run import ModelRun
    from tuicnn.nn.events import BatchEnd
    from tuicnn.widgets.train.model_progress import DONE, TODO, ModelProgress

    progress = ModelProgress("FC")
    app = OneWidgetApp(progress, css="ModelProgress { width: 100; }")
    async with app.run_test(size=(100, 5)) as pilot:
        assert "not started" in str(progress.render())
        run = ModelRun("fc", 1000, epochs=2, batches=10, started=0.0)
        run.apply(BatchEnd("fc", 2, 2, 5, 10, 0.5, 0.8), now=3.0)  # 15 of 20 batches
        progress.show(run, now=3.0)
        await pilot.pause()
        line = str(progress.render())
        assert line.startswith("FC  epoch 2/2")
        assert "75%" in line and "ETA 1.00s" in line
        done, todo = line.count(DONE), line.count(TODO)
        assert abs(done / (done + todo) - 0.75) < 0.05
        assert not progress.children  # a single widget: updates repaint, never re-lay-out
