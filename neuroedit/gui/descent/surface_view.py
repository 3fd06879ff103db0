"""The loss surface around the current weights, with the training path projected onto it live.

Two directions span a plane through the weights: two chosen weights (the axes are
then those weights' offsets), or two random filter-normalised directions (Li et al.
2018). The grid (at most 41 × 41) is computed in evaluation mode on a fixed sample of
the training data, off the GUI thread; afterwards every new set of weights (training
chunks, edits) is projected onto the plane and extends the path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...api.bridge import graph_spec
from ...api.landscape import MAX_STEPS, Surface, WeightRef, flat_weights
from ...engine.layout import ParamLayout
from ...engine.spec import GraphSpec
from ..training.plots import style_plot
from .background import Background
from .contours import replace_contours
from .live import live_weights
from .source import DataCache, snapshot

PATH, NOW, START = "#ffffff", "#c8414b", "#e8730c"
MAX_LISTED = 400  # weights offered as directions (the first ones of each array)


@dataclass
class SurfaceResult:
    surface: Surface
    label: tuple[str, str]


def weight_choices(doc) -> list[tuple[str, tuple[str, str, tuple[int, ...]]]]:
    """(label, (node, name, index)) of trainable weight elements, array by array."""
    layout = ParamLayout(graph_spec(doc))
    out = []
    per_array = max(4, MAX_LISTED // max(1, len(layout.trainable)))
    for seg in layout.trainable:
        shape = tuple(seg.shape) or (1,)
        for k in range(min(seg.stop - seg.start, per_array)):
            index = tuple(int(i) for i in np.unravel_index(k, shape))
            out.append((f"{seg.op_id}.{seg.name}{list(index)}", (seg.op_id, seg.name, index)))
    return out


class SurfaceView(QWidget):
    """A window of its own (File stays usable); `follow()` adds the latest weights to the path."""

    status_message = Signal(str)
    progress = Signal(int, int)  # rows done, rows (emitted from the worker thread)

    def __init__(self, window, colors, cache: DataCache, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Loss surface — NeuroEdit")
        self.setObjectName("loss_surface")
        self.main = window
        self.cache = cache
        self.result: SurfaceResult | None = None
        self.graph: GraphSpec | None = None
        self.refs: dict[str, tuple[str, str, tuple[int, ...]]] = {}
        self.path: list[np.ndarray] = []  # (α, β) of each weight setting seen since the grid was computed
        self._last: np.ndarray | None = None  # the flat weights of the last point
        self.background = Background(self)
        self.background.done.connect(self._done)
        self.background.failed.connect(self._failed)
        self.progress.connect(self._progress)

        self.mode = QComboBox()
        self.mode.setObjectName("surface_mode")
        self.mode.addItem("Two random directions, filter-normalised (Li et al. 2018)", "random")
        self.mode.addItem("Two chosen weights", "weights")
        self.first, self.second = QComboBox(), QComboBox()
        self.first.setObjectName("surface_first")
        self.second.setObjectName("surface_second")
        self.span = QDoubleSpinBox(decimals=2, minimum=0.01, maximum=50.0, value=1.0, singleStep=0.25)
        self.span.setObjectName("surface_span")
        self.span.setToolTip("α and β run from -span to +span (for weights: the change of the weight's value)")
        self.steps = QSpinBox(minimum=5, maximum=MAX_STEPS, singleStep=2, value=31)
        self.steps.setObjectName("surface_steps")
        self.steps.setToolTip(f"grid points per axis (odd, at most {MAX_STEPS}: the centre is the current weights)")
        self.seed = QSpinBox(minimum=0, maximum=9999, value=0)
        self.seed.setObjectName("surface_seed")
        self.seed.setToolTip("seed of the random directions")
        self.compute_button = QPushButton("Compute")
        self.compute_button.setObjectName("surface_compute")
        self.compute_button.clicked.connect(self.compute)
        self.clear_button = QPushButton("Clear path")
        self.clear_button.setObjectName("surface_clear")
        self.clear_button.clicked.connect(self.clear_path)
        self.info = QLabel()
        self.info.setObjectName("surface_info")
        self.info.setWordWrap(True)
        self.mode.currentIndexChanged.connect(self._mode_changed)

        form = QFormLayout()
        form.addRow("Directions", self.mode)
        form.addRow("First weight (α)", self.first)
        form.addRow("Second weight (β)", self.second)
        row = QHBoxLayout()
        for label, w in (("span ±", self.span), ("grid", self.steps), ("seed", self.seed)):
            row.addWidget(QLabel(label))
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.clear_button)
        row.addWidget(self.compute_button)
        form.addRow(row)

        self.plot = pg.PlotWidget()
        style_plot(self.plot, colors)
        self.plot.setAspectLocked(False)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.bar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False, label="log₁₀ loss")
        self.bar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.isos: list[pg.IsocurveItem] = []
        self.path_line = self.plot.plot(
            [], [], pen=pg.mkPen(PATH, width=2), symbol="o", symbolSize=4, symbolBrush=PATH, symbolPen=None
        )
        self.start_point = self.plot.plot([], [], pen=None, symbol="s", symbolSize=10, symbolBrush=START)
        self.now_point = self.plot.plot([], [], pen=None, symbol="o", symbolSize=12, symbolBrush=NOW)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.info)
        self.resize(760, 720)
        self.reload_choices()
        self._mode_changed()

    # ------------------------------------------------------------------ controls
    def reload_choices(self) -> None:
        try:
            choices = weight_choices(self.main.doc)
        except ValueError:
            choices = []
        self.refs = dict(choices)  # label -> (node, name, index); Qt compares Python tuples poorly as item data
        for box in (self.first, self.second):
            box.clear()
            box.addItems(list(self.refs))
        if len(choices) > 1:
            self.second.setCurrentIndex(1)

    def choose(
        self, first: tuple[str, str, tuple[int, ...]], second: tuple[str, str, tuple[int, ...]] | None = None
    ) -> None:
        """Preselect weights (the loss curve's weight first)."""
        labels = {ref: label for label, ref in self.refs.items()}
        for box, ref in ((self.first, first), (self.second, second)):
            if ref is not None and ref in labels:
                box.setCurrentIndex(box.findText(labels[ref]))

    def clear(self) -> None:
        """Another document: its weights span another space, so the grid and the path go."""
        self.result, self._last, self.path = None, None, []
        self.image.clear()
        self.isos = replace_contours(self.image, self.isos, np.zeros((2, 2)), np.array([]), 0)
        for item in (self.path_line, self.start_point, self.now_point):
            item.setData([], [])
        self.info.setText("Press Compute for the loss around the current weights.")
        self.reload_choices()

    def _mode_changed(self, *args) -> None:
        weights = self.mode.currentData() == "weights"
        self.first.setEnabled(weights)
        self.second.setEnabled(weights)
        self.seed.setEnabled(not weights)

    # ------------------------------------------------------------------ computing
    def compute(self) -> None:
        try:
            snap = snapshot(self.main)
        except ValueError as e:
            self._failed(0, str(e).splitlines()[-1].strip())
            return
        if self.mode.currentData() == "weights":
            a, b = self.refs.get(self.first.currentText()), self.refs.get(self.second.currentText())
            if a is None or b is None:
                self._failed(0, "the network has no weights to choose")
                return
            directions: str | list[WeightRef] = [((a[0], a[1]), a[2]), ((b[0], b[1]), b[2])]
            label = (self.first.currentText(), self.second.currentText())
        else:
            directions, label = "random", ("α (random direction 1)", "β (random direction 2)")
        span, steps, seed = self.span.value(), self.steps.value() | 1, self.seed.value()
        self.graph = snap.graph

        def work() -> SurfaceResult:
            surface = self.cache.landscape(snap).plane(directions, span, steps, seed)
            for i in surface.rows():
                self.progress.emit(i + 1, steps)
            return SurfaceResult(surface, label)

        self.compute_button.setEnabled(False)
        self.info.setText("Computing the loss on the grid…")
        self.background.submit(work)

    def _progress(self, done: int, total: int) -> None:
        self.info.setText(f"Computing the loss on the grid: {done} of {total} rows")

    def _done(self, token: int, result: SurfaceResult) -> None:
        self.compute_button.setEnabled(True)
        if token != self.background.token:
            return
        self.result = result
        s = result.surface
        Z = s.Z
        positive = bool(np.all(Z[np.isfinite(Z)] > 0))
        shown = np.log10(Z) if positive else Z
        self.bar.setLabel("left", "log₁₀ loss" if positive else "loss")
        a0, a1, b0, b1 = s.alphas[0], s.alphas[-1], s.betas[0], s.betas[-1]
        step_a, step_b = (a1 - a0) / (len(s.alphas) - 1), (b1 - b0) / (len(s.betas) - 1)
        self.image.setImage(shown.T, autoLevels=False)
        self.image.setRect(pg.QtCore.QRectF(a0 - step_a / 2, b0 - step_b / 2, a1 - a0 + step_a, b1 - b0 + step_b))
        finite = shown[np.isfinite(shown)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        self.bar.setLevels((lo, hi if hi > lo else lo + 1e-9))
        self.isos = replace_contours(self.image, self.isos, shown.T, np.linspace(lo, hi, 12)[1:-1], 90)
        self.plot.setLabel("bottom", result.label[0])
        self.plot.setLabel("left", result.label[1])
        centre = float(Z[len(s.betas) // 2, len(s.alphas) // 2])
        self.info.setText(
            f"Centre (the current weights): loss {centre:.5g}. {len(s.betas)}×{len(s.alphas)} grid on "
            f"{len(s.landscape.X)} training samples, evaluation mode. The path follows training and "
            f"edits from here on."
        )
        self._last = s.landscape.origin.copy()
        self.path = [np.zeros(2)]
        self._draw_path()

    def _failed(self, token: int, reason: str) -> None:
        self.compute_button.setEnabled(True)
        self.info.setText(f"Cannot compute the surface: {reason}")
        self.status_message.emit(f"Loss surface: {reason}")

    # ------------------------------------------------------------------ the path
    def follow(self, *args) -> None:
        """Project the current (live) weights onto the plane and extend the path."""
        if self.result is None or self.graph is None or not self.isVisible():
            return
        try:
            theta = flat_weights(self.graph, live_weights(self.main))
        except (KeyError, ValueError):  # the network changed shape: the plane no longer applies
            return
        if theta.shape != self.result.surface.landscape.origin.shape:
            return
        if self._last is not None and np.array_equal(theta, self._last):
            return
        self._last = theta
        self.path.append(self.result.surface.project(theta)[0])
        self._draw_path()

    def clear_path(self) -> None:
        self.path = self.path[-1:]
        self._draw_path()

    def _draw_path(self) -> None:
        if self.result is None or not self.path:
            return
        ab = np.array(self.path)
        self.path_line.setData(ab[:, 0], ab[:, 1])
        self.start_point.setData(ab[:1, 0], ab[:1, 1])
        self.now_point.setData(ab[-1:, 0], ab[-1:, 1])
