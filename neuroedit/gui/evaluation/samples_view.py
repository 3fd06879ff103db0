"""The samples behind a confusion-matrix cell (or the most confident mistakes): thumbnails for images,
rows for tables, highlighted points on the 2-D plot for Playground data sets."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
)

from ...evaluation.predictions import Predictions

MAX_SHOWN = 200  # thumbnails or rows listed at once (the title says how many there are)
THUMB = 56
CLASS_COLORS = (
    "#2f7cf6",
    "#e8730c",
    "#22a06b",
    "#c8414b",
    "#7b5cc4",
    "#0f8f9c",
    "#b8860b",
    "#d63384",
    "#5a5a5a",
    "#78aa28",
)


def view_kind(pred: Predictions) -> str:
    """gallery (images), points (two inputs), or rows (anything else)."""
    if pred.is_image and len(pred.input_shape) >= 2:
        return "gallery"
    if pred.x.ndim == 2 and pred.x.shape[1] == 2:
        return "points"
    return "rows"


def thumbnail(sample: np.ndarray, shape: tuple[int, ...]) -> QPixmap:
    """A grey (or colour, for HxWx3) image of one sample, contrast-stretched to its own range."""
    a = np.asarray(sample, dtype=np.float64).reshape(shape)
    if a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3):
        a = np.moveaxis(a, 0, -1)
    lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
    a = np.nan_to_num((a - lo) / ((hi - lo) or 1.0) * 255.0).astype(np.uint8)
    if a.ndim == 3 and a.shape[-1] == 3:
        rgb = np.ascontiguousarray(a)
        img = QImage(rgb.data, rgb.shape[1], rgb.shape[0], 3 * rgb.shape[1], QImage.Format.Format_RGB888)
    else:
        grey = np.ascontiguousarray(a.reshape(a.shape[0], -1))
        img = QImage(grey.data, grey.shape[1], grey.shape[0], grey.shape[1], QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(img.copy()).scaled(
        THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


class SamplesView(QStackedWidget):
    """`show_samples(pred, indices, predicted)`; the shown sample indices are in `shown`."""

    def __init__(self, colors) -> None:
        super().__init__()
        self.setObjectName("samples_view")
        self.gallery = QListWidget()
        self.gallery.setObjectName("samples_gallery")
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(THUMB, THUMB))
        self.gallery.setResizeMode(QListView.ResizeMode.Adjust)
        self.gallery.setMovement(QListView.Movement.Static)
        self.gallery.setUniformItemSizes(True)
        self.gallery.setGridSize(QSize(THUMB + 18, THUMB + 34))
        self.table = QTableWidget()
        self.table.setObjectName("samples_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.points = pg.PlotWidget()
        self.points.setObjectName("samples_points")
        self.points.setBackground(colors.card)
        self.points.getPlotItem().setAspectLocked(True)
        self.background = pg.ScatterPlotItem(size=5, pen=None)
        self.highlight = pg.ScatterPlotItem(size=11, pen=pg.mkPen("#111111", width=1.5), brush=pg.mkBrush(0, 0, 0, 0))
        self.points.addItem(self.background)
        self.points.addItem(self.highlight)
        for w in (self.gallery, self.table, self.points):
            self.addWidget(w)
        self.kind = "rows"
        self.shown: np.ndarray = np.zeros(0, np.int64)
        self._pred: Predictions | None = None
        self._drawn: tuple | None = None

    def set_predictions(self, pred: Predictions) -> None:
        """A new evaluation: choose the view and draw the whole data set where it is a 2-D plot."""
        self._pred = pred
        self.kind = view_kind(pred)
        self.setCurrentWidget({"gallery": self.gallery, "rows": self.table, "points": self.points}[self.kind])
        if self.kind == "points":
            brushes = (
                [pg.mkBrush(CLASS_COLORS[int(c) % len(CLASS_COLORS)] + "66") for c in pred.y_true.reshape(-1)]
                if pred.proba is not None
                else None
            )
            self.background.setData(pred.x[:, 0], pred.x[:, 1], brush=brushes)

    def show_samples(self, indices: np.ndarray, predicted: np.ndarray) -> None:
        pred = self._pred
        if pred is None:
            return
        indices = np.asarray(indices, np.int64)
        if (
            self._drawn is not None
            and self._drawn[0] is pred
            and np.array_equal(self._drawn[1], indices)
            and np.array_equal(self._drawn[2], predicted[indices])
        ):
            return  # the same samples with the same predictions: nothing to redraw
        self._drawn = (pred, indices, predicted[indices])
        self.shown = indices
        if self.kind == "gallery":
            self._fill_gallery(pred, self.shown[:MAX_SHOWN], predicted)
        elif self.kind == "points":
            self.highlight.setData(pred.x[self.shown, 0], pred.x[self.shown, 1])
        else:
            self._fill_table(pred, self.shown[:MAX_SHOWN], predicted)

    def _fill_gallery(self, pred: Predictions, idx: np.ndarray, predicted: np.ndarray) -> None:
        self.gallery.clear()
        names = pred.class_names
        for i in idx:
            conf = float(pred.proba[i, predicted[i]]) if pred.proba is not None else 0.0
            item = QListWidgetItem(QIcon(thumbnail(pred.x[i], pred.input_shape)), f"#{i} {conf:.0%}")
            item.setToolTip(f"sample {i}: true {names[pred.y_true[i]]}, predicted {names[predicted[i]]} ({conf:.1%})")
            item.setData(Qt.ItemDataRole.UserRole, int(i))
            self.gallery.addItem(item)

    def _fill_table(self, pred: Predictions, idx: np.ndarray, predicted: np.ndarray) -> None:
        features = pred.feature_names or [f"x{k}" for k in range(pred.x.reshape(len(pred.x), -1).shape[1])]
        features = features[:8]
        header = ["index", "true", "predicted", "confidence", "loss", *features]
        flat = pred.x.reshape(len(pred.x), -1)
        self.table.clear()
        self.table.setColumnCount(len(header))
        self.table.setHorizontalHeaderLabels(header)
        self.table.setRowCount(len(idx))
        names = pred.class_names
        for r, i in enumerate(idx):
            if pred.proba is not None:
                cells = [str(i), names[pred.y_true[i]], names[predicted[i]], f"{pred.proba[i, predicted[i]]:.3f}"]
            else:
                cells = [str(i), f"{pred.y_true[i, 0]:.4g}", f"{pred.outputs[i, 0]:.4g}", ""]
            cells += [f"{pred.sample_loss[i]:.4g}", *[f"{v:.4g}" for v in flat[i, : len(features)]]]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
