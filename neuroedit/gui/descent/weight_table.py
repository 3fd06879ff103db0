"""The inspector's weight matrix of a Dense node: one cell per weight (inputs × neurons) plus the biases.

Clicking a cell selects that weight for the "Loss along weight" panel.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...api.walkthrough.update import weight_symbol

MAX_SHOWN = 24  # rows and columns; larger layers show their first ones


class WeightTable(QWidget):
    weight_clicked = Signal(str, str, tuple)  # node, array name, index

    def __init__(self, node_id: str, weights: dict[str, np.ndarray], parent=None) -> None:
        super().__init__(parent)
        self.node_id = node_id
        kernel = np.asarray(weights["kernel"], np.float64)
        kernel = kernel.reshape(kernel.shape[0], -1)
        bias = weights.get("bias")
        n_in, units = kernel.shape
        rows, cols = min(n_in, MAX_SHOWN), min(units, MAX_SHOWN)
        self.table = QTableWidget(rows + (bias is not None), cols)
        self.table.setObjectName("weight_table")
        self.table.setHorizontalHeaderLabels([f"neuron {j + 1}" for j in range(cols)])
        self.table.setVerticalHeaderLabels(
            [f"input {i + 1}" for i in range(rows)] + (["bias"] if bias is not None else [])
        )
        for i in range(rows):
            for j in range(cols):
                self._cell(i, j, kernel[i, j], "kernel", (i, j), weight_symbol("kernel", (i, j), (n_in, units)).text())
        if bias is not None:
            b = np.asarray(bias, np.float64).ravel()
            for j in range(cols):
                self._cell(rows, j, b[j], "bias", (j,), f"b{j + 1}")
        self.table.resizeColumnsToContents()
        self.table.setMaximumHeight(34 + 26 * min(self.table.rowCount(), 8))
        self.table.cellClicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        more = f" (first {MAX_SHOWN} shown)" if max(n_in, units) > MAX_SHOWN else ""
        hint = QLabel(f"<b>Weights</b>{more}: click one to see the loss along it")
        layout.addWidget(hint)
        layout.addWidget(self.table)

    def _cell(self, row: int, col: int, value: float, name: str, index: tuple[int, ...], symbol: str) -> None:
        item = QTableWidgetItem(f"{value:.3g}")
        item.setData(Qt.ItemDataRole.UserRole, (name, index))
        item.setToolTip(f"{symbol} = {value:.6g}; click: loss along this weight")
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, col, item)

    def _clicked(self, row: int, col: int) -> None:
        item = self.table.item(row, col)
        if item is not None:
            name, index = item.data(Qt.ItemDataRole.UserRole)
            self.weight_clicked.emit(self.node_id, name, tuple(index))
