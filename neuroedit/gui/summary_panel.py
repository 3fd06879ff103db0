"""The Keras-style summary table (name, type, output shape, parameters, totals), updated live."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from ..model import Document, analyze, summary_rows
from .binding import DocBinding


class SummaryPanel(QWidget):
    def __init__(self, doc: Document, parent=None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Layer", "Type", "Output shape", "Param #"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.totals = QLabel(objectName="summary_totals")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table)
        layout.addWidget(self.totals)
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.refresh)
        self._binding = DocBinding()
        self._stale = True
        self._dock: QDockWidget | None = None
        self.set_document(doc)

    def set_document(self, doc: Document) -> None:
        self.doc = doc
        self._binding.bind(
            doc, [(doc.events.changed, self._timer.start), (doc.events.node_renamed, lambda *a: self._timer.start())]
        )
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the rows; while the panel is hidden (a background tab) wait until it is shown."""
        if not self.isVisible() or self.visibleRegion().isEmpty():
            self._stale = True
            return
        self._stale = False
        rows = summary_rows(self.doc)
        self.table.setUpdatesEnabled(False)
        try:
            self.table.setRowCount(len(rows))
            for i, r in enumerate(rows):
                for j, text in enumerate((r.name, r.type, r.output_shape, f"{r.params:,}")):
                    item = self.table.item(i, j)
                    if item is None:
                        item = QTableWidgetItem(text)
                        if j == 3:
                            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                        self.table.setItem(i, j, item)
                    elif item.text() != text:
                        item.setText(text)
        finally:
            self.table.setUpdatesEnabled(True)
        trainable, frozen = analyze(self.doc).totals()
        self.totals.setText(
            f"Total params: <b>{trainable + frozen:,}</b> &nbsp;·&nbsp; "
            f"Trainable: {trainable:,} &nbsp;·&nbsp; Non-trainable: {frozen:,}"
        )

    def showEvent(self, event) -> None:
        super().showEvent(event)
        dock = self.parentWidget()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        if dock is not None and dock is not self._dock:
            self._dock = dock  # a dock in a background tab stays "visible"; its signal says when it shows
            dock.visibilityChanged.connect(self._catch_up)
        self._catch_up(True)

    def _catch_up(self, visible: bool) -> None:
        if visible and self._stale:
            QTimer.singleShot(0, self.refresh)
