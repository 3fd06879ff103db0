"""The trainer: batching, reproducibility, controls from another thread, early stopping, NaN handling."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
from cases import _doc, dense_chain, spec

from neuroedit.engine import make_backend
from neuroedit.engine.control import RunControl
from neuroedit.engine.optimizers import OptimizerConfig
from neuroedit.engine.trainer import EarlyStopping, Epochs, Progress, Stopped, TrainConfig, Trainer

X_XOR = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
Y_XOR = np.array([0, 1, 1, 0], float)


def _xor(kind="numba", seed=0, **cfg):
    d = _doc(
        [
            ("x", "Input", {"shape": [2]}),
            ("h", "Dense", {"units": 3, "activation": "tanh"}),
            ("o", "Dense", {"units": 1, "activation": "sigmoid"}),
            ("L", "Loss", {"loss": "binary_crossentropy"}),
        ],
        [("x", "h"), ("h", "o"), ("o", "L")],
    )
    b = make_backend(kind, spec(d), "float32", seed=seed)
    config = TrainConfig(**{"epochs": 300, "batch_mode": "full", "learning_rate": 0.5, "seed": seed, **cfg})
    return Trainer(b, X_XOR, Y_XOR, config)


@pytest.mark.parametrize("mode,size,steps", [("full", 32, 1), ("stochastic", 32, 4), ("minibatch", 3, 2)])
def test_batch_modes(mode, size, steps):
    t = _xor(epochs=2, batch_mode=mode, batch_size=size)
    events = list(t.run_iter())
    progress = [e for e in events if isinstance(e, Progress)]
    assert t.steps_per_epoch == steps
    assert sum(len(p.losses) for p in progress) == 2 * steps
    assert t.backend.iterations == 2 * steps


def test_same_seed_same_run_and_reshuffled_epochs():
    a, b, c = (_xor(seed=s, batch_mode="minibatch", batch_size=1, epochs=3) for s in (4, 4, 5))
    for t in (a, b, c):
        t.run()
    np.testing.assert_array_equal(a.backend.theta, b.backend.theta)
    assert not np.allclose(a.backend.theta, c.backend.theta)
    assert not np.array_equal(a.epoch_order(0), a.epoch_order(1))


def test_xor_learns_and_history_is_json():
    t = _xor(epochs=600, optimizer=OptimizerConfig("adam"), learning_rate=0.05)
    stopped = t.run()
    assert stopped.reason == "finished"
    assert t.history["accuracy"][-1] == 1.0
    assert t.history["loss"][-1] < 0.1
    json.dumps(t.history)
    assert t.history["epoch"] == list(range(1, 601))


def test_pause_step_resume_stop_from_another_thread():
    t = _xor(epochs=100000)
    control = RunControl(start_paused=True)
    seen: list = []
    worker = threading.Thread(target=lambda: [seen.extend(events) for events in control.calls(t)])
    worker.start()
    control.step(1)
    for _ in range(200):
        if control.paused and t.global_step == 1:
            break
        threading.Event().wait(0.01)
    assert t.global_step == 1 and control.paused
    t.set_learning_rate(0.125)
    control.step(2)
    for _ in range(200):
        if t.global_step == 3 and control.paused:
            break
        threading.Event().wait(0.01)
    assert t.global_step == 3
    lrs = np.concatenate([e.lrs for e in seen if isinstance(e, Progress)])
    assert lrs.tolist() == [0.5, 0.125, 0.125]
    control.resume()
    threading.Event().wait(0.05)
    control.stop()
    worker.join(5)
    assert not worker.is_alive()
    assert isinstance(seen[-1], Stopped) and seen[-1].reason == "stopped"


def test_live_regularisation_change_takes_effect_next_step():
    doc, x, y = dense_chain("tanh", "mse")
    b = make_backend("numba", spec(doc), "float64", seed=0)
    t = Trainer(b, x, y, TrainConfig(epochs=10, batch_mode="full", learning_rate=0.0001))
    (p0,) = [e for e in t.advance(1) if isinstance(e, Progress)]
    t.set_op_param("h", "l2", 10.0)
    (p1,) = [e for e in t.advance(1) if isinstance(e, Progress)]
    w = b.get_weights()["h"]["kernel"]
    assert p1.losses[0] - p0.losses[0] == pytest.approx(5.0 * (w**2).sum(), rel=1e-2)


def test_early_stopping_restores_the_best_weights():
    t = _xor(epochs=50, early_stopping=EarlyStopping("loss", min_delta=100.0, patience=2))
    events = list(t.run_iter())
    ends = np.concatenate([e.epochs for e in events if isinstance(e, Epochs)])
    stop = events[-1]
    assert stop.reason == "early_stopping" and len(ends) == 3
    assert "restored the weights of epoch 1" in stop.message
    fresh = _xor(epochs=1)
    fresh.run()
    np.testing.assert_allclose(t.backend.theta, fresh.backend.theta)


@pytest.mark.parametrize("kind", ["reference", "numba"])
def test_nonfinite_loss_stops_names_node_and_keeps_finite_weights(kind):
    d = _doc(
        [
            ("x", "Input", {"shape": [3]}),
            ("h", "Dense", {"units": 8, "activation": "linear"}),
            ("o", "Dense", {"units": 1}),
            ("L", "Loss", {"loss": "mse"}),
        ],
        [("x", "h"), ("h", "o"), ("o", "L")],
    )
    b = make_backend(kind, spec(d), "float32", seed=0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)) * 100
    t = Trainer(
        b, x, x.sum(axis=1) * 50, TrainConfig(epochs=200, batch_mode="full", learning_rate=1e3, layer_stats=False)
    )
    stop = t.run()
    assert stop.reason == "nonfinite"
    assert stop.node in ("h", "o", "L")
    assert f"node {stop.node}" in stop.message and f"step {stop.step + 1}" in stop.message
    assert np.isfinite(b.theta).all()


def test_optimizer_state_round_trip_continues_exactly():
    doc, x, y = dense_chain("tanh", "mse")
    g = spec(doc)
    cfg = dict(
        epochs=6,
        batch_mode="minibatch",
        batch_size=2,
        learning_rate=0.01,
        shuffle=False,
        optimizer=OptimizerConfig("adam"),
    )
    whole = Trainer(make_backend("numba", g, "float64", 1), x, y, TrainConfig(**cfg))
    whole.run()
    first = Trainer(make_backend("numba", g, "float64", 1), x, y, TrainConfig(**{**cfg, "epochs": 3}))
    first.run()
    state = first.backend.export_optimizer_state()
    resumed_backend = make_backend("numba", g, "float64", 1, first.backend.get_weights())
    resumed_backend.set_optimizer(OptimizerConfig("adam"))
    resumed_backend.import_optimizer_state(state)
    second = Trainer(resumed_backend, x, y, TrainConfig(**{**cfg, "epochs": 3}), history=first.history)
    second.run()
    np.testing.assert_allclose(resumed_backend.theta, whole.backend.theta, rtol=1e-12)
    assert second.history["epoch"] == [1, 2, 3, 4, 5, 6]


def test_layer_stats_report_dead_relus_and_saturation():
    d = _doc(
        [
            ("x", "Input", {"shape": [2]}),
            (
                "r",
                "Dense",
                {"units": 4, "activation": "relu", "bias_initializer": "constant", "bias_init_value": -100.0},
            ),
            (
                "s",
                "Dense",
                {
                    "units": 2,
                    "activation": "sigmoid",
                    "kernel_initializer": "constant",
                    "kernel_init_value": 0.0,
                    "bias_initializer": "constant",
                    "bias_init_value": 9.0,
                },
            ),
            ("o", "Dense", {"units": 1}),
            ("L", "Loss", {"loss": "mse"}),
        ],
        [("x", "r"), ("r", "s"), ("s", "o"), ("o", "L")],
    )
    b = make_backend("numba", spec(d), "float32", 0)
    t = Trainer(b, X_XOR, Y_XOR, TrainConfig(epochs=1, batch_mode="full"))
    (p,) = [e for e in t.advance(1) if isinstance(e, Progress)]
    assert p.layers["r"].dead_fraction == 1.0
    assert p.layers["s"].saturated_fraction == 1.0
    assert p.layers["o"].grad_norm > 0 and p.layers["o"].update_ratio > 0
    counts, edges = t.histograms("o")["weights"]
    assert counts.sum() == 3


def test_speed_limit_slows_training_down():
    import time

    t = _xor(epochs=12)
    control = RunControl()
    control.set_speed(60)
    start = time.perf_counter()
    for _ in control.calls(t):
        pass
    assert t.done and time.perf_counter() - start >= 0.15


def test_compiling_is_announced_to_listeners():
    from neuroedit.engine import numba_backend as nb

    messages: list[str] = []
    nb.add_compile_listener(messages.append)
    nb._ready.discard(("float32", "training"))
    try:
        nb.ensure_kernels("float32", "training")
    finally:
        nb.remove_compile_listener(messages.append)
    assert messages[0] in ("compiling training kernels (first run only)...", "loading compiled training kernels...")
    assert messages[-1].startswith("training kernels ready")
    assert nb.ensure_kernels("float32", "training") == 0.0


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_an_overflowing_update_puts_weights_and_optimizer_state_back(optimizer):
    """Finite gradients, but lr 1e300 sends a float32 weight to inf: that step is undone, state included."""
    doc, x, y = dense_chain("tanh", "mse")
    b = make_backend("numba", spec(doc), "float32", 1)
    b.set_optimizer(OptimizerConfig(optimizer))
    order = np.arange(len(x), dtype=np.int64)
    bounds = np.array([0, 2, 4], np.int64)
    X = np.ascontiguousarray(x, np.float32)
    Y = np.ascontiguousarray(np.asarray(y, np.float32).reshape(len(x), -1))
    assert b.train(X, Y, order, bounds, np.array([0.01, 0.01])).steps == 2  # some optimizer state
    b.train(X, Y, order, bounds[:2], np.array([0.01]))
    theta, slots = b.theta.copy(), b.slots.copy()  # after the one good step
    again = make_backend("numba", spec(doc), "float32", 1)
    again.set_optimizer(OptimizerConfig(optimizer))
    again.train(X, Y, order, bounds, np.array([0.01, 0.01]))
    r = again.train(X, Y, order, bounds, np.array([0.01, 1e300]))
    assert r.steps == 1 and r.failed_step == 1  # the first step is kept, the second undone
    np.testing.assert_array_equal(again.theta, theta)
    np.testing.assert_array_equal(again.slots, slots)


@pytest.mark.parametrize("kind", ["reference", "numba"])
def test_an_interrupt_ends_the_call_after_its_current_step_with_the_same_math(kind):
    doc, x, y = dense_chain("tanh", "mse", n=8)
    order, bounds, lrs = np.arange(8, dtype=np.int64), np.arange(0, 9, 2, dtype=np.int64), np.full(4, 0.05)
    X, Y = np.ascontiguousarray(x, np.float32), np.ascontiguousarray(np.asarray(y, np.float32).reshape(8, -1))
    whole, cut = (make_backend(kind, spec(doc), "float32", 1) for _ in range(2))
    one_step = whole.train(X, Y, order, bounds[:2], lrs[:1])
    cut.interrupt()
    losses = np.full(4, np.nan)
    r = cut.train(X, Y, order, bounds, lrs, losses)
    assert r.steps == 1 and r.failed_step is None and cut.live[0] == 1
    np.testing.assert_allclose(losses[:1], one_step.losses, rtol=1e-6)
    assert np.isnan(losses[1:]).all()  # steps never run stay unwritten
    np.testing.assert_allclose(cut.theta, whole.theta, rtol=1e-6)
    np.testing.assert_allclose(cut.last_update, whole.last_update, rtol=1e-5, atol=1e-9)


def test_a_learning_rate_change_interrupts_the_running_call_and_applies_at_the_next_step():
    """The editor sends ~0.1 s engine calls; a control must not wait for the call to end."""
    d = _doc(
        [("x", "Input", {"shape": [3]}), ("o", "Dense", {"units": 1}), ("L", "Loss", {"loss": "mse"})],
        [("x", "o"), ("o", "L")],
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400_000, 3))
    t = Trainer(
        make_backend("numba", spec(d), "float32", 0),
        x,
        x.sum(axis=1),
        TrainConfig(epochs=1, batch_mode="minibatch", batch_size=1, learning_rate=0.01, layer_stats=False),
    )
    t.advance(10)  # compiled and warm
    seen: list[int] = []

    def change_soon() -> None:
        while not t.live_calls or len(t.live_calls[-1].finished_losses()) < 100:
            pass
        seen.append(len(t.live_calls[-1].finished_losses()))
        t.set_learning_rate(0.02)

    changer = threading.Thread(target=change_soon)
    changer.start()
    events = t.advance(399_000)  # seconds of work without the interrupt
    changer.join()
    ran = sum(len(e.losses) for e in events if isinstance(e, Progress))
    assert seen[0] >= 100 and ran < 399_000
    assert t.live_calls[-1].first_step == 10 and len(t.live_calls[-1].finished_losses()) == ran
    assert t.current_lr() == 0.01  # the change waits for the next call...
    nxt = t.advance(5)
    assert next(e for e in nxt if isinstance(e, Progress)).lrs[0] == pytest.approx(0.02)  # ...and applies there


def test_a_long_run_keeps_a_bounded_history_with_its_epoch_numbers(monkeypatch):
    """Hundreds of thousands of epochs must not grow memory or the saved file without bound."""
    from neuroedit.engine import trainer as trainer_module

    monkeypatch.setattr(trainer_module, "HISTORY_POINTS", 50)
    d = _doc(
        [
            ("x", "Input", {"shape": [2]}),
            ("o", "Dense", {"units": 1, "activation": "sigmoid"}),
            ("L", "Loss", {"loss": "binary_crossentropy"}),
        ],
        [("x", "o"), ("o", "L")],
    )
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    Y = np.array([0, 1, 1, 0], float)
    t = Trainer(
        make_backend("numba", spec(d), "float64", seed=0),
        X,
        Y,
        TrainConfig(epochs=1000, batch_mode="full", learning_rate=0.5),
    )
    t.run()
    h = t.history
    assert 50 <= len(h["epoch"]) <= 100 and all(len(v) == len(h["epoch"]) for v in h.values())
    assert h["epoch"][-1] == 1000 and h["epoch"] == sorted(h["epoch"])
    more = Trainer(
        make_backend("numba", spec(d), "float64", seed=0),
        X,
        Y,
        TrainConfig(epochs=10, batch_mode="full", learning_rate=0.5),
        history=h,
    )
    assert more.epoch_offset == 1000  # continuing counts epochs by number, not by kept points
    more.run()
    assert more.history["epoch"][-1] == 1010


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_callees_compiled_on_the_side_have_the_types_the_training_kernel_passes(dtype):
    """A cold first run compiles some callees of the training kernel in processes of their own
    (numba_backend.SIDE_CALLEES): their signatures must be the ones kernels/epochs.py uses, or that
    work is wasted."""
    from numba import typeof, types

    import neuroedit.engine.numba_backend as nb

    doc, x, y = dense_chain("tanh", "mse", extra=[("bn", "BatchNorm", {}), ("dr", "Dropout", {"rate": 0.25})])
    b = make_backend("numba", spec(doc), dtype, 1)
    trainer = Trainer(b, x, y, TrainConfig(epochs=2, batch_mode="minibatch", batch_size=2), validation=(x, y))
    trainer.run()
    t, i64, flag = b.tape, types.int64, types.boolean
    vectors = tuple(typeof(a) for a in (b.theta, b.buf, b.gbuf, b.sbuf, b.gtheta, b.gsq))
    rows, fpar, ins, imap, lossv = (typeof(a) for a in (t.rows, t.fpar, t.ins, t.imap, t.loss))
    assert set(nb.side_signatures(dtype)) == set(nb.SIDE_CALLEES)
    assert nb.side_signatures(dtype)["ops.backward"] == (rows, fpar, ins, imap, i64, i64, i64, *vectors, flag, i64, i64)
    for targets, order in ((trainer.Y, b._order), (trainer.Yv, b._vorder)):
        passed = (rows, ins, lossv, i64, typeof(targets), typeof(order), i64, i64, vectors[1], vectors[2], flag)
        assert nb.side_signatures(dtype)["epochs.batch_loss"] == passed


def test_typing_a_call_to_a_callee_compiled_on_the_side_waits_for_that_process():
    """numba_backend._loaded_from: the training kernel's typing loads such a callee from the disk
    cache once its process is done, rather than compile it a second time meanwhile."""
    import subprocess
    import sys
    import time

    from numba import njit

    import neuroedit.engine.numba_backend as nb
    from neuroedit.engine import epochs as E
    from neuroedit.engine.kernels import epochs

    @njit
    def caller(pi):
        return epochs.epoch_samples(pi)

    side = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    pi = np.zeros(E.PLAN_INTS, np.int64)
    pi[E.P_N] = 12
    began = time.perf_counter()
    with nb._loaded_from({"epochs.epoch_samples": side}):
        samples = caller(pi)
        assert side.returncode == 0 and time.perf_counter() - began >= 0.4
    assert "compile" not in epochs.epoch_samples.__dict__  # the dispatcher is itself again
    assert samples == 12
