"""The part of a document that leaves it: the nodes feeding the loss, in order, with shapes and weights.

Exporters read this plain description instead of the document, so each of them
walks the same nodes in the same order and names things the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model import REGISTRY, Document, analyze

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Op:
    """One node of the exported graph: inputs are node ids in port order."""

    id: str
    type: str
    params: dict[str, Any]
    inputs: tuple[str, ...]
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    weights: dict[str, np.ndarray]


@dataclass(frozen=True)
class Graph:
    ops: tuple[Op, ...]
    input_ids: tuple[str, ...]
    output_id: str
    loss: str
    from_logits: bool
    settings: dict[str, Any]
    description: str
    dataset: str = ""  # the document's data-set spec, e.g. "idx:fashion-mnist"

    def op(self, op_id: str) -> Op:
        return next(o for o in self.ops if o.id == op_id)

    def consumers(self, op_id: str) -> list[Op]:
        return [o for o in self.ops if op_id in o.inputs]


def exported_graph(doc: Document) -> Graph:
    """The nodes the loss depends on, topologically ordered; InteropError if the network cannot run
    or a node lacks weights (callers give a fresh network its initial weights first)."""
    from .errors import InteropError

    a = analyze(doc)
    if not a.ok:
        raise InteropError("the network cannot be exported until it is valid: " + "; ".join(str(p) for p in a.errors))
    losses = [n for n in doc.nodes.values() if n.type == "Loss"]
    if len(losses) != 1:
        raise InteropError("the network needs exactly one Loss node to be exported (the node feeding it is the output)")
    incoming: dict[str, dict[str, str]] = {n: {} for n in doc.nodes}
    for e in doc.edges:
        incoming[e.dst][e.dst_port] = e.src
    needed, stack = set(), [losses[0].id]
    while stack:
        n = stack.pop()
        if n not in needed:
            needed.add(n)
            stack.extend(incoming[n].values())
    ops = []
    for node_id in a.order:
        node = doc.nodes[node_id]
        if node_id not in needed or node.type == "Loss":
            continue
        ports = [p.name for p in REGISTRY[node.type].ports_in(node.params)]
        weights = {}
        for name, spec in a.weights.get(node_id, {}).items():
            array = doc.weights.get(node_id, {}).get(name)
            if array is None or tuple(np.shape(array)) != tuple(spec.shape):
                raise InteropError(
                    f"{node_id}: has no {name} weights of shape {tuple(spec.shape)}; "
                    "initialise or train the network first"
                )
            weights[name] = np.asarray(array, dtype=np.float32)
        ops.append(
            Op(
                node_id,
                node.type,
                dict(node.params),
                tuple(incoming[node_id][p] for p in ports),
                tuple(tuple(a.input_shapes[node_id][p]) for p in ports),
                tuple(a.shapes[node_id] or ()),
                weights,
            )
        )
    loss = losses[0]
    return Graph(
        tuple(ops),
        tuple(o.id for o in ops if o.type == "Input"),
        incoming[loss.id]["in"],
        str(loss.params["loss"]),
        bool(loss.params.get("from_logits", False)),
        dict(doc.settings),
        doc.description,
        str(doc.dataset.get("spec", "")) if isinstance(doc.dataset, dict) else "",
    )


def activation_alpha(op: Op) -> float:
    """The α the engine uses: Dense layers take the Keras defaults, Activation nodes their parameters."""
    act = op.params.get("activation")
    if op.type == "Dense":
        return 0.01 if act == "leaky_relu" else 1.0
    if act == "leaky_relu":
        return float(op.params.get("negative_slope", 0.01))
    if act == "elu":
        return float(op.params.get("elu_alpha", 1.0))
    if act == "linear":
        return float(op.params.get("slope", 1.0))
    return 1.0


def fused_output_activation(graph: Graph) -> str | None:
    """`softmax`/`sigmoid` when the loss takes the output's scores before that activation (as the engine
    trains it: cross-entropy fused with its activation), else None."""
    out = graph.op(graph.output_id)
    act = out.params.get("activation") if out.type in ("Dense", "Activation") else None
    if graph.from_logits or len(graph.consumers(out.id)) != 0:
        return None
    if act == "softmax" and graph.loss in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        return "softmax"
    if act == "sigmoid" and graph.loss == "binary_crossentropy":
        return "sigmoid"
    return None
