"""Every validation problem of the network; clicking one selects and centres its node."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle

from ..model import Document, analyze
from .binding import DocBinding

NODE_ROLE = Qt.ItemDataRole.UserRole + 1


class ProblemsPanel(QListWidget):
    """Emits `node_activated(node_id)` on click and `count_changed(errors, warnings)` after each refresh."""

    node_activated = Signal(str)
    count_changed = Signal(int, int)

    def __init__(self, doc: Document, parent=None) -> None:
        super().__init__(parent)
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.refresh)
        self._binding = DocBinding()
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)
        self.set_document(doc)

    def set_document(self, doc: Document) -> None:
        self.doc = doc
        self._binding.bind(doc, [(doc.events.changed, self._timer.start)])
        self.refresh()

    def refresh(self) -> None:
        problems = analyze(self.doc).problems
        style = self.style()
        icons = {"error": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
                 "warning": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)}
        self.clear()
        for p in sorted(problems, key=lambda p: p.severity != "error"):
            where = p.node_id if p.node_id is not None else "network"
            item = QListWidgetItem(icons[p.severity], f"{where}: {p.message}")
            item.setData(NODE_ROLE, p.node_id)
            item.setToolTip(p.message + ("\nClick to show the node." if p.node_id else ""))
            self.addItem(item)
        if not problems:
            item = QListWidgetItem(style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton),
                                   "No problems: the network is complete and its shapes fit together.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)
        errors = sum(p.severity == "error" for p in problems)
        self.count_changed.emit(errors, len(problems) - errors)

    def _clicked(self, item: QListWidgetItem) -> None:
        node_id = item.data(NODE_ROLE)
        if node_id and node_id in self.doc.nodes:
            self.node_activated.emit(node_id)
