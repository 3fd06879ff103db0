"""The CUDA backend's epoch loop (one device call per epoch segment) gives the reference loop's bits.

Same backend, same plan: `epochs.train_epochs_segments` against `epochs.train_epochs_python`, and the
same bits however the run is split into calls (one epoch per call, many epochs per call, odd step counts).
"""

from __future__ import annotations

import numpy as np
import pytest
from cases import dense_chain, spec

from neuroedit.engine import epochs as E
from neuroedit.engine import make_backend
from neuroedit.engine.optimizers import OptimizerConfig
from neuroedit.engine.schedules import Schedule
from neuroedit.engine.trainer import EarlyStopping, TrainConfig, Trainer

pytestmark = [
    pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning"),
]


def _run(chunks, loop=None):
    """Train 4 epochs (plateau schedule, validation, early stopping) in calls of the given step counts."""
    doc, x, y = dense_chain(
        "tanh", "mse", extra=[("bn", "BatchNorm", {"momentum": 0.5}), ("dr", "Dropout", {"rate": 0.25})], n=10, seed=4
    )
    b = make_backend("cuda", spec(doc), "float64", 2)
    b.set_optimizer(OptimizerConfig("adam"))
    X, Y = b.pack_inputs(x), b.pack_targets(y, 10)
    Xv, Yv = X[:4].copy(), Y[:4].copy()
    config = TrainConfig(
        epochs=4,
        batch_size=4,
        learning_rate=0.05,
        shuffle=True,
        layer_stats=False,
        schedule=Schedule("reduce_on_plateau", factor=0.5, patience=1),
        early_stopping=EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True),
    )
    pi, pf = Trainer(b, X, Y, config, validation=(Xv, Yv)).plan()
    si, sf = E.new_state()
    losses, rows = [], []
    for steps in chunks:
        out = (np.zeros(steps), np.zeros(steps), np.zeros(steps))
        if loop is None:
            r = b.train_epochs(X, Y, Xv, Yv, (pi, pf), (si, sf), steps, 0, out)
        else:
            r = loop(b, X, Y, Xv, Yv, pi, pf, si, sf, steps, 0, out)
        losses.append(np.c_[r.losses, r.metrics, r.lrs])
        rows.append(r.epochs)
    return np.concatenate(losses), np.concatenate(rows), si.copy(), sf.copy(), b.flat("weights"), b.flat("frozen")


@pytest.mark.slow
def test_one_call_per_segment_gives_the_reference_loops_bits_however_the_calls_are_split():
    want = _run([12], E.train_epochs_python)
    assert want[2][E.S_EPOCH] == 4 and len(want[1]) == 4  # 3 steps per epoch, 4 epochs ended
    for chunks in ([12], [3, 3, 3, 3], [2, 5, 1, 4]):  # many epochs per call, one epoch per call, odd splits
        got = _run(chunks)
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b, err_msg=str(chunks))


def test_a_nonfinite_loss_mid_segment_keeps_the_steps_before_it():
    doc, x, y = dense_chain("tanh", "mse", n=8)
    results = []
    for loop in (E.train_epochs_python, E.train_epochs_segments):
        b = make_backend("cuda", spec(doc), "float64", 1)
        X, Y = b.pack_inputs(x), b.pack_targets(y, 8)
        Y[5] = np.nan  # the third batch of 2 (no shuffle) holds sample 5
        pi, pf = Trainer(b, X, Y, TrainConfig(epochs=2, batch_size=2, shuffle=False, layer_stats=False)).plan()
        si, sf = E.new_state()
        r = loop(b, X, Y, X[:0], Y[:0], pi, pf, si, sf, 10, 0, (np.zeros(10), np.zeros(10), np.zeros(10)))
        assert r.steps == 2 and si[E.S_STOP] == E.NONFINITE and (si[E.S_FAILED_LO], si[E.S_FAILED_HI]) == (4, 6)
        results.append((r.losses, si.copy(), b.flat("weights")))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
