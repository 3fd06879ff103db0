"""The course networks shipped as `samples/*.nedit`, built with the Document edit API.

`tools/make_samples.py` writes them to disk; the editor's File > New templates
build them from here when the sample files are not installed.

Data-set references are plain spec strings (the data package parses them):
`xor`, `weather`, `idx:fashion-mnist` (the IDX folder `fashion-mnist/` next to
the file), `idx:fashion-mnist:classes=2,6` (pullover vs shirt) and
`values:x=4,y=-2,z=5,w=-1` (one sample of named input values, no targets; for
the computation-graph exercise).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from .document import Document
from .race_functions import FUNCTIONS

STEP = 220.0  # horizontal distance between consecutive nodes on the canvas


def _chain(doc: Document, layers: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Add `layers` left to right, each wired to the one before; return their ids."""
    ids: list[str] = []
    for i, (type_name, params) in enumerate(layers):
        node_id = doc.add_node(type_name, params, pos=(i * STEP, 0.0))
        if ids:
            doc.connect(ids[-1], node_id)
        ids.append(node_id)
    return ids


def _settings(doc: Document, **values: Any) -> None:
    for name, value in values.items():
        doc.set_setting(name, value)


def _finish(doc: Document, description: str) -> Document:
    doc.description = description
    doc.history.clear()
    return doc


def xor() -> Document:
    doc = Document()
    _chain(
        doc,
        [
            ("Input", {"shape": [2]}),
            ("Dense", {"units": 2, "activation": "sigmoid"}),
            ("Dense", {"units": 1, "activation": "sigmoid"}),
            ("Loss", {"loss": "binary_crossentropy"}),
        ],
    )
    # The lecture trains 500 epochs; from Glorot-initialised weights plain SGD needs about 2000
    # full-batch epochs to reach 100% on the four patterns, so the sample ends solved.
    _settings(doc, optimizer="sgd", learning_rate=0.5, batch_mode="full", epochs=2000)
    doc.set_dataset({"spec": "xor"})
    return _finish(
        doc,
        "XOR with a hidden layer of two sigmoid neurons (2-2-1, 9 parameters): "
        "a single neuron draws one line and cannot separate XOR; two hidden neurons can.",
    )


def xor_single_neuron() -> Document:
    doc = Document()
    ids = _chain(
        doc,
        [
            ("Input", {"shape": [2]}),
            ("Dense", {"units": 1, "activation": "sigmoid"}),
            ("Loss", {"loss": "binary_crossentropy"}),
        ],
    )
    _settings(doc, optimizer="sgd", learning_rate=0.5, batch_mode="stochastic", shuffle=False, epochs=100)
    doc.set_dataset({"spec": "xor"})
    # The lecture's worked example: w = [w0, w1, w2] = [-0.1, 0.75, 0.5] (w0 is the bias).
    doc.replace_weights(
        {
            ids[1]: {
                "kernel": np.array([[0.75], [0.5]], dtype=np.float32),
                "bias": np.array([-0.1], dtype=np.float32),
            }
        }
    )
    return _finish(
        doc,
        "A single sigmoid neuron on XOR with the lecture's initial weights "
        "w0 = -0.1, w1 = 0.75, w2 = 0.5: the first pattern (0, 0) gives ŷ = 0.475, "
        "loss 0.644, and w0 becomes -0.338. One neuron cannot solve XOR.",
    )


def weather() -> Document:
    doc = Document()
    _chain(
        doc,
        [
            ("Input", {"shape": [2]}),
            ("Dense", {"units": 8, "activation": "sigmoid"}),
            ("Dense", {"units": 1, "activation": "sigmoid"}),
            ("Loss", {"loss": "mse"}),
        ],
    )
    _settings(doc, optimizer="sgd", learning_rate=0.1, batch_mode="minibatch", batch_size=32, epochs=200)
    doc.set_dataset({"spec": "weather"})
    return _finish(
        doc,
        "Weather regression with 2 standardised inputs (temperature, cloudiness), "
        "8 sigmoid hidden neurons and 1 sigmoid output: 33 parameters "
        "(the lecture's 5-input original has 57).",
    )


def compute_graph() -> Document:
    doc = Document()
    for node_id, y in (("x", -240.0), ("y", -100.0), ("z", 100.0), ("w", 240.0)):
        doc.add_node("Input", {"shape": [1]}, pos=(0.0, y), node_id=node_id)
    doc.add_node("OpMultiply", pos=(STEP, -170.0), node_id="p")
    doc.add_node("OpMax", pos=(STEP, 170.0), node_id="q")
    doc.add_node("OpAdd", pos=(2 * STEP, 0.0), node_id="m")
    doc.add_node("OpSquare", pos=(3 * STEP, 0.0), node_id="f")
    loss = doc.add_node("Loss", {"loss": "value"}, pos=(4 * STEP, 0.0))
    for src, dst, port in (
        ("x", "p", "x"),
        ("y", "p", "y"),
        ("z", "q", "x"),
        ("w", "q", "y"),
        ("p", "m", "x"),
        ("q", "m", "y"),
        ("m", "f", "in"),
        ("f", loss, "in"),
    ):
        doc.connect(src, dst, dst_port=port)
    _settings(doc, optimizer="sgd", learning_rate=0.01, batch_mode="full", epochs=1, shuffle=False)
    doc.set_dataset({"spec": "values:x=4,y=-2,z=5,w=-1"})
    return _finish(
        doc,
        "The computation graph f = (x·y + max(z, w))² at x=4, y=-2, z=5, w=-1: "
        "forward p=-8, q=5, m=-3, f=9; backward ∂f/∂x=12, ∂f/∂y=-24, ∂f/∂z=-6, ∂f/∂w=0.",
    )


def fashion_mnist_mlp() -> Document:
    doc = Document()
    _chain(
        doc,
        [
            ("Input", {"shape": [28, 28]}),
            ("Flatten", {}),
            ("Dense", {"units": 300, "activation": "relu"}),
            ("Dense", {"units": 10, "activation": "softmax"}),
            ("Loss", {"loss": "sparse_categorical_crossentropy"}),
        ],
    )
    _settings(doc, optimizer="sgd", learning_rate=0.01, batch_mode="minibatch", batch_size=32, epochs=30)
    doc.set_dataset({"spec": "idx:fashion-mnist"})
    return _finish(
        doc,
        "Fashion-MNIST, 10 classes: Flatten 28×28 → Dense(300, relu) → Dense(10, softmax) "
        "with sparse categorical cross-entropy (235,500 + 3,010 = 238,510 parameters).",
    )


def fashion_mnist_binary() -> Document:
    doc = Document()
    _chain(
        doc,
        [
            ("Input", {"shape": [28, 28]}),
            ("Flatten", {}),
            ("Dense", {"units": 1, "activation": "sigmoid"}),
            ("Loss", {"loss": "binary_crossentropy"}),
        ],
    )
    _settings(doc, optimizer="sgd", learning_rate=0.01, batch_mode="minibatch", batch_size=32, epochs=20)
    doc.set_dataset({"spec": "idx:fashion-mnist:classes=2,6"})
    return _finish(
        doc,
        "Fashion-MNIST pullover (class 2) vs shirt (class 6): Flatten → Dense(1, sigmoid), "
        "a single neuron with 785 parameters.",
    )


def _xor_variant(hidden: list[int], description: str) -> Document:
    doc = Document()
    _chain(
        doc,
        [("Input", {"shape": [2]})]
        + [("Dense", {"units": u, "activation": "sigmoid"}) for u in hidden]
        + [("Dense", {"units": 1, "activation": "sigmoid"}), ("Loss", {"loss": "binary_crossentropy"})],
    )
    _settings(doc, optimizer="sgd", learning_rate=0.5, batch_mode="full", epochs=2000)
    doc.set_dataset({"spec": "xor"})
    return _finish(doc, description)


def xor_2_3_1() -> Document:
    return _xor_variant(
        [3],
        "XOR with three hidden sigmoid neurons (2-3-1, 13 parameters): the lecture's first "
        "variant; compare its loss curve with the 2-2-1 network's.",
    )


def xor_2_2_2_1() -> Document:
    return _xor_variant(
        [2, 2],
        "XOR with two hidden layers of two sigmoid neurons (2-2-2-1, 15 parameters): the "
        "lecture's deeper variant; compare its loss curve with the 2-2-1 network's.",
    )


def weather_5_inputs() -> Document:
    doc = Document()
    _chain(
        doc,
        [
            ("Input", {"shape": [5]}),
            ("Dense", {"units": 8, "activation": "sigmoid"}),
            ("Dense", {"units": 1, "activation": "sigmoid"}),
            ("Loss", {"loss": "mse"}),
        ],
    )
    # Lecture 2 counts an epoch as 250 updates of one pattern each.
    _settings(doc, optimizer="sgd", learning_rate=0.1, batch_mode="stochastic", updates_per_epoch=250, epochs=20)
    doc.set_dataset({"spec": "weather:inputs=5"})
    return _finish(
        doc,
        "The lecture's weather network: 5 standardised inputs (temperature, cloudiness, wind, "
        "humidity, pressure), 8 sigmoid hidden neurons and 1 sigmoid output: 8·6 + 1·9 = 57 "
        "parameters. An epoch is 250 updates, as lecture 2 defines it.",
    )


def fashion_mnist_dropout() -> Document:
    doc = Document()
    _chain(
        doc,
        [
            ("Input", {"shape": [28, 28]}),
            ("Flatten", {}),
            ("Dense", {"units": 300, "activation": "relu"}),
            ("Dropout", {"rate": 0.2}),
            ("Dense", {"units": 100, "activation": "relu"}),
            ("Dense", {"units": 10, "activation": "softmax"}),
            ("Loss", {"loss": "sparse_categorical_crossentropy"}),
        ],
    )
    _settings(doc, optimizer="sgd", learning_rate=0.01, batch_mode="minibatch", batch_size=32, epochs=30)
    doc.set_dataset({"spec": "idx:fashion-mnist"})
    return _finish(
        doc,
        "Fashion-MNIST as in the Keras lecture: Flatten → Dense(300, relu) → Dropout(0.2) → "
        "Dense(100, relu) → Dense(10, softmax), 266,610 parameters; dropout is only active in "
        "training.",
    )


def _fashion_300(activation: str, description: str) -> Document:
    doc = Document()
    _chain(
        doc,
        [
            ("Input", {"shape": [28, 28]}),
            ("Flatten", {}),
            ("Dense", {"units": 300, "activation": activation}),
            ("Dense", {"units": 1, "activation": "sigmoid"}),
            ("Loss", {"loss": "binary_crossentropy"}),
        ],
    )
    _settings(doc, optimizer="sgd", learning_rate=0.01, batch_mode="minibatch", batch_size=32, epochs=20)
    doc.set_dataset({"spec": "idx:fashion-mnist:classes=2,6"})
    return _finish(doc, description)


def fashion_mnist_linear() -> Document:
    return _fashion_300(
        "linear",
        "Pullover vs shirt with a hidden layer of 300 linear units (784-300-1, 235,801 "
        "parameters): a stack of linear layers is still linear, so it does no better than "
        "one neuron. Compare with the ReLU version.",
    )


def fashion_mnist_relu() -> Document:
    return _fashion_300(
        "relu",
        "Pullover vs shirt with a hidden layer of 300 ReLU units (784-300-1, 235,801 "
        "parameters): the non-linearity lets it beat the linear version.",
    )


def spiral() -> Document:
    """The README's screenshot network: two tanh layers of 8 learn the Playground's two spirals."""
    doc = Document()
    layers: list[tuple[str, dict[str, Any]]] = [
        ("Input", {"shape": [2]}),
        ("Dense", {"units": 8, "activation": "tanh"}),
        ("Dense", {"units": 8, "activation": "tanh"}),
        ("Dense", {"units": 1, "activation": "sigmoid"}),
        ("Loss", {"loss": "binary_crossentropy"}),
    ]
    for node_id, (type_name, params) in zip(("x", "hidden_1", "hidden_2", "output", "loss"), layers):
        doc.add_node(type_name, params, pos=(len(doc.nodes) * STEP, 0.0), node_id=node_id)
    ids = list(doc.nodes)
    for a, b in itertools.pairwise(ids):
        doc.connect(a, b)
    _settings(doc, optimizer="adam", learning_rate=0.02, batch_mode="minibatch", batch_size=16, epochs=600, seed=0)
    doc.set_dataset({"spec": "spiral"})
    return _finish(
        doc,
        "Two interleaved spirals, the TensorFlow Playground's hardest set: 2 inputs → 8 tanh → "
        "8 tanh → 1 sigmoid (105 parameters). Every hidden neuron's map over the input plane "
        "shows on its card while it trains.",
    )


SAMPLES: dict[str, Callable[[], Document]] = {
    "xor.nedit": xor,
    "xor_single_neuron.nedit": xor_single_neuron,
    "weather.nedit": weather,
    "compute_graph.nedit": compute_graph,
    "fashion_mnist_mlp.nedit": fashion_mnist_mlp,
    "fashion_mnist_binary.nedit": fashion_mnist_binary,
    "xor_2_3_1.nedit": xor_2_3_1,
    "xor_2_2_2_1.nedit": xor_2_2_2_1,
    "weather_5_inputs.nedit": weather_5_inputs,
    "fashion_mnist_dropout.nedit": fashion_mnist_dropout,
    "fashion_mnist_linear.nedit": fashion_mnist_linear,
    "fashion_mnist_relu.nedit": fashion_mnist_relu,
    "spiral.nedit": spiral,
    **{f"race_{key}.nedit": f.build for key, f in FUNCTIONS.items()},
}
