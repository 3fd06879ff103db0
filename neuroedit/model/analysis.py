"""Shape inference and validation: every node's output shape, or the problems that prevent one.

A bad graph is never an exception here: each problem becomes a `Problem` attached
to the node it belongs to, so the canvas can outline that node in red.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .nodetypes import REGISTRY, Shape, ShapeError, WeightSpec, fmt_shape
from .params import ParamError

if TYPE_CHECKING:
    from .document import Document

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    node_id: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.node_id if self.node_id is not None else "network"
        return f"{where}: {self.message}"


@dataclass
class Analysis:
    order: list[str] = field(default_factory=list)
    shapes: dict[str, Shape | None] = field(default_factory=dict)
    input_shapes: dict[str, dict[str, Shape]] = field(default_factory=dict)
    weights: dict[str, dict[str, WeightSpec]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def problems_for(self, node_id: str) -> list[Problem]:
        return [p for p in self.problems if p.node_id == node_id]

    def param_count(self, node_id: str) -> tuple[int, int]:
        """(trainable, non-trainable) as Keras counts them."""
        specs = self.weights.get(node_id, {}).values()
        return (sum(w.size for w in specs if w.trainable), sum(w.size for w in specs if not w.trainable))

    def totals(self) -> tuple[int, int]:
        t = n = 0
        for node_id in self.weights:
            a, b = self.param_count(node_id)
            t, n = t + a, n + b
        return t, n


def analyze(doc: Document) -> Analysis:
    """Analyse `doc`, reusing the last result while the document has not changed."""
    cached = doc._analysis_cache
    if cached is not None and cached[0] == doc.revision:
        return cached[1]
    result = _analyze(doc)
    doc._analysis_cache = (doc.revision, result)
    return result


def _analyze(doc: Document) -> Analysis:
    a = Analysis()
    bad_params: set[str] = set()
    for node in doc.nodes.values():
        spec = REGISTRY.get(node.type)
        if spec is None:
            a.problems.append(Problem(node.id, f"unknown node type {node.type!r}"))
            bad_params.add(node.id)
            continue
        for p in spec.params:
            if p.name not in node.params:
                a.problems.append(Problem(node.id, f"{p.name}: missing"))
                bad_params.add(node.id)
                continue
            try:
                p.check(node.params[p.name])
            except ParamError as e:
                a.problems.append(Problem(node.id, f"{p.name}: {e}"))
                bad_params.add(node.id)

    incoming: dict[str, dict[str, str]] = {n: {} for n in doc.nodes}
    succ: dict[str, list[str]] = {n: [] for n in doc.nodes}
    for edge in doc.edges:
        if edge.src not in doc.nodes or edge.dst not in doc.nodes:
            a.problems.append(
                Problem(edge.dst if edge.dst in doc.nodes else None, f"connection {edge} refers to a missing node")
            )
            continue
        dst = doc.nodes[edge.dst]
        ports = [] if edge.dst in bad_params else [p.name for p in REGISTRY[dst.type].ports_in(dst.params)]
        if edge.dst not in bad_params and edge.dst_port not in ports:
            a.problems.append(
                Problem(
                    edge.dst, f"{edge.src} is wired to input port {edge.dst_port!r}, which {edge.dst} does not have"
                )
            )
            continue
        if edge.dst_port in incoming[edge.dst]:
            a.problems.append(Problem(edge.dst, f"input port {edge.dst_port!r} has more than one connection"))
            continue
        incoming[edge.dst][edge.dst_port] = edge.src
        succ[edge.src].append(edge.dst)

    a.order = _topological_order(doc, incoming, succ, a)
    for node_id in a.order:
        node = doc.nodes[node_id]
        a.shapes[node_id] = None
        if node_id in bad_params:
            continue
        spec = REGISTRY[node.type]
        ins: dict[str, Shape] = {}
        missing, unknown = [], False
        for port in spec.ports_in(node.params):
            src = incoming[node_id].get(port.name)
            if src is None:
                missing.append(port.name)
            elif a.shapes.get(src) is None:
                unknown = True
            else:
                ins[port.name] = a.shapes[src]  # type: ignore[assignment]
        if missing:
            what = ", ".join(repr(m) for m in missing)
            a.problems.append(Problem(node_id, f"input port{'s' if len(missing) > 1 else ''} {what} not connected"))
            continue
        if unknown:
            continue
        try:
            shape = spec.output_shape(node.params, ins)
            a.weights[node_id] = spec.weights(node.params, ins)
        except ShapeError as e:
            a.problems.append(Problem(node_id, str(e)))
            continue
        a.shapes[node_id] = shape
        a.input_shapes[node_id] = ins
        if spec.has_output and not succ[node_id] and not spec.is_loss:
            a.problems.append(
                Problem(
                    node_id, f"output {fmt_shape(shape)} is not used: connect it to the next node or a Loss", "warning"
                )
            )

    _network_problems(doc, a)
    return a


def _topological_order(
    doc: Document, incoming: dict[str, dict[str, str]], succ: dict[str, list[str]], a: Analysis
) -> list[str]:
    """Kahn's algorithm, ties broken by document order; nodes on cycles are reported, not ordered."""
    indeg = {n: len(incoming[n]) for n in doc.nodes}
    position = {n: i for i, n in enumerate(doc.nodes)}
    ready = [(position[n], n) for n, d in indeg.items() if d == 0]  # a heap: O(n log n) on big graphs
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, n = heapq.heappop(ready)
        order.append(n)
        for m in succ[n]:
            indeg[m] -= 1
            if indeg[m] == 0:
                heapq.heappush(ready, (position[m], m))
    ordered = set(order)
    left = [n for n in doc.nodes if n not in ordered]
    on_cycle = _nodes_on_cycles(left, succ)
    for n in left:
        if n in on_cycle:
            a.problems.append(Problem(n, "is part of a cycle: data must flow one way, from inputs to the loss"))
    return order


def _nodes_on_cycles(nodes: list[str], succ: dict[str, list[str]]) -> set[str]:
    """The nodes among `nodes` that lie on a cycle: members of a strongly connected component of two or
    more nodes, or with an edge to themselves. Tarjan's algorithm, iterative, so O(nodes + edges)."""
    inside = set(nodes)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[str] = set()
    children: dict[str, list[str]] = {}
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            n, i = work.pop()
            if i == 0:
                index[n] = low[n] = len(index)
                stack.append(n)
                on_stack.add(n)
                children[n] = [m for m in succ[n] if m in inside]
            if i < len(children[n]):
                work.append((n, i + 1))
                m = children[n][i]
                if m not in index:
                    work.append((m, 0))
                elif m in on_stack:
                    low[n] = min(low[n], index[m])
                continue
            if low[n] == index[n]:
                component = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    component.append(m)
                    if m == n:
                        break
                if len(component) > 1 or n in succ[n]:
                    found.update(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[n])
    return found


def _network_problems(doc: Document, a: Analysis) -> None:
    types = [n.type for n in doc.nodes.values()]
    if not doc.nodes:
        a.problems.append(Problem(None, "the network is empty: drag an Input, some layers and a Loss onto the canvas"))
        return
    if "Input" not in types:
        a.problems.append(Problem(None, "there is no Input node"))
    losses = [n.id for n in doc.nodes.values() if n.type == "Loss"]
    if not losses:
        a.problems.append(Problem(None, "there is no Loss node: add one after the output layer to train the network"))
    elif len(losses) > 1:
        for n in losses[1:]:
            a.problems.append(Problem(n, f"only one Loss node can be trained; {losses[0]} is already the loss"))
