"""A tiny Qt-free signal so views can follow the document without polling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Signal:
    """Calls every connected callback, in connection order, with the emitted arguments."""

    def __init__(self) -> None:
        self._slots: list[Callable[..., Any]] = []

    def connect(self, slot: Callable[..., Any]) -> None:
        self._slots.append(slot)

    def disconnect(self, slot: Callable[..., Any]) -> None:
        self._slots.remove(slot)

    def emit(self, *args: Any) -> None:
        for slot in list(self._slots):
            slot(*args)


class DocumentEvents:
    """The events a Document emits. Arguments are plain values (ids, names), never objects to mutate."""

    def __init__(self) -> None:
        self.node_added = Signal()  # (node_id)
        self.node_removed = Signal()  # (node_id)
        self.node_renamed = Signal()  # (old_id, new_id)
        self.edge_added = Signal()  # (edge)
        self.edge_removed = Signal()  # (edge)
        self.param_changed = Signal()  # (node_id, name, old, new)
        self.node_moved = Signal()  # (node_id, (x, y))
        self.settings_changed = Signal()  # (name, old, new)
        self.weights_changed = Signal()  # (node_id or None for all)
        self.runs_changed = Signal()  # () a training run was recorded or removed
        self.training_results_changed = Signal()  # () the optimizer state and training history were replaced
        self.changed = Signal()  # () after any structural or parameter change: re-validate
        self.clean_changed = Signal()  # (is_clean)
        self.history_changed = Signal()  # ()
