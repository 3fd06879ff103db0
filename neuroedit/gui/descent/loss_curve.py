"""Loss along one weight: L(w) around the weight's value, the current point and the tangent of slope dL/dw.

"Positive slope → decrease w": the tangent's slope is backpropagation's gradient (in
evaluation mode, on the training data or a sample of it), so an update w ← w - η·g
moves the point downhill along the curve. The panel follows training (live weights),
edits, and the step-through (the point after the walked update is marked too).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...api.landscape import Tangent
from ...api.walkthrough.update import weight_symbol
from ..training.plots import style_plot
from .background import Background
from .source import DataCache, Snapshot, snapshot

POINTS = 61
CURVE, TANGENT, POINT, AFTER = "#2f7cf6", "#e8730c", "#c8414b", "#22a06b"


@dataclass(frozen=True)
class WeightRef:
    node: str
    name: str
    index: tuple[int, ...]

    def label(self, shape: tuple[int, ...]) -> str:
        return f"{weight_symbol(self.name, self.index, shape).text()} of {self.node} ({self.name}{list(self.index)})"


@dataclass
class Curve:
    ref: WeightRef
    values: np.ndarray
    losses: np.ndarray
    tangent: Tangent
    after: tuple[float, float] | None = None  # (w, L) after the step-through's update of this weight


def compute_curve(
    cache: DataCache, snap: Snapshot, ref: WeightRef, half_width: float, after_w: float | None = None
) -> Curve:
    land = cache.landscape(snap)
    key = (ref.node, ref.name)
    t = land.tangent(key, ref.index)
    values = t.weight + np.linspace(-half_width, half_width, POINTS)
    after = None if after_w is None else (after_w, float(land.along(key, ref.index, [after_w])[0]))
    return Curve(ref, values, land.along(key, ref.index, values), t, after)


class LossCurvePanel(QWidget):
    status_message = Signal(str)

    def __init__(self, window, colors, cache: DataCache, parent=None) -> None:
        super().__init__(parent)
        self.main = window
        self.cache = cache
        self.ref: WeightRef | None = None
        self.curve: Curve | None = None
        self.after_w: float | None = None  # the weight's value after the step-through's update
        self.background = Background(self)
        self.background.done.connect(self._done)
        self.background.failed.connect(self._failed)
        self.title = QLabel(
            "Select a weight: click a weight line in the neuron view or a cell of the inspector's weight matrix."
        )
        self.title.setObjectName("loss_curve_title")
        self.title.setWordWrap(True)
        self.width_box = QDoubleSpinBox(
            decimals=2, minimum=0.01, maximum=100.0, singleStep=0.5, value=2.0, prefix="w ± "
        )
        self.width_box.setObjectName("loss_curve_width")
        self.width_box.setToolTip("How far left and right of the weight's value the curve is drawn")
        self.width_box.valueChanged.connect(self.refresh)
        self.slope_label = QLabel()
        self.slope_label.setObjectName("loss_curve_slope")
        self.plot = pg.PlotWidget()
        style_plot(self.plot, colors)
        self.plot.setLabel("left", "loss L")
        self.plot.setLabel("bottom", "weight value w")
        self.plot.addLegend(offset=(-10, 10))
        self.line = self.plot.plot([], [], pen=pg.mkPen(CURVE, width=2), name="L(w)")
        self.tangent_line = self.plot.plot(
            [], [], pen=pg.mkPen(TANGENT, width=2, style=pg.QtCore.Qt.PenStyle.DashLine), name="tangent, slope dL/dw"
        )
        self.point = self.plot.plot([], [], pen=None, symbol="o", symbolSize=11, symbolBrush=POINT, name="now")
        self.after_point = self.plot.plot(
            [],
            [],
            pen=pg.mkPen(AFTER, width=1.5),
            symbol="t1",
            symbolSize=11,
            symbolBrush=AFTER,
            name="after the update",
        )
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.width_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(self.slope_label)
        layout.addWidget(self.plot, 1)
        self._timer = QTimer(self, singleShot=True, interval=150)  # coalesces bursts of weight changes
        self._timer.timeout.connect(self.refresh)

    def clear(self) -> None:
        """Forget the weight (another document was opened)."""
        self.ref, self.curve, self.after_w = None, None, None
        for item in (self.line, self.tangent_line, self.point, self.after_point):
            item.setData([], [])
        self.title.setText(
            "Select a weight: click a weight line in the neuron view or a cell of the inspector's weight matrix."
        )
        self.slope_label.setText("")

    def select(self, node: str, name: str, index: tuple[int, ...]) -> None:
        self.ref = WeightRef(node, name, tuple(int(i) for i in index))
        self.after_w = None
        self.refresh()

    def weights_changed(self, *args) -> None:
        if self.ref is not None and self.isVisible():
            self._timer.start()

    def refresh(self) -> None:
        if self.ref is None:
            return
        try:
            snap = snapshot(self.main)
        except ValueError as e:
            self._failed(0, str(e).splitlines()[-1].strip())
            return
        ref, half, after = self.ref, self.width_box.value(), self.after_w
        self.background.submit(lambda: compute_curve(self.cache, snap, ref, half, after))

    def show_after(self, w: float | None) -> None:
        """Mark where the step-through's update takes the weight (None clears the mark)."""
        if w != self.after_w:
            self.after_w = w
            self.refresh()

    def _done(self, token: int, curve: Curve) -> None:
        if token != self.background.token or curve.ref != self.ref:
            return
        self.curve = curve
        t = curve.tangent
        shape = tuple(self.main.doc.weights.get(curve.ref.node, {}).get(curve.ref.name, np.zeros(0)).shape)
        self.title.setText(f"<b>Loss along {curve.ref.label(shape)}</b>")
        self.line.setData(curve.values, curve.losses)
        half = (curve.values[-1] - curve.values[0]) / 4
        xs = np.array([t.weight - half, t.weight + half])
        self.tangent_line.setData(xs, t.loss + t.slope * (xs - t.weight))
        self.point.setData([t.weight], [t.loss])
        direction = "decrease w" if t.slope > 0 else "increase w" if t.slope < 0 else "w stays"
        self.slope_label.setText(
            f"w = {t.weight:.4g}, L = {t.loss:.4g}, slope dL/dw = {t.slope:.4g} "
            f"(backpropagation) → gradient descent will {direction}"
        )
        self.plot.getPlotItem().enableAutoRange()
        if curve.after is None:
            self.after_point.setData([], [])
        else:
            self.after_point.setData([t.weight, curve.after[0]], [t.loss, curve.after[1]])
            self.slope_label.setText(
                self.slope_label.text() + f"; the step-through's update: w → "
                f"{curve.after[0]:.4g}, L → {curve.after[1]:.4g}"
            )

    def _failed(self, token: int, reason: str) -> None:
        self.slope_label.setText(f"Cannot compute the loss: {reason}")
        self.status_message.emit(f"Loss along weight: {reason}")
