"""The trainer drives the CUDA backend as it drives the CPU one: epochs, schedules, early stopping, NaN stops."""

from __future__ import annotations

import numpy as np
import pytest
from cases import _doc, spec

from neuroedit.engine import make_backend
from neuroedit.engine.optimizers import OptimizerConfig
from neuroedit.engine.schedules import Schedule
from neuroedit.engine.trainer import EarlyStopping, TrainConfig, Trainer

pytestmark = [
    pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning"),
]

X_XOR = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
Y_XOR = np.array([0, 1, 1, 0], float)


def _xor(kind: str) -> Trainer:
    d = _doc(
        [
            ("x", "Input", {"shape": [2]}),
            ("h", "Dense", {"units": 3, "activation": "tanh"}),
            ("o", "Dense", {"units": 1, "activation": "sigmoid"}),
            ("L", "Loss", {"loss": "binary_crossentropy"}),
        ],
        [("x", "h"), ("h", "o"), ("o", "L")],
    )
    config = TrainConfig(
        epochs=6,
        batch_mode="minibatch",
        batch_size=2,
        learning_rate=0.5,
        seed=3,
        optimizer=OptimizerConfig("nadam"),
        schedule=Schedule("step", 0.5, 2),
        early_stopping=EarlyStopping("val_loss", min_delta=10.0, patience=3),
        blas_threads=1,
    )
    return Trainer(make_backend(kind, spec(d), "float32", seed=3), X_XOR, Y_XOR, config, validation=(X_XOR, Y_XOR))


def test_cuda_training_history_matches_the_cpu_with_schedule_and_early_stopping():
    runs = {}
    for kind in ("numba", "cuda"):
        t = _xor(kind)
        events = list(t.run_iter())
        runs[kind] = (t, events[-1])
    (cpu, cpu_stop), (gpu, gpu_stop) = runs["numba"], runs["cuda"]
    assert gpu_stop.reason == cpu_stop.reason == "early_stopping" and gpu_stop.message == cpu_stop.message
    assert len(gpu.history["loss"]) == len(cpu.history["loss"]) == 4
    for key, values in cpu.history.items():
        assert gpu.history[key] == pytest.approx(values, rel=1e-4, abs=1e-6, nan_ok=True), key
    np.testing.assert_allclose(gpu.backend.theta, cpu.backend.theta, rtol=1e-4, atol=1e-6)
    assert set(gpu.layer_stats()) == set(cpu.layer_stats())


def test_cuda_nonfinite_loss_stops_and_names_the_node():
    d = _doc(
        [
            ("x", "Input", {"shape": [3]}),
            ("h", "Dense", {"units": 4, "activation": "linear"}),
            ("o", "Dense", {"units": 1}),
            ("L", "Loss", {"loss": "mse"}),
        ],
        [("x", "h"), ("h", "o"), ("o", "L")],
    )
    b = make_backend("cuda", spec(d), "float32", seed=0)
    x = np.random.default_rng(0).normal(size=(8, 3)) * 100
    t = Trainer(
        b,
        x,
        x.sum(axis=1) * 50,
        TrainConfig(epochs=50, batch_mode="full", learning_rate=1e3, layer_stats=False, blas_threads=1),
    )
    stop = t.run()
    assert stop.reason == "nonfinite" and stop.node in ("h", "o", "L")
    assert f"node {stop.node}" in stop.message
    assert np.isfinite(b.theta).all()
