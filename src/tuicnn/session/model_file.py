"""Saving and loading the two models, and exporting their training history (no Textual here).

A model file is one NumPy ``.npz`` archive:

* every parameter under ``<model>/<layer>.<key>``, e.g. ``fc/fc.W: (784, hidden)`` or
  ``cnn/conv1.W: (3, 3, 1, F)``, in the model's dtype;
* ``snapshots/<model>/conv1.W: (E + 1, 3, 3, 1, F)`` and ``snapshots/<model>/conv1.b:
  (E + 1, F)``: the CNN's conv1 at its start and after each of its E epochs, when kept.
  They sit outside the ``<model>/`` prefix, so older tuicnn versions load such files and
  ignore them; files without them load with an unknown start;
* ``metadata``: a 0-d NumPy unicode array holding a JSON object with the ``format`` name, the
  integer ``version``, and per model its kind, hparams, dtype, TrainConfig, cancelled flag and
  epoch history.

Nothing is pickled, so files load with ``allow_pickle=False``: opening a file from someone
else cannot run code. Loading opens only regular files, and checks every array's shape and
dtype from its ``.npy`` header before reading its data, then refuses NaN, inf and absurd
values. Files are written to a temporary file in the same directory and renamed into place,
so a crash or a full disk never leaves half a file under the chosen name; only regular files
are replaced, with their permissions kept.

Every problem becomes a ``ModelFileError`` whose message is one sentence naming the file and
the problem, for the CLI to print and the UI to show as is.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import stat
import struct
import tempfile
import threading
import time
import tokenize
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from tuicnn import __version__
from tuicnn.data.files import (
    PathProblem,
    check_writable_target,
    open_regular,
    reason,
    shown,
)
from tuicnn.nn.config import TrainConfig, check_range
from tuicnn.nn.events import EpochEnd
from tuicnn.nn.kinds import display_name
from tuicnn.nn.model import Sequential, build_cnn, build_fc
from tuicnn.nn.shapes import CNN_FC_UNITS, CNN_HEADS
from tuicnn.session.workspace import ModelRecord

FORMAT = "tuicnn-models"
VERSION = 1
META_KEY = "metadata"
SNAPSHOT_LAYER = "conv1"
MODEL_KINDS = ("fc", "cnn")
#: Columns of the exported history, in order.
HISTORY_COLUMNS = ("model", "epoch", "train_loss", "train_acc", "test_loss", "test_acc", "seconds")
_DTYPES = ("float32", "float64")
#: What NumPy and zipfile raise on damaged archives (they share no base class). Found by
#: flipping every byte of a saved file in turn: BadZipFile (CRC and header checks), ValueError
#: and TokenError/SyntaxError (a damaged .npy header), NotImplementedError (a damaged
#: compression field), MemoryError (a header claiming a huge shape).
_READ_ERRORS = (
    OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile, zlib.error, struct.error,
    NotImplementedError, RuntimeError, SyntaxError, tokenize.TokenError, MemoryError,
)

PathLike = str | os.PathLike[str]


class ModelFileError(Exception):
    """A model or history file cannot be written or read.

    The message is a single sentence naming the file and the problem, e.g.
    ``"Cannot load models from 'run.npz': the file is truncated or damaged."``.
    """


# -- saving -------------------------------------------------------------------------------


def save_workspace_models(
    path: PathLike, fc: ModelRecord, cnn: ModelRecord, *, overwrite: bool = False
) -> Path:
    """Write both models, their settings and their histories to one ``.npz`` file.

    The name is used exactly as given (no ``.npz`` is appended).

    Args:
        path: the file to write.
        fc: the fully-connected model's record (``model.kind == "fc"``).
        cnn: the CNN's record (``model.kind == "cnn"``).
        overwrite: replace an existing file; otherwise an existing file is an error, so the
            UI can ask the user first.

    Returns:
        The path written.

    Raises:
        ModelFileError: the file exists (and ``overwrite`` is False) or cannot be written.
        ValueError: the records are not an FC and a CNN (a programming error).
    """
    path = Path(path)
    arrays: dict[str, np.ndarray] = {}
    models: dict[str, Any] = {}
    for kind, record in zip(MODEL_KINDS, (fc, cnn), strict=True):
        if record.model.kind != kind:
            raise ValueError(f"expected the {kind} model, got kind {record.model.kind!r}")
        for name, value, _ in record.model.parameters():
            arrays[f"{kind}/{name}"] = value
        if record.snapshots:
            for i, key in enumerate(("W", "b")):
                arrays[f"snapshots/{kind}/{SNAPSHOT_LAYER}.{key}"] = np.stack(
                    [snapshot[i] for snapshot in record.snapshots])
        models[kind] = _record_meta(record)
    meta = {"format": FORMAT, "version": VERSION, "saved_by": f"tuicnn {__version__}",
            "models": models}
    metadata = np.array(json.dumps(meta))  # 0-d '<U...' array: no pickling needed

    def write(f: io.BufferedWriter) -> None:
        np.savez(f, **arrays, **{META_KEY: metadata})

    _write_atomically(path, write, overwrite, what="models")
    return path


def _record_meta(record: ModelRecord) -> dict[str, Any]:
    model = record.model
    return {
        "kind": model.kind,
        "hparams": model.hparams,
        "dtype": str(model.dtype),
        "config": asdict(record.config) if record.config is not None else None,
        "cancelled": record.cancelled,
        "history": [_epoch_dict(event) for event in record.history],
    }


#: ``EpochEnd`` field name -> the plain type it holds (the module uses string annotations).
_EPOCH_TYPES: dict[str, type] = {
    f.name: {"str": str, "int": int, "float": float}[str(f.type)] for f in fields(EpochEnd)
}


def _epoch_dict(event: EpochEnd) -> dict[str, Any]:
    """``EpochEnd`` as plain JSON types (NumPy scalars such as float32 are not JSON)."""
    return {name: kind(getattr(event, name)) for name, kind in _EPOCH_TYPES.items()}


def _write_atomically(
    path: Path, write: Callable[[Any], None], overwrite: bool, what: str, mode: str = "wb"
) -> None:
    """Write via a temporary file in the same directory, then rename over ``path``.

    ``os.replace`` is atomic on one file system: readers see the old file or the new one,
    never a mix, and a crash leaves at most a stray ``.tmp`` file, which the next save to
    that directory removes (``_remove_stray_temporaries``). Only a regular file is ever
    replaced (never ``/dev/full`` or a FIFO, even with ``overwrite``). The new file gets the
    replaced file's permissions, or for a new file what the umask allows (as ``open`` would
    give it), not ``mkstemp``'s private 0600.
    """

    def fail(reason_text: str) -> ModelFileError:
        return ModelFileError(f"Cannot save {what} to '{shown(path)}': {reason_text}.")

    try:
        check_writable_target(path, overwrite)
    except PathProblem as problem:
        text = str(problem)
        if text == "the file already exists":
            text += " (choose overwrite to replace it)"
        raise fail(text) from None
    directory = path.parent
    try:
        permissions = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        permissions = 0o666 & ~_umask()
    _remove_stray_temporaries(directory, path.name)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=directory)
    except OSError as error:
        raise fail(f"{reason(error)} in '{shown(directory)}'") from None
    try:
        text = {} if "b" in mode else {"newline": "", "encoding": "utf-8"}
        with os.fdopen(fd, mode, **text) as f:
            write(f)
            f.flush()
            os.fchmod(f.fileno(), permissions)
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as error:
        raise fail(reason(error)) from None
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


TMP_SUFFIX = ".tmp"
_STRAY_AFTER_SECONDS = 600.0
"""A temporary file of another name is left alone this long: it may be another tuicnn
saving right now. One for the same name is from an earlier, interrupted save of this file."""


def _umask() -> int:
    """The process umask (read by setting it, the only way POSIX offers; set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_stray_temporaries(directory: Path, name: str) -> None:
    """Delete ``.<name>.XXXXXXXX.tmp`` files that a killed save left in ``directory``.

    Only regular files named as ``mkstemp`` names ours (8 random characters) are touched:
    those for ``name`` always, those for other names once ``_STRAY_AFTER_SECONDS`` old.
    Best effort: anything that cannot be listed or removed is left as it is.
    """
    now = time.time()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        match = _TMP_NAME.fullmatch(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue
            if match.group(1) != name and now - info.st_mtime < _STRAY_AFTER_SECONDS:
                continue
            os.unlink(entry.path)
        except OSError:
            continue


_TMP_NAME = re.compile(r"\.(.+)\.[A-Za-z0-9_]{8}" + re.escape(TMP_SUFFIX))


# -- loading ------------------------------------------------------------------------------


class LoadCancelled(Exception):
    """``load_models`` was asked to stop (its ``cancel`` event was set); nothing changed."""


MAX_ABS_WEIGHT = 1e6
"""The largest |weight| a model file may hold. Adam-trained weights here stay well under 100;
a value beyond this (or NaN or inf) means a diverged or damaged model whose saved history
would describe accuracy those weights do not have."""

MAX_METADATA_BYTES = 16 * 2**20
"""The metadata entry is a few kilobytes (a 200-epoch history is ~40 kB); more is refused."""


def load_models(
    path: PathLike,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> tuple[ModelRecord, ModelRecord]:
    """Read a file written by ``save_workspace_models``: new FC and CNN records.

    Only a regular file is opened (``/dev/zero`` or a FIFO would never end). The models are
    rebuilt with ``build_fc``/``build_cnn`` from their saved hparams, then every array's shape
    and dtype are checked from its ``.npy`` header *before* its data is read, so a file that
    claims a huge shape costs nothing. Values must be finite and within
    ``MAX_ABS_WEIGHT``. New objects are returned only when everything succeeded, so the
    caller's current models are untouched by a failed load.

    Args:
        path: the file.
        progress: called with the fraction of the arrays read so far (0..1), e.g. from a
            worker thread to a progress line.
        cancel: set it (from another thread) to stop between arrays with ``LoadCancelled``.

    Returns:
        ``(fc_record, cnn_record)`` with their configs, histories and cancelled flags.

    Raises:
        ModelFileError: the file is missing, unreadable, not a regular file, not an ``.npz``,
            truncated or damaged, of another format or a newer version, or its arrays do not
            match its models or hold NaN, inf or absurd values.
        LoadCancelled: ``cancel`` was set.
    """
    path = Path(path)

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"Cannot load models from '{shown(path)}': {problem}.")

    try:
        file = open_regular(path)
    except PathProblem as problem:
        raise fail(str(problem)) from None
    with file:
        if not zipfile.is_zipfile(file):
            if _starts_like_zip(file):
                raise fail("the file is truncated or damaged (its zip directory is missing)")
            raise fail("it is not a NumPy .npz archive")
        try:
            with zipfile.ZipFile(file) as archive:
                reader = _ArchiveReader(archive, fail, progress, cancel)
                meta = _read_meta(reader.metadata(), fail)
                models = meta["models"]
                records = tuple(
                    _load_record(kind, models.get(kind), reader, fail) for kind in MODEL_KINDS
                )
        except (ModelFileError, LoadCancelled):
            raise
        except _READ_ERRORS as error:
            raise fail(
                f"the file is truncated or damaged ({type(error).__name__}: {error})"
            ) from None
    return records[0], records[1]


def _starts_like_zip(file: BinaryIO) -> bool:
    try:
        file.seek(0)
        return file.read(4) == b"PK\x03\x04"
    except OSError:
        return False


class _ArchiveReader:
    """The ``.npy`` entries of an open ``.npz`` zip, read header first.

    ``np.load`` reads an entry whole before anything can look at its shape, and hands back
    raw bytes for an entry that is not NumPy data; reading the header ourselves checks both
    before a byte of data is read.
    """

    def __init__(self, archive: zipfile.ZipFile, fail: Callable[[str], ModelFileError],
                 progress: Callable[[float], None] | None,
                 cancel: threading.Event | None) -> None:
        self.archive = archive
        self.fail = fail
        self.progress = progress
        self.cancel = cancel
        self.entries = {name[:-4]: name for name in archive.namelist() if name.endswith(".npy")}
        self.total = max(1, sum(archive.getinfo(n).file_size for n in self.entries.values()))
        self.done = 0

    @property
    def files(self) -> list[str]:
        return list(self.entries)

    def _header(self, key: str, f: BinaryIO) -> tuple[tuple[int, ...], np.dtype]:
        try:
            version = np.lib.format.read_magic(f)
        except ValueError:
            raise self.fail(f"its entry '{key}' is not NumPy data") from None
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise self.fail(f"its entry '{key}' uses .npy format version {version}, "
                            "which this version cannot read")
        shape, _fortran, dtype = read_header(f)
        if dtype.hasobject:
            raise self.fail(f"its entry '{key}' holds Python objects (pickled data, refused)")
        return shape, dtype

    def read(self, key: str, check: Callable[[tuple[int, ...], np.dtype], None]) -> np.ndarray:
        """Read entry ``key`` after ``check(shape, dtype)`` (which raises) accepted its header."""
        if self.cancel is not None and self.cancel.is_set():
            raise LoadCancelled()
        name = self.entries[key]
        with self.archive.open(name) as f:
            shape, dtype = self._header(key, f)
            check(shape, dtype)
        with self.archive.open(name) as f:
            array = np.lib.format.read_array(f, allow_pickle=False)
        self.done += self.archive.getinfo(name).file_size
        if self.progress is not None:
            self.progress(min(1.0, self.done / self.total))
        return array

    def metadata(self) -> np.ndarray:
        if META_KEY not in self.entries:
            raise self.fail("it has no tuicnn metadata, so it is not a tuicnn model file")

        def check(shape: tuple[int, ...], dtype: np.dtype) -> None:
            if dtype.kind != "U" or shape != ():
                raise self.fail("its metadata is not a text entry")
            if dtype.itemsize > MAX_METADATA_BYTES:
                raise self.fail(f"its metadata is {dtype.itemsize:,} bytes, more than the "
                                f"{MAX_METADATA_BYTES:,} a tuicnn model file has")

        return self.read(META_KEY, check)


def _read_meta(array: np.ndarray, fail: Callable[[str], ModelFileError]) -> dict[str, Any]:
    if array.dtype.kind != "U" or array.ndim != 0:
        raise fail("its metadata is not a text entry")
    try:
        meta = json.loads(str(array[()]))
    except ValueError:
        raise fail("its metadata is not valid JSON") from None
    if not isinstance(meta, dict):
        raise fail("its metadata is not a JSON object")
    if "format" not in meta:
        raise fail("its metadata names no format, so it is not a tuicnn model file")
    if meta["format"] != FORMAT:
        raise fail(f"it is a {meta['format']!r} file, not a tuicnn model file")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise fail(f"its format version {version!r} is not a positive integer")
    if version > VERSION:
        raise fail(
            f"it was saved by a newer tuicnn (format version {version}; this version reads "
            f"up to {VERSION})"
        )
    if not isinstance(meta.get("models"), dict):
        raise fail("its metadata lists no models")
    return meta


def _load_record(
    kind: str, spec: Any, reader: _ArchiveReader, fail: Callable[[str], ModelFileError]
) -> ModelRecord:
    if not isinstance(spec, dict):
        raise fail(f"it has no {display_name(kind)} model")
    model = _build(kind, spec, fail)
    prefix = f"{kind}/"
    stored = {key for key in reader.files if key.startswith(prefix)}
    expected = set()
    history = _history(kind, spec.get("history", []), fail)
    config = _config(kind, spec.get("config"), fail)
    for name, value, _ in model.parameters():
        key = prefix + name
        expected.add(key)
        if key not in stored:
            raise fail(f"the array '{key}' is missing")

        def check(shape: tuple[int, ...], dtype: np.dtype, key=key, value=value) -> None:
            if shape != value.shape:
                raise fail(f"the array '{key}' has shape {shape} but this {display_name(kind)} "
                           f"needs {value.shape}")
            if dtype != value.dtype:
                raise fail(f"the array '{key}' is {dtype}, expected {value.dtype}")

        array = reader.read(key, check)
        _check_values(key, array, fail)
        value[...] = array
    extra = sorted(stored - expected)
    if extra:
        raise fail(f"the array '{extra[0]}' does not belong to this {display_name(kind)}")
    return ModelRecord(model, history=history, config=config,
                       cancelled=bool(spec.get("cancelled", False)),
                       snapshots=_snapshots(kind, model, len(history), reader, fail))


def _check_values(key: str, array: np.ndarray, fail: Callable[[str], ModelFileError]) -> None:
    """Refuse NaN, inf and absurd weights: the saved history would claim an accuracy that
    such weights do not have."""
    finite = np.isfinite(array)
    if not finite.all():
        bad = array[~finite].flat[0]
        raise fail(f"the array '{key}' holds {bad} values, so the model is broken (it diverged "
                   "or the file is damaged)")
    if array.size and (largest := float(np.abs(array).max())) > MAX_ABS_WEIGHT:
        raise fail(f"the array '{key}' holds a weight of magnitude {largest:.3g}, beyond the "
                   f"{MAX_ABS_WEIGHT:.0e} any trained model here reaches (the file is damaged)")


def _snapshots(
    kind: str, model: Sequential, epochs: int, reader: _ArchiveReader,
    fail: Callable[[str], ModelFileError],
) -> list[tuple[np.ndarray, np.ndarray]]:
    """conv1 at the start and after each epoch, checked against the model; [] when absent.

    Shapes and the count are checked from the headers, before the stacks are read."""
    keys = [f"snapshots/{kind}/{SNAPSHOT_LAYER}.{key}" for key in ("W", "b")]
    present = [key in reader.files for key in keys]
    if not any(present):
        return []
    if not all(present) or SNAPSHOT_LAYER not in {layer.name for layer in model.layers}:
        raise fail(f"its {display_name(kind)} conv1 snapshots are incomplete")
    params = model.layer(SNAPSHOT_LAYER).params
    stacks = []
    for key, param in zip(keys, (params["W"], params["b"]), strict=True):

        def check(shape: tuple[int, ...], dtype: np.dtype, key=key, param=param) -> None:
            if shape[1:] != param.shape or dtype != param.dtype:
                raise fail(f"the array '{key}' has shape {shape} ({dtype}) but this "
                           f"{display_name(kind)} needs (epochs + 1, *{param.shape}) "
                           f"({param.dtype})")
            if not 1 <= shape[0] <= epochs + 1:
                raise fail(f"its {display_name(kind)} has {shape[0]} conv1 snapshots for "
                           f"{epochs} epochs")

        stack = reader.read(key, check)
        _check_values(key, stack, fail)
        stacks.append(stack)
    count = len(stacks[0])
    if count != len(stacks[1]):
        raise fail(f"its {display_name(kind)} has {count} conv1 snapshots for {epochs} "
                   "epochs")
    return [(stacks[0][i], stacks[1][i]) for i in range(count)]


def _build(kind: str, spec: dict[str, Any], fail: Callable[[str], ModelFileError]) -> Sequential:
    """A fresh model from the saved hparams, checked first so a bad file cannot allocate
    a huge array."""
    hparams = spec.get("hparams")
    dtype = spec.get("dtype", "float32")
    if dtype not in _DTYPES:
        raise fail(f"its {display_name(kind)} has dtype {dtype!r} (expected float32 or float64)")
    if not isinstance(hparams, dict):
        raise fail(f"its {display_name(kind)} has no settings (hparams)")
    size_key = "hidden" if kind == "fc" else "filters"
    try:
        size, seed = _int(hparams, size_key), _int(hparams, "seed", 0)
        check_range(size_key, size)
        check_range("seed", seed)
        if kind == "fc":
            return build_fc(size, seed=seed, dtype=dtype)
        fc_units = _int(hparams, "fc_units", CNN_FC_UNITS)
        check_range("hidden", fc_units)
        head = hparams.get("head", "flatten")  # files from before the head choice: flatten
        if head not in CNN_HEADS:
            raise ValueError(f"head must be one of {', '.join(CNN_HEADS)}, got {head!r}")
        return build_cnn(size, seed=seed, dtype=dtype, fc_units=fc_units,
                         conv1_init=str(hparams.get("conv1_init", "he")), head=head)
    except (KeyError, TypeError, ValueError) as error:
        raise fail(f"its {display_name(kind)} settings are invalid ({error})") from None


def _int(mapping: dict[str, Any], key: str, default: int | None = None) -> int:
    value = mapping.get(key, default)
    if value is None:
        raise KeyError(f"no {key!r}")
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{key} must be an integer, got {value!r}")
    return value


def _config(
    kind: str, spec: Any, fail: Callable[[str], ModelFileError]
) -> TrainConfig | None:
    if spec is None:
        return None
    try:
        return TrainConfig(**spec)
    except (TypeError, ValueError) as error:
        raise fail(f"its {display_name(kind)} training settings are invalid ({error})") from None


def _history(kind: str, spec: Any, fail: Callable[[str], ModelFileError]) -> list[EpochEnd]:
    if not isinstance(spec, list):
        raise fail(f"its {display_name(kind)} history is not a list")
    history = []
    for i, entry in enumerate(spec, start=1):
        if not isinstance(entry, dict) or set(entry) != set(_EPOCH_TYPES):
            raise fail(f"entry {i} of its {display_name(kind)} history has the wrong fields")
        try:
            values = {name: cast(entry[name]) for name, cast in _EPOCH_TYPES.items()}
        except (TypeError, ValueError):
            raise fail(f"entry {i} of its {display_name(kind)} history has a non-number") from None
        history.append(EpochEnd(**values))
    return history


# -- history export -----------------------------------------------------------------------


def history_rows(records: Iterable[ModelRecord]) -> list[dict[str, Any]]:
    """One dict per finished epoch of every record, with the ``HISTORY_COLUMNS`` keys."""
    return [
        {column: _epoch_dict(event)[column] for column in HISTORY_COLUMNS}
        for record in records
        for event in record.history
    ]


def export_history_csv(
    path: PathLike, records: Iterable[ModelRecord], *, overwrite: bool = False
) -> int:
    """Write the epoch history of ``records`` (e.g. ``[ws.fc, ws.cnn]``) as CSV.

    Columns: model, epoch, train_loss, train_acc, test_loss, test_acc, seconds; one row per
    epoch, models in the order given. Floats are written in full (``repr``) precision.

    Returns:
        The number of data rows written.

    Raises:
        ModelFileError: the file exists (and ``overwrite`` is False) or cannot be written.
    """
    rows = history_rows(records)

    def write(f: io.TextIOWrapper) -> None:
        writer = csv.DictWriter(f, fieldnames=HISTORY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    _write_atomically(Path(path), write, overwrite, what="the history", mode="w")
    return len(rows)


def export_history_json(
    path: PathLike, records: Iterable[ModelRecord], *, overwrite: bool = False
) -> int:
    """Write the epoch history as a JSON list of objects with the CSV's columns as keys.

    Non-finite numbers (a diverged run's NaN loss) become ``null``, so any JSON reader
    accepts the file.

    Returns:
        The number of epochs written.

    Raises:
        ModelFileError: the file exists (and ``overwrite`` is False) or cannot be written.
    """
    rows = [
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
        for r in history_rows(records)
    ]

    def write(f: io.TextIOWrapper) -> None:
        json.dump(rows, f, indent=2, allow_nan=False)
        f.write("\n")

    _write_atomically(Path(path), write, overwrite, what="the history", mode="w")
    return len(rows)
