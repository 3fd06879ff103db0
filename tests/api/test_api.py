"""The Keras-like Python API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import neuroedit as ne

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
Y = np.array([0, 1, 1, 0], float)
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _xor_net(seed=0):
    return ne.Sequential(
        [ne.Input(2), ne.Dense(4, activation="tanh"), ne.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        seed=seed,
    )


def test_import_neuroedit_does_not_load_numba_or_qt():
    code = "import sys, neuroedit, neuroedit.model; print('numba' in sys.modules, 'PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.slow
def test_fit_predict_evaluate_like_keras(capsys):
    net = _xor_net()
    hist = net.fit(X, Y, epochs=400, batch_size=4, optimizer=ne.Adam(lr=0.05), validation_data=(X, Y), verbose=0)
    assert capsys.readouterr().out == ""
    assert set(hist.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert len(hist.history["loss"]) == 400 and hist.epoch[0] == 0
    assert hist.history["accuracy"][-1] == 1.0
    pred = net.predict(X)
    assert pred.shape == (4, 1)
    assert ((pred[:, 0] > 0.5) == (Y > 0.5)).all()
    loss, acc = net.evaluate(X, Y)
    assert acc == 1.0 and loss == pytest.approx(hist.history["val_loss"][-1], rel=1e-5)


def test_verbose_prints_epoch_lines(capsys):
    _xor_net().fit(X, Y, epochs=2, batch_size=None, optimizer="sgd", verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Epoch 1/2 - loss: ") and "accuracy" in lines[0]


def test_weights_and_gradients_use_node_and_name_keys():
    net = _xor_net()
    w = net.get_weights()
    assert w[("dense_1", "kernel")].shape == (2, 4)
    assert w[("dense_2", "bias")].shape == (1,)
    g = net.gradients(X, Y)
    assert set(g) == set(w)
    w[("dense_2", "bias")] = np.array([3.0])
    net.set_weights(w)
    assert net.get_weights()[("dense_2", "bias")][0] == 3.0
    net.set_weights({"dense_2": {"bias": np.array([1.5])}})
    assert net.get_weights()[("dense_2", "bias")][0] == 1.5
    with pytest.raises(ValueError, match="shape"):
        net.set_weights({("dense_1", "kernel"): np.zeros((3, 3))})


def test_gradient_matches_a_hand_computed_single_neuron():
    net = ne.Sequential([ne.Input(2), ne.Dense(1, activation="sigmoid", name="neuron")], loss="binary_crossentropy")
    net.set_weights({"neuron": {"kernel": np.array([[0.75], [0.5]]), "bias": np.array([-0.1])}})
    g = net.gradients(np.array([[0.0, 0.0]]), np.array([0.0]))
    assert g[("neuron", "bias")][0] == pytest.approx(0.475, abs=5e-4)


def test_save_and_load_round_trip(tmp_path):
    net = _xor_net(seed=3)
    net.fit(X, Y, epochs=20, batch_size=2, verbose=0)
    path = tmp_path / "xor.nedit"
    net.save(path)
    again = ne.load(path)
    np.testing.assert_allclose(again.predict(X), net.predict(X))
    assert len(again.document.training_history["loss"]) == 20
    again.fit(X, Y, epochs=5, batch_size=2, verbose=0)
    assert len(again.document.training_history["loss"]) == 25


def test_load_runs_a_non_sequential_graph():
    if not (SAMPLES / "compute_graph.nedit").exists():
        pytest.skip("samples not generated")
    net = ne.load(SAMPLES / "compute_graph.nedit")
    assert net.predict({"x": [4.0], "y": [-2.0], "z": [5.0], "w": [-1.0]})[0, 0] == 9.0
    assert net.evaluate(np.array([[4.0, -2.0, 5.0, -1.0]])) == 9.0


def test_keras_style_layers_and_early_stopping():
    net = ne.Sequential(
        [
            ne.Flatten(input_shape=[2, 2]),
            ne.Dense(8, activation="relu"),
            ne.BatchNormalization(),
            ne.Dropout(0.2),
            ne.Dense(3, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2, 2))
    y = (x[:, 0, 0] > 0).astype(int) + (x[:, 1, 1] > 0).astype(int)
    hist = net.fit(
        x,
        y,
        epochs=200,
        batch_size=16,
        optimizer=ne.SGD(lr=0.05, momentum=0.9),
        verbose=0,
        validation_data=(x[:20], y[:20]),
        callbacks=[ne.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)],
    )
    assert len(hist.history["loss"]) < 200
    assert "early stopping" in hist.stopped
    assert net.predict(x).shape == (60, 3)


def test_impossible_network_is_refused_with_the_problems():
    with pytest.raises(ValueError, match="Flatten"):
        ne.Sequential([ne.Input((2, 2)), ne.Dense(3)], loss="mse")


def test_reset_gives_fresh_weights_from_the_seed():
    from neuroedit.api.session import reset_weights

    net = _xor_net(seed=5)
    before = net.get_weights()
    net.fit(X, Y, epochs=5, batch_size=2, verbose=0)
    assert net.document.training_history
    reset_weights(net.document)
    after = net.get_weights()
    assert all(np.allclose(before[k], after[k]) for k in before)
    assert net.document.training_history == {} and net.document.optimizer_state == {}
