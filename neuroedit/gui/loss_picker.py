"""A newly dropped Loss node picks the loss that fits the data set, and follows the output it gets connected to.

The pick (model/loss_choice.py) is made when the node is dropped, and again after each later
edit that changes what fits (connecting it, the output layer's units or activation, the data
set), until the user sets the Loss's parameters themselves. The status bar says what was picked
and why. Re-picks are separate undoable edits, made after the edit that caused them has been
recorded; undo and redo never trigger one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer

from ..model import Document, EditError
from ..model.loss_choice import LossChoice, choose_loss, loss_input
from .binding import DocBinding


class LossPicker:
    """The main window gives it the dropped nodes (`dropped`), the loaded data sets (`data_loaded`) and
    File › New/Open (`follow`); `new_loss_params` gives a dropped Loss its parameters."""

    def __init__(self, doc: Document, show_status: Callable[[str], None]) -> None:
        self.show_status = show_status
        self.auto: set[str] = set()  # Loss nodes whose parameters the picker still owns
        self.data: dict[str, tuple[str, int]] = {}  # data-set spec -> (task, number of classes)
        self._pending = False
        self._own_edit = False
        self._mark = (0, 0)
        self._binding = DocBinding()
        self.follow(doc)

    def follow(self, doc: Document, path: str | None = None) -> None:
        self.doc = doc
        self.auto.clear()
        self._pending = False
        ev = doc.events
        self._binding.bind(
            doc,
            [
                (ev.edge_added, self._edge_added),
                (ev.param_changed, self._param_changed),
                (ev.settings_changed, self._setting_changed),
                (ev.history_changed, self._history),
            ],
        )
        self._mark = (doc.history.index, len(doc.history.texts))

    # ------------------------------------------------------------------ the pick
    def choice(self, loss_id: str | None) -> LossChoice | None:
        spec = self.doc.dataset.get("spec") if isinstance(self.doc.dataset, dict) else None
        task, classes = self.data.get(str(spec), (None, 0))
        units, activation = loss_input(self.doc, loss_id) if loss_id in self.doc.nodes else (None, None)
        return choose_loss(task, classes, units, activation)

    def new_loss_params(self) -> dict:
        choice = self.choice(None)
        return choice.params() if choice is not None else {}

    def _say(self, loss_id: str, choice: LossChoice | None) -> None:
        if choice is not None:
            self.show_status(
                f"{loss_id}: {choice.loss}{' (from logits)' if choice.from_logits else ''} "
                f"for {choice.reason}; change it in the Inspector"
            )

    def _refit(self) -> None:
        for loss_id in sorted(self.auto):
            node = self.doc.nodes.get(loss_id)
            if node is None or node.type != "Loss":
                continue
            choice = self.choice(loss_id)
            if choice is None or all(node.params.get(k) == v for k, v in choice.params().items()):
                continue
            self._own_edit = True
            try:
                with self.doc.history.macro(f"{loss_id} fits the output: {choice.loss}"):
                    for name, value in choice.params().items():
                        self.doc.set_param(loss_id, name, value)
            except EditError as e:
                self.show_status(str(e))
                continue
            finally:
                self._own_edit = False
            self._say(loss_id, choice)

    # ------------------------------------------------------------------ events
    def dropped(self, node_id: str) -> None:
        node = self.doc.nodes.get(node_id)
        if node is not None and node.type == "Loss":
            self.auto.add(node_id)
            self._say(node_id, self.choice(node_id))

    def _edge_added(self, edge) -> None:
        if edge.dst in self.auto:
            self._pending = True

    def _param_changed(self, node_id: str, name: str, old, new) -> None:
        if node_id in self.auto:
            if not self._own_edit:
                self.auto.discard(node_id)  # the user chose: the picker lets go
        elif name in ("units", "activation") and any(
            e.src == node_id and e.dst in self.auto for e in self.doc.outgoing(node_id)
        ):
            self._pending = True

    def _setting_changed(self, name: str, old, new) -> None:
        if name == "dataset" and self.auto:
            self._pending = True

    def data_loaded(self, dataset) -> None:
        if dataset is not None:
            self.data[dataset.spec] = (dataset.task, int(dataset.num_classes or 0))

    def _history(self) -> None:
        """Re-pick after a new edit (not after undo/redo, which must not record anything new)."""
        h = self.doc.history
        index, count = h.index, len(h.texts)
        old_index, old_count = self._mark
        self._mark = (index, count)
        undo_or_redo = index < old_index or (index == old_index + 1 and count == old_count > old_index)
        pending, self._pending = self._pending, False
        if pending and not undo_or_redo and not self._own_edit:
            QTimer.singleShot(0, self._refit)
