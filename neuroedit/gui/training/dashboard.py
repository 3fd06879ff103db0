"""The training dashboards: loss, metric, learning rate, gradients, updates, activations, decision boundary.

Chunks from the worker only append to bounded buffers; a ~30 Hz timer pushes changed
buffers into the curves, so drawing cost does not grow with the training speed. The timer
also draws the steps of the engine call still running, so per-step curves move at the frame
rate although the worker sends a chunk only every ~0.1 s.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QSplitter, QTabWidget

from ...engine.trainer import Epochs, LiveCall, Progress, Stopped
from .boundary import BoundaryView
from .buffers import SeriesBuffer
from .plots import HEALTHY_RATIO, TRAIN, TRAIN_RAW, VAL, HistogramPlot, LayerPlot, LivePlot, smooth
from .worker import Chunk

FRAME_MS = 33
# Smooth per-step curves (smoothed loss, learning rate) keep fewer points than the raw loss: they
# need no more points than a plot has pixels, and their 2-px pens cost the GUI thread per point
# (figures in docs/benchmarks.md, "Curves").
SMOOTH_CAPACITY = 1024


class Dashboard(QTabWidget):
    """All live plots. `on_chunk` is cheap (appends); `redraw` (timer) updates only visible, changed plots."""

    def __init__(self, colors, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("training_dashboard")
        self.setMinimumHeight(150)  # small screens: the canvas keeps most of the height
        self.colors = colors
        self.loss_raw, self.val_loss = SeriesBuffer(), SeriesBuffer()
        self.loss_smooth, self.lr = SeriesBuffer(capacity=SMOOTH_CAPACITY), SeriesBuffer(capacity=SMOOTH_CAPACITY)
        self.metric_train, self.metric_val = SeriesBuffer(), SeriesBuffer()
        self._last_smooth: float | None = None
        self.metric_name = "accuracy"
        self.best_epoch: int | None = None
        self.frames = 0
        self.live_source: Callable[[], tuple[LiveCall, ...]] | None = None  # the last and the running call
        self._drawn_until: int | None = None  # global steps before this are drawn (None: a run's first chunk)

        self.loss_plot = LivePlot("Loss", colors, "loss", log_toggle=True, log_y=True, name="plot_loss")
        self.loss_plot.add_series("train (per step)", self.loss_raw, color=TRAIN_RAW, width=1.0)
        self.loss_plot.add_series("train (smoothed)", self.loss_smooth, color=TRAIN, width=2.0)
        self.loss_plot.add_series("validation", self.val_loss, color=VAL, width=2.0)
        self.best_line = pg.InfiniteLine(
            angle=90,
            pen=pg.mkPen("#22a06b", width=1.5, style=Qt.PenStyle.DashLine),
            label="best",
            labelOpts={"position": 0.9, "color": "#22a06b"},
        )
        self.best_line.hide()
        self.loss_plot.plot.addItem(self.best_line)

        self.metric_plot = LivePlot("Accuracy", colors, "accuracy", name="plot_metric")
        self.metric_plot.add_series("train", self.metric_train, color=TRAIN, width=2.0)
        self.metric_plot.add_series("validation", self.metric_val, color=VAL, width=2.0)
        self.metric_plot.put_legend(bottom=True)  # accuracy climbs to the top right

        self.lr_plot = LivePlot("Learning rate", colors, "η", x_label="epoch", log_toggle=True, name="plot_lr")
        self.lr_plot.add_series("learning rate", self.lr, color=TRAIN, width=2.0)

        self.grad_plot = LayerPlot(
            "Gradient norm per layer", colors, "‖∇w‖", True, lambda s: s.grad_norm, name="plot_gradients"
        )
        self.grad_hist = HistogramPlot("Gradient histogram", colors, "gradients", name="plot_gradient_histogram")
        self.ratio_plot = LayerPlot(
            "Update ratio |Δw|/|w| per layer",
            colors,
            "|Δw| / |w|",
            True,
            lambda s: s.update_ratio,
            name="plot_update_ratio",
        )
        band = pg.LinearRegionItem(
            values=tuple(math.log10(v) for v in HEALTHY_RATIO),
            orientation="horizontal",
            movable=False,
            brush=pg.mkBrush(34, 160, 107, 40),
            pen=pg.mkPen(None),
        )
        band.setZValue(-20)
        band.setToolTip("healthy range: updates about 1/1000 of the weights")
        self.ratio_plot.plot.addItem(band, ignoreBounds=True)
        self.weight_hist = HistogramPlot("Weight histogram", colors, "weights", name="plot_weight_histogram")
        self.dead_plot = LayerPlot(
            "Dead ReLUs (fraction)", colors, "dead", False, lambda s: s.dead_fraction, name="plot_dead"
        )
        self.sat_plot = LayerPlot(
            "Saturated sigmoid/tanh (fraction)",
            colors,
            "saturated",
            False,
            lambda s: s.saturated_fraction,
            name="plot_saturated",
        )
        self.boundary = BoundaryView(colors)

        self.overview = self._split(self.loss_plot, self.metric_plot, self.boundary)
        self.addTab(self.overview, "Overview")
        self.addTab(self.lr_plot, "Learning rate")
        self.addTab(self._split(self.grad_plot, self.grad_hist), "Gradients")
        self.addTab(self._split(self.ratio_plot, self.weight_hist), "Weight updates")
        self.addTab(self._split(self.dead_plot, self.sat_plot), "Activations")
        self.boundary.hide()
        self.plots: list[LivePlot] = [
            self.loss_plot,
            self.metric_plot,
            self.lr_plot,
            self.grad_plot,
            self.grad_hist,
            self.ratio_plot,
            self.weight_hist,
            self.dead_plot,
            self.sat_plot,
            self.boundary,
        ]
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.redraw)
        self.timer.start()

    @staticmethod
    def _split(*widgets) -> QSplitter:
        s = QSplitter(Qt.Orientation.Horizontal)
        for w in widgets:
            s.addWidget(w)
        s.setChildrenCollapsible(False)
        return s

    # ------------------------------------------------------------------ data in
    def clear(self) -> None:
        for b in (self.loss_raw, self.loss_smooth, self.val_loss, self.metric_train, self.metric_val, self.lr):
            b.clear()
        for p in (self.grad_plot, self.ratio_plot, self.dead_plot, self.sat_plot, self.grad_hist, self.weight_hist):
            p.clear()
        self._last_smooth = None
        self._drawn_until = None
        self.best_epoch = None
        self.best_line.hide()

    def restore(self, history: dict) -> None:
        """Start from a document's stored per-epoch history (after Open); {} clears the plots (Reset)."""
        self.clear()
        h = history if isinstance(history, dict) else {}
        loss = _floats(h.get("loss"))
        epochs = _floats(h.get("epoch")) if len(_floats(h.get("epoch"))) == len(loss) else np.arange(1, len(loss) + 1.0)
        if len(loss):
            self.loss_raw.append(epochs, loss)
            sm = smooth(loss, None)
            self.loss_smooth.append(epochs, sm)
            self._last_smooth = float(sm[-1])
        for key, buffer in (("val_loss", self.val_loss), ("lr", self.lr)):
            v = _floats(h.get(key))
            if len(v) == len(epochs) and len(v):
                buffer.append(epochs, v)
        # The metric of the last epoch: a continued history may hold another one before it (NaN since).
        name = next((k for k in ("accuracy", "mae") if np.isfinite(_floats(h.get(k))[-1:]).any()), "accuracy")
        self._set_metric(name)
        for key, buffer in ((name, self.metric_train), (f"val_{name}", self.metric_val)):
            v = _floats(h.get(key))
            if len(v) == len(epochs) and len(v):
                buffer.append(epochs, v)

    def _set_metric(self, name: str) -> None:
        if name != self.metric_name:
            self.metric_name = name
            title = "MAE" if name == "mae" else "Accuracy"
            self.metric_plot.title = title
            self.metric_plot.title_label.setText(f"<b>{title}</b>")
            self.metric_plot.item.setLabel("left", name)
            self.metric_plot.put_legend(bottom=name == "accuracy")

    def set_plane(self, plane) -> None:
        self.boundary.set_plane(plane)
        shown = plane is not None
        if shown != self.boundary.isVisibleTo(self.overview):
            self.boundary.setVisible(shown)
            width = max(self.overview.width(), 900)
            self.overview.setSizes([width // 3] * 3 if shown else [width // 2, width // 2, 0])

    def on_chunk(self, chunk: Chunk) -> None:
        for e in chunk.events:
            if isinstance(e, Progress):
                drawn = 0 if self._drawn_until is None else max(0, self._drawn_until - e.first_step)
                self._append_steps(e, e.losses[drawn:], e.lrs[drawn:], drawn)  # the rest was drawn live
                self._drawn_until = max(self._drawn_until or 0, e.first_step + len(e.losses))
            elif isinstance(e, Epochs):
                logs = e.logs
                if "val_loss" in logs:
                    self.val_loss.append(e.epochs, logs["val_loss"])
                name = "mae" if "mae" in logs else "accuracy"
                self._set_metric(name)
                if name in logs:
                    self.metric_train.append(e.epochs, logs[name])
                if f"val_{name}" in logs:
                    self.metric_val.append(e.epochs, logs[f"val_{name}"])
                if e.best_epoch is not None:
                    self._mark_best(e.best_epoch, False)
            elif isinstance(e, Stopped) and e.reason == "early_stopping" and self.best_epoch is not None:
                self._mark_best(self.best_epoch, True)
        x_now = (chunk.epoch - 1) + (chunk.step_in_epoch / chunk.steps_per_epoch if chunk.step_in_epoch else 1.0)
        if chunk.layers:
            for plot in (self.grad_plot, self.ratio_plot, self.dead_plot, self.sat_plot):
                plot.add_point(x_now, chunk.layers)
        if chunk.histograms:
            self.grad_hist.set_histograms(chunk.histograms)
            self.weight_hist.set_histograms(chunk.histograms)
        if chunk.boundary is not None:
            self.boundary.set_boundary(chunk.boundary)

    def _append_steps(self, call: Progress | LiveCall, losses: np.ndarray, lrs: np.ndarray, offset: int) -> None:
        """Per-step loss and learning rate of steps offset.. of an engine call."""
        n = len(losses)
        if not n:
            return
        x = (call.epoch - 1) + (call.step_in_epoch + offset + np.arange(1, n + 1)) / max(1, call.steps_per_epoch)
        self.loss_raw.append(x, losses)
        sm = smooth(losses, self._last_smooth)
        self._last_smooth = float(sm[-1])
        self.loss_smooth.append(x, sm)
        self.lr.append(x, lrs[:n])

    def _pull_live(self) -> None:
        """Draw the steps the engine has finished whose chunks have not come yet (one comes per call).

        The last call's chunk may still wait in the queue while the next call runs, so both are
        read, in order, and only steps that follow the drawn ones are drawn.
        """
        calls = self.live_source() if self.live_source is not None else ()
        for call in calls:
            if self._drawn_until is None or call.first_step > self._drawn_until:
                return
            drawn = self._drawn_until - call.first_step
            losses = call.finished_losses()
            if len(losses) > drawn:
                self._append_steps(call, losses[drawn:], call.lrs[drawn:], drawn)
                self._drawn_until = call.first_step + len(losses)

    def new_run(self) -> None:
        """A training run starts: its steps may be numbered from 0 again, so wait for its first chunk."""
        self._drawn_until = None

    def _mark_best(self, epoch: int, restored: bool) -> None:
        self.best_epoch = epoch
        self.best_line.setValue(epoch)
        self.best_line.label.setFormat(f"best epoch {epoch}" + (" (restored)" if restored else ""))
        self.best_line.show()

    # ------------------------------------------------------------------ drawing
    def redraw(self) -> None:
        self._pull_live()
        drew = False
        for plot in self.plots:
            if plot.isVisible():
                drew = plot.refresh() or drew
        if drew:
            self.frames += 1

    def refresh_all(self) -> None:
        """Redraw every plot now, visible or not (before exporting or a screenshot)."""
        for plot in self.plots:
            plot.refresh()


def _floats(values) -> np.ndarray:
    try:
        a = np.asarray(values if values is not None else [], dtype=float).ravel()
    except (TypeError, ValueError):
        return np.zeros(0)
    return a
