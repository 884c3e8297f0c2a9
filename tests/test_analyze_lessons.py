"""The Mistakes tab's computations against independent ones: a naive loop, the engine's forward
pass on a hand-patched image, finite differences, the engine's trace."""

from __future__ import annotations

import numpy as np
import pytest

from tuicnn.lessons import channel_top, confusion, occlusion, saliency
from tuicnn.nn.model import build_cnn, build_fc
from tuicnn.nn.tracing import trace


@pytest.fixture(scope="module")
def evaluations(trained):
    split = trained.split
    return {kind: confusion.evaluate(getattr(trained, kind).model, split.x_test, split.y_test)
            for kind in confusion.KINDS}


def test_matrix_counts_the_models_own_predictions(trained, evaluations):
    split = trained.split
    for kind in confusion.KINDS:
        model = getattr(trained, kind).model
        expected = np.zeros((10, 10), dtype=int)
        for image, label in zip(split.x_test, split.y_test, strict=True):
            logits = model.forward(image[None], train=False)[0]
            expected[int(label), int(np.argmax(logits))] += 1
        evaluation = evaluations[kind]
        assert (evaluation.matrix == expected).all()
        assert evaluation.total == split.n_test
        right = sum(int(np.argmax(model.forward(x[None], train=False))) == int(y)
                    for x, y in zip(split.x_test, split.y_test, strict=True))
        assert evaluation.accuracy == right / split.n_test == np.trace(expected) / expected.sum()
        support = expected.sum(axis=1)
        for c in range(10):
            if support[c]:
                assert evaluation.per_class_accuracy[c] == expected[c, c] / support[c]


def test_most_confused_and_fixes_from_hand_matrices():
    fc = np.diag([5] * 10)
    cnn = fc.copy()
    fc[9, 4], fc[2, 8], fc[5, 3] = 7, 3, 3
    cnn[9, 4], cnn[2, 8], cnn[4, 9] = 1, 3, 2
    pairs = confusion.most_confused(fc, limit=2)
    assert [(p.true, p.pred, p.count) for p in pairs] == [(9, 4, 7), (2, 8, 3)]
    fixes, adds = confusion.fixes_and_adds(fc, cnn)
    assert [(p.true, p.pred, p.count) for p in fixes] == [(9, 4, 6), (5, 3, 3)]
    assert [(p.true, p.pred, p.count) for p in adds] == [(4, 9, 2)]


def test_gallery_lists_a_cell_worst_first_and_filters(trained, evaluations):
    labels = trained.split.y_test
    fc, cnn = evaluations["fc"], evaluations["cnn"]
    pair = confusion.most_confused(fc.matrix, 1)[0]
    listed = confusion.gallery(evaluations, labels, "fc", pair.true, pair.pred)
    expected = {i for i in range(len(labels))
                if labels[i] == pair.true and fc.predictions[i] == pair.pred}
    assert set(listed.tolist()) == expected and len(listed) == pair.count
    assert (np.diff(fc.losses[listed]) <= 0).all()
    fixed = confusion.gallery(evaluations, labels, "fc", keep="cnn_right_fc_wrong")
    assert set(fixed.tolist()) == {i for i in range(len(labels))
                                   if cnn.predictions[i] == labels[i] != fc.predictions[i]}


def test_occlusion_value_equals_the_patched_image_run_directly(trained):
    image = trained.split.x_test[3]
    target = int(trained.split.y_test[3])
    for record in (trained.fc, trained.cnn):
        found = occlusion.occlusion_map(record.model, image, target)
        for row, col in ((14, 14), (0, 27), (9, 20)):
            patched = image.copy()
            patched[max(row - 3, 0):row + 4, max(col - 3, 0):col + 4] = 0
            base = record.model.predict_proba(image[None])[0, target]
            direct = record.model.predict_proba(patched[None])[0, target]
            assert found.drops[row, col] == pytest.approx(base - direct, abs=1e-6)
            assert occlusion.probability_with_patch(record.model, image, target, row, col) \
                == pytest.approx(direct, abs=1e-6)


@pytest.mark.parametrize("build", [lambda: build_fc(16, seed=2, dtype=np.float64),
                                   lambda: build_cnn(2, seed=2, dtype=np.float64)])
def test_saliency_matches_finite_differences(trained, build):
    model = build()
    rng = np.random.default_rng(5)
    for layer in model.layers:  # untrained biases are 0: the ReLUs of blank areas sit on
        if "b" in layer.params:  # their kink, where finite differences see half a slope
            layer.params["b"][...] = rng.normal(0, 0.1, layer.params["b"].shape)
    image = trained.split.x_test[0].astype(np.float64)
    target = 7
    grad = saliency.input_gradient(model, image, target)
    assert grad.shape == (28, 28)
    eps = 1e-5
    ink = np.argwhere(image[:, :, 0] > 0.5)
    for row, col in [(14, 14), (5, 20), *map(tuple, ink[:2])]:
        up, down = image.copy(), image.copy()
        up[row, col, 0] += eps
        down[row, col, 0] -= eps
        numeric = (model.forward(up[None], train=False)[0, target]
                   - model.forward(down[None], train=False)[0, target]) / (2 * eps)
        assert grad[row, col] == pytest.approx(numeric, rel=1e-4, abs=1e-7)
    assert (saliency.saliency(model, image, target) == np.abs(grad)).all()


def test_saliency_leaves_the_model_untouched(trained):
    model = trained.cnn.model
    before = {name: value.copy() for name, value, _ in model.parameters()}
    saliency.saliency(model, trained.split.x_test[0], 1)
    assert model.layers[0].needs_input_grad is False
    assert all((value == before[name]).all() for name, value, _ in model.parameters())


def test_top_hits_are_the_traced_maxima(trained):
    model, x = trained.cnn.model, trained.split.x_test
    maps = channel_top.activations(model, x)
    for channel in (0, 3):
        hits = channel_top.top_hits(maps, channel, limit=4)
        peaks = [trace(model, image)["conv2"].values[:, :, channel].max() for image in x]
        assert np.allclose([h.value for h in hits], sorted(peaks, reverse=True)[:4], rtol=1e-5)
        assert all(h.value == pytest.approx(peaks[h.index], rel=1e-5) for h in hits)
        first = hits[0]
        traced = trace(model, x[first.index])["conv2"].values
        assert traced[first.row, first.col, channel] == pytest.approx(first.value, rel=1e-5)


def test_receptive_field_of_conv2_is_eight_pixels():
    model = build_cnn(2)
    assert channel_top.receptive_field(model, 5, 5) == (7, 15, 7, 15)
    assert channel_top.receptive_field(model, 0, 13) == (0, 5, 23, 28)
