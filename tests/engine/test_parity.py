"""Every fast backend computes what the NumPy reference computes: values, loss, gradients, updates."""

from __future__ import annotations

import numpy as np
import pytest
from cases import all_cases, classes_chain, dense_chain, reduced_for_cuda, reshaped_graph, spec

from neuroedit.api.bridge import graph_spec
from neuroedit.engine import make_backend
from neuroedit.engine.names import OPTIMIZERS
from neuroedit.engine.optimizers import OptimizerConfig
from neuroedit.engine.trainer import Progress, TrainConfig, Trainer

CASES = all_cases()
TOL = {"float64": dict(rtol=1e-9, atol=1e-10), "float32": dict(rtol=2e-4, atol=2e-5)}


def _pair(doc, dtype, fast_backend, seed=1):
    g = spec(doc)
    return make_backend("reference", g, dtype, seed), make_backend(fast_backend, g, dtype, seed)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_loss_and_gradients_match(case, dtype, fast_backend):
    name, doc, x, y = case
    reduced_for_cuda(name, fast_backend)
    ref, fast = _pair(doc, dtype, fast_backend)
    X = ref.pack_inputs(x)
    Y = ref.pack_targets(y, len(X))
    for training in (True, False):
        want, got = ref.values(X, training), fast.values(X, training)
        for op_id, v in want.items():
            np.testing.assert_allclose(got[op_id], v, **TOL[dtype], err_msg=f"{name}: value of {op_id}")
    np.testing.assert_allclose(fast.predict(X), ref.predict(X), **TOL[dtype])
    loss_r, g_r = ref.gradients(X, Y)
    loss_f, g_f = fast.gradients(X, Y)
    assert loss_f == pytest.approx(loss_r, rel=TOL[dtype]["rtol"], abs=TOL[dtype]["atol"])
    np.testing.assert_allclose(g_f, g_r, **TOL[dtype], err_msg=f"{name}: gradients")
    ev_r, ev_f = ref.evaluate(X, Y), fast.evaluate(X, Y)
    np.testing.assert_allclose(ev_f, ev_r, **TOL[dtype])


@pytest.mark.parametrize("outputs", [1, 3])
def test_a_regression_loss_on_classes_reports_the_same_accuracy(outputs, fast_backend):
    """MSE on 0/1 targets (one output) or one-hot ones (three): the same loss and accuracy in evaluation,
    in every training step and at every epoch end (validation), as the reference computes them."""
    doc, x, y = classes_chain(outputs)
    graph = graph_spec(doc, task="classification")
    runs = []
    for kind in ("reference", fast_backend):
        b = make_backend(kind, graph, "float64", 1)
        X, Y = b.pack_inputs(x), b.pack_targets(y, len(x))
        evaluated = b.evaluate(X, Y, batch_size=3)
        config = TrainConfig(epochs=2, batch_size=3, learning_rate=0.5, layer_stats=False, report_seconds=None)
        trainer = Trainer(b, x, y, config, validation=(x[:5], y[:5]))
        steps = [m for e in trainer.run_iter() if isinstance(e, Progress) for m in e.metrics]
        runs.append((evaluated, steps, trainer.history))
    (ev_r, steps_r, h_r), (ev_f, steps_f, h_f) = runs
    np.testing.assert_allclose(ev_f, ev_r, rtol=1e-9)
    np.testing.assert_allclose(steps_f, steps_r, rtol=1e-12)
    assert set(h_r) == set(h_f) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(h_f[key], h_r[key], rtol=1e-9, err_msg=key)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_optimizer_updates_match(optimizer, fast_backend):
    doc, x, y = dense_chain("tanh", "mse", l2=0.05)
    ref, fast = _pair(doc, "float64", fast_backend)
    X, Y = ref.pack_inputs(x), ref.pack_targets(y, len(x))
    for b in (ref, fast):
        b.set_optimizer(OptimizerConfig(optimizer, {"momentum": 0.8, "rho": 0.7, "weight_decay": 0.01}))
    order = np.array([3, 1, 4, 0, 2, 1, 0])
    bounds = np.array([0, 2, 4, 5, 7])
    lrs = np.array([0.1, 0.05, 0.1, 0.02])
    r_ref = ref.train(X, Y, order, bounds, lrs)
    r_fast = fast.train(X, Y, order, bounds, lrs)
    assert r_ref.steps == r_fast.steps == 4
    np.testing.assert_allclose(r_fast.losses, r_ref.losses, rtol=1e-9)
    np.testing.assert_allclose(fast.theta, ref.theta, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast.slots, ref.slots, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast.last_update, ref.last_update, rtol=1e-7, atol=1e-12)
    assert not np.allclose(ref.theta, make_backend("reference", spec(doc), "float64", 1).theta)


@pytest.mark.parametrize("kind", ["BatchNorm", "Dropout"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_training_state_matches(kind, dtype, fast_backend):
    """Running statistics and dropout masks follow the same steps in both backends."""
    doc, x, y = reshaped_graph(kind, n=8)
    ref, fast = _pair(doc, dtype, fast_backend)
    X, Y = ref.pack_inputs(x), ref.pack_targets(y, len(x))
    for b in (ref, fast):
        b.set_optimizer(OptimizerConfig("adam"))
        b.train(X, Y, np.r_[np.arange(8), np.arange(8)[::-1]], np.array([0, 4, 8, 12, 16]), np.full(4, 0.01))
    np.testing.assert_allclose(fast.theta, ref.theta, **TOL[dtype])
    np.testing.assert_allclose(fast.frozen, ref.frozen, **TOL[dtype])
    np.testing.assert_allclose(fast.predict(X), ref.predict(X), **TOL[dtype])


@pytest.mark.parametrize("kind", ["BatchNorm", "PReLU", "Dropout"])
def test_vario_eta_per_pattern_statistics_match(kind, fast_backend):
    """vario-eta needs the spread of per-pattern gradients, computed separately for every weight kind."""
    doc, x, y = reshaped_graph(kind, n=6)
    ref, fast = _pair(doc, "float64", fast_backend)
    X, Y = ref.pack_inputs(x), ref.pack_targets(y, len(x))
    for b in (ref, fast):
        b.set_optimizer(OptimizerConfig("vario_eta", {"rho": 0.8}))
        b.train(X, Y, np.r_[np.arange(6), np.arange(6)], np.array([0, 3, 6, 9, 12]), np.full(4, 0.01))
    np.testing.assert_allclose(fast.slots, ref.slots, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast.theta, ref.theta, rtol=1e-9, atol=1e-12)
