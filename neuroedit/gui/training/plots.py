"""Live pyqtgraph plots: curves are created once and fed from bounded buffers by the dashboard's redraw timer.

Every plot can save itself as PNG and its data as CSV (buttons in its title row and
entries in its right-click menu).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .buffers import SeriesBuffer

TRAIN = "#2f7cf6"
TRAIN_RAW = "#9dbff8"
VAL = "#e8730c"
LAYER_COLORS = ("#2f7cf6", "#e8730c", "#22a06b", "#c8414b", "#7b5cc4", "#0f8f9c", "#b8860b", "#d63384")
HEALTHY_RATIO = (10**-3.5, 10**-2.5)  # the usual rule of thumb: |dw|/|w| around 1e-3
SMOOTH_BLOCK = 128  # keeps keep**-k well inside float64 range


def layer_color(i: int) -> str:
    return LAYER_COLORS[i % len(LAYER_COLORS)]


class TidyAxis(pg.AxisItem):
    """On a log scale only 1, 2 and 5 times a power of ten are labelled (the other labels would overlap)."""

    def logTickStrings(self, values, scale, spacing):
        strings = super().logTickStrings(values, scale, spacing)
        out = []
        for v, text in zip(values, strings):
            mantissa = 10 ** (v - math.floor(v + 1e-9))
            out.append(text if min(abs(mantissa - m) for m in (1.0, 2.0, 5.0, 10.0)) < 1e-3 else "")
        return out


def style_plot(plot: pg.PlotWidget, colors) -> None:
    plot.setBackground(colors.card)
    item = plot.getPlotItem()
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.enableAutoSIPrefix(False)
        axis.setPen(pg.mkPen(colors.muted))
        axis.setTextPen(pg.mkPen(colors.text))
    item.showGrid(x=True, y=True, alpha=0.18)


class LivePlot(QWidget):
    """A titled plot. `add_series` creates one curve for a buffer column; `refresh` redraws changed ones."""

    def __init__(
        self,
        title: str,
        colors,
        y_label: str = "",
        x_label: str = "epoch",
        log_toggle: bool = False,
        log_y: bool = False,
        name: str = "",
    ) -> None:
        super().__init__()
        self.setObjectName(name or f"plot_{title.lower().replace(' ', '_')}")
        self.title = title
        self.colors = colors
        self.series: list[tuple[str, pg.PlotDataItem, SeriesBuffer, int]] = []
        self._seen: dict[int, int] = {}
        self.redraws = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(1)
        head = QHBoxLayout()
        head.setContentsMargins(4, 0, 4, 0)
        self.title_label = QLabel(f"<b>{title}</b>")
        head.addWidget(self.title_label)
        head.addStretch(1)
        self.log_box: QCheckBox | None = None
        if log_toggle:
            self.log_box = QCheckBox("log")
            self.log_box.setChecked(log_y)
            self.log_box.setToolTip("Logarithmic y axis")
            self.log_box.toggled.connect(self.set_log)
            head.addWidget(self.log_box)
        for text, tip, slot in (
            ("PNG", "Save this plot as a PNG image", self._ask_png),
            ("CSV", "Save this plot's data as CSV", self._ask_csv),
        ):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            head.addWidget(b)
        lay.addLayout(head)
        self.plot = pg.PlotWidget(axisItems={"left": TidyAxis("left")})
        style_plot(self.plot, colors)
        self.item = self.plot.getPlotItem()
        self.item.setLabel("bottom", x_label)
        if y_label:
            self.item.setLabel("left", y_label)
        self.legend = self.item.addLegend(
            offset=(-6, 6),
            labelTextColor=colors.text,
            labelTextSize="8pt",
            verSpacing=-6,
            brush=pg.mkBrush(QColor(colors.card.red(), colors.card.green(), colors.card.blue(), 200)),
        )
        self.log_y = log_y
        self.item.setLogMode(y=log_y)
        # Axes and legend are cached as pixmaps and the view range only moves in steps (see _fit_range):
        # repainting unchanged axis text every frame would cost most of the GUI thread's time.
        for axis in ("left", "bottom"):
            self.item.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.follow = True  # False once the user pans or zooms (the "A" button resumes)
        self._xr: tuple[float, float] | None = None
        self._yr: tuple[float, float] | None = None
        vb = self.item.getViewBox()
        vb.sigRangeChangedManually.connect(self._user_moved)
        menu = self.item.getViewBox().menu
        menu.addSeparator()
        menu.addAction("Export PNG…", self._ask_png)
        menu.addAction("Export data as CSV…", self._ask_csv)
        lay.addWidget(self.plot, 1)

    def add_series(
        self,
        name: str,
        buffer: SeriesBuffer,
        column: int = 0,
        color: str = TRAIN,
        width: float = 1.6,
        style=Qt.PenStyle.SolidLine,
        symbol: str | None = None,
        legend: bool = True,
    ) -> pg.PlotDataItem:
        curve = pg.PlotDataItem(
            pen=pg.mkPen(color, width=width, style=style),
            name=name if legend else None,
            connect="finite",
            antialias=False,
            symbol=symbol,
            symbolSize=5,
            symbolBrush=color,
            symbolPen=None,
        )
        curve.curve.setSegmentedLineMode("off")  # one polyline: far cheaper to paint than thousands of segments
        curve.setClipToView(True)
        curve.setDownsampling(auto=True, method="peak")
        self.plot.addItem(curve)
        self.series.append((name, curve, buffer, column))
        return curve

    def set_log(self, on: bool) -> None:
        self.log_y = on
        self.item.setLogMode(y=on)
        self._seen.clear()
        self._yr = None

    def put_legend(self, bottom: bool) -> None:
        """Legend in the top or the bottom right corner: where a rising curve (accuracy) or a falling one
        (loss, MAE) does not run under it."""
        self.legend.setOffset((-6, -6 if bottom else 6))

    def _user_moved(self, *args) -> None:
        self.follow = False

    def _fit_range(self) -> None:
        """Keep all data in view, moving the range only when data leaves it or fills too little of it."""
        vb = self.item.getViewBox()
        if any(vb.autoRangeEnabled()):  # the "A" button: follow the data again
            self.follow = True
            vb.disableAutoRange()
            self._xr = self._yr = None
        if not self.follow:
            return
        xs, ys = [], []
        for _, _, buffer, column in self.series:
            if not len(buffer):
                continue
            y = buffer.y(column)
            ok = np.isfinite(y) & ((y > 0) if self.log_y else True)
            if ok.any():
                xs.extend((float(buffer.x[0]), float(buffer.x[-1])))
                yv = np.log10(y[ok]) if self.log_y else y[ok]
                ys.extend((float(yv.min()), float(yv.max())))
        if not xs:
            return
        x_lo, x_max = min(xs), max(xs)
        if self._xr is None or x_max > x_lo + 0.97 * (self._xr[1] - x_lo) or self._xr[0] != x_lo:
            x_hi = axis_end(x_lo, x_max)
            self._xr = (x_lo, x_hi)
            self.item.setXRange(*self._xr, padding=0)
        lo, hi = min(ys), max(ys)
        span = hi - lo if hi > lo else max(abs(hi), 1.0) * 0.1
        cur = self._yr
        if cur is None or lo < cur[0] or hi > cur[1] or span < 0.5 * (cur[1] - cur[0]):
            self._yr = (lo - 0.1 * span, hi + 0.1 * span)
            self.item.setYRange(*self._yr, padding=0)

    def refresh(self) -> bool:
        """Push changed buffers into their curves; True if anything was redrawn."""
        changed = False
        for i, (_, curve, buffer, column) in enumerate(self.series):
            if self._seen.get(i) == buffer.version:
                continue
            self._seen[i] = buffer.version
            y = buffer.y(column)
            if self.log_y:
                y = np.where(y > 0, y, np.nan)
            if len(buffer) and np.isfinite(y).any():
                curve.setData(buffer.x, y)
            else:
                curve.setData([], [])
            changed = True
        if changed:
            self._fit_range()
            self.redraws += 1
        return changed

    # ------------------------------------------------------------------ export
    def data_rows(self) -> tuple[list[str], list[list]]:
        """(header, rows) of every series in long form: series, x, y."""
        rows = []
        for name, _, buffer, column in self.series:
            for x, y in zip(buffer.x, buffer.y(column)):
                rows.append([name, float(x), float(y)])
        return ["series", self.item.getAxis("bottom").labelText or "x", self.title], rows

    def export_csv(self, path: str) -> None:
        header, rows = self.data_rows()
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)

    def export_png(self, path: str) -> bool:
        return self.grab().save(path, "PNG")

    def _ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, f"Save {self.title} as PNG", f"{self.objectName()}.png", "PNG images (*.png)"
        )
        if path:
            self.export_png(path if path.lower().endswith(".png") else path + ".png")

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, f"Save the data of {self.title} as CSV", f"{self.objectName()}.csv", "CSV files (*.csv)"
        )
        if path:
            self.export_csv(path if path.lower().endswith(".csv") else path + ".csv")


class LayerPlot(LivePlot):
    """One curve per layer, created the first time the layer reports (e.g. gradient norms)."""

    def __init__(self, title: str, colors, y_label: str, log_y: bool, value: Callable, **kw) -> None:
        super().__init__(title, colors, y_label, log_toggle=True, log_y=log_y, **kw)
        self.value = value
        self.buffers: dict[str, SeriesBuffer] = {}

    def add_point(self, x: float, layers: dict) -> None:
        for op_id, stats in layers.items():
            v = self.value(stats)
            if v is None:
                continue
            buffer = self.buffers.get(op_id)
            if buffer is None:
                buffer = self.buffers[op_id] = SeriesBuffer()
                self.add_series(op_id, buffer, color=layer_color(len(self.buffers) - 1))
            buffer.append([x], [v])

    def clear(self) -> None:
        for buffer in self.buffers.values():
            buffer.clear()


class HistogramPlot(LivePlot):
    """The latest histogram of one layer's weights or gradients (the layer is chosen in a combo box)."""

    def __init__(self, title: str, colors, kind: str, **kw) -> None:
        super().__init__(title, colors, "count", x_label="value", **kw)
        self.kind = kind
        self.legend.hide()
        self.layer_combo = QComboBox()
        self.layer_combo.setToolTip("Which layer's histogram to show")
        self.layer_combo.currentIndexChanged.connect(lambda i: self._mark())
        self.layout().itemAt(0).layout().insertWidget(1, self.layer_combo)
        self.curve = pg.PlotDataItem(
            stepMode="center", fillLevel=0, pen=pg.mkPen(TRAIN, width=1.2), brush=pg.mkBrush(QColor(47, 124, 246, 90))
        )
        self.plot.addItem(self.curve)
        self.latest: dict = {}
        self._dirty = False

    def set_histograms(self, histograms: dict) -> None:
        self.latest = histograms
        for op in histograms:
            if self.layer_combo.findText(op) < 0:
                self.layer_combo.addItem(op)
        self._dirty = True

    def _mark(self) -> None:
        self._dirty = True

    def current(self) -> tuple[np.ndarray, np.ndarray] | None:
        h = self.latest.get(self.layer_combo.currentText(), {})
        return h.get(self.kind)

    def refresh(self) -> bool:
        if not self._dirty:
            return False
        self._dirty = False
        h = self.current()
        if h is None:
            self.curve.setData([], [])
        else:
            counts, edges = h
            self.curve.setData(np.asarray(edges, float), np.asarray(counts, float))
        self.redraws += 1
        return True

    def clear(self) -> None:
        self.latest = {}
        self.layer_combo.clear()
        self._dirty = True

    def data_rows(self) -> tuple[list[str], list[list]]:
        h = self.current()
        if h is None:
            return ["bin_start", "bin_end", "count"], []
        counts, edges = h
        return ["bin_start", "bin_end", "count"], [
            [float(edges[i]), float(edges[i + 1]), int(counts[i])] for i in range(len(counts))
        ]


def axis_end(x_lo: float, x_max: float) -> float:
    """Where the x axis ends: a little past `x_max`, rounded up to a step of 1, 2 or 5 times a power of ten.

    The step is about 1/25 of the span, so the axis grows in small jumps while training runs and ends
    within a few percent of the last epoch (a coarser rounding left up to half the plot empty).
    """
    span = x_max - x_lo
    if span <= 0:
        return x_lo + 1.0
    target = x_lo + 1.02 * span
    exp = 10.0 ** math.floor(math.log10(span / 25))
    step = next(m * exp for m in (1.0, 2.0, 5.0, 10.0) if m * exp >= span / 25)
    return math.ceil(target / step - 1e-9) * step


def smooth(values: np.ndarray, previous: float | None, alpha: float = 0.1) -> np.ndarray:
    """Exponential moving average continuing from `previous` (the last smoothed value), vectorised in blocks."""
    values = np.asarray(values, dtype=float)
    out = np.empty_like(values)
    if not len(values):
        return out
    prev = values[0] if previous is None or not math.isfinite(previous) else float(previous)
    keep = 1.0 - alpha
    for start in range(0, len(values), SMOOTH_BLOCK):
        x = values[start : start + SMOOTH_BLOCK]
        k = np.arange(len(x))
        grow = keep**-k
        y = keep**k * (alpha * np.cumsum(x * grow)) + keep ** (k + 1) * prev
        out[start : start + len(x)] = y
        prev = y[-1]
    return out
