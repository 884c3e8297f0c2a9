"""Model files and history exports: round trips, every kind of bad file, no silent overwrite."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from tuicnn.data.dataset import bundled_split
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import EpochEnd
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.session import model_file
from tuicnn.session.model_file import (
    HISTORY_COLUMNS,
    ModelFileError,
    export_history_csv,
    export_history_json,
    load_models,
    save_workspace_models,
)
from tuicnn.session.workspace import ModelRecord


def epochs(kind: str, n: int) -> list[EpochEnd]:
    return [EpochEnd(kind, e, n, 1.0 / e, 0.5 + e / 10, 1.1 / e, 0.4 + e / 10, 0.1 * e + 1e-9)
            for e in range(1, n + 1)]


@pytest.fixture
def records(rng) -> tuple[ModelRecord, ModelRecord]:
    """Models whose weights differ from their seeded initialisation (as after training)."""
    fc, cnn = build_fc(12, seed=5), build_cnn(3, seed=6, fc_units=20)
    for model in (fc, cnn):
        for _, value, _ in model.parameters():
            value += rng.standard_normal(value.shape).astype(value.dtype)
    return (
        ModelRecord(fc, epochs("fc", 3), TrainConfig(epochs=3, batch_size=32, lr=0.002, seed=5)),
        ModelRecord(cnn, epochs("cnn", 2), TrainConfig(epochs=4, seed=6), cancelled=True),
    )


@pytest.fixture
def saved(tmp_path, records):
    path = tmp_path / "models.npz"
    save_workspace_models(path, *records)
    return path


def test_round_trip_is_bit_identical(saved, records):
    loaded = load_models(saved)
    images = bundled_split(train_size=10, test_size=20).x_test
    for old, new in zip(records, loaded, strict=True):
        assert new.model is not old.model
        assert new.model.kind == old.model.kind and new.model.hparams == old.model.hparams
        for (name, a, _), (name2, b, _) in zip(
            old.model.parameters(), new.model.parameters(), strict=True
        ):
            assert name == name2 and a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(old.model.predict_proba(images),
                                      new.model.predict_proba(images))
        assert new.history == old.history
        assert new.config == old.config and new.cancelled == old.cancelled


def test_round_trip_of_untrained_float64_models(tmp_path):
    fc, cnn = ModelRecord(build_fc(4, dtype=np.float64)), ModelRecord(build_cnn(1, seed=2))
    path = save_workspace_models(tmp_path / "m", fc, cnn)
    assert path.name == "m"  # the name is used exactly as given
    new_fc, new_cnn = load_models(path)
    assert new_fc.model.dtype == np.float64 and new_fc.config is None and not new_fc.history
    np.testing.assert_array_equal(new_cnn.model.layer("conv1").params["W"],
                                  cnn.model.layer("conv1").params["W"])


def test_file_layout_loads_without_pickle(saved):
    with np.load(saved, allow_pickle=False) as archive:
        assert "fc/fc.W" in archive.files and "cnn/conv1.W" in archive.files
        meta = json.loads(str(archive["metadata"][()]))
    assert meta["format"] == "tuicnn-models" and meta["version"] == 1
    assert meta["models"]["fc"]["hparams"] == {"hidden": 12, "seed": 5}
    assert meta["models"]["cnn"]["config"]["epochs"] == 4
    assert len(meta["models"]["fc"]["history"]) == 3


def test_no_overwrite_unless_asked(saved, records):
    before = saved.read_bytes()
    with pytest.raises(ModelFileError, match="already exists"):
        save_workspace_models(saved, *records)
    assert saved.read_bytes() == before
    records[0].model.layer("fc").params["b"][:] = 7.0
    save_workspace_models(saved, *records, overwrite=True)
    assert (load_models(saved)[0].model.layer("fc").params["b"] == 7.0).all()
    assert [p.name for p in saved.parent.iterdir()] == ["models.npz"]  # no temp files left


def test_a_crash_while_writing_leaves_no_file(tmp_path, records, monkeypatch):
    def crash(f, **arrays):
        f.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model_file.np, "savez", crash)
    with pytest.raises(ModelFileError, match="No space left on device"):
        save_workspace_models(tmp_path / "m.npz", *records)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_location_is_a_clear_error(tmp_path, records):
    with pytest.raises(ModelFileError, match="Cannot save models to"):
        save_workspace_models(tmp_path / "missing-dir" / "m.npz", *records)
    with pytest.raises(ModelFileError, match="directory"):
        save_workspace_models(tmp_path, *records)


def test_save_rejects_swapped_records(tmp_path, records):
    with pytest.raises(ValueError, match="expected the fc model"):
        save_workspace_models(tmp_path / "m.npz", records[1], records[0])


# -- bad files ----------------------------------------------------------------------------


def rewrite(path, change) -> None:
    """Re-save ``path`` after ``change(arrays, meta)`` edits its arrays and metadata."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(str(arrays.pop("metadata")[()]))
    change(arrays, meta)
    if meta is not None:
        arrays["metadata"] = np.array(json.dumps(meta))
    path.unlink()
    with path.open("wb") as f:
        np.savez(f, **arrays)


def expect_error(path, *needles: str) -> str:
    with pytest.raises(ModelFileError) as info:
        load_models(path)
    message = str(info.value)
    assert message.startswith(f"Cannot load models from '{path}': ") and message.endswith(".")
    assert "\n" not in message and "Traceback" not in message
    for needle in needles:
        assert needle in message
    return message


def test_missing_file_and_directory(tmp_path):
    expect_error(tmp_path / "nope.npz", "does not exist")
    expect_error(tmp_path, "directory")


def test_truncated_file(saved):
    data = saved.read_bytes()
    for size in (len(data) // 2, len(data) - 30, 10, 0):
        saved.write_bytes(data[:size])
        expect_error(saved)


def test_flipped_bytes_are_caught_or_harmless(saved, records):
    data = saved.read_bytes()
    harmless = 0
    for pos in range(0, len(data), max(1, len(data) // 300)):
        bad = bytearray(data)
        bad[pos] ^= 0xFF
        saved.write_bytes(bytes(bad))
        try:
            fc, cnn = load_models(saved)
        except ModelFileError:
            continue
        harmless += 1  # e.g. a zip timestamp: then the weights must be exactly right
        for old, new in zip(records, (fc, cnn), strict=True):
            for (_, a, _), (_, b, _) in zip(old.model.parameters(), new.model.parameters(),
                                            strict=True):
                np.testing.assert_array_equal(a, b)
    assert harmless < 30


def test_damaged_array_data_fails_its_checksum(saved):
    data = bytearray(saved.read_bytes())
    data[len(data) // 3] ^= 0x01  # deep inside fc/fc.W's float data
    saved.write_bytes(bytes(data))
    expect_error(saved, "damaged")


def test_plain_text_and_npy_files(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("these are not the weights you are looking for\n")
    expect_error(text, "not a NumPy .npz archive")
    npy = tmp_path / "array.npz"
    with npy.open("wb") as f:
        np.save(f, np.zeros(3))
    expect_error(npy, "not a NumPy .npz archive")


def test_npz_without_metadata(saved):
    def drop(arrays, meta):
        meta.clear()

    rewrite(saved, drop)
    expect_error(saved, "format")  # present but empty: not our format

    with np.load(saved, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files if k != "metadata"}
    with saved.open("wb") as f:
        np.savez(f, **arrays)
    expect_error(saved, "no tuicnn metadata")


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        (lambda a, m: m.update(version=999), ("newer tuicnn", "version 999", "up to 1")),
        (lambda a, m: m.update(version="1"), ("not a positive integer",)),
        (lambda a, m: m.update(format="something-else"), ("'something-else' file",)),
        (lambda a, m: m["models"].pop("cnn"), ("no CNN model",)),
        (lambda a, m: a.update({"fc/fc.W": np.zeros((3, 3), np.float32)}),
         ("'fc/fc.W' has shape (3, 3)", "(784, 12)")),
        (lambda a, m: a.update({"cnn/conv1.W": a["cnn/conv1.W"].astype(np.float64)}),
         ("float64",)),
        (lambda a, m: a.pop("cnn/logits.b"), ("'cnn/logits.b' is missing",)),
        (lambda a, m: a.update({"fc/extra.W": np.zeros(2, np.float32)}),
         ("'fc/extra.W' does not belong",)),
        (lambda a, m: m["models"]["fc"]["hparams"].update(hidden=10**9),
         ("settings are invalid", "hidden")),
        (lambda a, m: m["models"]["fc"]["hparams"].update(hidden="12"), ("must be an integer",)),
        (lambda a, m: m["models"]["cnn"].update(dtype="object"), ("dtype 'object'",)),
        (lambda a, m: m["models"]["fc"]["config"].update(lr=5.0), ("training settings",)),
        (lambda a, m: m["models"]["fc"]["history"][0].pop("seconds"), ("wrong fields",)),
        (lambda a, m: m["models"]["fc"]["history"][1].update(test_acc="high"),
         ("non-number",)),
    ],
)
def test_wrong_content_is_one_clear_sentence(saved, change, needles):
    rewrite(saved, change)
    expect_error(saved, *needles)


def test_metadata_that_is_not_json_text(saved):
    with np.load(saved, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    for bad in (np.arange(3), np.array("{not json"), np.array("[1, 2]")):
        arrays["metadata"] = bad
        with saved.open("wb") as f:
            np.savez(f, **arrays)
        expect_error(saved, "metadata")


def test_a_failed_load_leaves_the_callers_models_alone(saved, records):
    before = records[0].model.layer("fc").params["W"].copy()
    rewrite(saved, lambda a, m: a.pop("cnn/fc.W"))
    expect_error(saved)
    np.testing.assert_array_equal(records[0].model.layer("fc").params["W"], before)


# -- history exports ----------------------------------------------------------------------


def test_history_csv(tmp_path, records):
    path = tmp_path / "history.csv"
    assert export_history_csv(path, records) == 5
    rows = list(csv.DictReader(path.open(newline="")))
    assert tuple(rows[0]) == HISTORY_COLUMNS
    assert [r["model"] for r in rows] == ["fc"] * 3 + ["cnn"] * 2
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 1, 2]
    first = records[0].history[0]
    assert float(rows[0]["seconds"]) == first.seconds  # full precision
    assert float(rows[0]["test_acc"]) == first.test_acc
    with pytest.raises(ModelFileError, match="already exists"):
        export_history_csv(path, records)
    assert export_history_csv(path, records[:1], overwrite=True) == 3


def test_history_json(tmp_path, records):
    nan_run = ModelRecord(build_fc(2), [EpochEnd("fc", 1, 1, math.nan, 0.1, math.inf, 0.1, 2.0)])
    path = tmp_path / "history.json"
    assert export_history_json(path, [records[1], nan_run]) == 3
    rows = json.loads(path.read_text())  # strict JSON: no NaN tokens
    assert [tuple(r) for r in rows] == [HISTORY_COLUMNS] * 3
    assert rows[0] == {"model": "cnn", "epoch": 1, "train_loss": 1.0, "train_acc": 0.6,
                       "test_loss": 1.1, "test_acc": 0.5, "seconds": 0.1 + 1e-9}
    assert rows[2]["train_loss"] is None and rows[2]["test_loss"] is None
    with pytest.raises(ModelFileError, match="already exists"):
        export_history_json(path, records)


def test_empty_history_exports_just_the_header(tmp_path):
    path = tmp_path / "h.csv"
    assert export_history_csv(path, [ModelRecord(build_fc(2))]) == 0
    assert path.read_text() == ",".join(HISTORY_COLUMNS) + "\n"
