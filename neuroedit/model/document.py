"""The network document: nodes, edges, training settings, weights; edited only through undoable commands."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import commands as cmd
from .events import DocumentEvents
from .history import History
from .nodetypes import REGISTRY, node_type
from .params import ParamError
from .runs import MAX_RUNS
from .settings import SETTINGS_BY_NAME, default_settings

ID_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}\Z")  # \Z, not $: "$" would accept a trailing newline


class EditError(ValueError):
    """An edit the document refuses; the message says why (shown in the status bar)."""


@dataclass(frozen=True)
class Edge:
    """A wire from an output port to an input port. An input port takes at most one edge."""

    src: str
    dst: str
    src_port: str = "out"
    dst_port: str = "in"

    def __str__(self) -> str:
        return f"{self.src}.{self.src_port} -> {self.dst}.{self.dst_port}"


@dataclass
class Node:
    id: str
    type: str
    params: dict[str, Any]
    pos: tuple[float, float] = (0.0, 0.0)

    @property
    def spec(self):
        return node_type(self.type)


@dataclass(eq=False)
class Document:
    """Everything a `.nedit` file holds. Views subscribe to `events`; edits go through the public methods."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=default_settings)
    dataset: dict[str, Any] = field(default_factory=dict)
    weights: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    optimizer_state: dict[str, np.ndarray] = field(default_factory=dict)
    training_history: dict[str, Any] = field(default_factory=dict)
    view: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    runs: list[dict[str, Any]] = field(default_factory=list)  # recorded training runs (model/runs.py)

    def __post_init__(self) -> None:
        self.events = DocumentEvents()
        self.history = History(self)
        self.revision = 0
        self._analysis_cache: tuple[int, Any] | None = None  # (revision, Analysis), see analysis.analyze

    # ------------------------------------------------------------------ queries
    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise EditError(f"there is no node {node_id!r}") from None

    def edges_of(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if node_id in (e.src, e.dst)]

    def incoming(self, node_id: str) -> dict[str, Edge]:
        return {e.dst_port: e for e in self.edges if e.dst == node_id}

    def outgoing(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.src == node_id]

    def new_id(self, prefix: str, taken: Iterable[str] = ()) -> str:
        """The first free `prefix_N`, like Keras names layers (dense_1, dense_2, ...)."""
        used = set(self.nodes) | set(taken)
        n = 1
        while f"{prefix}_{n}" in used:
            n += 1
        return f"{prefix}_{n}"

    def why_not_connect(self, edge: Edge) -> str | None:
        """None if `edge` may be added (it may replace the edge already on its input), else the reason."""
        if edge.src not in self.nodes:
            return f"there is no node {edge.src!r}"
        if edge.dst not in self.nodes:
            return f"there is no node {edge.dst!r}"
        src, dst = self.nodes[edge.src], self.nodes[edge.dst]
        if edge.src_port not in [p.name for p in src.spec.ports_out()]:
            return f"{src.id} has no output port {edge.src_port!r}"
        in_ports = [p.name for p in dst.spec.ports_in(dst.params)]
        if edge.dst_port not in in_ports:
            if not in_ports:
                return f"{dst.id} ({dst.type}) takes no inputs"
            return f"{dst.id} has no input port {edge.dst_port!r} (it has {', '.join(in_ports)})"
        if edge.src == edge.dst:
            return "a node cannot feed itself"
        if edge in self.edges:
            return "these ports are already connected"
        if self._reaches(edge.dst, edge.src):
            return f"connecting {edge.src} to {edge.dst} would make a cycle"
        return None

    def _reaches(self, start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            n = stack.pop()
            if n == goal:
                return True
            if n in seen:
                continue
            seen.add(n)
            stack.extend(e.dst for e in self.edges if e.src == n)
        return False

    # ------------------------------------------------------------------ undoable edits (the GUI's intents)
    def add_node(
        self,
        type_name: str,
        params: dict[str, Any] | None = None,
        pos: tuple[float, float] = (0.0, 0.0),
        node_id: str | None = None,
    ) -> str:
        spec = self._type(type_name)
        full = spec.default_params()
        for name, value in (params or {}).items():
            full[name] = self._checked_param(spec, name, value)
        node_id = node_id or self.new_id(spec.id_prefix)
        self._check_new_id(node_id)
        self.history.push(cmd.AddNode(Node(node_id, type_name, full, (float(pos[0]), float(pos[1])))))
        return node_id

    def remove_nodes(self, node_ids: Iterable[str]) -> None:
        ids = [i for i in dict.fromkeys(node_ids)]
        for i in ids:
            self.node(i)
        if not ids:
            return
        text = f"Delete {ids[0]}" if len(ids) == 1 else f"Delete {len(ids)} nodes"
        with self.history.macro(text):
            for e in [e for e in self.edges if e.src in ids or e.dst in ids]:
                self.history.push(cmd.RemoveEdge(e))
            for i in ids:
                self.history.push(cmd.RemoveNode(self.nodes[i], self.weights.get(i)))

    def connect(self, src: str, dst: str, src_port: str = "out", dst_port: str = "in") -> Edge:
        edge = Edge(src, dst, src_port, dst_port)
        reason = self.why_not_connect(edge)
        if reason:
            raise EditError(reason)
        old = self.incoming(dst).get(dst_port)
        with self.history.macro(f"Connect {src} → {dst}"):
            if old is not None:
                self.history.push(cmd.RemoveEdge(old))
            self.history.push(cmd.AddEdge(edge))
        return edge

    def disconnect(self, edge: Edge) -> None:
        if edge not in self.edges:
            raise EditError(f"no such connection: {edge}")
        self.history.push(cmd.RemoveEdge(edge))

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        node = self.node(node_id)
        value = self._checked_param(node.spec, name, value)
        if node.params.get(name) == value:
            return
        ports_before = [p.name for p in node.spec.ports_in(node.params)]
        ports_after = [p.name for p in node.spec.ports_in({**node.params, name: value})]
        dropped = [e for e in self.edges if e.dst == node_id and e.dst_port in set(ports_before) - set(ports_after)]
        with self.history.macro(f"Set {node_id}.{name} = {value}"):
            for e in dropped:
                self.history.push(cmd.RemoveEdge(e))
            self.history.push(cmd.SetParam(node_id, name, node.params.get(name), value))

    def move_nodes(self, positions: dict[str, tuple[float, float]]) -> None:
        old = {i: self.node(i).pos for i in positions}
        new = {i: (float(x), float(y)) for i, (x, y) in positions.items()}
        if old == new:
            return
        self.history.push(cmd.MoveNodes(old, new))

    def rename_node(self, old_id: str, new_id: str) -> None:
        self.node(old_id)
        if new_id == old_id:
            return
        self._check_new_id(new_id)
        self.history.push(cmd.RenameNode(old_id, new_id))

    def set_setting(self, name: str, value: Any) -> None:
        spec = SETTINGS_BY_NAME.get(name)
        if spec is None:
            raise EditError(f"unknown training setting {name!r}")
        try:
            value = spec.check(value)
        except ParamError as e:
            raise EditError(f"{name}: {e}") from None
        if self.settings.get(name) == value:
            return
        self.history.push(cmd.SetSetting(name, self.settings.get(name), value))

    def set_dataset(self, dataset: dict[str, Any]) -> None:
        if dataset == self.dataset:
            return
        self.history.push(cmd.SetDataset(copy.deepcopy(self.dataset), copy.deepcopy(dataset)))

    def set_weight_value(self, node_id: str, name: str, index: tuple[int, ...], value: float) -> None:
        """Type one weight by hand (the neuron view): one undoable edit."""
        arrays = self.weights.get(node_id, {})
        if name not in arrays:
            raise EditError(f"{node_id} has no weights named {name!r} yet; train or reset the network first")
        array = arrays[name]
        try:
            old = float(array[index])
        except (IndexError, TypeError):
            raise EditError(f"{node_id}.{name} has shape {array.shape}; index {index} is outside it") from None
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise EditError(f"a weight must be a number, got {value!r}")
        if not np.isfinite(value):
            raise EditError("a weight must be a finite number")
        self.history.push(cmd.SetWeightValue(node_id, name, tuple(index), old, float(value)))

    def paste(self, fragment: dict[str, Any], offset: tuple[float, float] = (30.0, 30.0)) -> list[str]:
        """Add the nodes and internal edges of `fragment` (from `copy_fragment`) with fresh ids."""
        id_map: dict[str, str] = {}
        with self.history.macro(f"Paste {len(fragment['nodes'])} nodes"):
            for n in fragment["nodes"]:
                prefix = node_type(n["type"]).id_prefix
                new_id = n["id"] if n["id"] not in self.nodes else self.new_id(prefix)
                x, y = n["pos"]
                id_map[n["id"]] = self.add_node(n["type"], n["params"], (x + offset[0], y + offset[1]), new_id)
            for src, dst, sp, dp in fragment["edges"]:
                self.connect(id_map[src], id_map[dst], sp, dp)
        return list(id_map.values())

    def copy_fragment(self, node_ids: Iterable[str]) -> dict[str, Any]:
        """A plain-data copy of some nodes and the edges between them (the clipboard's content)."""
        ids = [i for i in self.nodes if i in set(node_ids)]
        return {
            "nodes": [
                {
                    "id": i,
                    "type": self.nodes[i].type,
                    "params": copy.deepcopy(self.nodes[i].params),
                    "pos": list(self.nodes[i].pos),
                }
                for i in ids
            ],
            "edges": [[e.src, e.dst, e.src_port, e.dst_port] for e in self.edges if e.src in ids and e.dst in ids],
        }

    def replace_weights(self, weights: dict[str, dict[str, np.ndarray]]) -> None:
        """Install trained or freshly initialised weights (not an undo step: training is not an edit)."""
        self.weights = {k: dict(v) for k, v in weights.items()}
        self.revision += 1
        self.events.weights_changed.emit(None)

    def add_run(self, run: dict[str, Any]) -> None:
        """Record a finished training run (not an undo step: a result, like trained weights)."""
        self.runs = (self.runs + [run])[-MAX_RUNS:]
        self.revision += 1
        self.events.runs_changed.emit()

    def remove_runs(self, run_ids: Iterable[int]) -> None:
        drop = set(run_ids)
        self.runs = [r for r in self.runs if r.get("id") not in drop]
        self.revision += 1
        self.events.runs_changed.emit()

    def replace_training_results(
        self, optimizer_state: dict[str, np.ndarray], training_history: dict[str, Any]
    ) -> None:
        """Install a run's optimizer state and history, or {} for both after Reset (not an undo step, like weights)."""
        self.optimizer_state = dict(optimizer_state)
        self.training_history = dict(training_history)
        self.revision += 1
        self.events.training_results_changed.emit()

    # ------------------------------------------------------------------ helpers
    def _type(self, name: str):
        if name not in REGISTRY:
            raise EditError(f"unknown node type {name!r}")
        return REGISTRY[name]

    def _checked_param(self, spec, name: str, value: Any) -> Any:
        try:
            return spec.param(name).check(value)
        except KeyError:
            raise EditError(f"{spec.name} has no parameter {name!r}") from None
        except ParamError as e:
            raise EditError(f"{name}: {e}") from None

    def _check_new_id(self, node_id: str) -> None:
        if not isinstance(node_id, str) or not ID_PATTERN.match(node_id):
            raise EditError(f"{node_id!r} is not a valid name: use letters, digits and _, starting with a letter")
        if node_id in self.nodes:
            raise EditError(f"a node named {node_id!r} already exists")

    # ------------------------------------------------------------------ low-level changes, used by commands only
    def _touch(self) -> None:
        self.revision += 1
        self.events.changed.emit()

    def _apply_add_node(
        self, node: Node, weights: dict[str, np.ndarray] | None = None, position: int | None = None
    ) -> None:
        """Add `node` at the end, or at `position` in node order (undoing a delete puts it back in place)."""
        added = Node(node.id, node.type, copy.deepcopy(node.params), node.pos)
        if position is None or position >= len(self.nodes):
            self.nodes[node.id] = added
        else:
            items = list(self.nodes.items())
            items.insert(position, (node.id, added))
            self.nodes = dict(items)
        if weights:
            self.weights[node.id] = dict(weights)
        self.events.node_added.emit(node.id)
        self._touch()

    def _apply_remove_node(self, node_id: str) -> None:
        del self.nodes[node_id]
        self.weights.pop(node_id, None)
        self.events.node_removed.emit(node_id)
        self._touch()

    def _apply_add_edge(self, edge: Edge, position: int | None = None) -> None:
        if position is None or position > len(self.edges):
            self.edges.append(edge)
        else:
            self.edges.insert(position, edge)
        self.events.edge_added.emit(edge)
        self._touch()

    def _apply_remove_edge(self, edge: Edge) -> int:
        position = self.edges.index(edge)
        del self.edges[position]
        self.events.edge_removed.emit(edge)
        self._touch()
        return position

    def _apply_set_param(self, node_id: str, name: str, value: Any) -> None:
        node = self.nodes[node_id]
        old = node.params.get(name)
        node.params[name] = value
        self.events.param_changed.emit(node_id, name, old, value)
        self._touch()

    def _apply_move(self, positions: dict[str, tuple[float, float]]) -> None:
        for i, p in positions.items():
            self.nodes[i].pos = p
            self.events.node_moved.emit(i, p)
        self.revision += 1

    def _apply_rename(self, old_id: str, new_id: str) -> None:
        node = self.nodes[old_id]
        node.id = new_id
        self.nodes = {(new_id if k == old_id else k): v for k, v in self.nodes.items()}
        self.edges = [
            Edge(new_id if e.src == old_id else e.src, new_id if e.dst == old_id else e.dst, e.src_port, e.dst_port)
            for e in self.edges
        ]
        if old_id in self.weights:
            self.weights[new_id] = self.weights.pop(old_id)
        self.events.node_renamed.emit(old_id, new_id)
        self._touch()

    def _apply_setting(self, name: str, value: Any) -> None:
        old = self.settings.get(name)
        self.settings[name] = value
        self.events.settings_changed.emit(name, old, value)
        self.revision += 1

    def _apply_dataset(self, dataset: dict[str, Any]) -> None:
        self.dataset = copy.deepcopy(dataset)
        self.events.settings_changed.emit("dataset", None, self.dataset)
        self.revision += 1

    def _apply_weight_value(self, node_id: str, name: str, index: tuple[int, ...], value: float) -> None:
        self.weights[node_id][name][index] = value
        self.revision += 1
        self.events.weights_changed.emit(node_id)
