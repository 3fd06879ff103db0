"""The Evaluation panel: confusion matrix, ROC and PR curves, threshold slider, samples; regression plots.

The evaluation itself (prediction and scikit-learn metrics) runs in a background thread on a
snapshot of the document; the panel only draws results, so the GUI thread never waits for it.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSlider,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...evaluation.evaluate import Evaluation
from ...evaluation.metrics import (
    ClassificationMetrics,
    RegressionMetrics,
    binary_counts,
    predicted_classes,
    rates,
)
from ...evaluation.report import predictions_csv_rows
from ..training.plots import style_plot
from .card import Card
from .confusion_view import ConfusionView
from .samples_view import CLASS_COLORS, MAX_SHOWN, SamplesView

SPLITS = (("validation", "val"), ("test", "test"), ("training", "train"))
MISTAKES_SHOWN = 60
CURVE_POINTS = 1000  # a plot is a few hundred pixels wide: more points only cost drawing time


def _thin(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(xs) <= CURVE_POINTS:
        return xs, ys
    keep = np.unique(np.linspace(0, len(xs) - 1, CURVE_POINTS).round().astype(np.int64))
    return xs[keep], ys[keep]


def _curve_rows(curves: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], x: str, y: str):
    rows = []
    for name, (xs, ys, thr) in curves.items():
        t = np.concatenate([thr, [np.nan] * (len(xs) - len(thr))]) if len(thr) < len(xs) else thr
        rows += [[name, float(a), float(b), float(c)] for a, b, c in zip(xs, ys, t)]
    return ["class", x, y, "threshold"], rows


class EvaluationPanel(QWidget):
    """`evaluate_requested(split)` asks the owner to start an evaluation; `show_evaluation` draws one."""

    evaluate_requested = Signal(str)

    def __init__(self, colors) -> None:
        super().__init__()
        self.setObjectName("evaluation_panel")
        self.colors = colors
        self.evaluation: Evaluation | None = None
        self.predicted = np.zeros(0, np.int64)
        self.selected_cell: tuple[int, int] | None = None
        self.asked_at: float | None = None
        self.complete_asked_at: float | None = None
        self.shown_after: float | None = None  # seconds from asking to the first drawn result
        self.complete_after: float | None = None  # ... and to the complete one (with the curves)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(QLabel("Split:"))
        self.split_box = QComboBox()
        self.split_box.setObjectName("evaluation_split")
        for label, key in SPLITS:
            self.split_box.addItem(label, key)
        top.addWidget(self.split_box)
        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.setObjectName("evaluate_button")
        self.evaluate_button.setToolTip("Compute the confusion matrix, ROC and PR curves with the current weights")
        self.evaluate_button.clicked.connect(self.request)
        top.addWidget(self.evaluate_button)
        self.counts_button, self.rows_button = QRadioButton("counts"), QRadioButton("row %")
        self.counts_button.setChecked(True)
        self.norm_group = QButtonGroup(self)
        for b in (self.counts_button, self.rows_button):
            self.norm_group.addButton(b)
            top.addWidget(b)
        self.rows_button.toggled.connect(lambda on: self.confusion.set_normalized(on))
        self.status = QLabel("Train the network or press Evaluate.")
        self.status.setObjectName("evaluation_status")
        top.addWidget(self.status, 1)
        lay.addLayout(top)

        self.pages = QStackedWidget()
        lay.addWidget(self.pages, 1)
        self.pages.addWidget(self._classification_page())
        self.pages.addWidget(self._regression_page())

    # ------------------------------------------------------------------ layout
    def _classification_page(self) -> QWidget:
        page = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        self.confusion = ConfusionView(self.colors)
        self.confusion.cell_clicked.connect(lambda row, col: self.select_cell((row, col)))
        self.confusion_card = Card("Confusion matrix", self.confusion, self._confusion_rows, "evaluation_confusion")
        left_lay.addWidget(self.confusion_card, 1)
        self.threshold_row = QWidget()
        rows = QVBoxLayout(self.threshold_row)
        rows.setContentsMargins(4, 0, 4, 0)
        rows.setSpacing(0)
        row = QHBoxLayout()
        rows.addLayout(row)
        row.addWidget(QLabel("Threshold"))
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setObjectName("threshold_slider")
        self.threshold_slider.setRange(0, 1000)
        self.threshold_slider.setValue(500)
        self.threshold_slider.setToolTip("Predict the positive class when its probability is at least this")
        self.threshold_slider.valueChanged.connect(lambda v: self.set_threshold(v / 1000))
        row.addWidget(self.threshold_slider, 1)
        self.threshold_value = QLabel("0.500")
        row.addWidget(self.threshold_value)
        self.threshold_label = QLabel()
        self.threshold_label.setObjectName("threshold_label")
        rows.addWidget(self.threshold_label)
        left_lay.addWidget(self.threshold_row)
        self.summary = QLabel()
        self.summary.setObjectName("evaluation_summary")
        self.summary.setWordWrap(True)
        left_lay.addWidget(self.summary)
        page.addWidget(left)

        curves = QSplitter(Qt.Orientation.Vertical)
        self.roc_plot = self._plot("false-positive rate", "true-positive rate")
        self.roc_card = Card(
            "ROC curve", self.roc_plot, lambda: _curve_rows(self._metrics().roc, "fpr", "tpr"), "evaluation_roc"
        )
        self.pr_plot = self._plot("recall", "precision")
        self.pr_plot.getPlotItem().legend.anchor((0, 1), (0, 1), offset=(6, -6))  # PR curves hug the top right
        self.pr_card = Card(
            "Precision–recall",
            self.pr_plot,
            lambda: _curve_rows(self._metrics().pr, "recall", "precision"),
            "evaluation_pr",
        )
        self.roc_plot.plot([0, 1], [0, 1], pen=pg.mkPen("#999999", style=Qt.PenStyle.DashLine))
        self.operating_point = pg.ScatterPlotItem(size=11, brush=pg.mkBrush("#e8730c"), pen=pg.mkPen("#222222"))
        self.operating_point.setVisible(False)
        self.roc_plot.addItem(self.operating_point)
        self._curves: dict[int, list[pg.PlotDataItem]] = {}
        curves.addWidget(self.roc_card)
        curves.addWidget(self.pr_card)
        page.addWidget(curves)

        right = QWidget()
        right_lay = QVBoxLayout(right)
        right_lay.setContentsMargins(0, 0, 0, 0)
        self.samples = SamplesView(self.colors)
        self.samples_card = Card("Most confident mistakes", self.samples, self._sample_rows, "evaluation_samples")
        self.mistakes_button = QPushButton("Mistakes")
        self.mistakes_button.setToolTip("Show the most confident mistakes again")
        self.mistakes_button.clicked.connect(lambda: self.select_cell(None))
        self.samples_card.head.insertWidget(1, self.mistakes_button)
        right_lay.addWidget(self.samples_card)
        page.addWidget(right)
        page.setSizes([330, 360, 360])
        return page

    def _regression_page(self) -> QWidget:
        page = QSplitter(Qt.Orientation.Horizontal)
        self.scatter_plot = self._plot("true value", "predicted value", unit=False)
        self.scatter = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(CLASS_COLORS[0] + "aa"))
        self.identity = pg.PlotDataItem(pen=pg.mkPen("#888888", style=Qt.PenStyle.DashLine))
        self.scatter_plot.addItem(self.identity)
        self.scatter_plot.addItem(self.scatter)
        self.scatter_card = Card("Predicted against true", self.scatter_plot, self._sample_rows, "evaluation_scatter")
        self.residual_plot = self._plot("residual (predicted − true)", "samples", unit=False)
        self.residual_bars = pg.BarGraphItem(x=[0], height=[0], width=1, brush=CLASS_COLORS[1])
        self.residual_plot.addItem(self.residual_bars)
        self.residual_card = Card("Residuals", self.residual_plot, self._residual_rows, "evaluation_residuals")
        self.regression_summary = QLabel()
        self.regression_summary.setObjectName("regression_summary")
        box = QWidget()
        box_lay = QVBoxLayout(box)
        box_lay.setContentsMargins(0, 0, 0, 0)
        box_lay.addWidget(self.residual_card, 1)
        box_lay.addWidget(self.regression_summary)
        page.addWidget(self.scatter_card)
        page.addWidget(box)
        return page

    def _plot(self, x: str, y: str, unit: bool = True) -> pg.PlotWidget:
        plot = pg.PlotWidget()
        style_plot(plot, self.colors)
        item = plot.getPlotItem()
        item.setLabel("bottom", x)
        item.setLabel("left", y)
        if unit:
            item.setRange(xRange=(0, 1), yRange=(0, 1.02), padding=0.02)
        item.addLegend(
            offset=(-6, -6) if unit else (6, 6),
            labelTextColor=self.colors.text,
            labelTextSize="8pt",
            verSpacing=-8,
            brush=pg.mkBrush(255, 255, 255, 190),
        )
        return plot

    # ------------------------------------------------------------------ requests and results
    def split(self) -> str:
        return str(self.split_box.currentData())

    def request(self) -> None:
        self.asked_at = self.complete_asked_at = time.perf_counter()
        self.evaluate_requested.emit(self.split())

    def show_busy(self, text: str) -> None:
        self.status.setText(text)
        self.evaluate_button.setEnabled(False)

    def clear(self) -> None:
        """Another document: its evaluation is still to be made."""
        self.evaluation = None
        self.selected_cell = None
        self.pages.setVisible(False)
        self.evaluate_button.setEnabled(True)
        self.status.setText("Train the network or press Evaluate.")

    def show_error(self, text: str) -> None:
        self.status.setText(f"Cannot evaluate: {text}")
        self.evaluate_button.setEnabled(True)

    def show_evaluation(self, ev: Evaluation) -> None:
        """Draw an evaluation; a classifier's first look (no curves yet) is followed by the complete one."""
        first = self.evaluation is None or self.evaluation.predictions is not ev.predictions
        self.evaluation = ev
        self.pages.setVisible(True)
        p = ev.predictions
        split = "validation" if p.split == "val" else p.split
        complete = not isinstance(ev.metrics, ClassificationMetrics) or ev.metrics.complete
        self.evaluate_button.setEnabled(complete)
        if first:
            self.samples.set_predictions(p)
        if isinstance(ev.metrics, ClassificationMetrics):
            self.pages.setCurrentIndex(0)
            self._show_classification(ev.metrics, keep_selection=not first)
            self.status.setText(
                f"{split}: {len(p)} samples, accuracy {ev.metrics.accuracy:.4f}, loss {p.loss:.4f}"
                + ("" if complete else " · computing ROC and PR…")
            )
        else:
            self.pages.setCurrentIndex(1)
            self._show_regression(ev.metrics)
            self.status.setText(f"{split}: {len(p)} samples, MAE {ev.metrics.mae:.4g}, loss {p.loss:.4g}")
        if self.asked_at is not None:
            self.shown_after = time.perf_counter() - self.asked_at
            self.asked_at = None
        if complete and self.complete_asked_at is not None:
            self.complete_after = time.perf_counter() - self.complete_asked_at
            self.complete_asked_at = None

    def _metrics(self) -> ClassificationMetrics:
        assert self.evaluation is not None and isinstance(self.evaluation.metrics, ClassificationMetrics)
        return self.evaluation.metrics

    def _set_curves(self, plot: pg.PlotWidget, series: list[tuple[str, np.ndarray, np.ndarray]] | None) -> None:
        """One curve per class, reused from the last evaluation when the classes are the same."""
        item = plot.getPlotItem()
        curves = self._curves.setdefault(id(plot), [])
        if series is None:  # a first look: the curves follow; keep the items for them
            for c in curves:
                c.setData([], [])
            return
        if len(curves) != len(series):
            for c in curves:
                item.removeItem(c)
            item.legend.clear()
            item.legend.setColumnCount(2 if len(series) > 5 else 1)
            curves[:] = [
                item.plot([], [], pen=pg.mkPen(CLASS_COLORS[i % len(CLASS_COLORS)], width=2), name=name)
                for i, (name, _, _) in enumerate(series)
            ]
        for curve, (name, xs, ys), (_, label) in zip(curves, series, item.legend.items):
            curve.setData(*_thin(xs, ys))
            if curve.opts.get("name") != name:
                label.setText(name)
                curve.opts["name"] = name

    def _show_classification(self, m: ClassificationMetrics, keep_selection: bool = False) -> None:
        self.threshold_row.setVisible(m.binary)
        if not keep_selection:
            self.selected_cell = None
            self.confusion.select(None)
        self._set_curves(
            self.roc_plot,
            [(f"{n} (AUC {m.roc_auc_per_class[n]:.3f})", *c[:2]) for n, c in m.roc.items()] if m.complete else None,
        )
        self._set_curves(
            self.pr_plot,
            [(f"{n} (AP {m.average_precision[n]:.3f})", *c[:2]) for n, c in m.pr.items()] if m.complete else None,
        )
        self.operating_point.setVisible(m.binary and m.complete)
        if m.complete:
            auc = m.roc_auc
            auc_text = f" · ROC AUC {auc:.3f}" if isinstance(auc, float) else f" · ROC AUC {auc['macro']:.3f} (macro)"
        else:
            auc_text = ""
        self.summary.setText(
            f"accuracy {m.accuracy:.4f} · macro F1 {m.macro_avg['f1']:.3f} · "
            f"weighted F1 {m.weighted_avg['f1']:.3f}{auc_text}"
        )
        if m.binary:
            if keep_selection:
                m.threshold = self.threshold_slider.value() / 1000
            self.threshold_slider.blockSignals(True)
            self.threshold_slider.setValue(round((m.threshold or 0.5) * 1000))
            self.threshold_slider.blockSignals(False)
        self.set_threshold(m.threshold if m.binary else None)

    def set_threshold(self, threshold: float | None) -> None:
        """Binary classifiers: recompute the matrix, P/R/F1 and the ROC operating point for `threshold`."""
        ev = self.evaluation
        proba = ev.predictions.proba if ev is not None else None
        if ev is None or proba is None:
            return
        p = ev.predictions
        self.predicted = predicted_classes(proba, threshold)
        m = self._metrics()
        if m.binary and threshold is not None:
            counts = binary_counts(p.y_true, proba[:, 1], threshold)
            r = rates(counts)
            self.threshold_value.setText(f"{threshold:.3f}")
            self.threshold_label.setText(
                f"precision {r['precision']:.3f} · recall (TPR) "
                f"{r['recall']:.3f} · F1 {r['f1']:.3f} · FPR {r['fpr']:.3f}"
            )
            self.operating_point.setData([r["fpr"]], [r["recall"]])
        else:
            counts = m.confusion
        self.confusion.set_matrix(counts, m.classes)
        self.select_cell(self.selected_cell)

    def select_cell(self, cell: tuple[int, int] | None) -> None:
        """Show the samples of one cell (true row, predicted column), or the most confident mistakes (None)."""
        ev = self.evaluation
        proba = ev.predictions.proba if ev is not None else None
        if ev is None or proba is None:
            return
        p = ev.predictions
        self.selected_cell = cell
        self.confusion.select(cell)
        confidence = proba[np.arange(len(p)), self.predicted]
        names = p.class_names
        if cell is None:
            idx = np.nonzero(self.predicted != p.y_true)[0]
            idx = idx[np.argsort(-confidence[idx], kind="stable")][:MISTAKES_SHOWN]
            title = f"Most confident mistakes ({len(idx)} shown)" if len(idx) else "No mistakes"
        else:
            idx = np.nonzero((p.y_true == cell[0]) & (self.predicted == cell[1]))[0]
            idx = idx[np.argsort(-confidence[idx], kind="stable")]
            more = (
                f", {min(len(idx), MAX_SHOWN)} shown" if len(idx) > MAX_SHOWN and self.samples.kind != "points" else ""
            )
            title = f"True {names[cell[0]]} → predicted {names[cell[1]]}: {len(idx)} samples{more}"
        self.samples_card.set_title(title)
        self.samples.show_samples(idx, self.predicted)

    def _show_regression(self, m: RegressionMetrics) -> None:
        t, p = m.y_true[:, 0], m.y_pred[:, 0]
        self.scatter.setData(t, p)
        finite = np.concatenate([t, p])
        finite = finite[np.isfinite(finite)]
        lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        self.identity.setData([lo, hi], [lo, hi])
        res = m.residuals[:, 0]
        res = res[np.isfinite(res)]
        counts, edges = (
            np.histogram(res, bins=min(40, max(5, int(math.sqrt(len(res)) or 5))))
            if len(res)
            else (np.zeros(1), np.array([0.0, 1.0]))
        )
        self.residual_bars.setOpts(x=(edges[:-1] + edges[1:]) / 2, height=counts, width=float(edges[1] - edges[0]))
        self.residual_hist = (counts, edges)
        self.regression_summary.setText(f"MAE {m.mae:.4g} · MSE {m.mse:.4g} · RMSE {m.rmse:.4g} · R² {m.r2:.4f}")

    # ------------------------------------------------------------------ CSV rows
    def _confusion_rows(self):
        m = self._metrics()
        counts = self.confusion.matrix
        return ["true \\ predicted", *m.classes], [[n, *[int(c) for c in row]] for n, row in zip(m.classes, counts)]

    def _sample_rows(self):
        assert self.evaluation is not None
        t = self.threshold_slider.value() / 1000 if self.threshold_row.isVisible() else None
        return predictions_csv_rows(self.evaluation, t)

    def _residual_rows(self):
        counts, edges = self.residual_hist
        return ["from", "to", "samples"], [
            [float(a), float(b), int(c)] for a, b, c in zip(edges[:-1], edges[1:], counts)
        ]
