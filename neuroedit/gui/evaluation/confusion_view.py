"""The confusion matrix as a clickable heat map: counts or row-normalised shares, rows = true class."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont

LOW, HIGH = np.array([247.0, 251.0, 255.0]), np.array([8.0, 69.0, 148.0])
MAX_LABELLED = 20  # bigger matrices show colour only; their cells still click


class _Cells(pg.ImageItem):
    def __init__(self, view: ConfusionView) -> None:
        super().__init__(axisOrder="row-major")
        self.view = view

    def mouseClickEvent(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        pos = ev.pos()
        k = self.view.matrix.shape[0]
        col, row = int(np.floor(pos.x())), int(np.floor(pos.y()))
        if 0 <= row < k and 0 <= col < k:
            ev.accept()
            self.view.cell_clicked.emit(row, col)


class ConfusionView(pg.PlotWidget):
    """`set_matrix(counts, names)`; emits `cell_clicked(true_class, predicted_class)`."""

    cell_clicked = Signal(int, int)

    def __init__(self, colors) -> None:
        super().__init__()
        self.setObjectName("confusion_view")
        self.setBackground(colors.card)
        self.colors = colors
        self.matrix = np.zeros((0, 0), np.int64)
        self.names: list[str] = []
        self.normalized = False
        self.selected: tuple[int, int] | None = None
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        self.vb = item.getViewBox()
        self.vb.invertY(True)
        self.vb.setMouseEnabled(False, False)
        self.vb.setAspectLocked(True)
        item.setLabel("left", "true class")
        item.setLabel("bottom", "predicted class")
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(colors.muted))
            axis.setTextPen(pg.mkPen(colors.text))
        self.cells = _Cells(self)
        self.addItem(self.cells)
        self.frame = pg.QtWidgets.QGraphicsRectItem(0, 0, 1, 1)
        self.frame.setPen(pg.mkPen("#e8730c", width=3))
        self.frame.hide()
        self.addItem(self.frame)
        self.labels: list[pg.TextItem] = []

    def set_matrix(self, matrix: np.ndarray, names: list[str]) -> None:
        resized = matrix.shape != self.matrix.shape or names != self.names
        self.matrix, self.names = np.asarray(matrix), list(names)
        if resized:
            self._axes()
        self._draw()
        if resized:
            k = len(names)
            self.vb.setRange(xRange=(0, k), yRange=(0, k), padding=0.02)

    def set_normalized(self, on: bool) -> None:
        self.normalized = on
        self._draw()

    def select(self, cell: tuple[int, int] | None) -> None:
        self.selected = cell
        if cell is None:
            self.frame.hide()
        else:
            self.frame.setRect(cell[1], cell[0], 1, 1)
            self.frame.show()

    def shares(self) -> np.ndarray:
        m = self.matrix.astype(np.float64)
        rows = m.sum(axis=1, keepdims=True)
        return np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)

    def cell_text(self, row: int, col: int) -> str:
        return f"{self.shares()[row, col] * 100:.0f}%" if self.normalized else str(int(self.matrix[row, col]))

    def _axes(self) -> None:
        ticks = [[(i + 0.5, n if len(n) <= 10 else n[:9] + "…") for i, n in enumerate(self.names)]]
        item = self.getPlotItem()
        item.getAxis("left").setTicks(ticks)
        item.getAxis("bottom").setTicks(ticks)
        for label in self.labels:
            self.removeItem(label)
        self.labels = []
        k = len(self.names)
        if k > MAX_LABELLED:
            return
        font = QFont()
        font.setPointSize(8 if k > 10 else 9)
        for i in range(k):
            for j in range(k):
                t = pg.TextItem("", anchor=(0.5, 0.5))
                t.setFont(font)
                t.setPos(j + 0.5, i + 0.5)
                self.addItem(t)
                self.labels.append(t)

    def _draw(self) -> None:
        m = self.matrix
        if m.size == 0:
            return
        shares = self.shares()
        level = shares if self.normalized else m / max(int(m.max()), 1)
        rgb = (LOW + (HIGH - LOW) * level[..., None]).astype(np.uint8)
        self.cells.setImage(rgb, levels=(0, 255))
        self.cells.setRect(0, 0, m.shape[1], m.shape[0])
        k = m.shape[0]
        texts = [f"{v * 100:.0f}%" for v in shares.ravel()] if self.normalized else [str(int(v)) for v in m.ravel()]
        for n, label in enumerate(self.labels):
            i, j = divmod(n, k)
            color = "#ffffff" if level[i, j] > 0.5 else "#28283a"
            if (texts[n], color) != getattr(label, "shown", None):  # setText re-lays out HTML: skip unchanged
                label.setText(texts[n], color)
                label.shown = (texts[n], color)
