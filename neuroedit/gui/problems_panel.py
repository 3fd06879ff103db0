"""Every validation problem of the network; clicking one selects and centres its node."""

from __future__ import annotations

from difflib import SequenceMatcher

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle

from ..model import Document, analyze
from .binding import DocBinding

NODE_ROLE = Qt.ItemDataRole.UserRole + 1
ICONS = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "ok": QStyle.StandardPixmap.SP_DialogApplyButton,
}


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
        self._rows: list[tuple[str, str | None, str]] = []  # (severity, node, message) of each item shown
        self._binding = DocBinding()
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)
        self.set_document(doc)

    def set_document(self, doc: Document) -> None:
        self.doc = doc
        self._binding.bind(doc, [(doc.events.changed, self._timer.start)])
        self.refresh()

    def refresh(self) -> None:
        """Show the current problems, changing only the rows that differ (a big graph has hundreds)."""
        problems = analyze(self.doc).problems
        rows = [(p.severity, p.node_id, p.message) for p in sorted(problems, key=lambda p: p.severity != "error")]
        if not problems:
            rows = [("ok", None, "No problems: the network is complete and its shapes fit together.")]
        if rows != self._rows:
            style = self.style()
            icons = {key: style.standardIcon(pixmap) for key, pixmap in ICONS.items()}
            matcher = SequenceMatcher(None, self._rows, rows, autojunk=False)
            for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
                if tag == "equal":
                    continue
                for _ in range(i2 - i1):
                    self.takeItem(i1)
                for k, row in enumerate(rows[j1:j2]):
                    self.insertItem(i1 + k, _item(icons, *row))
            self._rows = rows
        errors = sum(p.severity == "error" for p in problems)
        self.count_changed.emit(errors, len(problems) - errors)

    def _clicked(self, item: QListWidgetItem) -> None:
        node_id = item.data(NODE_ROLE)
        if node_id and node_id in self.doc.nodes:
            self.node_activated.emit(node_id)


def _item(icons: dict, severity: str, node_id: str | None, message: str) -> QListWidgetItem:
    if severity == "ok":
        item = QListWidgetItem(icons["ok"], message)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        return item
    item = QListWidgetItem(icons[severity], f"{node_id if node_id is not None else 'network'}: {message}")
    item.setData(NODE_ROLE, node_id)
    item.setToolTip(message + ("\nClick to show the node." if node_id else ""))
    return item
