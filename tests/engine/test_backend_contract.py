"""The backend contract (engine/backend.py), the same tests on every backend.

A new backend joins by adding its name to FAST_BACKENDS in conftest.py. Nothing here reads a
backend's arrays directly: only the contract's methods.
"""

from __future__ import annotations

import numpy as np
import pytest
from cases import classes_chain, dense_chain, spec

from neuroedit.api.bridge import graph_spec
from neuroedit.engine import EngineError, make_backend
from neuroedit.engine import epochs as E
from neuroedit.engine.optimizers import OptimizerConfig
from neuroedit.engine.trainer import TrainConfig, Trainer

BN = [("bn", "BatchNorm", {"momentum": 0.5})]


def _setup(kind: str, optimizer: str = "momentum", dtype: str = "float64", extra=None):
    doc, x, y = dense_chain("tanh", "mse", extra=extra if extra is not None else BN, n=12, seed=1)
    b = make_backend(kind, spec(doc), dtype, 3)
    b.set_optimizer(OptimizerConfig(optimizer))
    X = b.pack_inputs(x)
    return b, X, b.pack_targets(y, len(X))


def _steps(b, X, Y, lrs):
    order = np.arange(len(X), dtype=np.int64)
    bounds = np.minimum(np.arange(0, 4 * (len(lrs) + 1), 4), len(X)).astype(np.int64)
    return b.train(X, Y, order, bounds, np.asarray(lrs, float))


def _snapshot(b):
    return b.flat("weights"), b.flat("frozen"), b.export_optimizer_state()


def _assert_same(a, b):
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2].keys() == b[2].keys()
    for k in a[2]:
        np.testing.assert_array_equal(a[2][k], b[2][k])


def test_weights_in_and_out(backend):
    b, _, _ = _setup(backend)
    w = b.get_weights()
    assert w["h"]["kernel"].shape == (4, 3) and "moving_mean" in w["bn"]
    flat = b.flat("weights")
    b.set_flat("weights", flat * 2)
    np.testing.assert_array_equal(b.get_weights()["h"]["kernel"], 2 * w["h"]["kernel"])
    b.set_weights(w)
    np.testing.assert_array_equal(b.flat("weights"), flat)
    with pytest.raises(EngineError, match="shape"):
        b.set_flat("weights", flat[:-1])
    with pytest.raises(EngineError, match="only weights and frozen"):
        b.set_flat("gradients", flat)
    with pytest.raises(EngineError, match="has no weight"):
        b.set_weights({"h": {"gamma": np.ones(3)}})


def test_a_step_reports_its_gradient_and_update(backend):
    b, X, Y = _setup(backend, "sgd")
    before = b.flat("weights")
    _, grad = b.gradients(X[:4], Y[:4])
    r = _steps(b, X, Y, [0.1])
    assert r.steps == 1 and b.iterations == 1
    np.testing.assert_allclose(b.flat("gradients"), grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.flat("updates"), b.flat("weights") - before, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(b.flat("updates"), -0.1 * grad, rtol=1e-9, atol=1e-12)
    assert b.last_values()["h"].shape == (4, 3)


def test_optimizer_state_round_trip(backend):
    b, X, Y = _setup(backend, "adam")
    _steps(b, X, Y, [0.01, 0.01])
    other, _, _ = _setup(backend, "adam")
    other.set_weights(b.get_weights())
    other.import_optimizer_state(b.export_optimizer_state())
    assert other.iterations == 2
    _steps(b, X, Y, [0.01])
    _steps(other, X, Y, [0.01])
    np.testing.assert_array_equal(other.flat("weights"), b.flat("weights"))


def test_best_weights_snapshot(backend):
    b, X, Y = _setup(backend)
    kept = (b.flat("weights"), b.flat("frozen"))
    b.keep_best()
    _steps(b, X, Y, [0.1, 0.1])
    assert not np.array_equal(b.flat("frozen"), kept[1])  # BatchNorm statistics moved
    b.restore_best()
    np.testing.assert_array_equal(b.flat("weights"), kept[0])
    np.testing.assert_array_equal(b.flat("frozen"), kept[1])


def test_live_parameters_change_the_next_step(backend):
    b, X, Y = _setup(backend, extra=[])
    loss0, _ = b.gradients(X, Y)
    b.set_op_param("h", "l2", 10.0)
    loss1, _ = b.gradients(X, Y)
    w = b.get_weights()["h"]["kernel"]
    assert loss1 - loss0 == pytest.approx(5.0 * (w**2).sum(), rel=1e-9)
    with pytest.raises(EngineError, match="cannot be changed"):
        b.set_op_param("h", "units", 5)


def test_inference(backend):
    b, X, Y = _setup(backend)
    out = b.predict(X)
    assert out.shape == (12, 3)
    np.testing.assert_allclose(b.values(X)["o"], out, rtol=1e-12)
    loss, metric = b.evaluate(X, Y)
    assert loss == pytest.approx(float(np.mean(np.mean((out - Y) ** 2, axis=1))), rel=1e-9)
    assert metric == pytest.approx(float(np.mean(np.abs(out - Y))), rel=1e-9)


@pytest.mark.parametrize("outputs", [1, 3])
def test_a_regression_loss_on_classes_reports_the_accuracy_of_its_samples(backend, outputs):
    """One output is class 1 above 0.5; several name the class of the largest (one-hot targets)."""
    doc, x, y = classes_chain(outputs)
    b = make_backend(backend, graph_spec(doc, task="classification"), "float64", 1)
    assert b.metric == "accuracy"
    X = b.pack_inputs(x)
    Y = b.pack_targets(y, len(X))
    out = b.predict(X)
    hits = (out[:, 0] > 0.5) == (Y[:, 0] > 0.5) if outputs == 1 else out.argmax(axis=1) == Y.argmax(axis=1)
    assert 0 < hits.sum() < len(hits)  # the case has hits and misses
    loss, metric = b.evaluate(X, Y, batch_size=3)
    assert metric == pytest.approx(hits.mean(), rel=1e-12)
    assert loss == pytest.approx(float(np.mean((out - Y) ** 2)), rel=1e-9)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_an_overflowing_update_is_undone_with_its_batchnorm_statistics(backend, optimizer):
    """Failure rule: weights, optimizer state and moving statistics are those after the last good step."""
    b, X, Y = _setup(backend, optimizer, "float32")
    _steps(b, X, Y, [0.01, 0.01])
    good = _steps(b, X, Y, [0.01])
    assert good.steps == 1
    expected = _snapshot(b)
    again, _, _ = _setup(backend, optimizer, "float32")
    _steps(again, X, Y, [0.01, 0.01])
    r = _steps(again, X, Y, [0.01, 1e300, 0.01])  # the second step overflows a float32 weight
    assert r.steps == 1 and r.failed_step == 1
    _assert_same(_snapshot(again), expected)


def test_a_nonfinite_loss_leaves_the_batchnorm_statistics_alone(backend):
    b, X, Y = _setup(backend, "sgd")
    _steps(b, X, Y, [0.01])
    expected = _snapshot(b)
    bad = Y.copy()
    bad[4] = np.nan  # the second batch's loss is NaN
    r = _steps(b, X, bad, [0.01, 0.01])
    assert r.steps == 1 and r.failed_step == 1
    again, _, _ = _setup(backend, "sgd")
    _steps(again, X, Y, [0.01])
    _steps(again, X, Y, [0.01])
    _assert_same(_snapshot(b), _snapshot(again))
    assert not np.array_equal(expected[1], b.flat("frozen"))


def test_train_epochs_follows_the_plan_and_the_state(backend):
    b, X, Y = _setup(backend)
    t = Trainer(b, X, Y, TrainConfig(epochs=3, batch_size=5, learning_rate=0.05, layer_stats=False))
    pi, pf = t.plan()
    si, sf = E.new_state()
    out = (np.full(20, np.nan), np.zeros(20), np.full(20, np.nan))
    r = b.train_epochs(X, Y, X[:0], Y[:0], (pi, pf), (si, sf), 4, 0, out)
    assert r.steps == 4 and len(r.epochs) == 1  # 3 steps per epoch: one epoch ended
    assert si[E.S_STEP] == 4 and si[E.S_EPOCH] == 1 and si[E.S_STEP_IN_EPOCH] == 1
    assert np.isfinite(out[0][:4]).all() and np.isnan(out[0][4:]).all()
    np.testing.assert_allclose(out[2][:4], 0.05)
    b.interrupt()
    r = b.train_epochs(X, Y, X[:0], Y[:0], (pi, pf), (si, sf), 10, 0)
    assert r.steps == 1  # an interrupt ends the call after its step
    b.clear_interrupt()
    r = b.train_epochs(X, Y, X[:0], Y[:0], (pi, pf), (si, sf), 100, 0)
    assert r.steps == 4 and si[E.S_STOP] == E.FINISHED and si[E.S_EPOCH] == 3
