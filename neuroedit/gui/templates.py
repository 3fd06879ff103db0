"""Starting points for File > New: the course networks from `samples/`, or built in code when not shipped.

An installed package may not have the repository's `samples/` folder next to it, so
each template can also build its network with the Document API.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import io as nedit_io
from ..model import Document

STEP = 220.0


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    summary: str
    sample: str | None
    build: Callable[[], Document]

    def create(self, samples: Path | None = None) -> Document:
        """A fresh, clean, untitled document: the sample file if readable, else the code-built network."""
        folder = samples if samples is not None else samples_dir()
        if self.sample and folder is not None and (folder / self.sample).is_file():
            try:
                doc = nedit_io.load(folder / self.sample)
                doc.history.clear()
                return doc
            except (OSError, nedit_io.LoadError):
                pass
        doc = self.build()
        doc.history.clear()
        return doc


def samples_dir() -> Path | None:
    """The repository's `samples/` folder beside the package (a checkout or an editable install)."""
    folder = Path(__file__).resolve().parents[2] / "samples"
    return folder if folder.is_dir() else None


def _chain(doc: Document, layers: list[tuple[str, dict[str, Any]]]) -> list[str]:
    ids: list[str] = []
    for i, (type_name, params) in enumerate(layers):
        node_id = doc.add_node(type_name, params, pos=(i * STEP, 0.0))
        if ids:
            doc.connect(ids[-1], node_id)
        ids.append(node_id)
    return ids


def _configure(doc: Document, dataset: str, description: str, **settings: Any) -> Document:
    for name, value in settings.items():
        doc.set_setting(name, value)
    doc.set_dataset({"spec": dataset})
    doc.description = description
    return doc


def build_xor() -> Document:
    doc = Document()
    _chain(doc, [("Input", {"shape": [2]}), ("Dense", {"units": 2, "activation": "sigmoid"}),
                 ("Dense", {"units": 1, "activation": "sigmoid"}), ("Loss", {"loss": "binary_crossentropy"})])
    return _configure(doc, "xor", "XOR with a hidden layer of two sigmoid neurons (2-2-1, 9 parameters).",
                      optimizer="sgd", learning_rate=0.5, batch_mode="full", epochs=500)


def build_single_neuron() -> Document:
    doc = Document()
    ids = _chain(doc, [("Input", {"shape": [2]}), ("Dense", {"units": 1, "activation": "sigmoid"}),
                       ("Loss", {"loss": "binary_crossentropy"})])
    doc.replace_weights({ids[1]: {"kernel": np.array([[0.75], [0.5]], dtype=np.float32),
                                  "bias": np.array([-0.1], dtype=np.float32)}})
    return _configure(doc, "xor", "A single sigmoid neuron on XOR with w0 = -0.1, w1 = 0.75, w2 = 0.5: "
                      "one neuron draws one line and cannot solve XOR.",
                      optimizer="sgd", learning_rate=0.5, batch_mode="stochastic", shuffle=False, epochs=100)


def build_weather() -> Document:
    doc = Document()
    _chain(doc, [("Input", {"shape": [2]}), ("Dense", {"units": 8, "activation": "sigmoid"}),
                 ("Dense", {"units": 1, "activation": "sigmoid"}), ("Loss", {"loss": "mse"})])
    return _configure(doc, "weather", "Weather regression: 2 standardised inputs, 8 sigmoid hidden neurons, "
                      "1 sigmoid output (33 parameters).",
                      optimizer="sgd", learning_rate=0.1, batch_mode="minibatch", batch_size=32, epochs=200)


def build_fashion_mlp() -> Document:
    doc = Document()
    _chain(doc, [("Input", {"shape": [28, 28]}), ("Flatten", {}), ("Dense", {"units": 300, "activation": "relu"}),
                 ("Dense", {"units": 10, "activation": "softmax"}),
                 ("Loss", {"loss": "sparse_categorical_crossentropy"})])
    return _configure(doc, "idx:fashion-mnist", "Fashion-MNIST, 10 classes: Flatten 28×28 → Dense(300, relu) → "
                      "Dense(10, softmax), 238,510 parameters.",
                      optimizer="sgd", learning_rate=0.01, batch_mode="minibatch", batch_size=32, epochs=30)


def build_compute_graph() -> Document:
    doc = Document()
    for node_id, y in (("x", -240.0), ("y", -100.0), ("z", 100.0), ("w", 240.0)):
        doc.add_node("Input", {"shape": [1]}, pos=(0.0, y), node_id=node_id)
    doc.add_node("OpMultiply", pos=(STEP, -170.0), node_id="p")
    doc.add_node("OpMax", pos=(STEP, 170.0), node_id="q")
    doc.add_node("OpAdd", pos=(2 * STEP, 0.0), node_id="m")
    doc.add_node("OpSquare", pos=(3 * STEP, 0.0), node_id="f")
    loss = doc.add_node("Loss", {"loss": "value"}, pos=(4 * STEP, 0.0))
    for src, dst, port in (("x", "p", "x"), ("y", "p", "y"), ("z", "q", "x"), ("w", "q", "y"),
                           ("p", "m", "x"), ("q", "m", "y"), ("m", "f", "in"), ("f", loss, "in")):
        doc.connect(src, dst, dst_port=port)
    return _configure(doc, "values:x=4,y=-2,z=5,w=-1", "The computation graph f = (x·y + max(z, w))² "
                      "at x=4, y=-2, z=5, w=-1.", optimizer="sgd", learning_rate=0.01, batch_mode="full",
                      epochs=1, shuffle=False)


TEMPLATES: tuple[Template, ...] = (
    Template("xor", "XOR", "2-2-1 sigmoid network that solves XOR", "xor.nedit", build_xor),
    Template("single_neuron", "Single neuron", "One sigmoid neuron on XOR, the lecture's worked example",
             "xor_single_neuron.nedit", build_single_neuron),
    Template("weather", "Weather", "Regression: temperature and cloudiness → 8 sigmoid units → 1 output",
             "weather.nedit", build_weather),
    Template("fashion_mlp", "Fashion-MNIST MLP", "28×28 images → Dense 300 relu → Dense 10 softmax",
             "fashion_mnist_mlp.nedit", build_fashion_mlp),
    Template("compute_graph", "Computation graph", "f = (x·y + max(z, w))², forward and backward by hand",
             "compute_graph.nedit", build_compute_graph),
    Template("blank", "Blank", "An empty canvas: drag nodes from the palette", None, Document),
)

TEMPLATES_BY_KEY = {t.key: t for t in TEMPLATES}
