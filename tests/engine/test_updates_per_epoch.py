"""An epoch of N updates (lecture 2: "an epoch = 250 updates") instead of one pass over the data."""

from __future__ import annotations

import numpy as np
import pytest
from cases import _doc, spec

from neuroedit.engine import make_backend
from neuroedit.engine.trainer import Progress, TrainConfig, Trainer

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
Y = np.array([0, 1, 1, 0], float)


def _trainer(kind="reference", **cfg):
    d = _doc(
        [
            ("x", "Input", {"shape": [2]}),
            ("o", "Dense", {"units": 1, "activation": "sigmoid"}),
            ("L", "Loss", {"loss": "binary_crossentropy"}),
        ],
        [("x", "o"), ("o", "L")],
    )
    b = make_backend(kind, spec(d), "float64", seed=0)
    return Trainer(b, X, Y, TrainConfig(**{"epochs": 2, "learning_rate": 0.5, **cfg}))


@pytest.mark.parametrize("kind", ["reference", "numba"])
def test_an_epoch_is_n_updates_with_full_batches_of_reshuffled_passes(kind):
    t = _trainer(kind, batch_mode="minibatch", batch_size=3, updates_per_epoch=5)
    assert t.steps_per_epoch == 5
    order = t.epoch_order(0)
    assert len(order) == 15
    for k in range(3):  # each pass over the 4 samples is complete before the next
        assert sorted(order[4 * k : 4 * k + 4]) == [0, 1, 2, 3]
    events = list(t.run_iter())
    assert t.backend.iterations == 10
    sizes = np.concatenate([p.losses for p in events if isinstance(p, Progress)])
    assert len(sizes) == 10 and len(t.history["loss"]) == 2


def test_both_backends_train_the_same_n_update_epochs():
    runs = [
        _trainer(kind, batch_mode="minibatch", batch_size=3, updates_per_epoch=5, epochs=3)
        for kind in ("reference", "numba")
    ]
    for t in runs:
        t.run()
    np.testing.assert_allclose(runs[1].backend.flat("weights"), runs[0].backend.flat("weights"), rtol=1e-10)
    assert runs[1].history["loss"] == pytest.approx(runs[0].history["loss"], rel=1e-10)


def test_zero_means_one_pass():
    assert _trainer(batch_mode="stochastic", updates_per_epoch=0).steps_per_epoch == 4
    assert TrainConfig.from_settings({"updates_per_epoch": 250}).updates_per_epoch == 250
