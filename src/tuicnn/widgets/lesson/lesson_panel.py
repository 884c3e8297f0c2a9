"""The guided lesson's panel: one step at a time, predict, then see what the engine measured.

Docked at the bottom of the main screen (on the right when the terminal is 120 columns or
wider). Each step asks the screen to put the app where it is needed (``GoTo``), says what to
look at, and asks its question; the learner types a number (Enter) or presses ``a``-``d``,
and the panel reveals the answer the engine measured and how. Steps and questions come from
``tuicnn.lessons.course`` and ``tuicnn.lessons.exercises``; progress is saved after every
answer and step (``tuicnn.lessons.progress``).

Answers are measured on a thread (a few milliseconds, but the session's data may still be
loading when the panel opens) and measured again whenever the session's models or data have
been replaced, so a reveal always describes the models as they are now.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Input, Static

from tuicnn.lessons.course import STEPS, Step, step_index
from tuicnn.lessons.exercises import (
    CHOICE,
    Exercise,
    Feedback,
    build_exercises,
    grade,
    seeded_example,
    subject_of,
)
from tuicnn.lessons.explorer import Example
from tuicnn.lessons.progress import Progress, load_progress, reset_progress, save_progress
from tuicnn.widgets.number_input import NumberInput

if TYPE_CHECKING:
    from tuicnn.session.workspace import Workspace

SIDE_WIDTH = 120
"""From this terminal width on, the panel sits on the right instead of at the bottom."""

BOTTOM_HEIGHT = 10
"""Rows of the panel at the bottom: at 80×24 the tab keeps 9 rows."""

LETTERS = string.ascii_lowercase[:4]
"""Keys that pick a choice: a question offers at most four."""


def _models_key(workspace: Workspace) -> tuple[int, int, int]:
    """Identity of what the answers were measured on: a run or a load replaces the objects."""
    return id(workspace.fc.model), id(workspace.cnn.model), id(workspace.split)


def _choice_bindings() -> list[Binding]:
    first = Binding("a", "choose(0)", "Answer", key_display="a–d")
    return [first] + [Binding(key, f"choose({i})", "", show=False)
                      for i, key in enumerate(LETTERS) if i]


class LessonPanel(Vertical, can_focus=True):
    """The lesson, step by step.

    Args:
        workspace: returns the session's data and models (may wait while they load).
        loaded: True once ``workspace`` would return at once.
        seed: picks the questions' digit and choices (as ``tuicnn exercises --seed``); by
            default the session's seed, so the app asks what ``tuicnn exercises`` asks of
            the same models.
    """

    DEFAULT_CSS = """
    LessonPanel {
        dock: bottom;
        margin-bottom: 1;  /* the footer is docked at the bottom too, and docks overlap */
        border-top: heavy $accent;
        padding: 0 1;
        background: $surface;
    }
    LessonPanel.-side {
        dock: right;
        width: 46;
        margin-top: 1;  /* below the header; the height leaves the footer's row free */
        border-top: none;
        border-left: heavy $accent;
    }
    LessonPanel.-side #lesson-answer { height: auto; }
    LessonPanel.-side #lesson-prompt { height: auto; }
    LessonPanel:focus-within { border-top: heavy $primary; }
    LessonPanel.-side:focus-within { border-left: heavy $primary; }
    LessonPanel #lesson-head { height: 1; text-style: bold; }
    LessonPanel #lesson-body { height: 1fr; scrollbar-size-vertical: 1; }
    LessonPanel #lesson-answer { height: 1; }
    LessonPanel #lesson-prompt { width: 1fr; height: 1; }
    LessonPanel #lesson-label { width: 9; height: 1; text-style: bold; }
    LessonPanel #lesson-number { width: 24; height: 1; border: none; padding: 0;
                                 margin-right: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "step(1)", "Next step"),
        Binding("p", "step(-1)", "Previous"),
        *_choice_bindings(),
        Binding("t", "retry", "Try again"),
        Binding("g", "go_to_tab", "Go to the tab", show=False),
        Binding("up", "scroll_body(-1)", "Scroll the lesson text", show=False),
        Binding("down", "scroll_body(1)", "", show=False),
        Binding("R", "reset", "Reset lesson progress (press twice)", key_display="R",
                show=False),
    ]

    @dataclass
    class GoTo(Message):
        """Put the app where a step needs it: ``step.place``, and its digit if any."""

        step: Step
        example: Example | None

    class FocusTab(Message):
        """Hand the keyboard to the tab shown (``g``), so its own keys work."""

    @dataclass
    class Measured(Message):
        """Answers measured on a thread for the session's models ``key``."""

        key: tuple[int, int, int]
        exercises: dict[str, Exercise]
        example: Example
        """The lesson's test digit (every digit question is about it)."""

    @dataclass
    class Failed(Message):
        """The answers could not be measured (one line, shown in the panel)."""

        reason: str

    def __init__(self, workspace: Callable[[], Workspace], loaded: Callable[[], bool],
                 seed: int | None = None, *, id: str | None = "lesson-panel") -> None:
        super().__init__(id=id)
        self._workspace = workspace
        self._loaded = loaded
        self._seed = seed
        self._exercises: dict[str, Exercise] = {}
        self._example: Example | None = None
        self._measured_for: tuple[int, int, int] | None = None
        self._reset_armed = False
        self._docked_for: Size | None = None
        self.progress, self._warning = load_progress()
        self.index = step_index(self.progress.step)

    def compose(self) -> ComposeResult:
        yield Static("", id="lesson-head", markup=False)
        with VerticalScroll(id="lesson-body", can_focus=False):
            yield Static("", id="lesson-text", markup=False)
        with Horizontal(id="lesson-answer"):
            yield Static("Answer ›", id="lesson-label")
            yield NumberInput(placeholder="your answer, then Enter", id="lesson-number",
                              compact=True)
            # One fixed-size line: new text repaints it without a layout of the screen.
            yield Static("", id="lesson-prompt", markup=False)

    def on_mount(self) -> None:
        if self._warning:
            self.notify(self._warning, severity="warning", timeout=8)
        self._place_dock()
        # Every screen layout (a resize among them) checks the screen's size: cheap when
        # it has not changed, and the panel's own size may not change with the terminal's.
        self.screen.screen_layout_refresh_signal.subscribe(self, self._place_dock)
        self.show_step()

    def _place_dock(self, screen: object = None) -> None:
        """At the bottom (10 rows) in narrow terminals; on the right, between the header and
        the footer, in wide ones. Docked widgets overlap, and a docked ``1fr`` takes the
        screen's whole height, so the side panel's height is set from the screen's size."""
        size = self.screen.size
        if size == self._docked_for:
            return
        self._docked_for = size
        side = size.width >= SIDE_WIDTH
        self.set_class(side, "-side")
        self.styles.height = max(size.height - 2, 6) if side else BOTTOM_HEIGHT

    # -- what is shown ------------------------------------------------------------------

    @property
    def step(self) -> Step:
        return STEPS[self.index]

    @property
    def exercise(self) -> Exercise | None:
        """The current step's question, if its answer has been measured for these models."""
        return self._exercises.get(self.step.id) if self._fresh() else None

    @property
    def revealed(self) -> bool:
        return self.step.id in self.progress.answers

    def _fresh(self) -> bool:
        """True when the measured answers belong to the session's current models."""
        if self._measured_for is None or not self._loaded():
            return False
        return self._measured_for == _models_key(self._workspace())

    def show_step(self) -> None:
        """Show the current step, measuring its answer first if the models changed."""
        with self.app.batch_update():
            self._show_step()

    def _show_step(self) -> None:
        self._reset_armed = False
        step = self.step
        self.progress.step = step.id
        self._save()
        exercise = self.exercise
        if exercise is None:
            self._set_text(f"{step.title}. {step.look}\n\nMeasuring the answer on the models…")
            self._show_head()
            self._show_answer_row(None)
            if step.place.show_example is False:
                self.post_message(self.GoTo(step, None))
            self._measure()
            return
        self.post_message(self.GoTo(step, exercise.example or self._example))
        self._show_question(exercise)
        self._show_head()

    def _show_head(self) -> None:
        answered = len(self.progress.answers)
        self.query_one("#lesson-head", Static).update(
            f"Lesson {self.index + 1}/{len(STEPS)} · {self.step.idea} · "
            f"{self.progress.n_correct}/{answered} right")

    def _show_question(self, exercise: Exercise) -> None:
        lines = [f"{self.step.title}. {self.step.look}", "", f"Q: {exercise.text}"]
        if self.revealed:  # graded again: the models may have changed since it was answered
            given = str(self.progress.answers[self.step.id].get("answer", ""))
            feedback = grade(exercise, given)
            if feedback.correct != self.progress.answers[self.step.id].get("correct"):
                self.progress.record(exercise.id, given, feedback.correct)
                self._save()
            lines += ["", f"{'✓' if feedback.correct else '✗'} {feedback.message}",
                      f"Why: {feedback.why}"]
        self._set_text("\n".join(lines))
        self._show_answer_row(exercise)
        if self.revealed:  # once the new text is laid out, show its end: the verdict
            body = self.query_one("#lesson-body", VerticalScroll)
            self.call_after_refresh(body.scroll_end, animate=False)

    def _set_text(self, text: str) -> None:
        self.query_one("#lesson-text", Static).update(text)
        self.query_one("#lesson-body", VerticalScroll).scroll_home(animate=False)

    def _show_answer_row(self, exercise: Exercise | None) -> None:
        """A number field for a number question not yet answered, the choices of a choice
        question, and a hint of the keys."""
        field = self.query_one("#lesson-number", NumberInput)
        wants_number = exercise is not None and exercise.kind != CHOICE and not self.revealed
        if field.display != wants_number:
            field.display = wants_number
            self.query_one("#lesson-label").display = wants_number
        hint = "n/p steps · g use the tab, L back"
        if exercise is None:
            text = "Measuring…"
        elif self.revealed:
            answered = self.progress.answers[self.step.id].get("answer")
            text = f"You answered {answered} · n next · t try again · g use the tab"
        elif exercise.kind == CHOICE:
            text = "  ".join(f"{LETTERS[i]}) {choice}" for i, choice in enumerate(exercise.choices))
            text += " · a–d answers"
        else:
            text = hint
        self.query_one("#lesson-prompt", Static).update(text)
        if wants_number:
            field.value = ""
            if self.has_focus_within or self.has_focus:
                field.focus()
        elif field.has_focus:
            self.focus()
        self.refresh_bindings()

    # -- measuring ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="lesson-measure")
    def _measure(self) -> None:
        """Measure every answer on the session's models (waits if they are still loading)."""
        try:
            workspace = self._workspace()
            key = _models_key(workspace)
            subject = subject_of(workspace)
            seed = workspace.fc.seed if self._seed is None else self._seed
            exercises = build_exercises(subject, seed)
            example = seeded_example(subject, seed)
        except Exception as error:  # e.g. a data set with no test digits: say so, go on
            self.post_message(self.Failed(f"Could not measure the answers: {error}"))
            return
        self.post_message(self.Measured(key, {e.id: e for e in exercises}, example))

    def on_lesson_panel_failed(self, message: Failed) -> None:
        message.stop()
        self._set_text(f"{self.step.title}. {self.step.look}\n\n{message.reason}")
        self.query_one("#lesson-prompt", Static).update("n/p steps · L closes")

    def on_lesson_panel_measured(self, message: Measured) -> None:
        message.stop()
        self._exercises, self._measured_for = message.exercises, message.key
        self._example = message.example
        if self._fresh():
            self.show_step()
        else:  # replaced again while measuring
            self._measure()

    # -- answering ----------------------------------------------------------------------

    def focus_answer(self) -> None:
        """Focus the number field if it is shown, else the panel (its keys then work)."""
        field = self.query_one("#lesson-number", NumberInput)
        (field if field.display else self).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.answer(event.value.strip())

    def answer(self, given: str) -> Feedback | None:
        """Grade ``given`` against the measured answer, reveal it and save the progress.

        If the models were replaced since the answer was measured, it is measured again
        first and the learner answers again (nothing is graded against stale numbers).
        """
        exercise = self.exercise
        if exercise is None:
            if self._measured_for is not None:
                self.notify("The models changed since this question was asked: its answer is "
                            "measured again on the new ones. Please answer again.")
            self.show_step()
            return None
        if self.revealed:
            return None
        feedback = grade(exercise, given)
        self.progress.record(exercise.id, feedback.given, feedback.correct)
        self._save()
        with self.app.batch_update():
            self._show_head()
            self._show_question(exercise)
            self.focus()
        return feedback

    def action_choose(self, index: int) -> None:
        exercise = self.exercise
        if exercise is not None and index < len(exercise.choices):
            self.answer(exercise.choices[index])

    def action_step(self, delta: int) -> None:
        new = min(max(self.index + delta, 0), len(STEPS) - 1)
        if new == self.index:
            self.notify("That was the last step." if delta > 0 else "This is the first step.")
            return
        self.index = new
        self.show_step()
        self.focus_answer()

    def action_retry(self) -> None:
        if self.progress.answers.pop(self.step.id, None) is not None:
            self._save()
            self.show_step()
            self.focus_answer()

    def action_go_to_tab(self) -> None:
        self.post_message(self.FocusTab())

    def action_scroll_body(self, rows: int) -> None:
        body = self.query_one("#lesson-body", VerticalScroll)
        body.scroll_relative(y=rows, animate=False)

    def action_reset(self) -> None:
        """Forget every answer; the first press only asks for a second one."""
        if not self._reset_armed:
            self._reset_armed = True
            self.notify("Press R again to forget every lesson answer.", severity="warning")
            return
        self._reset_armed = False
        warning = reset_progress()
        self.progress = Progress()
        self.index = 0
        if warning:
            self.notify(warning, severity="warning")
        else:
            self.notify("Lesson progress reset.")
        self.show_step()
        self.focus_answer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Choice keys only for an open choice question; ``t`` only once it is answered."""
        if action == "choose":
            exercise = self.exercise
            if exercise is None or exercise.kind != CHOICE or self.revealed:
                return False
            index = parameters[0]
            return isinstance(index, int) and index < len(exercise.choices)
        if action == "retry":
            return self.revealed
        return True

    def _save(self) -> None:
        warning = save_progress(self.progress)
        if warning and warning != self._warning:
            self._warning = warning  # once per problem, not once per key press
            self.notify(warning, severity="warning", timeout=8)
