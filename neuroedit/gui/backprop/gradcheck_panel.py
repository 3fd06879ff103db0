"""Gradient check panel: backprop against central finite differences for every parameter of the current sample."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...api.gradcheck import GradCheck, gradient_check
from .walkthrough_player import WalkthroughPlayer, parse_numbers

COLUMNS = ["Node", "Parameter", "Index", "Backprop", "Numeric", "Relative error"]
FLAG_BACKGROUND = QColor("#f8d7da")
FLAG_TEXT = QColor("#9b1c1c")


class GradCheckPanel(QWidget):
    status_message = Signal(str)

    def __init__(self, player: WalkthroughPlayer, parent=None) -> None:
        super().__init__(parent)
        self.player = player
        self.result: GradCheck | None = None
        self.run_button = QPushButton("Run gradient check")
        self.run_button.setToolTip("Compare every backprop gradient with (L(w+h) − L(w−h)) / 2h on the current sample")
        self.summary = QLabel("Checks the backward pass of the step-through's sample (first sample of a mini-batch).")
        self.summary.setObjectName("gradcheck_summary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("gradcheck_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.run_button.clicked.connect(self.run)

    def run(self) -> GradCheck | None:
        c, kw = self.player.choice, {}
        try:
            if c.mode == "inputs":
                kw["inputs"] = {
                    n: (v[0] if len(v) == 1 else v)
                    for n, v in ((n, parse_numbers(t, f"input {n}")) for n, t in c.inputs.items())
                }
            else:
                kw["sample"] = int(c.batch[0] if c.mode == "batch" and c.batch else c.index)
            if c.target.strip():
                kw["target"] = parse_numbers(c.target, "target")
            from ...api.session import ensure_weights

            ensure_weights(self.player.doc)
            self.result = gradient_check(self.player.doc, base_dir=self.player.base_dir(), **kw)
        except ValueError as e:
            self.result = None
            self.table.setRowCount(0)
            self.summary.setText(f"Cannot check: {e}")
            self.status_message.emit(f"Gradient check: {e}")
            return None
        self._show(self.result)
        return self.result

    def _show(self, r: GradCheck) -> None:
        self.table.setRowCount(len(r.rows))
        for k, row in enumerate(r.rows):
            cells = [
                row.node,
                row.param,
                ",".join(map(str, row.index)) or "–",
                f"{row.backprop:.6g}",
                f"{row.numeric:.6g}",
                f"{row.rel_err:.1e}",
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if row.flagged:
                    item.setBackground(QBrush(FLAG_BACKGROUND))
                    item.setForeground(QBrush(FLAG_TEXT))
                self.table.setItem(k, c, item)
        verdict = (
            "all agree"
            if r.ok
            else f"{len(r.flagged)} flagged above {r.threshold:g} — a derivative "
            "may be wrong (or the loss is not smooth here)"
        )
        notes = r.sampled_notes()
        self.summary.setText(
            f"{len(r.rows)} elements checked with h = {r.h:g}; largest relative error "
            f"{r.max_rel_err:.1e}; {verdict}." + (" " + "; ".join(notes) if notes else "")
        )

    def flagged_rows(self) -> list[int]:
        return [
            k for k in range(self.table.rowCount()) if self.table.item(k, 0).background().color() == FLAG_BACKGROUND
        ]
