"""Many epochs per engine call: the same bits however a run is split into calls, and the in-kernel
shuffle, schedules, early stopping and NaN stop against the reference loop (epochs.py)."""

from __future__ import annotations

import numpy as np
import pytest
from cases import dense_chain, spec

from neuroedit.engine import epochs as E
from neuroedit.engine import make_backend
from neuroedit.engine.control import RunControl
from neuroedit.engine.optimizers import OptimizerConfig
from neuroedit.engine.randomness import permutation
from neuroedit.engine.schedules import Schedule
from neuroedit.engine.trainer import EarlyStopping, Epochs, TrainConfig, Trainer

EXTRA = [("bn", "BatchNorm", {}), ("dr", "Dropout", {"rate": 0.25})]


def _trainer(kind: str, epochs: int = 12, dtype: str = "float64", n: int = 40, **cfg) -> Trainer:
    doc, x, y = dense_chain("tanh", "mse", extra=EXTRA, n=n, seed=3)
    rng = np.random.default_rng(9)
    xv, yv = rng.normal(size=(7, 4)), rng.normal(size=(7, 3))
    config = TrainConfig(
        **{
            "epochs": epochs,
            "batch_mode": "minibatch",
            "batch_size": 6,
            "learning_rate": 0.05,
            "seed": 5,
            "optimizer": OptimizerConfig("adam"),
            "layer_stats": False,
            **cfg,
        }
    )
    return Trainer(make_backend(kind, spec(doc), dtype, 2), x, y, config, validation=(xv, yv))


def _state(t: Trainer) -> tuple:
    b = t.backend
    return (
        b.flat("weights"),
        b.flat("frozen"),
        b.slots.copy(),
        {k: list(v) for k, v in t.history.items()},
        t.finished.reason if t.finished else None,
    )


def _same(a: tuple, b: tuple) -> None:
    for u, v in zip(a[:3], b[:3]):
        np.testing.assert_array_equal(u, v)
    assert a[3] == b[3] and a[4] == b[4]


def _size(kind: str, epochs: int = 12) -> dict:
    """The CUDA simulator runs each kernel in Python threads: there a smaller run (4 steps per epoch,
    the last one ragged; fewer epochs) asks the same questions affordably."""
    return {"n": 20, "epochs": min(epochs, 5)} if kind == "cuda" else {"n": 40, "epochs": epochs}


def _by(t: Trainer, steps, epochs: int = 0) -> tuple:
    k = 0
    while not t.done:
        t.advance(steps(k), epochs)
        k += 1
    return _state(t)


SETTINGS = [
    {},
    {"schedule": Schedule("reduce_on_plateau", factor=0.5, patience=1)},
    {
        "schedule": Schedule("step", factor=0.5, every=3),
        "early_stopping": EarlyStopping("val_loss", min_delta=0.05, patience=2),
    },
]


@pytest.mark.parametrize("cfg", SETTINGS, ids=["constant", "plateau", "step+early_stopping"])
def test_a_run_gives_the_same_bits_however_its_epochs_are_split_into_calls(backend, cfg):
    size = _size(backend)
    whole = _by(_trainer(backend, **size, **cfg), lambda k: 10_000)  # everything in one call
    per_epoch = _by(_trainer(backend, **size, **cfg), lambda k: 10_000, epochs=1)  # one epoch per call (callbacks)
    ragged = _by(_trainer(backend, **size, **cfg), lambda k: (1, 2, 5, 3, 11)[k % 5])  # calls end mid-epoch
    _same(whole, per_epoch)
    _same(whole, ragged)


def _until_paused(control: RunControl, calls) -> None:
    """Drive the loop until the control pauses again: a slow backend (the simulator) may need several calls."""
    next(calls)
    while not control.paused:
        next(calls)


def test_pause_and_single_steps_in_between_change_nothing(fast_backend):
    size = _size(fast_backend, epochs=3)  # steps, a step-epoch, then the rest: three epochs ask it all
    whole = _by(_trainer(fast_backend, **size), lambda k: 10_000)
    t = _trainer(fast_backend, **size)
    control = RunControl(start_paused=True)
    calls = control.calls(t)
    control.step(1)
    _until_paused(control, calls)
    assert t.global_step == 1
    control.step(2)
    _until_paused(control, calls)
    assert t.global_step == 3
    control.step_epoch()
    _until_paused(control, calls)
    assert t.step_in_epoch == 0 and t.epoch == 1
    control.resume()
    for _ in calls:
        pass
    _same(whole, _state(t))


@pytest.mark.parametrize("cfg", SETTINGS[1:], ids=["plateau", "step+early_stopping"])
def test_the_kernels_epoch_loop_matches_the_reference(fast_backend, cfg):
    size = _size(fast_backend, 15) | ({"epochs": 8} if fast_backend == "cuda" else {})
    ref, fast = _trainer("reference", **size, **cfg), _trainer(fast_backend, **size, **cfg)
    ref.run()
    fast.run()
    assert ref.history["epoch"] == fast.history["epoch"]
    for k in ("loss", "mae", "val_loss", "val_mae", "lr"):
        np.testing.assert_allclose(fast.history[k], ref.history[k], rtol=1e-9, atol=1e-12)
    assert fast.finished.message == ref.finished.message
    np.testing.assert_allclose(fast.backend.flat("weights"), ref.backend.flat("weights"), rtol=1e-8, atol=1e-12)


def test_early_stopping_reports_the_current_best_epoch_and_restores_it(backend):
    t = _trainer(
        backend, 40, n=_size(backend)["n"], early_stopping=EarlyStopping("val_loss", min_delta=0.0, patience=3)
    )
    best_after: dict[int, int | None] = {}
    kept: dict[int, np.ndarray] = {}
    while not t.done:
        for e in t.advance(1, 1):
            if isinstance(e, Epochs):
                best_after[int(e.epochs[-1])] = e.best_epoch
                kept[int(e.epochs[-1])] = t.backend.flat("weights")
    val = np.array(t.history["val_loss"])
    for epoch, best in best_after.items():
        assert best == 1 + int(np.argmin(val[:epoch]))  # the best so far, this epoch included
    assert t.finished.reason == "early_stopping"
    best = t.best_epoch
    assert f"restored the weights of epoch {best}" in t.finished.message
    np.testing.assert_array_equal(t.backend.flat("weights"), kept[best])


@pytest.mark.parametrize(
    "dtype,lr,failing_step", [("float64", 1e200, 2), ("float32", 1e300, 1)], ids=["nan-loss", "overflowing-update"]
)
def test_the_nan_stop_matches_the_reference_and_keeps_the_last_good_step(fast_backend, dtype, lr, failing_step):
    """lr 1e200 makes the second step's loss infinite; in float32, lr 1e300 overflows the first update."""
    runs = []
    for kind in ("reference", fast_backend):
        t = _trainer(kind, 30, learning_rate=lr, optimizer=OptimizerConfig("momentum"), dtype=dtype)
        start = (t.backend.flat("weights"), t.backend.flat("frozen"))
        t.run()
        runs.append((t, start))
    for t, start in runs:
        assert t.finished.reason == "nonfinite"
        assert t.finished.message.startswith(f"stopped at step {failing_step} (epoch 1)")
        assert t.global_step == failing_step - 1
        w, f = t.backend.flat("weights"), t.backend.flat("frozen")
        assert np.isfinite(w).all() and np.isfinite(f).all()
        if failing_step == 1:  # nothing was applied: weights, statistics and optimizer state as before
            np.testing.assert_array_equal(w, start[0])
            np.testing.assert_array_equal(f, start[1])
            assert not t.backend.slots.any()
    (ref, _), (fast, _) = runs
    np.testing.assert_allclose(fast.backend.flat("weights"), ref.backend.flat("weights"), rtol=1e-5)
    np.testing.assert_allclose(fast.backend.flat("frozen"), ref.backend.flat("frozen"), rtol=1e-5)
    # the plots' last gradient and update are the last good step's, never the failed one's (the CPU
    # kernel does not keep the update of a step before the last and reports it unknown: zeros)
    np.testing.assert_allclose(fast.backend.flat("gradients"), ref.backend.flat("gradients"), rtol=1e-5)
    update = fast.backend.flat("updates")
    assert np.isfinite(update).all()
    if fast_backend == "cuda" or update.any():
        np.testing.assert_allclose(update, ref.backend.flat("updates"), rtol=1e-5)


def test_the_kernels_shuffle_and_schedules_are_the_python_definitions():
    from neuroedit.engine.kernels import epochs as K
    from neuroedit.engine.names import SCHEDULES

    for seed, epoch, n in ((0, 0, 1), (3, 7, 10), (2**40, 123456, 1000)):
        out = np.zeros(n, np.int64)
        K.permutation(seed, epoch, n, out)
        np.testing.assert_array_equal(out, permutation(seed, epoch, n))
        assert sorted(out.tolist()) == list(range(n))
    assert not np.array_equal(permutation(1, 0, 50), permutation(1, 1, 50))
    for name in SCHEDULES:
        pi, pf = Schedule(name, factor=0.3, every=2, decay_steps=50, decay_rate=0.01, max_lr=1.0, total_steps=90).plan(
            0.1
        )
        for step, epoch, scale in ((0, 0, 1.0), (40, 3, 0.5), (89, 9, 0.25), (500, 60, 1.0)):
            assert K.schedule_rate(pi, pf, step, epoch, scale) == pytest.approx(
                E.schedule_rate(pi, pf, step, epoch, scale), rel=1e-14
            )
