"""The lesson's progress, kept between runs in a small JSON file in the user's data folder.

The folder follows the platform's convention: ``$XDG_DATA_HOME/tuicnn`` (default
``~/.local/share/tuicnn``) on Linux and other Unix systems, ``~/Library/Application
Support/tuicnn`` on macOS, ``%APPDATA%\\tuicnn`` on Windows. The file is written to a
temporary name and renamed over the old one, so a crash never leaves half a file. A file
that cannot be read or makes no sense costs one warning and a fresh start, never a crash;
nothing is ever sent anywhere.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

APP_FOLDER = "tuicnn"
PROGRESS_FILE = "progress.json"
VERSION = 1


def data_folder(env: Mapping[str, str] | None = None, platform: str | None = None,
                home: Path | None = None) -> Path:
    """The user's data folder for tuicnn (not created here).

    Args:
        env: environment variables (default: ``os.environ``).
        platform: ``sys.platform`` value (default: this machine's).
        home: the home directory (default: ``Path.home()``).
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    home = Path.home() if home is None else home
    if platform == "win32":
        base = Path(env["APPDATA"]) if env.get("APPDATA") else home / "AppData" / "Roaming"
    elif platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = env.get("XDG_DATA_HOME", "")
        # The XDG spec: a relative path is invalid and must be ignored.
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base / APP_FOLDER


def progress_path() -> Path:
    """Where the lesson's progress is kept."""
    return data_folder() / PROGRESS_FILE


@dataclass
class Progress:
    """The learner's place in the lesson and their answers so far.

    Attributes:
        step: id of the step the lesson is on.
        answers: per step id, ``{"answer": "...", "correct": bool}``.
    """

    step: str | None = None
    answers: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def n_correct(self) -> int:
        return sum(bool(a.get("correct")) for a in self.answers.values())

    def record(self, step_id: str, answer: str, correct: bool) -> None:
        self.answers[step_id] = {"answer": answer, "correct": correct}

    def as_json(self) -> dict[str, object]:
        return {"version": VERSION, "step": self.step, "answers": self.answers}


def load_progress(path: Path | None = None) -> tuple[Progress, str | None]:
    """The saved progress and a warning (None when all is well).

    A missing file is a fresh start without a warning; an unreadable or malformed one is a
    fresh start with a one-line warning naming the file.
    """
    path = progress_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Progress(), None
    except (OSError, UnicodeDecodeError) as error:
        return Progress(), f"could not read the lesson progress in {path} ({_reason(error)}); " \
            "starting afresh"
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        step = data.get("step")
        answers = data.get("answers", {})
        if step is not None and not isinstance(step, str):
            raise ValueError("'step' is not a string")
        if not isinstance(answers, dict) or not all(
                isinstance(k, str) and isinstance(v, dict) for k, v in answers.items()):
            raise ValueError("'answers' is not an object of objects")
    except ValueError as error:
        return Progress(), f"the lesson progress in {path} is not valid ({error}); " \
            "starting afresh"
    return Progress(step, {k: dict(v) for k, v in answers.items()}), None


def save_progress(progress: Progress, path: Path | None = None) -> str | None:
    """Write ``progress`` atomically; returns a one-line warning if it could not be saved."""
    path = progress_path() if path is None else path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(progress.as_json(), f, indent=1)
                f.write("\n")
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as error:
        return f"could not save the lesson progress to {path} ({_reason(error)})"
    return None


def reset_progress(path: Path | None = None) -> str | None:
    """Forget all progress (delete the file); returns a one-line warning on failure."""
    path = progress_path() if path is None else path
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        return f"could not delete {path} ({_reason(error)})"
    return None


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or type(error).__name__
