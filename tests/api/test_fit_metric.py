"""`fit`/`evaluate` with plain arrays: the loss picks the metric unless `metric=` says otherwise."""

from __future__ import annotations

import numpy as np
import pytest

import neuroedit as ne

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
Y = np.array([0, 1, 1, 0], float)


def _net(loss: str = "mse"):
    return ne.Sequential([ne.Input(2), ne.Dense(4, activation="tanh"), ne.Dense(1, activation="sigmoid")], loss=loss)


def test_a_regression_loss_reports_mae_unless_asked_for_accuracy():
    net = _net()
    hist = net.fit(X, Y, epochs=3, batch_size=None, validation_data=(X, Y), verbose=0)
    assert set(hist.history) == {"loss", "mae", "val_loss", "val_mae", "lr"}
    hist = net.fit(X, Y, epochs=3, batch_size=None, validation_data=(X, Y), verbose=0, metric="accuracy")
    assert set(hist.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    kept = net.document.training_history  # every curve as long as "epoch": NaN where a metric was not logged
    assert {len(v) for v in kept.values()} == {6}
    assert np.isnan(kept["val_mae"][3:]).all() and np.isnan(kept["val_accuracy"][:3]).all()
    assert np.isfinite(kept["val_mae"][:3]).all() and np.isfinite(kept["val_accuracy"][3:]).all()
    hits = ((net.predict(X)[:, 0] > 0.5) == (Y > 0.5)).mean()
    loss, accuracy = net.evaluate(X, Y, metric="accuracy")
    assert accuracy == pytest.approx(hits) and accuracy == pytest.approx(hist.history["val_accuracy"][-1])
    assert net.evaluate(X, Y)[1] == pytest.approx(np.abs(net.predict(X)[:, 0] - Y).mean(), rel=1e-5)


def test_a_metric_that_does_not_fit_the_loss_is_refused():
    with pytest.raises(ValueError, match="binary_crossentropy is a classification loss: its metric is accuracy"):
        _net("binary_crossentropy").fit(X, Y, epochs=1, verbose=0, metric="mae")
    with pytest.raises(ValueError, match="unknown metric 'f1'; known: accuracy, mae"):
        _net().evaluate(X, Y, metric="f1")
