"""The lesson panel at 80×24 without colour, from the keyboard: every step, answered and
revealed; the app moved where each step says; progress kept across runs; bad files warned."""

from __future__ import annotations

import json

import pytest

from tuicnn.app import TuicnnApp
from tuicnn.lessons.course import STEPS
from tuicnn.lessons.exercises import CHOICE, build_exercises, seeded_example, subject_of
from tuicnn.widgets.lesson.lesson_panel import LETTERS, LessonPanel


@pytest.fixture(autouse=True)
def _lesson_env(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("NO_COLOR", "1")


def progress_file(tmp_path):
    return tmp_path / "tuicnn" / "progress.json"


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def panel_text(panel: LessonPanel) -> str:
    return str(panel.query_one("#lesson-text").render())


async def test_every_step_answered_and_revealed(untrained, tmp_path):
    app = TuicnnApp(workspace=untrained)
    expected = {e.id: e for e in build_exercises(subject_of(untrained))}
    digit = seeded_example(subject_of(untrained), 0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("L")
        await settle(app, pilot)
        panel = app.screen.query_one(LessonPanel)
        assert panel.region.bottom <= 23 and panel.region.height >= 8  # above the footer
        for number, step in enumerate(STEPS):
            assert panel.step is step
            exercise = expected[step.id]
            switcher = app.screen.query_one("#tab-panes")
            assert switcher.current == step.place.pane
            if step.place.show_example:
                explore = app.screen.query_one("#explore")
                assert explore.view == step.place.view
                assert explore.shown_image[0] == digit.index
            assert f"Q: {exercise.text}" in panel_text(panel)  # what `exercises` prints
            if exercise.kind == CHOICE:
                await pilot.press(LETTERS[exercise.choices.index(exercise.answer)])
            else:
                field = app.screen.focused
                assert field.id == "lesson-number"
                field.value = str(exercise.answer)  # typing is tested below; this saves time
                await pilot.press("enter")
            await pilot.pause()
            text = panel_text(panel)
            assert f"✓ Right: {exercise.expected}" in text and "Why: " in text
            assert panel.progress.answers[step.id]["correct"] is True
            if number < len(STEPS) - 1:
                await pilot.press("n")  # answers are measured once: no worker to wait for
        assert panel.progress.n_correct == len(STEPS)
        saved = json.loads(progress_file(tmp_path).read_text())
        assert saved["step"] == STEPS[-1].id and len(saved["answers"]) == len(STEPS)
        await pilot.press("L")  # closes it; the tab gets the keyboard back
        await pilot.pause()
        assert not panel.display and app.screen.focused is not panel


async def test_wrong_answer_progress_kept_and_reset(untrained, tmp_path):
    progress_file(tmp_path).parent.mkdir(parents=True)
    progress_file(tmp_path).write_text("{broken")
    async with TuicnnApp(workspace=untrained).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("L")
        await settle(app, pilot)
        notes = [n.message for n in app._notifications]  # a corrupt file: one warning
        assert len(notes) == 1 and "not valid" in notes[0]
        panel = app.screen.query_one(LessonPanel)
        assert panel.step is STEPS[0]
        await pilot.press("1", "2", "enter")
        await pilot.pause()
        assert "✗ Not quite: you said 12, the engine measures 784" in panel_text(panel)
        await pilot.press("n")
        await settle(app, pilot)
        assert app.screen.focused.id == "lesson-number"  # the letters still reach the panel
        await pilot.press("p")
        assert panel.step is STEPS[0]
        await pilot.press("n")
    saved = json.loads(progress_file(tmp_path).read_text())
    assert saved["step"] == STEPS[1].id and saved["answers"]["pixels"]["correct"] is False

    async with TuicnnApp(workspace=untrained).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("L")
        await settle(app, pilot)
        panel = app.screen.query_one(LessonPanel)
        assert panel.step is STEPS[1] and panel.progress.answers["pixels"]["answer"] == "12"
        await pilot.press("R", "R")
        await settle(app, pilot)
        assert panel.step is STEPS[0] and not panel.progress.answers
        assert not progress_file(tmp_path).exists() or \
            json.loads(progress_file(tmp_path).read_text())["answers"] == {}


async def test_answers_are_measured_again_for_new_models(untrained):
    from tuicnn.nn.model import build_cnn
    from tuicnn.session.workspace import ModelRecord, Workspace

    workspace = Workspace(untrained.split, untrained.fc, untrained.cnn)
    async with TuicnnApp(workspace=workspace).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("L")
        await settle(app, pilot)
        panel = app.screen.query_one(LessonPanel)
        panel.index = [s.id for s in STEPS].index("conv1_params")
        panel.show_step()
        await pilot.pause()
        assert panel.exercise.answer == 80
        workspace.cnn = ModelRecord(build_cnn(4, seed=1))  # as a finished run would
        await pilot.press("4", "0", "enter")  # measured again first: nothing graded yet
        await settle(app, pilot)
        assert panel.exercise.answer == 40 and "conv1_params" not in panel.progress.answers


async def test_lesson_key_is_listed_and_opens_from_a_settings_field(untrained):
    async with TuicnnApp(workspace=untrained).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.pause()
        footer = str(app.screen.query_one("KeyFooter").render())
        assert "L Lesson" in footer
        app.screen.query_one("Stepper NumberInput").focus()  # a Train setting's field
        await pilot.press("L")
        await settle(app, pilot)
        assert app.screen.query(LessonPanel)
        assert app.screen.query_one("Stepper NumberInput").value.isdigit()  # L not typed
        panel = app.screen.query_one(LessonPanel)
        assert not panel.has_class("-side") and panel.region.width == 80
        await pilot.resize_terminal(130, 30)  # wide: on the right, clear of header and footer
        await pilot.pause()
        await pilot.pause()
        assert panel.has_class("-side") and panel.region.right == 130
        assert panel.region.y == 1 and panel.region.bottom == 29
