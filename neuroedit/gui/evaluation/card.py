"""A titled card around one plot or table, with PNG and CSV export buttons like the training plots."""

from __future__ import annotations

import csv
from collections.abc import Callable

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

Rows = tuple[list[str], list[list]]


class Card(QWidget):
    """`content` under a bold title; PNG saves the content as shown, CSV writes `rows()` (header, rows)."""

    def __init__(self, title: str, content: QWidget, rows: Callable[[], Rows] | None = None, name: str = "") -> None:
        super().__init__()
        self.setObjectName(name or f"card_{title.lower().replace(' ', '_')}")
        self.content = content
        self.rows = rows
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(1)
        self.head = QHBoxLayout()
        self.head.setContentsMargins(4, 0, 4, 0)
        self.title_label = QLabel(f"<b>{title}</b>")
        self.head.addWidget(self.title_label)
        self.head.addStretch(1)
        buttons = [("PNG", "Save as a PNG image", self._ask_png)]
        if rows is not None:
            buttons.append(("CSV", "Save the data as CSV", self._ask_csv))
        for text, tip, slot in buttons:
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            self.head.addWidget(b)
        lay.addLayout(self.head)
        lay.addWidget(content, 1)

    def set_title(self, title: str) -> None:
        self.title_label.setText(f"<b>{title}</b>")

    def export_png(self, path: str) -> bool:
        return self.content.grab().save(path, "PNG")

    def export_csv(self, path: str) -> None:
        assert self.rows is not None
        header, rows = self.rows()
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)

    def _ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save as PNG", f"{self.objectName()}.png", "PNG images (*.png)")
        if path:
            self.export_png(path if path.lower().endswith(".png") else path + ".png")

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save as CSV", f"{self.objectName()}.csv", "CSV files (*.csv)")
        if path:
            self.export_csv(path if path.lower().endswith(".csv") else path + ".csv")
