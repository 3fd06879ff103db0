"""Previews of a loaded Dataset: scatter plot (2-D), image grid, table, and class histogram."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .heatmap import class_color

SPLIT_SYMBOLS = {"train": "o", "val": "t", "test": "s"}
SPLIT_TITLES = {"train": "train", "val": "validation", "test": "test"}
SPLIT_GLYPHS = {"train": "●", "val": "▼", "test": "■"}
MAX_KEY_CLASSES = 12
MAX_SCATTER_POINTS = 4000
GRID_IMAGES = 24
TABLE_ROWS = 100


def sample_grey_image(sample: np.ndarray, scale: int = 3) -> QImage:
    """A float image in [0, 1] (H×W or H×W×C) as a QImage, enlarged by `scale` for legibility."""
    a = np.clip(np.nan_to_num(sample), 0, 1)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    a = (a * 255).astype(np.uint8)
    a = np.ascontiguousarray(np.repeat(np.repeat(a, scale, axis=0), scale, axis=1))
    if a.ndim == 3 and a.shape[2] == 3:
        image = QImage(a.data, a.shape[1], a.shape[0], a.strides[0], QImage.Format.Format_RGB888)
    else:
        a = a if a.ndim == 2 else a.reshape(a.shape[0], -1)
        image = QImage(a.data, a.shape[1], a.shape[0], a.strides[0], QImage.Format.Format_Grayscale8)
    return image.copy()  # own the pixels: `a` goes away


def preview_kind(ds) -> str:
    """scatter for 2-input sets, images for image data, table otherwise."""
    if ds.is_image and len(ds.input_shape) in (2, 3):
        return "images"
    if ds.input_shape == (2,):
        return "scatter"
    return "table"


class ScatterPreview(pg.PlotWidget):
    """The 2-D inputs: classes by colour, splits by symbol (regression: colour by target).

    The key is `scatter_key_html` (shown under the plot by the Data panel): a legend inside a
    plot as narrow as the dock would hide the points.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w")
        self.setObjectName("data_scatter")
        self.items: dict[str, pg.ScatterPlotItem] = {}

    def show_dataset(self, ds) -> None:
        self.clear()
        self.items = {}
        names = ds.feature_names if len(ds.feature_names) == 2 else ["x1", "x2"]
        self.setLabel("bottom", names[0])
        self.setLabel("left", names[1])
        for split, (x, y) in ds.splits.items():
            if x.shape[0] == 0 or (split != "train" and x is ds.train[0]):
                continue  # tiny sets: val/test are the training patterns
            step = max(1, x.shape[0] // MAX_SCATTER_POINTS)
            x, y = x[::step], y[::step]
            brushes = self._brushes(ds, y)
            item = pg.ScatterPlotItem(
                x[:, 0],
                x[:, 1],
                symbol=SPLIT_SYMBOLS[split],
                size=8 if split == "train" else 9,
                brush=brushes,
                pen=pg.mkPen("#333333", width=0.5),
            )
            self.addItem(item)
            self.items[split] = item
        self.autoRange()

    @staticmethod
    def _brushes(ds, y):
        if ds.task == "classification":
            return [pg.mkBrush(class_color(int(c))) for c in y]
        if ds.task == "regression" and y.size:
            v = y[:, 0]
            lo, hi = float(v.min()), float(v.max())
            t = (v - lo) / (hi - lo) if hi > lo else np.full_like(v, 0.5)
            cmap = pg.colormap.get("CET-D1")
            return [pg.mkBrush(cmap.map(float(s), mode="qcolor")) for s in t]
        return pg.mkBrush("#0072B2")


class ImageGrid(QScrollArea):
    """The first training images with their class names."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("data_images")
        self.setWidgetResizable(True)
        self.labels: list[QLabel] = []

    def show_dataset(self, ds) -> None:
        inner = QWidget()
        grid = QGridLayout(inner)
        grid.setSpacing(4)
        self.labels = []
        x, y = ds.train
        n = min(GRID_IMAGES, x.shape[0])
        side = max(x.shape[1:3]) if x.ndim >= 3 else 28
        scale = max(1, 56 // max(side, 1))
        for i in range(n):
            picture = QLabel()
            picture.setPixmap(QPixmap.fromImage(sample_grey_image(x[i], scale)))
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            name = ds.class_names[int(y[i])] if ds.task == "classification" else ""
            caption = QLabel(name)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell = QVBoxLayout()
            cell.addWidget(picture)
            cell.addWidget(caption)
            grid.addLayout(cell, i // 6, i % 6)
            self.labels.append(caption)
        self.setWidget(inner)


class TablePreview(QTableWidget):
    """The first rows of the training split: inputs then target."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("data_table")
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def show_dataset(self, ds) -> None:
        x, y = ds.train
        x = x.reshape(x.shape[0], -1)
        n = min(TABLE_ROWS, x.shape[0])
        names = ds.feature_names if len(ds.feature_names) == x.shape[1] else [f"x{i + 1}" for i in range(x.shape[1])]
        targets = ds.target_names or (["class"] if ds.task == "classification" else [])
        if ds.task == "none":
            targets = []
        self.clear()
        self.setColumnCount(len(names) + len(targets))
        self.setRowCount(n)
        self.setHorizontalHeaderLabels(names + targets)
        for r in range(n):
            for c in range(x.shape[1]):
                self.setItem(r, c, QTableWidgetItem(f"{x[r, c]:.4g}"))
            if ds.task == "classification":
                self.setItem(r, len(names), QTableWidgetItem(ds.class_names[int(y[r])]))
            elif ds.task == "regression":
                for j in range(y.shape[1]):
                    self.setItem(r, len(names) + j, QTableWidgetItem(f"{y[r, j]:.4g}"))


class DataPreview(QStackedWidget):
    """Switches between scatter, image grid and table according to the data."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.scatter = ScatterPreview()
        self.images = ImageGrid()
        self.table = TablePreview()
        self.empty = QLabel("No data set loaded.", alignment=Qt.AlignmentFlag.AlignCenter)
        for w in (self.empty, self.scatter, self.images, self.table):
            self.addWidget(w)
        self.kind = "empty"

    def show_dataset(self, ds) -> None:
        if ds is None:
            self.kind = "empty"
            self.setCurrentWidget(self.empty)
            return
        self.kind = preview_kind(ds)
        widget = {"scatter": self.scatter, "images": self.images, "table": self.table}[self.kind]
        widget.show_dataset(ds)
        self.setCurrentWidget(widget)


class ClassHistogram(pg.PlotWidget):
    """Samples per class for each split (classification) or a histogram of the target (regression)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w")
        self.setObjectName("data_histogram")
        self.addLegend(offset=(5, 5))
        self.bars: list[pg.BarGraphItem] = []

    def show_dataset(self, ds) -> None:
        self.clear()
        self.bars = []
        if ds is None or ds.task == "none":
            return
        axis = self.getAxis("bottom")
        if ds.task == "classification":
            k = ds.num_classes
            width = 0.8 / 3
            colors = {"train": "#0072B2", "val": "#E69F00", "test": "#009E73"}
            for j, split in enumerate(("train", "val", "test")):
                counts = ds.class_counts(split)
                bar = pg.BarGraphItem(
                    x=np.arange(k) + (j - 1) * width,
                    height=counts,
                    width=width,
                    brush=colors[split],
                    name=SPLIT_TITLES[split],
                )
                self.addItem(bar)
                self.bars.append(bar)
            axis.setTicks([[(i, name[:12]) for i, name in enumerate(ds.class_names)]])
            self.setLabel("left", "samples")
        else:
            axis.setTicks(None)
            counts, edges = np.histogram(ds.train[1][:, 0], bins=20)
            bar = pg.BarGraphItem(x0=edges[:-1], x1=edges[1:], height=counts, brush="#0072B2", name="train targets")
            self.addItem(bar)
            self.bars.append(bar)
            self.setLabel("left", "samples")
        self.autoRange()


def scatter_key_html(ds) -> str:
    """The scatter plot's key as one line of HTML: class colours (or the target scale) and split symbols."""
    if ds.task == "classification" and ds.num_classes <= MAX_KEY_CLASSES:
        parts = [
            f"<span style='color:{class_color(i)}'>●</span>&nbsp;{_escape(str(name))}"
            for i, name in enumerate(ds.class_names)
        ]
    elif ds.task == "regression":
        parts = ["colour: target value"]
    else:
        parts = []
    parts.append(
        " ".join(
            f"{SPLIT_GLYPHS[s]}&nbsp;{SPLIT_TITLES[s]}"
            for s in ("train", "val", "test")
            if s in ds.splits and ds.splits[s][0].shape[0] and (s == "train" or ds.splits[s][0] is not ds.train[0])
        )
    )
    return " &nbsp; ".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
