"""The undoable commands. Each stores what it needs to reverse itself; none touches a view."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from .history import Command

if TYPE_CHECKING:
    from .document import Document, Edge, Node


class AddNode(Command):
    def __init__(self, node: Node) -> None:
        self.node = node
        self.text = f"Add {node.id}"

    def redo(self, doc: Document) -> None:
        doc._apply_add_node(self.node)

    def undo(self, doc: Document) -> None:
        doc._apply_remove_node(self.node.id)


class RemoveNode(Command):
    """Removes one node whose edges are already gone; keeps its weights for undo."""

    def __init__(self, node: Node, weights: dict[str, np.ndarray] | None) -> None:
        self.node = copy.deepcopy(node)
        self.weights = {k: v.copy() for k, v in (weights or {}).items()}
        self.position: int | None = None
        self.text = f"Delete {node.id}"

    def redo(self, doc: Document) -> None:
        self.position = list(doc.nodes).index(self.node.id)
        doc._apply_remove_node(self.node.id)

    def undo(self, doc: Document) -> None:
        doc._apply_add_node(self.node, self.weights, self.position)


class AddEdge(Command):
    def __init__(self, edge: Edge) -> None:
        self.edge = edge
        self.text = f"Connect {edge.src} → {edge.dst}"

    def redo(self, doc: Document) -> None:
        doc._apply_add_edge(self.edge)

    def undo(self, doc: Document) -> None:
        doc._apply_remove_edge(self.edge)


class RemoveEdge(Command):
    def __init__(self, edge: Edge) -> None:
        self.edge = edge
        self.position: int | None = None
        self.text = f"Disconnect {edge.src} → {edge.dst}"

    def redo(self, doc: Document) -> None:
        self.position = doc._apply_remove_edge(self.edge)

    def undo(self, doc: Document) -> None:
        doc._apply_add_edge(self.edge, self.position)


class SetParam(Command):
    def __init__(self, node_id: str, name: str, old: Any, new: Any) -> None:
        self.node_id, self.name, self.old, self.new = node_id, name, old, new
        self.text = f"Set {node_id}.{name} = {new}"

    def redo(self, doc: Document) -> None:
        doc._apply_set_param(self.node_id, self.name, self.new)

    def undo(self, doc: Document) -> None:
        doc._apply_set_param(self.node_id, self.name, self.old)


class MoveNodes(Command):
    """Consecutive moves of the same nodes merge, so a whole drag is one step."""

    def __init__(self, old: dict[str, tuple[float, float]], new: dict[str, tuple[float, float]]) -> None:
        self.old, self.new = old, new
        self.text = f"Move {next(iter(new))}" if len(new) == 1 else f"Move {len(new)} nodes"

    def redo(self, doc: Document) -> None:
        doc._apply_move(self.new)

    def undo(self, doc: Document) -> None:
        doc._apply_move(self.old)

    def merge_with(self, newer: Command) -> bool:
        if isinstance(newer, MoveNodes) and set(newer.new) == set(self.new):
            self.new = newer.new
            return True
        return False


class RenameNode(Command):
    def __init__(self, old_id: str, new_id: str) -> None:
        self.old_id, self.new_id = old_id, new_id
        self.text = f"Rename {old_id} → {new_id}"

    def redo(self, doc: Document) -> None:
        doc._apply_rename(self.old_id, self.new_id)

    def undo(self, doc: Document) -> None:
        doc._apply_rename(self.new_id, self.old_id)


class SetSetting(Command):
    def __init__(self, name: str, old: Any, new: Any) -> None:
        self.name, self.old, self.new = name, old, new
        self.text = f"Set {name} = {new}"

    def redo(self, doc: Document) -> None:
        doc._apply_setting(self.name, self.new)

    def undo(self, doc: Document) -> None:
        doc._apply_setting(self.name, self.old)


class SetDataset(Command):
    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old, self.new = old, new
        self.text = f"Data set {new.get('spec', '(none)')}"

    def redo(self, doc: Document) -> None:
        doc._apply_dataset(self.new)

    def undo(self, doc: Document) -> None:
        doc._apply_dataset(self.old)


class SetWeightValue(Command):
    def __init__(self, node_id: str, name: str, index: tuple[int, ...], old: float, new: float) -> None:
        self.node_id, self.name, self.index, self.old, self.new = node_id, name, index, old, new
        self.text = f"Set {node_id}.{name}{list(index)} = {new:g}"

    def redo(self, doc: Document) -> None:
        doc._apply_weight_value(self.node_id, self.name, self.index, self.new)

    def undo(self, doc: Document) -> None:
        doc._apply_weight_value(self.node_id, self.name, self.index, self.old)
