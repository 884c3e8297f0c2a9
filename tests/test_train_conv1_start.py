"""The Train tab's near-zero conv1 start: a keyboard setting that reaches the engine, and the
per-epoch conv1 snapshots that a run leaves with the CNN for Explore's time machine."""

from __future__ import annotations

import numpy as np
from textual.widgets import Checkbox

from tuicnn.app import TuicnnApp
from tuicnn.data.dataset import bundled_split
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.model import build_cnn
from tuicnn.nn.training import train


async def test_near_zero_start_by_keyboard_trains_and_keeps_conv1_snapshots():
    split = bundled_split(train_size=100, test_size=100, seed=0)
    app = TuicnnApp(split)
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.query_one("#train-advanced").collapsed = False
        await pilot.pause()
        box = app.screen.query_one("#set-conv1_init", Checkbox)
        box.focus()
        await pilot.press("space")
        assert box.value and "near zero (on)" in str(box.label)
        tab = app.screen.query_one("#train")
        tab.settings = tab.settings.with_value("epochs", 1)  # a short run (keys: test_train_tab)
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        record = app.workspace.cnn
        assert record.model.hparams["conv1_init"] == "small"
        assert len(record.snapshots) == len(record.history) + 1 == 2
    # the same run by the engine alone: same start, same final conv1
    model = build_cnn(8, seed=0, conv1_init="small")
    np.testing.assert_array_equal(record.snapshots[0][0], model.layer("conv1").params["W"])
    for _ in train(model, split.x_train, split.y_train, split.x_test, split.y_test,
                   TrainConfig(epochs=1)):
        pass
    np.testing.assert_allclose(record.snapshots[-1][0], model.layer("conv1").params["W"],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(record.snapshots[-1][0], record.model.layer("conv1").params["W"])
