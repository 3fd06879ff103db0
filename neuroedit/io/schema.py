"""graph.json <-> the document's graph, settings and references, validated field by field.

Every problem raises LoadError with the JSON path of the offending value, e.g.
``graph.json: nodes[3].params.units: expected a positive integer, got -4``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from ..model.document import ID_PATTERN, Document, Edge, Node
from ..model.nodetypes import REGISTRY
from ..model.params import ParamError, ParamSpec
from ..model.settings import SETTINGS_BY_NAME, default_settings
from ..untrusted import shorten
from .errors import LoadError
from .jsontext import check_depth, to_plain

GRAPH = "graph.json"
_GRAPH_KEYS = ("nodes", "edges", "settings", "dataset", "view", "description")
_NODE_KEYS = ("id", "type", "params", "pos")
_EDGE_KEYS = ("src", "src_port", "dst", "dst_port")


@dataclass
class Graph:
    """The parts of a Document that graph.json holds."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=default_settings)
    dataset: dict[str, Any] = field(default_factory=dict)
    view: dict[str, Any] = field(default_factory=dict)
    description: str = ""


# --------------------------------------------------------------------------- writing


def graph_to_json(doc: Document) -> dict[str, Any]:
    return {
        "nodes": [
            {
                "id": n.id,
                "type": n.type,
                "params": to_plain(n.params, f"nodes.{n.id}.params"),
                "pos": [float(n.pos[0]), float(n.pos[1])],
            }
            for n in doc.nodes.values()
        ],
        "edges": [{"src": e.src, "src_port": e.src_port, "dst": e.dst, "dst_port": e.dst_port} for e in doc.edges],
        "settings": to_plain(doc.settings, "settings"),
        "dataset": to_plain(doc.dataset, "dataset"),
        "view": to_plain(doc.view, "view"),
        "description": doc.description,
    }


# --------------------------------------------------------------------------- reading


def describe(value: Any) -> str:
    """A JSON value as a message shows it: scalars verbatim, containers by kind."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except ValueError:  # e.g. an integer too long to print
        text = f"a {type(value).__name__}"
    return text if len(text) <= 40 else text[:37] + "..."


def fail(where: str, problem: str, member: str = GRAPH) -> LoadError:
    return LoadError(problem, member, where or None)


def expect_object(value: Any, where: str, member: str = GRAPH) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(where, f"expected an object, got {describe(value)}", member)
    return value


def _expect_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise fail(where, f"expected a list, got {describe(value)}")
    return value


def _expect_str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise fail(where, f"expected a string, got {describe(value)}")
    return value


def check_keys(
    obj: dict[str, Any], allowed: tuple[str, ...], required: tuple[str, ...], where: str, member: str = GRAPH
) -> None:
    for key in obj:
        if key not in allowed:
            raise fail(where, f"unknown key {shorten(key)} (allowed: {', '.join(allowed)})", member)
    for key in required:
        if key not in obj:
            raise fail(where, f"missing key {shorten(key)}", member)


def graph_from_json(data: Any) -> Graph:
    top = expect_object(data, "")
    check_keys(top, _GRAPH_KEYS, ("nodes", "edges"), "")
    g = Graph()
    for i, raw in enumerate(_expect_list(top["nodes"], "nodes")):
        node = _node(raw, f"nodes[{i}]")
        if node.id in g.nodes:
            raise fail(f"nodes[{i}].id", f"the id {shorten(node.id)} is used by two nodes")
        g.nodes[node.id] = node
    fed: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(_expect_list(top["edges"], "edges")):
        edge = _edge(raw, f"edges[{i}]", g)
        first = fed.setdefault((edge.dst, edge.dst_port), i)
        if first != i:
            raise fail(
                f"edges[{i}]",
                f"{edge}: input {edge.dst}.{edge.dst_port} is already fed by edges[{first}] ({g.edges[first]})",
            )
        g.edges.append(edge)
    closing = _first_cycle_edge(list(g.nodes), g.edges)
    if closing is not None:
        raise fail(f"edges[{closing}]", f"{g.edges[closing]} would make a cycle")
    if "settings" in top:
        g.settings.update(_settings(top["settings"]))
    g.dataset = check_depth(expect_object(top.get("dataset", {}), "dataset"), GRAPH, "dataset")
    g.view = check_depth(expect_object(top.get("view", {}), "view"), GRAPH, "view")
    g.description = _expect_str(top.get("description", ""), "description")
    return g


def _node(raw: Any, where: str) -> Node:
    obj = expect_object(raw, where)
    check_keys(obj, _NODE_KEYS, ("id", "type"), where)
    node_id = _expect_str(obj["id"], f"{where}.id")
    if not ID_PATTERN.fullmatch(node_id):
        raise fail(
            f"{where}.id",
            f"{shorten(node_id)} is not a valid node id (letters, digits and _, "
            "starting with a letter or _, at most 64 characters)",
        )
    type_name = _expect_str(obj["type"], f"{where}.type")
    spec = REGISTRY.get(type_name)
    if spec is None:
        raise fail(f"{where}.type", f"unknown node type {shorten(type_name)}; known types: {', '.join(REGISTRY)}")
    given = expect_object(obj.get("params", {}), f"{where}.params")
    params = spec.default_params()  # parameters added by later versions take their defaults
    for name, value in given.items():
        try:
            p = spec.param(name)
        except KeyError:
            known = ", ".join(p.name for p in spec.params) or "none"
            raise fail(
                f"{where}.params", f"{type_name} has no parameter {shorten(name)} (its parameters: {known})"
            ) from None
        params[name] = check_value(p, value, f"{where}.params.{name}")
    return Node(node_id, type_name, params, _pos(obj.get("pos", [0.0, 0.0]), f"{where}.pos"))


def check_value(spec: ParamSpec, value: Any, where: str) -> Any:
    try:
        return spec.check(value)
    except ParamError as e:
        raise fail(where, str(e)) from None
    except (OverflowError, ValueError, TypeError):
        raise fail(where, f"not a valid {spec.kind} value: {describe(value)}") from None


def _pos(raw: Any, where: str) -> tuple[float, float]:
    if not isinstance(raw, list) or len(raw) != 2:
        raise fail(where, f"expected a list [x, y], got {describe(raw)}")
    out = []
    for k, v in enumerate(raw):
        try:
            ok = not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(float(v))
        except OverflowError:
            ok = False
        if not ok:
            raise fail(f"{where}[{k}]", f"expected a finite number, got {describe(v)}")
        out.append(float(v))
    return (out[0], out[1])


def _edge(raw: Any, where: str, g: Graph) -> Edge:
    obj = expect_object(raw, where)
    check_keys(obj, _EDGE_KEYS, ("src", "dst"), where)
    src = _expect_str(obj["src"], f"{where}.src")
    dst = _expect_str(obj["dst"], f"{where}.dst")
    src_port = _expect_str(obj.get("src_port", "out"), f"{where}.src_port")
    dst_port = _expect_str(obj.get("dst_port", "in"), f"{where}.dst_port")
    for key, node_id in (("src", src), ("dst", dst)):
        if node_id not in g.nodes:
            raise fail(f"{where}.{key}", f"there is no node {shorten(node_id)}")
    src_node, dst_node = g.nodes[src], g.nodes[dst]
    outs = [p.name for p in src_node.spec.ports_out()]
    if src_port not in outs:
        has = f"it has {', '.join(outs)}" if outs else "it has no outputs"
        raise fail(f"{where}.src_port", f"{src} ({src_node.type}) has no output port {shorten(src_port)} ({has})")
    ins = [p.name for p in dst_node.spec.ports_in(dst_node.params)]
    if dst_port not in ins:
        has = f"it has {', '.join(ins)}" if ins else "it takes no inputs"
        raise fail(f"{where}.dst_port", f"{dst} ({dst_node.type}) has no input port {shorten(dst_port)} ({has})")
    edge = Edge(src, dst, src_port, dst_port)
    if src == dst:
        raise fail(where, f"{edge}: a node cannot feed itself")
    return edge


def _first_cycle_edge(nodes: list[str], edges: list[Edge]) -> int | None:
    """Index of the edge that first closes a cycle (in file order), or None: a binary search over
    prefixes, each checked with Kahn's algorithm, so a huge hostile graph costs O(E log E)."""
    if not _has_cycle(nodes, edges):
        return None
    lo, hi = 1, len(edges)  # edges[:hi] has a cycle; find the shortest such prefix
    while lo < hi:
        mid = (lo + hi) // 2
        if _has_cycle(nodes, edges[:mid]):
            hi = mid
        else:
            lo = mid + 1
    return hi - 1


def _has_cycle(nodes: list[str], edges: list[Edge]) -> bool:
    indegree = dict.fromkeys(nodes, 0)
    succ: dict[str, list[str]] = {}
    for e in edges:
        indegree[e.dst] += 1
        succ.setdefault(e.src, []).append(e.dst)
    ready = [n for n, d in indegree.items() if d == 0]
    done = 0
    while ready:
        n = ready.pop()
        done += 1
        for m in succ.get(n, ()):
            indegree[m] -= 1
            if indegree[m] == 0:
                ready.append(m)
    return done < len(nodes)


def _settings(raw: Any) -> dict[str, Any]:
    obj = expect_object(raw, "settings")
    out = {}
    for name, value in obj.items():
        spec = SETTINGS_BY_NAME.get(name)
        if spec is None:
            raise fail("settings", f"unknown setting {shorten(name)} (known: {', '.join(SETTINGS_BY_NAME)})")
        out[name] = check_value(spec, value, f"settings.{name}")
    return out
