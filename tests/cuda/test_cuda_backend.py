"""The CUDA backend computes what the Numba CPU backend computes, runs many steps per call and stops as it does.

Under the simulator (sizes <= 32): every structural op through the shared graph cases,
50 training steps for every optimizer, NaN stops, interrupts and host/device copies.
"""

from __future__ import annotations

import numpy as np
import pytest
from cases import _doc, all_cases, dense_chain, spec

from neuroedit.engine import make_backend
from neuroedit.engine.backend import batch_bounds
from neuroedit.engine.names import OPTIMIZERS
from neuroedit.engine.optimizers import OptimizerConfig

# The simulator computes in NumPy scalars: it warns where a GPU silently wraps (uint64) or makes Inf/NaN.
pytestmark = [
    pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning"),
]

# Activations and losses are covered kernel by kernel (test_cuda_kernels.py); these cases add every op type.
CASES = [
    c
    for c in all_cases()
    if not c[0].startswith(("dense-", "loss-"))
    or c[0]
    in (
        "dense-nobias-l1l2",
        "loss-categorical_crossentropy-linear-logits",
        "loss-value-tanh",
        "loss-sparse_categorical_crossentropy-softmax",
    )
]
TOL64 = {"rtol": 1e-9, "atol": 1e-11}


def _pair(doc, dtype, seed=1):
    g = spec(doc)
    return make_backend("numba", g, dtype, seed), make_backend("cuda", g, dtype, seed)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_cuda_values_loss_gradients_and_evaluation_match_numba(case):
    name, doc, x, y = case
    cpu, gpu = _pair(doc, "float64")
    X = cpu.pack_inputs(x)
    Y = cpu.pack_targets(y, len(X))
    for training in (True, False):
        want, got = cpu.values(X, training), gpu.values(X, training)
        for op_id, v in want.items():
            np.testing.assert_allclose(got[op_id], v, **TOL64, err_msg=f"{name}: value of {op_id}")
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), **TOL64)
    loss_c, g_c = cpu.gradients(X, Y)
    loss_g, g_g = gpu.gradients(X, Y)
    assert loss_g == pytest.approx(loss_c, rel=1e-9)
    np.testing.assert_allclose(g_g, g_c, **TOL64, err_msg=f"{name}: gradients")
    np.testing.assert_allclose(gpu.evaluate(X, Y, batch_size=3), cpu.evaluate(X, Y, batch_size=3), **TOL64)


def test_cuda_gradients_match_finite_differences_through_batchnorm():
    name, doc, x, y = next(c for c in all_cases() if c[0] == "reshaped-BatchNorm")
    b = make_backend("cuda", spec(doc), "float64", seed=3)
    X, Y = b.pack_inputs(x), b.pack_targets(y, len(x))
    analytic = b.gradients(X, Y)[1]
    h = 1e-6
    for i in np.random.default_rng(0).choice(b.theta.size, 4, replace=False):
        old = b.theta[i]
        b.theta[i] = old + h
        up = b.gradients(X, Y)[0]
        b.theta[i] = old - h
        down = b.gradients(X, Y)[0]
        b.theta[i] = old
        assert analytic[i] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8), f"{name}: weight {i}"


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_cuda_matches_numba_after_50_steps_for_every_optimizer(optimizer):
    """float32, same seed and weights, one call of 50 steps with dropout: the CPU's numbers within float32 tolerance.

    The network is tiny because the simulator runs each GPU thread as a Python thread.
    """
    doc = _doc(
        [
            ("x", "Input", {"shape": [2]}),
            ("d", "Dropout", {"rate": 0.25}),
            ("h", "Dense", {"units": 2, "activation": "tanh"}),
            ("o", "Dense", {"units": 1}),
            ("L", "Loss", {"loss": "mse"}),
        ],
        [("x", "d"), ("d", "h"), ("h", "o"), ("o", "L")],
    )
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    cpu, gpu = _pair(doc, "float32")
    X, Y = cpu.pack_inputs(x), cpu.pack_targets(y, len(x))
    for b in (cpu, gpu):
        b.set_optimizer(OptimizerConfig(optimizer, {"momentum": 0.8, "rho": 0.9}))
    order = np.concatenate([rng.permutation(4) for _ in range(25)])
    bounds = np.arange(0, 101, 2)
    lrs = np.full(50, 1.0 if optimizer == "adadelta" else 0.02)  # adadelta's steps are scaled by its own history
    r_cpu, r_gpu = cpu.train(X, Y, order, bounds, lrs), gpu.train(X, Y, order, bounds, lrs)
    assert r_cpu.steps == r_gpu.steps == 50 and r_gpu.failed_step is None
    np.testing.assert_allclose(r_gpu.losses, r_cpu.losses, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(gpu.theta, cpu.theta, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gpu.slots, cpu.slots, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(gpu.last_update, cpu.last_update, rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(gpu.last_grad, cpu.last_grad, rtol=1e-3, atol=1e-6)
    assert gpu.iterations == cpu.iterations == 50
    assert np.abs(gpu.theta - make_backend("numba", spec(doc), "float32", 1).theta).max() > 1e-3


def test_cuda_trains_batchnorm_running_statistics_like_the_cpu():
    _, doc, x, y = next(c for c in all_cases() if c[0] == "reshaped-BatchNorm")
    cpu, gpu = _pair(doc, "float64")
    X, Y = cpu.pack_inputs(x), cpu.pack_targets(y, len(x))
    for b in (cpu, gpu):
        b.train(X, Y, np.array([0, 2, 4, 1, 3, 0]), np.array([0, 3, 6]), np.array([0.1, 0.1]))
    np.testing.assert_allclose(gpu.frozen, cpu.frozen, **TOL64)
    np.testing.assert_allclose(gpu.theta, cpu.theta, **TOL64)


def test_a_non_finite_loss_stops_the_call_at_that_step_without_updating():
    doc, x, y = dense_chain("tanh", "mse", n=4)
    gpu = make_backend("cuda", spec(doc), "float64", 1)
    X, Y = gpu.pack_inputs(x), gpu.pack_targets(y, len(x))
    Y[3] = np.inf  # the third batch holds sample 3
    before = gpu.theta.copy()
    r = gpu.train(X, Y, np.arange(4), np.array([0, 1, 2, 4]), np.full(3, 0.01))
    assert (r.steps, r.failed_step) == (2, 2)
    assert gpu.iterations == 2 and gpu.live[0] == 2
    assert np.isfinite(gpu.theta).all() and not np.allclose(gpu.theta, before)
    cpu = make_backend("numba", spec(doc), "float64", 1)
    cpu.train(X, Y, np.arange(4), np.array([0, 1, 2, 4]), np.full(3, 0.01))
    np.testing.assert_allclose(gpu.theta, cpu.theta, **TOL64)


def test_an_update_that_overflows_restores_the_weights_and_state():
    """The contract's failure rule: the overflowing step is undone, the good step before it is kept."""
    doc, x, y = dense_chain("linear", "mse", n=4)
    for kind in ("numba", "cuda"):
        good, bad = (make_backend(kind, spec(doc), "float32", 1) for _ in range(2))
        X, Y = bad.pack_inputs(x), bad.pack_targets(y, len(x))
        for b in (good, bad):
            b.set_optimizer(OptimizerConfig("momentum"))
        good.train(X, Y, np.arange(4), np.array([0, 2]), np.array([0.01]))
        r = bad.train(X, Y, np.arange(4), np.array([0, 2, 4]), np.array([0.01, 1e40]))  # float32 overflows
        assert (r.steps, r.failed_step) == (1, 1), kind
        np.testing.assert_array_equal(bad.flat("weights"), good.flat("weights"))
        state, expected = bad.export_optimizer_state(), good.export_optimizer_state()
        assert state.keys() == expected.keys()
        for key in state:
            np.testing.assert_array_equal(state[key], expected[key], err_msg=f"{kind} {key}")


def test_an_interrupt_ends_the_call_after_the_current_step():
    doc, x, y = dense_chain("tanh", "mse", n=4)
    gpu = make_backend("cuda", spec(doc), "float32", 1)
    X, Y = gpu.pack_inputs(x), gpu.pack_targets(y, len(x))
    gpu.interrupt()
    r = gpu.train(X, Y, np.arange(4), batch_bounds(4, 1), np.full(4, 0.01))
    assert r.steps == 1 and gpu.iterations == 1


def test_host_writes_reach_the_device_and_training_results_reach_the_host():
    doc, x, y = dense_chain("tanh", "mse", n=4)
    cpu, gpu = _pair(doc, "float64")
    X, Y = cpu.pack_inputs(x), cpu.pack_targets(y, len(x))
    new = {"h": {"kernel": np.full((4, 3), 0.1)}}
    for b in (cpu, gpu):
        b.set_weights(new)
        b.theta[0] = 0.5  # as gradcheck and early stopping write it
        b.set_op_param("h", "l2", 0.2)  # live parameters reach the next call
        b.train(X, Y, np.arange(4), np.array([0, 2, 4]), np.full(2, 0.05))
    np.testing.assert_allclose(gpu.get_weights()["h"]["kernel"], cpu.get_weights()["h"]["kernel"], **TOL64)
    state = gpu.export_optimizer_state()
    gpu.import_optimizer_state(state)
    assert gpu.evaluate(X, Y) == pytest.approx(cpu.evaluate(X, Y), rel=1e-9)
    assert set(gpu.last_values()) == set(cpu.last_values())
    np.testing.assert_allclose(gpu.last_values()["o"], cpu.last_values()["o"], **TOL64)


def test_a_read_while_a_call_runs_is_a_snapshot_that_is_never_sent_back():
    """The GUI's probes read theta from another thread while the trainer's call runs."""
    doc, x, y = dense_chain("tanh", "mse", n=4)
    cpu, gpu = _pair(doc, "float64")
    X, Y = cpu.pack_inputs(x), cpu.pack_targets(y, len(x))
    run = gpu.runner.run
    snapshots = []

    def run_and_read_midway(*args, **kwargs):
        snapshots.append(gpu.theta.copy())  # as if read by another thread once the call started
        return run(*args, **kwargs)

    gpu.runner.run = run_and_read_midway
    for _ in range(2):
        for b in (cpu, gpu):
            b.train(X, Y, np.arange(4), np.array([0, 2, 4]), np.full(2, 0.05))
        np.testing.assert_allclose(gpu.theta, cpu.theta, **TOL64)
    assert not np.allclose(snapshots[1], cpu.theta)


def test_a_data_set_too_big_for_the_gpu_is_streamed_call_by_call(monkeypatch):
    from neuroedit.engine.cuda.buffers import DeviceState

    monkeypatch.setattr(DeviceState, "fits", lambda self, *arrays: False)
    doc, x, y = dense_chain("tanh", "categorical_crossentropy", out_activation="softmax", n=6)
    cpu, gpu = _pair(doc, "float64")
    X, Y = cpu.pack_inputs(x), cpu.pack_targets(y, len(x))
    order = np.array([5, 2, 0, 3, 1, 4, 2, 5])
    for bounds in (np.array([0, 3, 6]), np.array([6, 7, 8])):  # the second call starts mid-order
        r_cpu, r_gpu = cpu.train(X, Y, order, bounds, np.full(2, 0.1)), gpu.train(X, Y, order, bounds, np.full(2, 0.1))
        np.testing.assert_allclose(r_gpu.losses, r_cpu.losses, **TOL64)
    np.testing.assert_allclose(gpu.theta, cpu.theta, **TOL64)
    assert gpu.evaluate(X, Y, batch_size=4) == pytest.approx(cpu.evaluate(X, Y, batch_size=4), rel=1e-9)
