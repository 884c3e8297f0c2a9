"""Saving, loading and exporting from inside the app: ctrl+s, ctrl+o, ctrl+e and their prompt.

Every test runs in its own ``tmp_path`` as the working directory, so the prompts' default
names (``tuicnn-models.npz``, ``tuicnn-history.csv``) land there. Notifications are recorded
by replacing the app's ``notify``, which keeps the tests on public API.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest
from textual.widgets import Input, Static

from tuicnn.app import HISTORY_FILE, MODEL_FILE, TuicnnApp, create_app, run_app
from tuicnn.data.dataset import bundled_split
from tuicnn.nn.events import EpochEnd
from tuicnn.nn.model import Sequential, build_cnn, build_fc
from tuicnn.screens.file_prompt import FilePrompt
from tuicnn.screens.load_progress import LoadProgress
from tuicnn.session.model_file import ModelFileError, load_models, save_workspace_models
from tuicnn.session.workspace import ModelRecord
from tuicnn.tabs.explore_tab import ExploreTab

SIZE = (100, 30)


@pytest.fixture(scope="module")
def split():
    return bundled_split(train_size=100, test_size=100)


@pytest.fixture
def app(split, tmp_path, monkeypatch) -> TuicnnApp:
    """The app on 100 digits, run in ``tmp_path``, with its notifications recorded."""
    monkeypatch.chdir(tmp_path)
    app = TuicnnApp(split)
    app.notes = []

    def notify(message: str, *, severity: str = "information", **_: object) -> None:
        app.notes.append((severity, str(message)))

    app.notify = notify
    return app


def other_records() -> tuple[ModelRecord, ModelRecord]:
    """An FC and a CNN unlike the app's defaults (other sizes and seed), with a history."""
    epoch = {"epoch": 1, "epochs": 1, "train_loss": 0.5, "train_acc": 0.8, "test_loss": 0.6,
             "test_acc": 0.75, "seconds": 1.0}
    return (ModelRecord(build_fc(16, seed=5), history=[EpochEnd("fc", **epoch)]),
            ModelRecord(build_cnn(4, seed=5), history=[EpochEnd("cnn", **epoch)]))


def weights(model: Sequential) -> dict[str, np.ndarray]:
    return {name: value.copy() for name, value, _ in model.parameters()}


def assert_same_weights(model: Sequential, expected: dict[str, np.ndarray]) -> None:
    got = weights(model)
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        np.testing.assert_array_equal(got[name], value, err_msg=name)


async def type_name(pilot, name: str) -> None:
    """Replace the prompt's name (selected on focus, so typing replaces it), then Enter."""
    field = pilot.app.screen.query_one(Input)
    field.value = name
    await pilot.press("enter")
    await pilot.pause()
    for _ in range(250):  # a load runs on a thread behind a progress line: wait for its end
        if not isinstance(pilot.app.screen, LoadProgress):
            break
        await pilot.pause(0.02)


async def test_ctrl_s_saves_models_that_load_back_with_identical_weights(app, tmp_path):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        prompt = app.screen
        assert isinstance(prompt, FilePrompt)
        assert prompt.query_one(Input).value == MODEL_FILE
        assert str(tmp_path) in str(prompt.query_one("#file-prompt-message", Static).content)
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, FilePrompt)
    fc, cnn = load_models(tmp_path / MODEL_FILE)
    assert_same_weights(fc.model, weights(app.workspace.fc.model))
    assert_same_weights(cnn.model, weights(app.workspace.cnn.model))
    assert fc.model.hparams == app.workspace.fc.model.hparams
    assert app.notes == [("warning", f"Saved to {MODEL_FILE}, but the FC and the CNN are "
                          "untrained (random weights).")]


async def test_saving_onto_an_existing_file_asks_and_n_leaves_it_untouched(app, tmp_path):
    target = tmp_path / MODEL_FILE
    target.write_bytes(b"someone's file")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s", "enter")
        prompt = app.screen
        assert isinstance(prompt, FilePrompt)
        message = str(prompt.query_one("#file-prompt-message", Static).content)
        assert f"Overwrite {MODEL_FILE}? (y/n)" in message
        await pilot.press("q")  # an app shortcut must not fire from inside the question
        assert app.is_running and app.screen is prompt
        await pilot.press("n")
        assert target.read_bytes() == b"someone's file"
        assert app.screen is prompt and not prompt.query_one(Input).disabled  # back to typing
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, FilePrompt)
        assert target.read_bytes() == b"someone's file"
        assert app.notes == []

        await pilot.press("ctrl+s", "enter", "y")  # and yes replaces it
        await pilot.pause()
    fc, _ = load_models(target)
    assert_same_weights(fc.model, weights(app.workspace.fc.model))


async def test_escape_cancels_without_writing(app, tmp_path):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, FilePrompt)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("damage", ["truncated", "text"])
async def test_ctrl_o_on_a_bad_file_shows_the_error_and_keeps_the_models(app, tmp_path, damage):
    bad = tmp_path / "bad.npz"
    save_workspace_models(bad, *other_records())
    data = bad.read_bytes()
    bad.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"not a model file")
    with pytest.raises(ModelFileError) as expected:
        load_models("bad.npz")  # the name as typed: the message quotes it
    async with app.run_test(size=SIZE) as pilot:
        fc, cnn = app.workspace.fc, app.workspace.cnn
        fc_weights, cnn_weights = weights(fc.model), weights(cnn.model)
        await pilot.press("ctrl+o")
        await type_name(pilot, "bad.npz")
        assert app.notes == [("error", str(expected.value))]
        assert app.workspace.fc is fc and app.workspace.cnn is cnn
        assert_same_weights(fc.model, fc_weights)
        assert_same_weights(cnn.model, cnn_weights)


async def test_ctrl_o_on_a_good_file_replaces_the_models_and_explore_follows(app, tmp_path):
    saved = other_records()
    save_workspace_models(tmp_path / "run.npz", *saved)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        status = app.screen.query_one(ExploreTab).query_one("#explore-network", Static)
        assert "untrained" in str(status.content)
        await pilot.press("ctrl+o")
        assert app.screen.query_one(Input).value == MODEL_FILE
        await type_name(pilot, "run.npz")
        assert app.workspace.fc.model.hparams == {"hidden": 16, "seed": 5}
        assert_same_weights(app.workspace.cnn.model, weights(saved[1].model))
        assert app.workspace.cnn.history == saved[1].history
        text = str(status.content)
        assert "trained 1 epoch · 75.0% test" in text and "4 conv1 filters" in text
        assert app.notes[-1][0] == "information" and "Loaded run.npz" in app.notes[-1][1]
        await pilot.press("ctrl+s")  # the next prompt offers the file just loaded
        assert app.screen.query_one(Input).value == "run.npz"


async def test_ctrl_o_on_a_missing_file_says_so(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await type_name(pilot, "nowhere.npz")
        assert app.notes == [("error", "Cannot load models from 'nowhere.npz': the file does "
                              "not exist.")]


async def test_loading_is_refused_while_training(app, monkeypatch):
    """A finishing run would replace loaded models: say so instead of opening the prompt."""
    from tuicnn.tabs.train_tab import TrainTab

    monkeypatch.setattr(TrainTab, "training", property(lambda self: True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        assert not isinstance(app.screen, FilePrompt)
        assert app.notes[-1][0] == "warning" and "Training is under way" in app.notes[-1][1]


async def test_ctrl_e_exports_the_history_as_csv(app, tmp_path):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        assert not isinstance(app.screen, FilePrompt)  # nothing trained: nothing to export
        assert app.notes[-1][0] == "warning" and "Nothing to export yet" in app.notes[-1][1]

        app.workspace.fc, app.workspace.cnn = other_records()
        await pilot.press("ctrl+e")
        assert app.screen.query_one(Input).value == HISTORY_FILE
        await pilot.press("enter")
        await pilot.pause()
    with (tmp_path / HISTORY_FILE).open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(row["model"], row["epoch"], row["test_acc"]) for row in rows] == [
        ("fc", "1", "0.75"), ("cnn", "1", "0.75")]
    assert app.notes[-1] == ("information",
                             f"Wrote 2 rows (1 epoch × 2 models) of history to {HISTORY_FILE}.")


async def test_export_prompt_asks_for_csv_or_json(app, tmp_path):
    app.workspace.fc, app.workspace.cnn = other_records()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await type_name(pilot, "history.txt")
        prompt = app.screen
        assert isinstance(prompt, FilePrompt)
        assert "Name a .csv or a .json file." in str(
            prompt.query_one("#file-prompt-message", Static).content)
        await type_name(pilot, "history.json")
        assert not isinstance(app.screen, FilePrompt)
    assert (tmp_path / "history.json").read_text().lstrip().startswith("[")


async def test_file_keys_are_off_inside_the_prompt(app):
    """ctrl+e in the name field moves to the end of the line; no second prompt opens."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        prompt, depth = app.screen, len(app.screen_stack)
        field = prompt.query_one(Input)
        field.cursor_position = 0
        await pilot.press("ctrl+e", "ctrl+s", "ctrl+o")
        assert app.screen is prompt and len(app.screen_stack) == depth
        assert field.cursor_position == len(field.value)


async def test_palette_lists_the_file_commands(app):
    async with app.run_test(size=SIZE):
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Save models", "Load models", "Export history"} <= set(titles)


def test_create_app_starts_with_the_loaded_models_and_their_seed(tmp_path):
    fc, cnn = other_records()
    path = tmp_path / "run.npz"
    save_workspace_models(path, fc, cnn)
    app = create_app(seed=None, load=path)
    assert_same_weights(app.workspace.fc.model, weights(fc.model))
    assert app.workspace.cnn.history == cnn.history
    assert app.model_file == str(path)
    expected = bundled_split(seed=5)  # the models' seed, so the test digits match their run
    np.testing.assert_array_equal(app.workspace.split.y_test, expected.y_test)


def test_run_app_with_a_bad_file_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    bad.write_text("nope")
    assert run_app(load=bad) == 2
    captured = capsys.readouterr()
    assert captured.err == (f"tuicnn: error: Cannot load models from '{bad}': it is not a "
                            "NumPy .npz archive.\n")
