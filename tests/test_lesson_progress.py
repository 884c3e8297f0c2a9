"""The lesson's progress file: where it lives, atomic writes, and bad files never crash."""

from __future__ import annotations

import json
from pathlib import Path

from tuicnn.lessons.progress import (
    Progress,
    data_folder,
    load_progress,
    progress_path,
    reset_progress,
    save_progress,
)


def test_data_folder_follows_each_platform(tmp_path):
    home = Path("/home/ada")
    assert data_folder({}, "linux", home) == home / ".local/share/tuicnn"
    assert data_folder({"XDG_DATA_HOME": str(tmp_path)}, "linux", home) == tmp_path / "tuicnn"
    assert data_folder({"XDG_DATA_HOME": "relative"}, "linux", home) == \
        home / ".local/share/tuicnn"
    assert data_folder({}, "darwin", home) == home / "Library/Application Support/tuicnn"
    assert data_folder({"APPDATA": str(tmp_path)}, "win32", home) == tmp_path / "tuicnn"


def test_round_trip_and_reset(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    progress = Progress("padding")
    progress.record("pixels", "784", True)
    assert save_progress(progress) is None
    assert progress_path() == tmp_path / "tuicnn" / "progress.json"
    assert [p.name for p in progress_path().parent.iterdir()] == ["progress.json"]  # no temp
    loaded, warning = load_progress()
    assert warning is None and loaded == progress and loaded.n_correct == 1
    assert reset_progress() is None and not progress_path().exists()
    assert load_progress() == (Progress(), None)


def test_bad_files_are_one_warning_and_a_fresh_start(tmp_path):
    path = tmp_path / "progress.json"
    for content in ("{not json", "[1, 2]", json.dumps({"step": 3}),
                    json.dumps({"answers": {"pixels": 784}})):
        path.write_text(content)
        progress, warning = load_progress(path)
        assert progress == Progress() and warning is not None
        assert "\n" not in warning and str(path) in warning
    path.write_bytes(b"\xff\xfe\x00")
    assert load_progress(path)[1] is not None
    folder = tmp_path / "is-a-folder"
    folder.mkdir()
    assert load_progress(folder)[1] is not None  # unreadable: a directory
    blocked = tmp_path / "file" / "progress.json"
    (tmp_path / "file").write_text("")  # its folder is a file: cannot be created
    assert "could not save" in (save_progress(Progress(), blocked) or "")
