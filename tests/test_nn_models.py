"""Whole-model checks: gradients, parameter counts, Adam, reproducibility, traces."""

from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import pytest
from gradcheck import assert_close, numerical_grad

from tuicnn.nn.concurrent import train_concurrently
from tuicnn.nn.config import TrainConfig
from tuicnn.nn.events import BatchEnd, Cancelled, EpochEnd
from tuicnn.nn.losses import softmax, softmax_cross_entropy
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.nn.optim import Adam
from tuicnn.nn.tracing import trace
from tuicnn.nn.training import train


def test_softmax_is_stable_and_normalised():
    p = softmax(np.array([[1000.0, 1000.0, -1000.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(p, [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])


def test_cross_entropy_value_and_gradient(rng):
    logits = rng.standard_normal((5, 4)) * 3
    labels = np.array([0, 3, 1, 1, 2])
    loss, dlogits, probs = softmax_cross_entropy(logits, labels)
    expected = -np.mean(np.log(softmax(logits.copy())[np.arange(5), labels]))
    assert loss == pytest.approx(expected)
    numeric = numerical_grad(lambda: softmax_cross_entropy(logits, labels)[0], logits)
    assert_close(dlogits, numeric)


@pytest.mark.parametrize("builder", [lambda: build_fc(6, seed=3, dtype=np.float64),
                                     lambda: build_cnn(2, seed=3, dtype=np.float64, fc_units=5)])
def test_whole_model_gradients_match_finite_differences(rng, builder):
    model = builder()
    x = rng.random((3, 28, 28, 1))
    y = np.array([1, 7, 3])

    def loss() -> float:
        return softmax_cross_entropy(model.forward(x, train=False), y)[0]

    _, dlogits, _ = softmax_cross_entropy(model.forward(x), y)
    model.backward(dlogits)
    for name, param, grad in model.parameters():
        # Check a random subset of entries of the big matrices to keep this fast.
        flat_p, flat_g = param.reshape(-1), grad.reshape(-1)
        picks = rng.choice(flat_p.size, size=min(25, flat_p.size), replace=False)
        numeric = []
        for i in picks:
            old = flat_p[i]
            flat_p[i] = old + 1e-6
            up = loss()
            flat_p[i] = old - 1e-6
            down = loss()
            flat_p[i] = old
            numeric.append((up - down) / 2e-6)
        assert_close(flat_g[picks], np.array(numeric), tol=1e-5), name


def test_parameter_counts_come_from_the_layers():
    fc, cnn = build_fc(128), build_cnn(8)
    assert fc.n_params == 784 * 128 + 128 + 128 * 10 + 10
    conv1, conv2 = 9 * 8 + 8, 9 * 8 * 16 + 16
    assert cnn.n_params == conv1 + conv2 + (7 * 7 * 16) * 128 + 128 + 128 * 10 + 10
    assert cnn.n_params == sum(p.size for _, p, _ in cnn.parameters())
    assert [r.output_shape for r in cnn.summary()][:6] == [
        (28, 28, 8), (28, 28, 8), (14, 14, 8), (14, 14, 16), (14, 14, 16), (7, 7, 16)]


def test_one_adam_step_matches_hand_computation():
    p = np.array([1.0, -2.0, 0.5])
    g = np.array([0.1, -0.3, 0.0])
    opt = Adam([p], [g], lr=0.01)
    opt.step()
    # t = 1: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps).
    expected = np.array([1.0, -2.0, 0.5]) - 0.01 * g / (np.abs(g) + 1e-8)
    np.testing.assert_allclose(p, expected, rtol=1e-12)
    g[:] = [0.2, 0.1, -0.4]
    opt.step()
    m = 0.9 * 0.1 * np.array([0.1, -0.3, 0.0]) + 0.1 * g
    v = 0.999 * 0.001 * np.array([0.01, 0.09, 0.0]) + 0.001 * g**2
    step = 0.01 * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.999**2)) + 1e-8)
    np.testing.assert_allclose(p, expected - step, rtol=1e-10)


def _tiny_data(rng, n=96):
    x = rng.random((n, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, n)
    return x, y


def _run(model, x, y, **kw):
    return list(train(model, x, y, x[:32], y[:32], TrainConfig(**kw)))


def test_same_seed_and_config_give_identical_numbers(rng):
    x, y = _tiny_data(rng)
    a = _run(build_cnn(4, seed=5), x, y, epochs=2, batch_size=32, seed=5)
    b = _run(build_cnn(4, seed=5), x, y, epochs=2, batch_size=32, seed=5)
    strip = [(e.train_loss, e.train_acc, e.test_loss, e.test_acc) for e in a
             if isinstance(e, EpochEnd)]
    assert strip == [(e.train_loss, e.train_acc, e.test_loss, e.test_acc) for e in b
                     if isinstance(e, EpochEnd)]
    c = _run(build_cnn(4, seed=6), x, y, epochs=2, batch_size=32, seed=6)
    assert [e.train_loss for e in c if isinstance(e, EpochEnd)] != [s[0] for s in strip]


def test_event_stream_shape(rng):
    x, y = _tiny_data(rng, n=70)
    events = _run(build_fc(8), x, y, epochs=2, batch_size=32)
    batches = [e for e in events if isinstance(e, BatchEnd)]
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert len(batches) == 6 and batches[-1].batches == 3 and batches[2].batch == 3
    assert [e.epoch for e in epochs] == [1, 2]
    assert all(e.seconds > 0 and 0 <= e.test_acc <= 1 for e in epochs)
    assert set(epochs[0].to_dict()) >= {"model", "epoch", "train_loss", "train_acc",
                                        "test_loss", "test_acc", "seconds"}


def test_training_can_be_cancelled_between_batches(rng):
    x, y = _tiny_data(rng)
    stop = threading.Event()
    events = []
    for event in train(build_fc(8), x, y, x, y, TrainConfig(epochs=3, batch_size=16), stop):
        events.append(event)
        if isinstance(event, BatchEnd) and event.batch == 2:
            stop.set()
    assert isinstance(events[-1], Cancelled)
    assert (events[-1].epoch, events[-1].batch) == (1, 3)
    assert not any(isinstance(e, EpochEnd) for e in events)


def test_config_rejects_out_of_range_values():
    with pytest.raises(ValueError, match="epochs"):
        TrainConfig(epochs=0)
    with pytest.raises(ValueError, match="batch size"):
        TrainConfig(batch_size=0)


def test_trace_exposes_every_stage_with_shapes(rng):
    model = build_cnn(8, seed=0)
    image = (rng.random((28, 28)) * 255).astype(np.uint8)
    t = trace(model, image)
    assert t.names == ["input", "conv1", "relu1", "pool1", "conv2", "relu2", "pool2",
                       "flatten", "fc", "fc_relu", "logits", "softmax"]
    shapes = {s.name: s.shape for s in t.stages}
    assert shapes["conv1"] == (28, 28, 8) and shapes["pool2"] == (7, 7, 16)
    assert shapes["flatten"] == (784,) and shapes["softmax"] == (10,)
    np.testing.assert_allclose(t["relu1"].values, np.maximum(t["conv1"].values, 0))
    x = image.astype(np.float32)[None, :, :, None] / 255
    np.testing.assert_allclose(t.probabilities, model.predict_proba(x)[0], rtol=1e-6)
    assert t.probabilities.sum() == pytest.approx(1.0, abs=1e-6)


def test_engine_does_not_import_textual():
    code = ("import sys, tuicnn.nn, tuicnn.nn.training; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'plotext', 'rich')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True,
                   env={"PYTHONPATH": str(__import__("conftest").SRC)})


def test_concurrent_training_matches_training_alone(rng):
    x, y = _tiny_data(rng)
    config = TrainConfig(epochs=2, batch_size=32, seed=3)
    alone = {}
    for build in (lambda: build_fc(16, seed=3), lambda: build_cnn(4, seed=3)):
        model = build()
        alone[model.kind] = [e for e in train(model, x, y, x[:32], y[:32], config)
                             if isinstance(e, EpochEnd)]
    together = list(train_concurrently([build_fc(16, seed=3), build_cnn(4, seed=3)],
                                       x, y, x[:32], y[:32], config))
    for kind, epochs in alone.items():
        mine = [e for e in together if isinstance(e, EpochEnd) and e.model == kind]
        assert [(e.train_loss, e.test_acc) for e in mine] == [
            (e.train_loss, e.test_acc) for e in epochs]
        batches = [e.batch for e in together if isinstance(e, BatchEnd) and e.model == kind]
        assert batches == [1, 2, 3] * 2


def test_concurrent_training_stops_all_models(rng):
    x, y = _tiny_data(rng)
    stop, gate = threading.Event(), threading.Event()
    fc = build_fc(8)
    fc_forward = fc.forward

    def held_forward(*args, **kwargs):  # the FC waits until the stop is set, so it cannot
        gate.wait(timeout=10)  # finish every epoch before the consumer reacts
        return fc_forward(*args, **kwargs)

    fc.forward = held_forward
    seen = []
    for event in train_concurrently([fc, build_cnn(4)], x, y, x, y,
                                    TrainConfig(epochs=5, batch_size=8), stop):
        seen.append(event)
        if event.model == "cnn" and not stop.is_set():
            stop.set()
            gate.set()
    for kind in ("fc", "cnn"):
        mine = [e for e in seen if e.model == kind]
        assert isinstance(mine[-1], Cancelled), kind
        assert sum(isinstance(e, Cancelled) for e in mine) == 1
        assert not any(isinstance(e, EpochEnd) for e in mine)


def test_parameter_counts_without_allocating():
    from tuicnn.nn.model import Sequential, cnn_layers, fc_layers
    assert Sequential(fc_layers(512)).n_params == build_fc(512).n_params
    assert Sequential(cnn_layers(16)).n_params == build_cnn(16).n_params
    assert all(not layer.params for layer in cnn_layers(16))


def test_concurrent_training_restores_the_blas_thread_pool(rng):
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        return [p["num_threads"] for p in threadpoolctl.threadpool_info()
                if p["user_api"] == "blas"]

    before = blas_threads()
    x, y = _tiny_data(rng, n=32)
    list(train_concurrently([build_fc(8), build_cnn(2)], x, y, x, y,
                            TrainConfig(epochs=1, batch_size=16)))
    assert blas_threads() == before


def test_nice_training_threads_run_at_lower_priority(rng):
    import os

    if not hasattr(os, "getpriority"):
        pytest.skip("no per-thread priorities on this platform")
    seen = []
    x, y = _tiny_data(rng, n=16)
    model = build_fc(4)
    original = model.forward

    def forward(*args, **kwargs):
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return original(*args, **kwargs)

    model.forward = forward
    base = os.getpriority(os.PRIO_PROCESS, 0)
    list(train_concurrently([model], x, y, x, y, TrainConfig(epochs=1, batch_size=16), nice=5))
    assert seen and all(p == min(base + 5, 19) for p in seen)
    assert os.getpriority(os.PRIO_PROCESS, 0) == base  # the caller is untouched


@pytest.mark.parametrize("builder", [build_fc, build_cnn])
def test_no_gradient_is_computed_for_the_images_and_the_weights_grads_are_unchanged(
        rng, builder):
    """The layers up to the first one with weights skip the input gradient (nobody uses it);
    the weight gradients equal those of a copy that computes every input gradient."""
    import copy

    model = builder(seed=3, dtype=np.float64)
    first = next(layer for layer in model.layers if layer.n_params)
    assert not first.needs_input_grad
    full = copy.deepcopy(model)
    for layer in full.layers:
        layer.needs_input_grad = True
    x = rng.random((5, 28, 28, 1))
    dlogits = rng.standard_normal((5, 10))
    for net in (model, full):
        net.forward(x)
        net.backward(dlogits)
    for mine, reference in zip(model.layers, full.layers, strict=True):
        for name in mine.grads:
            np.testing.assert_array_equal(mine.grads[name], reference.grads[name])
