"""Document -> GraphSpec: the one place where the document model meets the engine."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..engine.names import metric_name
from ..engine.spec import AUTO_METRIC, GraphError, GraphSpec, OpSpec
from ..model import REGISTRY, analyze

if TYPE_CHECKING:
    from ..model import Document


class GraphProblem(ValueError):
    """The document cannot be run; the message lists every error, one per line."""


def graph_spec(doc: Document, task: str | None = None, metric: str | None = AUTO_METRIC) -> GraphSpec:
    """The engine's description of `doc`, or GraphProblem listing what must be fixed first.

    `task` is the training data's (neuroedit.data: "classification", "regression", "none"): a
    regression loss on classes reports accuracy. `metric` ("accuracy", "mae") chooses it instead.
    """
    a = analyze(doc)
    if not a.ok:
        raise GraphProblem("the network cannot run:\n" + "\n".join(f"  {p}" for p in a.errors))
    incoming: dict[str, dict[str, str]] = {n: {} for n in doc.nodes}
    for e in doc.edges:
        incoming[e.dst][e.dst_port] = e.src
    needed = _ancestors(doc, incoming)
    ops = []
    loss_id = next(n.id for n in doc.nodes.values() if n.type == "Loss")
    for node_id in a.order:
        if node_id not in needed:
            continue
        node = doc.nodes[node_id]
        ports = [p.name for p in REGISTRY[node.type].ports_in(node.params)]
        ops.append(
            OpSpec(
                id=node_id,
                type=node.type,
                params=dict(node.params),
                inputs=tuple(incoming[node_id][p] for p in ports),
                input_shapes=tuple(tuple(a.input_shapes[node_id][p]) for p in ports),
                output_shape=tuple(a.shapes[node_id] or ()),
                weights={k: (tuple(w.shape), w.trainable) for k, w in a.weights.get(node_id, {}).items()},
            )
        )
    input_ids = tuple(op.id for op in ops if op.type == "Input")
    if not input_ids:
        raise GraphProblem("the network cannot run: no Input node feeds the loss")
    output_id = incoming[loss_id]["in"]
    graph = GraphSpec(tuple(ops), input_ids, output_id, loss_id)
    try:
        return replace(graph, metric=metric_name(graph.loss_name, task) if metric == AUTO_METRIC else metric)
    except GraphError as e:
        raise GraphProblem(str(e)) from None


def _ancestors(doc: Document, incoming: dict[str, dict[str, str]]) -> set[str]:
    """The loss and every node it depends on; side branches that do not reach the loss are not run."""
    loss_id = next(n.id for n in doc.nodes.values() if n.type == "Loss")
    seen, stack = set(), [loss_id]
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(incoming[n].values())
    return seen
