"""The inspector: the selected node's parameters, or the network's training settings when nothing is selected.

Editors are generated from the ParamSpec declarations; each edit is one undoable
document command, and the editors follow document events (so undo updates them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from ..model import SETTINGS, Document, EditError, ParamSpec, analyze, node_type
from .binding import DocBinding
from .param_editors import make_editor


class Inspector(QScrollArea):
    """Emits `status_message` when the document refuses an edit (the reason is also shown inline)."""

    status_message = Signal(str)

    def __init__(self, doc: Document, colors, parent=None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.colors = colors
        self.doc = doc
        self.node_id: str | None = None
        self._mode = "settings"
        self._specs: list[ParamSpec] = []
        self._editors: dict[str, QWidget] = {}
        self._form: QFormLayout | None = None
        self._binding = DocBinding()
        # Extra views below a node's parameters (activation curves, weight matrix): each returns a widget or None.
        self.node_extras: list[Callable[[str], QWidget | None]] = []
        self._problems_timer = QTimer(self, singleShot=True, interval=0)
        self._problems_timer.timeout.connect(self._show_problems)
        self.set_document(doc)

    # ------------------------------------------------------------------ what to show
    def set_document(self, doc: Document) -> None:
        self.doc = doc
        ev = doc.events
        self._binding.bind(
            doc,
            [
                (ev.param_changed, self._on_param_changed),
                (ev.settings_changed, self._on_settings_changed),
                (ev.node_renamed, self._on_renamed),
                (ev.node_removed, self._on_removed),
                (ev.changed, self._problems_timer.start),
            ],
        )
        self.show_settings()

    def show_selection(self, node_ids: list[str]) -> None:
        if len(node_ids) == 1:
            self.show_node(node_ids[0])
        elif node_ids:
            self._build(f"{len(node_ids)} nodes selected", "Select one node to edit its parameters.", [], {}, None)
            self._mode, self.node_id = "multi", None
        else:
            self.show_settings()

    def show_node(self, node_id: str) -> None:
        node = self.doc.node(node_id)
        self._mode, self.node_id = "node", node_id
        try:
            spec = node_type(node.type)
            title, description, specs = f"{spec.display_name}", spec.description, list(spec.params)
        except KeyError:
            title, description, specs = node.type, "unknown node type", []
        self._build(
            title,
            description,
            specs,
            node.params,
            lambda name, value: self.doc.set_param(node_id, name, value),
            name_field=True,
        )
        for extra in self.node_extras:
            widget = extra(node_id)
            if widget is not None:
                self._page_layout.insertWidget(self._page_layout.count() - 1, widget)

    def show_settings(self) -> None:
        self._mode, self.node_id = "settings", None
        data = self.doc.dataset.get("spec") if self.doc.dataset else None
        description = "How the network is trained. Select a node to edit it instead." + (
            f"<br>Data set: <b>{data}</b>" if data else "<br>Data set: none chosen"
        )
        self._build("Training settings", description, list(SETTINGS), self.doc.settings, self.doc.set_setting)

    # ------------------------------------------------------------------ building the form
    def _build(
        self,
        title: str,
        description: str,
        specs: list[ParamSpec],
        values: dict[str, Any],
        commit: Callable[[str, Any], None] | None,
        name_field: bool = False,
    ) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 8, 10, 8)
        heading = QLabel(f"<span style='font-size:13pt; font-weight:600'>{title}</span>")
        layout.addWidget(heading)
        about = QLabel(description)
        about.setWordWrap(True)
        about.setTextFormat(Qt.TextFormat.RichText if "<" in description else Qt.TextFormat.PlainText)
        about.setStyleSheet(f"color: {self.colors.muted.name()}")
        layout.addWidget(about)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        layout.addLayout(form)
        self.name_edit: QLineEdit | None = None
        if name_field and self.node_id is not None:
            self.name_edit = QLineEdit(self.node_id, objectName="node_name")
            self.name_edit.setToolTip("The node's name (letters, digits and _); press Enter to rename")
            self.name_edit.editingFinished.connect(self._rename)
            form.addRow("Name", self.name_edit)
        self._editors = {}
        self._specs = specs
        for spec in specs:
            editor = make_editor(spec)
            editor.set_value(values.get(spec.name, spec.default))
            if commit is not None:
                editor.committed.connect(lambda value, name=spec.name: self._commit(commit, name, value))
            label = QLabel(spec.title)
            label.setToolTip(spec.description)
            form.addRow(label, editor)
            self._editors[spec.name] = editor
        self._form = form
        self.error_label = QLabel(objectName="inspector_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {self.colors.error.name()}")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.problems_label = QLabel(objectName="inspector_problems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.problems_label)
        layout.addStretch(1)
        self._page_layout = layout
        self.setWidget(page)
        self._update_visibility(values)
        self._show_problems()

    def _update_visibility(self, values: dict[str, Any]) -> None:
        if self._form is None:
            return
        for spec in self._specs:
            editor = self._editors.get(spec.name)
            if editor is not None:
                self._form.setRowVisible(editor, spec.is_relevant(values))

    def editor(self, name: str) -> QWidget:
        return self._editors[name]

    # ------------------------------------------------------------------ edits
    def _commit(self, commit: Callable[[str, Any], None], name: str, value: Any) -> None:
        try:
            commit(name, value)
        except EditError as e:
            self._show_error(f"{name}: {e}" if not str(e).startswith(name) else str(e))
            self._reload_values()
            return
        self.error_label.hide()

    def _rename(self) -> None:
        if self.name_edit is None or self.node_id is None:
            return
        new = self.name_edit.text().strip()
        if new == self.node_id:
            return
        try:
            self.doc.rename_node(self.node_id, new)
        except EditError as e:
            self._show_error(str(e))
            self.name_edit.setText(self.node_id)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.status_message.emit(text)

    def _current_values(self) -> dict[str, Any]:
        if self._mode == "node" and self.node_id in self.doc.nodes:
            return self.doc.nodes[self.node_id].params
        return self.doc.settings if self._mode == "settings" else {}

    def _reload_values(self) -> None:
        values = self._current_values()
        for name, editor in self._editors.items():
            editor.set_value(values.get(name))
        self._update_visibility(values)

    # ------------------------------------------------------------------ document events
    def _on_param_changed(self, node_id: str, name: str, old, new) -> None:
        if self._mode == "node" and node_id == self.node_id:
            self._reload_values()

    def _on_settings_changed(self, name: str, old, new) -> None:
        if self._mode == "settings":
            if name == "dataset":
                self.show_settings()
            else:
                self._reload_values()

    def _on_renamed(self, old_id: str, new_id: str) -> None:
        if self.node_id == old_id:
            self.node_id = new_id
            if self.name_edit is not None:
                self.name_edit.setText(new_id)

    def _on_removed(self, node_id: str) -> None:
        if self.node_id == node_id:
            self.show_settings()

    def _show_problems(self) -> None:
        if self._mode != "node" or self.node_id not in self.doc.nodes:
            self.problems_label.setText("")
            return
        problems = analyze(self.doc).problems_for(self.node_id)
        lines = []
        for p in problems:
            color = self.colors.error if p.severity == "error" else self.colors.warning
            lines.append(f"<span style='color:{color.name()}'>● {_html(p.message)}</span>")
        self.problems_label.setText("<br>".join(lines))


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
