"""A seeded key fuzzer: random keys, resizes, typed file names, training starts and cancels.

Keys come from every binding the app, the main screen and the tabs declare, plus printable
characters and the navigation keys; file prompts get names from a list of good and hostile
ones. Now and then it goes to the Train tab and presses t or c. The app runs on 100
digits, and each model's training is stopped after a few batches (the stop event a press of
c sets), so runs end quickly even when the fuzzer has turned the settings up; such a run is
"cancelled", so later runs exercise keeping the trained models and offering the partial
ones (u).

Pass: after every key the app is still running, Textual recorded no exception, and no
notification reports one (a ``SomethingError:`` text or "Training failed"). Quitting is
left to the quit tests: the fuzzer never sends a quit key when quitting would end the app,
and answers the quit question only with Esc or n.

The run stops after ``MAX_KEYS`` keys or ``BUDGET_SECONDS``, whichever comes first (the
machine may be busy); the number of keys sent is printed (``pytest -s``) and must reach
``MIN_KEYS``.
"""

from __future__ import annotations

import random
import re
import string
import time

from conftest import tiny_workspace
from textual.widgets import Input

from tuicnn.app import TuicnnApp
from tuicnn.nn import concurrent
from tuicnn.nn.events import BatchEnd
from tuicnn.screens.confirm_quit import ConfirmQuit
from tuicnn.screens.file_prompt import FilePrompt
from tuicnn.screens.main import TABS, MainScreen, tab_class
from tuicnn.tabs.base import bindings_of
from tuicnn.tabs.train_tab import TrainTab

SEED = 17
MAX_KEYS = 1500
MIN_KEYS = 100
BUDGET_SECONDS = 35.0
BATCHES_PER_RUN = 4
QUIT_KEYS = {"q", "ctrl+q", "ctrl+c"}
SIZES = [(80, 24), (60, 18), (120, 40), (40, 12), (100, 30)]
NAMES = [
    "fz.npz", "fz.npz", "hist.csv", "hist.json", "sub/x.npz", "~nosuchuser/x.npz", "n" * 300,
    "/dev/zero", "/dev/full", ".", "", "   ", "x.txt", "~/", "fz.npz/inner", "a\tb.npz",
]
NAVIGATION = ["tab", "shift+tab", "up", "down", "left", "right", "enter", "escape", "space",
              "home", "end", "pageup", "pagedown", "backspace", "plus", "minus"]
EXCEPTION_TEXT = re.compile(r"\b[A-Z]\w*(Error|Exception)\b:|Training failed")


def binding_keys() -> list[str]:
    owners = [TuicnnApp, MainScreen, *(tab_class(pane) for pane, *_ in TABS)]
    keys = set()
    for owner in owners:
        for binding in bindings_of(owner):
            keys.update(k.strip() for k in binding.key.split(","))
    return sorted(keys)


def short_runs(monkeypatch) -> list[str]:
    """Stop each model after ``BATCHES_PER_RUN`` batches, as a press of c would. Returns
    the list of models trained (one kind per model per run)."""
    real_train = concurrent.train
    trained: list[str] = []

    def short(model, x_train, y_train, x_test, y_test, config=None, stop=None,
              watch=None):
        trained.append(model.kind)
        seen = 0
        for event in real_train(model, x_train, y_train, x_test, y_test, config, stop,
                                watch):
            yield event
            if isinstance(event, BatchEnd):
                seen += 1
                if seen >= BATCHES_PER_RUN and stop is not None:
                    stop.set()

    monkeypatch.setattr(concurrent, "train", short)
    monkeypatch.setattr(TrainTab, "trainer", "thread")  # the stop lives in this process
    return trained


async def test_random_keys_raise_no_exception(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    trained = short_runs(monkeypatch)
    app = TuicnnApp(tiny_workspace(trained=False).split)
    notes: list[str] = []
    real_notify = app.notify

    def notify(message, *args, **kwargs):
        notes.append(str(message))
        return real_notify(message, *args, **kwargs)

    app.notify = notify
    rng = random.Random(SEED)
    keys = binding_keys() + NAVIGATION + ["t", "t", "c"]
    printable = list(string.ascii_letters + string.digits + string.punctuation)
    sent = 0
    seen: dict[str, int] = {}
    slow: dict[str, float] = {}
    start = time.monotonic()
    async with app.run_test(size=SIZES[0]) as pilot:
        while sent < MAX_KEYS and time.monotonic() - start < BUDGET_SECONDS:
            screen = app.screen
            kind = type(screen).__name__
            seen[kind] = seen.get(kind, 0) + 1
            roll = rng.random()
            if isinstance(screen, ConfirmQuit):
                key = rng.choice(["escape", "n"])
            elif not isinstance(screen, (MainScreen, FilePrompt)) and roll < 0.7:
                key = "escape"  # help, palette, load progress: mostly leave them
            elif isinstance(screen, FilePrompt) and roll < 0.6:
                field = screen.query_one(Input)
                if not field.disabled:
                    field.value = rng.choice(NAMES)
                key = "enter" if not field.disabled else rng.choice(["y", "n", "escape"])
            elif isinstance(screen, FilePrompt) and roll < 0.75:
                key = "escape"
            elif roll < 0.03:
                await pilot.resize_terminal(*rng.choice(SIZES))
                await pilot.pause()
                continue
            elif roll < 0.08:
                key = rng.choice(["ctrl+s", "ctrl+o", "ctrl+e"])
            elif roll < 0.16 and isinstance(screen, MainScreen):
                # To the Train tab, then start a run or cancel one.
                await pilot.press(TABS[0][3])
                sent += 1
                key = rng.choice(["t", "t", "c", "escape"])
            elif roll < 0.35:
                key = rng.choice(printable)
            else:
                key = rng.choice(keys)
            if key in QUIT_KEYS and not app.quit_losses():
                continue  # it would end the app: the quit tests cover that
            before = time.monotonic()
            await pilot.press(key)
            slow[key] = max(slow.get(key, 0.0), time.monotonic() - before)
            sent += 1
            assert app.is_running, f"the app ended after key {sent} ({key!r})"
            assert getattr(app, "_exception", None) is None, f"key {sent} ({key!r})"
        await pilot.pause()
        for _ in range(200):  # let a last run end before leaving
            if not app.quit_losses() or not any(
                    line.startswith("Training") for line in app.quit_losses()):
                break
            await pilot.pause(0.05)
    print(f"\nkey fuzzer: {sent} keys in {time.monotonic() - start:.1f} s, seed {SEED}; "
          f"keys per screen {seen}; {len(notes)} notifications; {trained.count('cnn')} training "
          f"runs; slowest keys {sorted(slow.items(), key=lambda kv: -kv[1])[:5]}")
    bad = [note for note in notes if EXCEPTION_TEXT.search(note)]
    assert bad == []
    assert getattr(app, "_exception", None) is None
    assert sent >= MIN_KEYS
