"""The decision-boundary view for 2-D inputs: the output as a heat map over the input plane with the data points,
and per-neuron thumbnails of small hidden layers (as in the TensorFlow Playground).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QScrollArea, QWidget

from ..heatmap import CLASS_COLORS, MID, NEG, POS, diverging, unit_pixmap
from .plots import LivePlot
from .probes import Boundary, Plane

BOUNDARY_TITLE = "Decision boundary"
OUTPUT_TITLE = "Output over the input plane"  # regression has no classes, hence no boundary
HEAT_STRENGTH = 0.62  # the heat map is paler than the points, so points of either class stay visible
THUMB = 44
MAX_ROWS = 10


class BoundaryView(LivePlot):
    """Heat map + points. `set_plane` once per run, `set_boundary` with each new evaluation."""

    def __init__(self, colors) -> None:
        super().__init__(BOUNDARY_TITLE, colors, "x₂", x_label="x₁", name="plot_decision_boundary")
        self.legend.hide()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("white", width=1.2), name="train")
        self.val_points = pg.ScatterPlotItem(size=8, symbol="t", pen=pg.mkPen("#222", width=1.0), name="validation")
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.val_points)
        self.item.setAspectLocked(False)
        self.plane: Plane | None = None
        self.latest: Boundary | None = None
        self._dirty = False
        self.thumbs = QWidget()
        self.thumb_grid = QGridLayout(self.thumbs)
        self.thumb_grid.setContentsMargins(2, 2, 2, 2)
        self.thumb_grid.setSpacing(3)
        scroll = QScrollArea()
        scroll.setWidget(self.thumbs)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.thumb_area = scroll
        row = QHBoxLayout()
        row.setSpacing(2)
        self.layout().removeWidget(self.plot)
        row.addWidget(self.plot, 1)
        row.addWidget(scroll)
        self.layout().addLayout(row, 1)
        scroll.hide()
        self._thumb_labels: dict[tuple[str, int], QLabel] = {}

    def set_plane(self, plane: Plane | None) -> None:
        self.plane = plane
        self.title = OUTPUT_TITLE if plane is not None and plane.task != "classification" else BOUNDARY_TITLE
        self.title_label.setText(f"<b>{self.title}</b>")
        self.latest = None
        self.image.clear()
        self._clear_thumbs()
        if plane is None:
            self.train_points.setData([])
            self.val_points.setData([])
            return
        (x0, x1), (y0, y1) = plane.x_range, plane.y_range
        self.image.setRect(x0, y0, x1 - x0, y1 - y0)
        self.train_points.setData(pos=plane.train[0], brush=self._brushes(plane.train[1]))
        if plane.val is not None:
            self.val_points.setData(pos=plane.val[0], brush=self._brushes(plane.val[1]))
        else:
            self.val_points.setData([])
        self.item.setRange(xRange=plane.x_range, yRange=plane.y_range, padding=0)

    def _value_range(self) -> tuple[float, float]:
        p = self.plane
        if p is None or p.task == "classification":
            return 0.0, 1.0
        t = p.train[1]
        lo, hi = float(np.min(t)), float(np.max(t))
        return (lo, hi) if hi > lo else (lo - 1, lo + 1)

    def _brushes(self, targets: np.ndarray) -> list:
        p = self.plane
        if p is not None and p.task == "classification":
            if p.num_classes <= 2:
                rgb = np.where(np.asarray(targets)[:, None] >= 0.5, POS, NEG)
            else:
                rgb = CLASS_COLORS[np.asarray(targets, int) % len(CLASS_COLORS)]
        else:
            lo, hi = self._value_range()
            rgb = diverging((np.asarray(targets, float) - lo) / (hi - lo))[:, :3].astype(float)
        return [pg.mkBrush(int(r), int(g), int(b)) for r, g, b in rgb]

    def set_boundary(self, b: Boundary) -> None:
        self.latest = b
        self._dirty = True

    def rgba(self, b: Boundary) -> np.ndarray:
        if b.classes is not None:
            base = CLASS_COLORS[b.classes % len(CLASS_COLORS)]
            conf = np.clip(b.value, 0, 1)[..., None]
            k = max(2, self.plane.num_classes if self.plane else 2)
            strength = np.clip((conf - 1.0 / k) / (1 - 1.0 / k), 0, 1) * HEAT_STRENGTH
            rgb = MID + (base - MID) * strength
            out = np.empty(b.value.shape + (4,), np.uint8)
            out[..., :3] = rgb.astype(np.uint8)
            out[..., 3] = 255
            return out
        lo, hi = self._value_range()
        t = (b.value - lo) / (hi - lo)
        return diverging(0.5 + (np.clip(t, 0, 1) - 0.5) * HEAT_STRENGTH)

    def refresh(self) -> bool:
        if not self._dirty or self.latest is None:
            return False
        self._dirty = False
        self.image.setImage(self.rgba(self.latest), autoLevels=False)
        if self.plane is not None:
            (x0, x1), (y0, y1) = self.plane.x_range, self.plane.y_range
            self.image.setRect(x0, y0, x1 - x0, y1 - y0)
        self._update_thumbs(self.latest.neurons)
        self.redraws += 1
        return True

    def _clear_thumbs(self) -> None:
        while self.thumb_grid.count():
            w = self.thumb_grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self._thumb_labels = {}
        self.thumb_area.hide()

    def _update_thumbs(self, neurons: dict[str, np.ndarray]) -> None:
        if not neurons:
            return
        for column, (op_id, maps) in enumerate(neurons.items()):
            for u in range(len(maps)):
                key = (op_id, u)
                label = self._thumb_labels.get(key)
                if label is None:
                    if u == 0:
                        name = QLabel(op_id)
                        name.setStyleSheet(f"color: {self.colors.muted.name()}; font-size: 8pt")
                        self.thumb_grid.addWidget(name, 0, column, Qt.AlignmentFlag.AlignHCenter)
                    label = QLabel()
                    label.setFixedSize(THUMB, THUMB)
                    label.setToolTip(f"{op_id} unit {u}: its output over the input plane")
                    self.thumb_grid.addWidget(label, 1 + u, column, Qt.AlignmentFlag.AlignHCenter)
                    self._thumb_labels[key] = label
                label.setPixmap(unit_pixmap(maps[u], THUMB))
        self.thumb_grid.setRowStretch(MAX_ROWS, 1)
        columns = len(neurons)
        self.thumb_area.setFixedWidth(columns * (THUMB + 12) + 8)
        self.thumb_area.show()

    def data_rows(self) -> tuple[list[str], list[list]]:
        b, p = self.latest, self.plane
        if b is None or p is None:
            return ["x1", "x2", "output"], []
        grid = p.grid()
        values = b.value.ravel()
        rows = [[float(x), float(y), float(v)] for (x, y), v in zip(grid, values)]
        if b.classes is not None:
            rows = [r + [int(c)] for r, c in zip(rows, b.classes.ravel())]
            return ["x1", "x2", "confidence", "class"], rows
        return ["x1", "x2", "output"], rows
