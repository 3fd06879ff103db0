"""File > New (and the start without a file): choose a course network or a blank canvas."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout

from .templates import TEMPLATES, Template

KEY_ROLE = Qt.ItemDataRole.UserRole + 1


class TemplatePicker(QDialog):
    """Accepted with `chosen` set to a Template, or with `open_file_requested` True for File > Open."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New network — NeuroEdit")
        self.chosen: Template | None = None
        self.open_file_requested = False
        self.list = QListWidget(objectName="templates")
        self.list.setSpacing(2)
        self.list.setIconSize(QSize(0, 0))
        for t in TEMPLATES:
            item = QListWidgetItem(f"{t.title}\n{t.summary}")
            item.setData(KEY_ROLE, t.key)
            item.setSizeHint(QSize(420, 46))
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        open_button = QPushButton("Open file…")
        buttons.addButton(open_button, QDialogButtonBox.ButtonRole.ActionRole)
        open_button.clicked.connect(self._open_file)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Start from a course network or a blank canvas</b>"))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(480, 520)

    def accept(self) -> None:
        item = self.list.currentItem()
        if item is not None and not self.open_file_requested:
            self.chosen = next(t for t in TEMPLATES if t.key == item.data(KEY_ROLE))
        super().accept()

    def _open_file(self) -> None:
        self.open_file_requested = True
        super().accept()
