"""Hostile paths and files through the CLI and the file layers (issue 17).

Every case must end in one ``tuicnn: error: ...`` line naming the file and the cause: no
traceback, no hang, no memory blow-up, and no file of the user's changed. The CLI runs
in-process (``main``), except the two cases that used to hang, which run as subprocesses
under a timeout.

Permissions: the tests run as root here, and root ignores mode 000. ``denied`` therefore
chmods for real *and* makes the OS calls the code uses (``os.open``, ``os.stat``,
``os.listdir``, ``os.scandir``) raise ``PermissionError`` for that path, as they would for
a normal user.
"""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import re
import stat
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import SRC

from tuicnn.cli import main
from tuicnn.data.dataset import find_idx_files, idx_split
from tuicnn.data.errors import DataError
from tuicnn.data.idx import read_idx, write_idx
from tuicnn.nn.events import EpochEnd
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.session import model_file
from tuicnn.session.model_file import ModelFileError, load_models, save_workspace_models
from tuicnn.session.workspace import ModelRecord

LONG = "n" * 300  # one component longer than any file system's 255-byte limit
TINY = ["--epochs", "1", "--train-size", "10", "--test-size", "10"]


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err


def assert_one_line(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert err.startswith("tuicnn: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


def records() -> tuple[ModelRecord, ModelRecord]:
    epoch = {"epoch": 1, "epochs": 1, "train_loss": 0.5, "train_acc": 0.8, "test_loss": 0.6,
             "test_acc": 0.75, "seconds": 1.0}
    return (ModelRecord(build_fc(8, seed=3), history=[EpochEnd("fc", **epoch)]),
            ModelRecord(build_cnn(2, seed=3), history=[EpochEnd("cnn", **epoch)]))


@pytest.fixture
def denied(monkeypatch):
    """``denied(path, listable=False)``: mode 000 (or 644 for a listable folder), and
    refused as the kernel refuses a non-root user: nothing inside can be opened or looked
    at, and the folder itself cannot be listed unless ``listable``."""
    closed: list[str] = []  # nothing inside, and no listing
    listable: list[str] = []  # a listing, but nothing inside

    def refused(target, whole: bool) -> bool:
        if isinstance(target, int):
            return False
        text = os.path.abspath(os.fsdecode(target))
        inside = any(text.startswith(b + os.sep) for b in closed + listable)
        return inside or (whole and text in closed)

    def guard(real, whole: bool):
        def call(target=".", *args, **kwargs):
            if refused(target, whole):
                raise PermissionError(errno.EACCES, "Permission denied", str(target))
            return real(target, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "open", guard(os.open, whole=True))
    monkeypatch.setattr(os, "listdir", guard(os.listdir, whole=True))
    monkeypatch.setattr(os, "scandir", guard(os.scandir, whole=True))
    # stat of the folder itself works (its parent is searchable); of anything inside, not.
    monkeypatch.setattr(os, "stat", guard(os.stat, whole=False))

    def deny(path: Path, listable_folder: bool = False) -> Path:
        (listable if listable_folder else closed).append(os.path.abspath(path))
        path.chmod(0o644 if listable_folder else 0)
        return path

    yield deny
    for path in closed + listable:
        os.chmod(path, 0o700)


# -- names typed on the command line --------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["shift-test", "--load", LONG],
    ["shift-test", "--load", f"{LONG}/x.npz"],
    ["--load", LONG],
    ["train", *TINY, "--save", f"{LONG}.npz"],
    ["train", *TINY, "--export-history", f"{LONG}.csv"],
    ["train", *TINY, "--export-history", f"{LONG}/h.json"],
    ["train", *TINY, "--data-dir", LONG],
    ["--data-dir", LONG],
    ["shift-test", "--data-dir", LONG],
])
def test_a_300_character_name_is_one_line_not_a_traceback(capsys, argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, *argv)
    assert_one_line(code, err, "...")  # the name is shortened in the message
    assert len(err) < 300
    assert list(tmp_path.iterdir()) == []


def test_a_user_that_does_not_exist_is_a_missing_file(capsys, tmp_path, monkeypatch):
    """The shell leaves ~nosuchuser unexpanded: it is a relative name like any other."""
    monkeypatch.chdir(tmp_path)
    assert_one_line(*run(capsys, "shift-test", "--load", "~nosuchuser/x.npz"),
                    "~nosuchuser/x.npz", "does not exist")


@pytest.mark.parametrize("argv", [
    ["shift-test", "--load", "/dev/zero"],
    ["--load", "/dev/zero"],
    ["shift-test", "--data-dir", "/dev/zero"],
])
def test_dev_zero_is_refused_before_reading(capsys, argv):
    start = time.monotonic()
    code, err = run(capsys, *argv)
    assert_one_line(code, err, "/dev/zero", "device")
    assert time.monotonic() - start < 5


def test_a_fifo_is_refused_at_once_in_a_subprocess(tmp_path):
    fifo = tmp_path / "models.npz"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "tuicnn", "shift-test", "--load", str(fifo)],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(SRC)})
    assert_one_line(done.returncode, done.stderr, "FIFO", "not a regular file")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_shift_test_on_dev_zero_returns_in_a_subprocess():
    done = subprocess.run([sys.executable, "-m", "tuicnn", "shift-test", "--load", "/dev/zero"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(SRC)})
    assert_one_line(done.returncode, done.stderr, "/dev/zero")


# -- permissions ------------------------------------------------------------------------------


def test_load_of_an_unreadable_file_says_permission_denied(capsys, tmp_path, denied):
    path = tmp_path / "m.npz"
    save_workspace_models(path, *records())
    denied(path)
    assert_one_line(*run(capsys, "shift-test", "--load", str(path)), "Permission denied")
    assert_one_line(*run(capsys, "--load", str(path)), "Permission denied")


def test_saving_into_an_unenterable_folder_says_permission_denied(capsys, tmp_path, denied):
    folder = tmp_path / "locked"
    folder.mkdir()
    denied(folder)
    code, err = run(capsys, "train", *TINY, "--save", str(folder / "m.npz"))
    assert_one_line(code, err, "Permission denied")
    with pytest.raises(ModelFileError, match="Permission denied"):
        save_workspace_models(folder / "m.npz", *records())


@pytest.mark.parametrize("mode", ["000", "644"])
def test_a_data_dir_that_cannot_be_read_says_why(capsys, tmp_path, denied, mode):
    folder = tmp_path / "idx"
    folder.mkdir()
    images = np.zeros((10, 28, 28), np.uint8)
    labels = np.arange(10, dtype=np.uint8)
    for name, array in (("train-images-idx3-ubyte", images), ("train-labels-idx1-ubyte", labels),
                        ("t10k-images-idx3-ubyte", images), ("t10k-labels-idx1-ubyte", labels)):
        write_idx(folder / name, array)
    denied(folder, listable_folder=mode == "644")  # 644: listed, but nothing inside opens
    for argv in (["train", *TINY, "--data-dir", str(folder)], ["--data-dir", str(folder)]):
        assert_one_line(*run(capsys, *argv), "Permission denied", str(folder))


# -- damaged files ----------------------------------------------------------------------------


def npz_with(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_metadata_that_is_not_numpy_data_is_one_line(capsys, tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(npz_with({"metadata.npy": b"just some bytes, not an array"}))
    assert_one_line(*run(capsys, "shift-test", "--load", str(path)),
                    "metadata", "not NumPy data")
    assert_one_line(*run(capsys, "--load", str(path)), "not NumPy data")


def test_an_array_claiming_a_huge_shape_is_refused_from_its_header(tmp_path):
    """A 2 MB file whose fc.W header claims (784, 500000): refused before any data is read."""
    path = tmp_path / "m.npz"
    save_workspace_models(path, *records())
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (784, 500_000)})
    entries["fc/fc1.W.npy" if "fc/fc1.W.npy" in entries else next(
        n for n in entries if n.startswith("fc/") and n.endswith("W.npy"))] = (
        header.getvalue() + bytes(2_000_000))
    path.write_bytes(npz_with(entries))
    tracemalloc.start()
    start = time.monotonic()
    with pytest.raises(ModelFileError, match=r"has shape \(784, 500000\)"):
        load_models(path)
    seconds = time.monotonic() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seconds < 2 and peak < 20_000_000


@pytest.mark.parametrize(("value", "fragment"), [
    (np.nan, "nan"), (np.inf, "inf"), (1e38, "magnitude 1e+38")])
def test_nan_inf_and_absurd_weights_are_refused_on_load(capsys, tmp_path, value, fragment):
    fc, cnn = records()
    name, weights, _ = next(iter(cnn.model.parameters()))
    weights.flat[0] = value
    path = tmp_path / "m.npz"
    save_workspace_models(path, fc, cnn)
    with pytest.raises(ModelFileError, match=re.escape(fragment)) as error:
        load_models(path)
    assert f"cnn/{name}" in str(error.value) and "m.npz" in str(error.value)
    assert_one_line(*run(capsys, "shift-test", "--load", str(path)), fragment)


def idx_header(code: int, dims: tuple[int, ...]) -> bytes:
    return bytes([0, 0, code, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)


def test_an_idx_header_whose_size_overflows_is_refused(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_header(0x08, (65536,) * 4))
    with pytest.raises(DataError, match="promising 18,446,744,073,709,551,616 bytes") as error:
        read_idx(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_a_gzip_bomb_stops_at_the_size_its_header_implies(tmp_path):
    """64 MB of zeros after a header for 10 images: read 7,841 bytes, then stop."""
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(idx_header(0x08, (10, 28, 28)))
        zeros = bytes(1 << 20)
        for _ in range(64):
            f.write(zeros)
    tracemalloc.start()
    with pytest.raises(DataError, match="at least .* unexpected bytes"):
        read_idx(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8_000_000  # two 1 MB chunks and change, not 64 MB


def test_a_header_promising_more_than_the_limit_is_refused_before_decompressing(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(idx_header(0x08, (100_000, 200, 200))))
    with pytest.raises(DataError, match="more than the 2,147,483,648"):
        read_idx(path)


def test_find_idx_files_names_a_folder_that_is_a_device():
    with pytest.raises(DataError, match="/dev/null is a device"):
        find_idx_files("/dev/null")
    with pytest.raises(DataError, match="/dev/zero is not a directory"):
        idx_split("/dev/zero/x")


# -- what saving replaces ---------------------------------------------------------------------


def test_force_never_replaces_a_device_or_a_fifo(capsys, tmp_path):
    start = time.monotonic()
    assert_one_line(*run(capsys, "train", *TINY, "--save", "/dev/full", "--force"),
                    "/dev/full", "device", "only regular files")
    assert time.monotonic() - start < 5  # refused before training
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    fifo = tmp_path / "h.csv"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match="FIFO"):
        save_workspace_models(fifo, *records(), overwrite=True)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_saved_files_honour_the_umask_and_a_replaced_file_keeps_its_mode(tmp_path):
    old = os.umask(0o027)
    try:
        save_workspace_models(tmp_path / "new.npz", *records())
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.npz").st_mode) == 0o640
    kept = tmp_path / "kept.npz"
    save_workspace_models(kept, *records())
    kept.chmod(0o604)
    save_workspace_models(kept, *records(), overwrite=True)
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o604
    load_models(kept)


def test_stray_temporary_files_are_cleaned_on_the_next_save(tmp_path):
    same = tmp_path / ".m.npz.ab12cd34.tmp"  # a killed save of m.npz
    fresh_other = tmp_path / ".other.npz.zz12cd34.tmp"  # maybe being written right now
    old_other = tmp_path / ".old.npz.yy12cd34.tmp"
    mine = tmp_path / "notes.tmp"  # the user's, not named as ours
    for path in (same, fresh_other, old_other, mine):
        path.write_bytes(b"half")
    hour_ago = time.time() - 3600
    os.utime(old_other, (hour_ago, hour_ago))
    save_workspace_models(tmp_path / "m.npz", *records())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".other.npz.zz12cd34.tmp", "m.npz", "notes.tmp"])


def test_the_cli_history_export_refuses_an_existing_file_and_keeps_it(capsys, tmp_path):
    target = tmp_path / "h.json"
    target.write_text(json.dumps({"mine": True}))
    assert_one_line(*run(capsys, "train", *TINY, "--export-history", str(target)),
                    "already exists")
    assert json.loads(target.read_text()) == {"mine": True}


def test_load_cancelled_between_arrays_changes_nothing(tmp_path):
    import threading

    path = tmp_path / "m.npz"
    save_workspace_models(path, *records())
    seen = []
    cancel = threading.Event()

    def progress(fraction: float) -> None:
        seen.append(fraction)
        cancel.set()

    with pytest.raises(model_file.LoadCancelled):
        load_models(path, progress=progress, cancel=cancel)
    assert len(seen) == 1 and 0 < seen[0] < 1
