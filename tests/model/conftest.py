"""Fixtures for the document-model tests: small networks and a comparable snapshot of a document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from neuroedit.model import Document


def snapshot(doc: Document) -> dict[str, Any]:
    """Everything an edit can change, in plain comparable values (node order included)."""
    return {
        "nodes": [(n.id, n.type, dict(n.params), n.pos) for n in doc.nodes.values()],
        "edges": list(doc.edges),
        "settings": dict(doc.settings),
        "dataset": dict(doc.dataset),
        "weights": {k: {name: a.tolist() for name, a in v.items()} for k, v in doc.weights.items()},
    }


def chain(doc: Document, *layers: tuple[str, dict[str, Any]]) -> list[str]:
    """Add `layers` left to right, each fed by the previous one."""
    ids: list[str] = []
    for i, (type_name, params) in enumerate(layers):
        ids.append(doc.add_node(type_name, params, pos=(i * 220.0, 0.0)))
        if len(ids) > 1:
            doc.connect(ids[-2], ids[-1])
    return ids


@pytest.fixture
def make_chain() -> Callable[..., tuple[Document, list[str]]]:
    def build(*layers: tuple[str, dict[str, Any]]) -> tuple[Document, list[str]]:
        doc = Document()
        ids = chain(doc, *layers)
        doc.history.clear()
        return doc, ids

    return build


@pytest.fixture
def xor_doc() -> tuple[Document, list[str]]:
    """Input(2) -> Dense(2, sigmoid) -> Dense(1, sigmoid) -> Loss(bce), history cleared."""
    doc = Document()
    ids = chain(
        doc,
        ("Input", {"shape": [2]}),
        ("Dense", {"units": 2, "activation": "sigmoid"}),
        ("Dense", {"units": 1, "activation": "sigmoid"}),
        ("Loss", {"loss": "binary_crossentropy"}),
    )
    doc.history.clear()
    return doc, ids


@pytest.fixture
def with_weights() -> Callable[[Document, str], None]:
    def install(doc: Document, node_id: str) -> None:
        units = doc.nodes[node_id].params["units"]
        doc.replace_weights(
            {
                **doc.weights,
                node_id: {
                    "kernel": np.arange(2 * units, dtype=np.float32).reshape(2, units),
                    "bias": np.zeros(units, dtype=np.float32),
                },
            }
        )

    return install


class Recorder:
    """Collects every event a document emits as (event name, args)."""

    NAMES = (
        "node_added",
        "node_removed",
        "node_renamed",
        "edge_added",
        "edge_removed",
        "param_changed",
        "node_moved",
        "settings_changed",
        "weights_changed",
        "training_results_changed",
        "changed",
        "clean_changed",
        "history_changed",
    )

    def __init__(self, doc: Document) -> None:
        self.calls: list[tuple[str, tuple]] = []
        for name in self.NAMES:
            getattr(doc.events, name).connect(lambda *args, _n=name: self.calls.append((_n, args)))

    def of(self, name: str) -> list[tuple]:
        return [args for n, args in self.calls if n == name]

    def clear(self) -> None:
        self.calls.clear()


@pytest.fixture
def recorder() -> Callable[[Document], Recorder]:
    return Recorder
