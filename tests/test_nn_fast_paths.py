"""The engine's fast paths (issue 18) against independent computations: naive loops, the
general code path they replace, or the layers run one by one in their listed order."""

from __future__ import annotations

import numpy as np
import pytest
from test_nn_layers import CONV_CASES, make_conv, naive_maxpool

from tuicnn.nn import layers
from tuicnn.nn.layers import MaxPool2D, ReLU
from tuicnn.nn.losses import softmax_cross_entropy
from tuicnn.nn.model import Sequential, build_cnn, build_fc, cnn_layers, run_order
from tuicnn.nn.optim import FLUSH_EVERY, Adam, flat_view


def naive_conv_input_gradient(w, dy, x_shape, stride, pad):
    """Scatter every output gradient back through every kernel tap, one number at a time."""
    n, h, wd, c = x_shape
    k, f = w.shape[0], w.shape[3]
    dxp = np.zeros((n, h + 2 * pad, wd + 2 * pad, c))
    for ni, i, j in np.ndindex(*dy.shape[:3]):
        for a, b in np.ndindex(k, k):
            dxp[ni, i * stride + a, j * stride + b, :] += w[a, b] @ dy[ni, i, j, :f]
    return dxp[:, pad : pad + h, pad : pad + wd, :]


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_input_gradient_by_taps_matches_a_naive_scatter(rng, case):
    n, h, w, c, f, k, s, p = case
    layer = make_conv(rng, c, f, k, s, p)
    x = rng.standard_normal((n, h, w, c))
    dy = rng.standard_normal((n, *layer.output_shape((h, w, c))))
    layer.forward(x)
    expected = naive_conv_input_gradient(layer.params["W"], dy, x.shape, s, p)
    np.testing.assert_allclose(layer.backward(dy), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("block", [1, 7, 64])
def test_weight_gradient_in_blocks_equals_one_product(rng, monkeypatch, block):
    monkeypatch.setattr(layers, "WEIGHT_GRAD_BLOCK", block)
    cols, dy2 = rng.standard_normal((150, 18)), rng.standard_normal((150, 4))
    out = np.empty((18, 4))
    layers._weight_gradient(cols, dy2, out)
    np.testing.assert_allclose(out, cols.T @ dy2, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", [(2, 6, 8, 3), (3, 7, 5, 2), (1, 9, 9, 1)])
def test_two_by_two_pool_matches_naive_loops_with_ties_and_odd_sizes(rng, shape):
    x = rng.integers(-2, 3, shape).astype(np.float64)  # few values: many ties
    layer = MaxPool2D(2)
    assert layer._pairs
    expected, route = naive_maxpool(x, 2, 2, 0)
    np.testing.assert_array_equal(layer.forward(x), expected)
    dy = rng.standard_normal(expected.shape)
    np.testing.assert_array_equal(layer.backward(dy), route(dy))


def test_run_order_pools_before_the_relu_and_keeps_the_numbers(rng):
    """Conv → ReLU → pool layer by layer against the model's order (pool, then ReLU):
    the same logits and the same gradients, ties included."""
    model = build_cnn(4, seed=3, dtype=np.float64)
    names = [layer.name for layer in run_order(model.layers)]
    assert names[:6] == ["conv1", "pool1", "relu1", "conv2", "pool2", "relu2"]
    x = rng.random((5, 28, 28, 1))
    x[:, :8] = 0.0  # blank rows: conv1 gives its bias there, four equal values per window
    labels = rng.integers(0, 10, 5)
    reference = Sequential(cnn_layers(4), kind="cnn").initialize(3, np.float64)
    h = x
    for layer in reference.layers:
        h = layer.forward(h)
    _, d, _ = softmax_cross_entropy(h, labels)
    for layer in reversed(reference.layers):
        d = layer.backward(d)
        if d is None:
            break
    logits = model.forward(x)
    np.testing.assert_array_equal(logits, h)
    model.backward(softmax_cross_entropy(logits, labels)[1])
    for (name, _, grad), (_, _, ref) in zip(model.parameters(), reference.parameters(),
                                            strict=True):
        np.testing.assert_allclose(grad, ref, rtol=0, atol=1e-15, err_msg=name)


def test_relu_before_a_pool_moves_only_there():
    stack = [ReLU(name="a"), MaxPool2D(2, name="p"), ReLU(name="b")]
    assert [layer.name for layer in run_order(stack)] == ["p", "a", "b"]
    assert [layer.name for layer in stack] == ["a", "p", "b"]  # the model's list is untouched


@pytest.mark.parametrize("builder", [build_fc, build_cnn])
def test_parameters_live_in_one_buffer_and_adam_updates_it_as_the_per_array_loop(builder):
    model = builder(seed=5, dtype=np.float64)
    params = [p for _, p, _ in model.parameters()]
    grads = [g for _, _, g in model.parameters()]
    assert flat_view(params) is not None and flat_view(grads) is not None
    copies = [p.copy() for p in params]
    copy_grads = [np.empty_like(g) for g in grads]
    packed, loose = Adam(params, grads), Adam(copies, copy_grads)
    assert len(packed._pairs) == 1 and len(loose._pairs) == len(params)
    rng = np.random.default_rng(0)
    for _ in range(3):
        for g, cg in zip(grads, copy_grads, strict=True):
            g[...] = cg[...] = rng.standard_normal(g.shape)
        packed.step()
        loose.step()
    for p, c in zip(params, copies, strict=True):
        np.testing.assert_array_equal(p, c)
    assert flat_view([params[1], params[0]]) is None  # out of order: per-array updates


def test_adam_leaves_no_subnormal_moments_and_the_same_updates():
    """A gradient seen once, then zeros: the first moment shrinks by b1 a step into
    subnormal numbers (slow arithmetic) unless flushed; the weights move as without it
    (a float64 Adam, whose moments stay normal, is the reference)."""
    dtype = np.float32
    tiny = np.finfo(dtype).tiny
    p, g = np.zeros(4, dtype), np.zeros(4, dtype)
    reference_p, reference_g = np.zeros(4, np.float64), np.zeros(4, np.float64)
    adam, reference = Adam([p], [g]), Adam([reference_p], [reference_g])
    g[...] = reference_g[...] = [1.0, -1.0, 0.0, 0.5]
    g *= tiny * 1e6  # well inside the normal range, then decaying
    reference_g *= float(tiny) * 1e6
    adam.step()
    reference.step()
    g[...] = reference_g[...] = 0.0
    for _ in range(25 * FLUSH_EVERY):  # 0.9**200 = 7e-10: subnormal without flushing
        adam.step()
        reference.step()
        m = adam._m[0]
        if adam.t % FLUSH_EVERY == 0:
            assert not ((m != 0) & (np.abs(m) < tiny)).any(), adam.t
    assert not np.any(adam._m[0])  # flushed to exact zeros in the end
    assert np.any(reference._m[0])  # float64 moments of that size are still normal
    np.testing.assert_allclose(p, reference_p, rtol=1e-6, atol=0)


@pytest.mark.parametrize("channels", [1, 3])  # the gather path and the window-view path
@pytest.mark.parametrize(("k", "stride", "pad"), [(3, 1, 1), (2, 2, 2), (3, 2, 0)])
def test_patches_with_padding_and_ones_equal_padded_patches_and_a_ones_column(
        channels, k, stride, pad):
    x = np.random.default_rng(channels).random((2, 7, 6, channels))
    plain = layers._patches(np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0))), k, stride)
    got = layers._patches(x, k, stride, ones=True, pad=pad)
    np.testing.assert_array_equal(got, np.hstack([plain, np.ones((len(plain), 1))]))


@pytest.mark.parametrize("builder", [build_fc, build_cnn])
def test_gradients_and_adam_steps_equal_pytorch_in_float64(builder):
    """The whole engine (fast paths, run order, packed Adam) against PyTorch's autograd and
    Adam, float64, three steps on the same batch; skipped where PyTorch is not installed."""
    torch = pytest.importorskip("torch")
    model = builder(seed=2, dtype=np.float64)
    rng = np.random.default_rng(4)
    x = rng.random((6, 28, 28, 1))
    x[:, :6] = 0.0  # blank rows, as digits have: ties in the pools
    labels = rng.integers(0, 10, 6)
    tensors = [torch.tensor(p.copy(), requires_grad=True) for _, p, _ in model.parameters()]

    def torch_logits(t):
        h = torch.tensor(x)
        if model.kind == "fc":
            h = torch.relu(h.reshape(6, -1) @ t[0] + t[1])
            return h @ t[2] + t[3]
        for w, b in ((t[0], t[1]), (t[2], t[3])):
            h = torch.conv2d(h.permute(0, 3, 1, 2), w.permute(3, 2, 0, 1), b, padding=1)
            h = torch.max_pool2d(torch.relu(h), 2).permute(0, 2, 3, 1)
        h = torch.relu(h.reshape(6, -1) @ t[4] + t[5])
        return h @ t[6] + t[7]

    optimizer = torch.optim.Adam(tensors, lr=1e-2)
    ours = Adam([p for _, p, _ in model.parameters()], [g for _, _, g in model.parameters()],
                lr=1e-2)
    for _ in range(3):
        logits = model.forward(x)
        model.backward(softmax_cross_entropy(logits, labels)[1])
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(torch_logits(tensors), torch.tensor(labels))
        loss.backward()
        for (name, _, grad), tensor in zip(model.parameters(), tensors, strict=True):
            np.testing.assert_allclose(grad, tensor.grad.numpy(), rtol=1e-10, atol=1e-13,
                                       err_msg=name)
        ours.step()
        optimizer.step()
    for (name, param, _), tensor in zip(model.parameters(), tensors, strict=True):
        np.testing.assert_allclose(param, tensor.detach().numpy(), rtol=1e-10, atol=1e-13,
                                   err_msg=name)


def test_thread_rule_counts_the_products_and_train_keeps_one_thread_for_small_steps():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from tuicnn.nn import threads
    from tuicnn.nn.concurrent import train_concurrently
    from tuicnn.nn.config import TrainConfig
    from tuicnn.nn.training import train

    fc = build_fc(16)
    # forward + weight gradient for the first dense layer, + input gradient for the second
    assert threads.step_flops(fc, 8) == 2 * 2 * 8 * 784 * 16 + 3 * 2 * 8 * 16 * 10
    assert threads.blas_threads_for(fc, 8, 2) == 1
    assert threads.blas_threads_for(fc, 8, 1) == 1

    def pool():
        return max(p["num_threads"] for p in threadpoolctl.threadpool_info()
                   if p["user_api"] == "blas")

    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        seen = []
        original = fc.forward
        fc.forward = lambda *a, **k: (seen.append(pool()), original(*a, **k))[1]
        x = np.zeros((8, 28, 28, 1), np.float32)
        list(train(fc, x, np.zeros(8, np.int64), x, np.zeros(8, np.int64),
                   TrainConfig(epochs=1, batch_size=8)))
        assert seen and set(seen) == {1}
        assert pool() == 2  # restored
        seen.clear()  # train_concurrently shares out no more than the same rule allows
        list(train_concurrently([fc], x, np.zeros(8, np.int64), x, np.zeros(8, np.int64),
                                TrainConfig(epochs=1, batch_size=8)))
        assert seen and set(seen) == {1}
        assert pool() == 2


def test_adam_takes_unpickled_parameters_one_by_one():
    """A model sent to the training child arrives as separate arrays (their base is the
    pickle's bytes): Adam updates them one by one, as before packing."""
    import pickle

    model = pickle.loads(pickle.dumps(build_fc(4)))
    params = [p for _, p, _ in model.parameters()]
    assert flat_view(params) is None
    Adam(params, [g for _, _, g in model.parameters()]).step()
