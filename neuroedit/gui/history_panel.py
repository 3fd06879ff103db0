"""Edit > History: the undo stack as a list; clicking an entry undoes or redoes up to it."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from ..model import Document
from .binding import DocBinding

START_TEXT = "<opened>"


class HistoryPanel(QListWidget):
    """Row 0 is the state when the file was opened; row i is after the i-th command."""

    def __init__(self, doc: Document, parent=None) -> None:
        super().__init__(parent)
        self._binding = DocBinding()
        self._updating = False
        self.currentRowChanged.connect(self._go)
        self.set_document(doc)

    def set_document(self, doc: Document) -> None:
        self.doc = doc
        self._binding.bind(doc, [(doc.events.history_changed, self.refresh)])
        self.refresh()

    def refresh(self) -> None:
        self._updating = True
        try:
            self.clear()
            history = self.doc.history
            muted = QBrush(self.palette().color(self.palette().ColorGroup.Disabled, self.palette().ColorRole.Text))
            for i, text in enumerate([START_TEXT, *history.texts]):
                item = QListWidgetItem(text)
                if i > history.index:
                    item.setForeground(muted)
                self.addItem(item)
            self.setCurrentRow(history.index)
        finally:
            self._updating = False

    def _go(self, row: int) -> None:
        if not self._updating and row >= 0 and row != self.doc.history.index:
            # Deferred: rebuilding this list inside its own selection signal is not safe.
            QTimer.singleShot(0, lambda doc=self.doc: doc.history.go_to(row))
