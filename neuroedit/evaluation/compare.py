""" "Compare…": train copies of a network under N settings from the same initial weights (the lectures'
comparisons of optimizers, batch sizes, learning rates, with and without regularisation).

Each variant trains a private copy of the document with `Network.fit`; the caller records the
resulting runs in the real document and overlays their curves.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..api.bridge import graph_spec
from ..api.data import TrainingData
from ..api.network import Network
from ..api.session import ensure_weights
from ..model import OPTIMIZERS, Document, Node

KINDS = {
    "optimizer": ("Optimizers", "sgd, momentum, adam"),
    "batch": ("Batch sizes", "full, 1, 32"),
    "learning_rate": ("Learning rates", "0.01, 0.1, 0.5"),
    "l2": ("L2 regularisation", "0, 0.001, 0.01"),
}


class CompareProblem(ValueError):
    """The variants cannot be built; the message names the value."""


@dataclass
class Variant:
    label: str
    settings: dict[str, Any] = field(default_factory=dict)
    l2: float | None = None


def parse_variants(kind: str, text: str) -> list[Variant]:
    """Comma-separated values of one kind, e.g. `sgd, adam` or `full, 1, 32`; at least two."""
    if kind not in KINDS:
        raise CompareProblem(f"unknown comparison {kind!r}; choose one of {', '.join(KINDS)}")
    values = [v.strip() for v in text.split(",") if v.strip()]
    if len(values) < 2:
        raise CompareProblem("give at least two values, separated by commas")
    out = []
    for v in values:
        if kind == "optimizer":
            if v not in OPTIMIZERS:
                raise CompareProblem(f"unknown optimizer {v!r}; known: {', '.join(OPTIMIZERS)}")
            out.append(Variant(v, {"optimizer": v}))
        elif kind == "batch":
            if v in ("full", "full batch"):
                out.append(Variant("full batch", {"batch_mode": "full"}))
            else:
                size = _number(v, int, "a batch size")
                if size < 1:
                    raise CompareProblem(f"batch size {v!r} must be 1 or more")
                out.append(
                    Variant(
                        f"batch {size}",
                        {"batch_mode": "stochastic"} if size == 1 else {"batch_mode": "minibatch", "batch_size": size},
                    )
                )
        elif kind == "learning_rate":
            lr = _number(v, float, "a learning rate")
            if not lr > 0:
                raise CompareProblem(f"learning rate {v!r} must be positive")
            out.append(Variant(f"lr {lr:g}", {"learning_rate": lr}))
        else:
            l2 = _number(v, float, "an L2 factor")
            if l2 < 0:
                raise CompareProblem(f"L2 factor {v!r} must be 0 or more")
            out.append(Variant("no L2" if l2 == 0 else f"L2 {l2:g}", l2=l2))
    return out


def _number(text: str, kind, what: str):
    try:
        return kind(text)
    except ValueError:
        raise CompareProblem(f"{text!r} is not {what}") from None


def copy_for_variant(doc: Document, variant: Variant, epochs: int) -> Document:
    """A private copy with the same weights, no optimizer state, no history, and the variant's settings."""
    twin = Document(
        nodes={k: Node(n.id, n.type, copy.deepcopy(n.params), n.pos) for k, n in doc.nodes.items()},
        edges=list(doc.edges),
        settings=dict(doc.settings),
        dataset=copy.deepcopy(doc.dataset),
        weights={k: {n: a.copy() for n, a in v.items()} for k, v in doc.weights.items()},
    )
    for name, value in {**variant.settings, "epochs": epochs}.items():
        twin.set_setting(name, value)
    if variant.l2 is not None:
        for node in twin.nodes.values():
            if any(p.name == "l2" for p in node.spec.params):
                twin.set_param(node.id, "l2", variant.l2)
    return twin


def starting_point(doc: Document, fresh: bool) -> Document:
    """The copy every variant starts from: the document's current weights, or fresh initial ones from its seed
    (`fresh`); either way every variant gets the very same arrays."""
    base = copy_for_variant(doc, Variant("base"), int(doc.settings.get("epochs", 1)))
    if fresh:
        base.replace_weights({})
    ensure_weights(base, graph_spec(base))
    return base


def train_variant(doc: Document, variant: Variant, data: TrainingData, epochs: int) -> dict[str, Any]:
    """Train a copy of `doc` (a `starting_point`); returns the run that training recorded."""
    twin = copy_for_variant(doc, variant, epochs)
    s = twin.settings
    batch = None if s["batch_mode"] == "full" else 1 if s["batch_mode"] == "stochastic" else int(s["batch_size"])
    Network(twin).fit(
        data.train[0],
        data.train[1],
        epochs=epochs,
        batch_size=batch,
        validation_data=data.val,
        verbose=0,
        shuffle=bool(s.get("shuffle", True)),
        seed=int(s.get("seed", 0)),
    )
    run = dict(twin.runs[-1])
    run["label"] = f"compare: {variant.label}"
    return run


def compare(
    doc: Document,
    variants: list[Variant],
    data: TrainingData,
    epochs: int,
    report: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Train every variant from the document's current weights; `report(run)` after each one."""
    runs = []
    for v in variants:
        run = train_variant(doc, v, data, epochs)
        runs.append(run)
        if report is not None:
            report(run)
    return runs
