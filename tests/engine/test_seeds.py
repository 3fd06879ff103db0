"""The worked examples of SEEDS.md, reproduced by every backend and by the step-through trace."""

from __future__ import annotations

import numpy as np
import pytest
from cases import _doc, spec

from neuroedit.engine import make_backend
from neuroedit.engine.optimizers import OptimizerConfig
from neuroedit.engine.walkthrough import record_walkthrough


def _single_neuron():
    return _doc(
        [
            ("x", "Input", {"shape": [2]}),
            ("neuron", "Dense", {"units": 1, "activation": "sigmoid"}),
            ("loss", "Loss", {"loss": "binary_crossentropy"}),
        ],
        [("x", "neuron"), ("neuron", "loss")],
    )


W1 = {"neuron": {"kernel": np.array([[0.75], [0.5]]), "bias": np.array([-0.1])}}


def test_example_1_single_neuron_on_xor(backend):
    b = make_backend(backend, spec(_single_neuron()), "float64", weights=W1)
    X, Y = b.pack_inputs([[0.0, 0.0]]), b.pack_targets([0.0], 1)
    assert b.predict(X)[0, 0] == pytest.approx(0.475, abs=5e-4)
    r = b.train(X, Y, np.array([0]), np.array([0, 1]), np.array([0.5]))
    assert r.losses[0] == pytest.approx(0.644, abs=5e-4)
    w = b.get_weights()["neuron"]
    assert w["bias"][0] == pytest.approx(-0.338, abs=5e-4)
    np.testing.assert_array_equal(w["kernel"], W1["neuron"]["kernel"])


def test_example_1_trace():
    t = record_walkthrough(spec(_single_neuron()), W1, [[0.0, 0.0]], [0.0], learning_rate=0.5)
    assert t.pre_activations["neuron"][0, 0] == pytest.approx(-0.1)
    assert t.values["neuron"][0, 0] == pytest.approx(0.475, abs=5e-4)
    assert t.loss == pytest.approx(0.644, abs=5e-4)
    assert t.pre_grads["neuron"][0, 0] == pytest.approx(0.475, abs=5e-4)
    assert t.new_weights["neuron"]["bias"][0] == pytest.approx(-0.338, abs=5e-4)
    assert t.update("neuron", "kernel").tolist() == [[0.0], [0.0]]


def _compute_graph():
    nodes = [(n, "Input", {"shape": [1]}) for n in "xyzw"]
    nodes += [
        ("p", "OpMultiply", {}),
        ("q", "OpMax", {}),
        ("m", "OpAdd", {}),
        ("f", "OpSquare", {}),
        ("L", "Loss", {"loss": "value"}),
    ]
    edges = [
        ("x", "p", "x"),
        ("y", "p", "y"),
        ("z", "q", "x"),
        ("w", "q", "y"),
        ("p", "m", "x"),
        ("q", "m", "y"),
        ("m", "f", "in"),
        ("f", "L"),
    ]
    return _doc(nodes, edges)


def test_example_2_computation_graph():
    t = record_walkthrough(spec(_compute_graph()), {}, {"x": [4.0], "y": [-2.0], "z": [5.0], "w": [-1.0]}, None)
    forward = {k: float(t.values[k][0, 0]) for k in "pqmf"}
    assert forward == {"p": -8.0, "q": 5.0, "m": -3.0, "f": 9.0}
    back = {k: float(t.value_grads[k][0, 0]) for k in "mpqxyzw"}
    assert back == {"m": -6.0, "p": -6.0, "q": -6.0, "x": 12.0, "y": -24.0, "z": -6.0, "w": 0.0}
    assert t.loss == 9.0
    assert float(t.port_grads[("p", 0)][0, 0]) == 12.0


def test_example_2_runs_on_every_backend(backend):
    b = make_backend(backend, spec(_compute_graph()), "float64")
    X = b.pack_inputs({"x": [4.0], "y": [-2.0], "z": [5.0], "w": [-1.0]})
    assert b.predict(X)[0, 0] == 9.0
    assert b.evaluate(X, b.pack_targets(None, 1))[0] == 9.0


def _scores_graph(loss):
    return _doc([("s", "Input", {"shape": [3]}), ("L", "Loss", {"loss": loss})], [("s", "L")])


SCORES = np.array([[3.0, 1.0, -2.5], [3.0, -5.0, 1.5], [1.0, 3.2, -5.0]])
LABELS = np.array([1, 0, 2])  # dog, cat, bird


def test_example_3_multiclass_hinge(backend):
    b = make_backend(backend, spec(_scores_graph("multiclass_hinge")), "float64")
    per_image = [
        b.evaluate(b.pack_inputs(SCORES[i : i + 1]), b.pack_targets(LABELS[i : i + 1], 1))[0] for i in range(3)
    ]
    np.testing.assert_allclose(per_image, [3.0, 0.0, 16.2], atol=1e-12)
    assert b.evaluate(b.pack_inputs(SCORES), b.pack_targets(LABELS, 3))[0] == pytest.approx(6.4)


def test_example_3_and_4_softmax_cross_entropy(backend):
    d = _doc(
        [
            ("s", "Input", {"shape": [3]}),
            ("p", "Activation", {"activation": "softmax"}),
            ("L", "Loss", {"loss": "sparse_categorical_crossentropy"}),
        ],
        [("s", "p"), ("p", "L")],
    )
    b = make_backend(backend, spec(d), "float64")
    X = b.pack_inputs(SCORES[:1])
    np.testing.assert_allclose(b.predict(X)[0], [0.878, 0.119, 0.004], atol=5e-4)
    assert b.evaluate(X, b.pack_targets([1], 1))[0] == pytest.approx(2.13, abs=5e-3)
    d5 = _doc(
        [
            ("s", "Input", {"shape": [5]}),
            ("p", "Activation", {"activation": "softmax"}),
            ("L", "Loss", {"loss": "categorical_crossentropy"}),
        ],
        [("s", "p"), ("p", "L")],
    )
    b5 = make_backend(backend, spec(d5), "float64")
    np.testing.assert_allclose(
        b5.predict(b5.pack_inputs([[1.3, 5.1, 2.2, 0.7, 1.1]]))[0], [0.02, 0.90, 0.05, 0.01, 0.02], atol=5e-3
    )


def test_example_5_minimal_network():
    d = _doc(
        [
            ("x", "Input", {"shape": [1]}),
            ("a1", "Dense", {"units": 1, "activation": "sigmoid"}),
            ("a2", "Dense", {"units": 1, "activation": "sigmoid"}),
            ("E", "Loss", {"loss": "squared_error"}),
        ],
        [("x", "a1"), ("a1", "a2"), ("a2", "E")],
    )
    w = {
        "a1": {"kernel": np.array([[0.7]]), "bias": np.array([0.2])},
        "a2": {"kernel": np.array([[-1.3]]), "bias": np.array([0.4])},
    }
    t = record_walkthrough(spec(d), w, [[0.9]], [[0.25]], OptimizerConfig("sgd"), 0.1)
    a_prev, a, y = t.values["a1"][0, 0], t.values["a2"][0, 0], 0.25
    assert t.loss == pytest.approx(0.5 * (a - y) ** 2)
    delta = (a - y) * a * (1 - a)
    assert t.param_grads["a2"]["kernel"][0, 0] == pytest.approx(delta * a_prev)
    assert t.param_grads["a2"]["bias"][0] == pytest.approx(delta)
    assert t.value_grads["a1"][0, 0] == pytest.approx(delta * -1.3)
    assert t.new_weights["a2"]["kernel"][0, 0] == pytest.approx(-1.3 - 0.1 * delta * a_prev)


def test_example_6_sum_squared_error(backend):
    d = _doc([("o", "Input", {"shape": [10]}), ("C", "Loss", {"loss": "sum_squared_error"})], [("o", "C")])
    b = make_backend(backend, spec(d), "float64")
    out = [[0.06, 0.06, 0.10, 0.08, 0.08, 0.08, 0.12, 0.04, 0.06, 0.35]]
    target = np.eye(10)[[9]]
    assert b.evaluate(b.pack_inputs(out), b.pack_targets(target, 1))[0] == pytest.approx(0.48, abs=2e-3)
