"""The Runs panel: the training runs recorded in the document, their curves overlaid, and what differs (A/B)."""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...model.runs import describe_changes, run_title
from ..training.plots import style_plot
from .card import Card
from .samples_view import CLASS_COLORS

LIST_COLUMNS = ("Run", "Started", "Duration", "Epochs", "Seed", "Changes", "Loss", "Val loss", "Metric")


def run_color(position: int) -> str:
    return CLASS_COLORS[position % len(CLASS_COLORS)]


def differing_settings(runs: list[dict[str, Any]]) -> list[str]:
    """The settings whose value is not the same in every one of `runs` (in first-seen order)."""
    names: list[str] = []
    for r in runs:
        names += [k for k in r["settings"] if k not in names]
    return [k for k in names if len({repr(r["settings"].get(k)) for r in runs}) > 1]


def metric_name(run: dict[str, Any]) -> str:
    return next((k for k in ("accuracy", "mae") if k in run["history"]), "")


class RunsPanel(QWidget):
    """Bound to a document with `set_document`; `compare_requested` asks for the Compare dialog."""

    compare_requested = Signal()

    def __init__(self, colors) -> None:
        super().__init__()
        self.setObjectName("runs_panel")
        self.colors = colors
        self.doc = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.info = QLabel("Every training run is recorded here. Select two or more to compare them.")
        top.addWidget(self.info, 1)
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setObjectName("compare_button")
        self.compare_button.setToolTip(
            "Train copies of the network under several settings from the same initial weights and overlay their curves"
        )
        self.compare_button.clicked.connect(self.compare_requested)
        top.addWidget(self.compare_button)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Forget the selected runs")
        self.delete_button.clicked.connect(self.delete_selected)
        top.addWidget(self.delete_button)
        lay.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, len(LIST_COLUMNS))
        self.table.setObjectName("runs_table")
        self.table.setHorizontalHeaderLabels(LIST_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.refresh_selection)
        left.addWidget(self.table)
        self.diff = QTableWidget(0, 0)
        self.diff.setObjectName("runs_diff")
        self.diff.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.diff_card = Card("What differs (A/B)", self.diff, self._diff_rows, "runs_diff")
        left.addWidget(self.diff_card)
        split.addWidget(left)
        self.loss_plot = self._plot("loss")
        self.metric_plot = self._plot("accuracy")
        plots = QSplitter(Qt.Orientation.Vertical)
        self.loss_card = Card(
            "Loss (dashed: validation)", self.loss_plot, lambda: self._curve_rows("loss"), "runs_loss"
        )
        self.metric_card = Card("Metric", self.metric_plot, lambda: self._curve_rows(self._metric()), "runs_metric")
        plots.addWidget(self.loss_card)
        plots.addWidget(self.metric_card)
        split.addWidget(plots)
        split.setSizes([520, 520])
        lay.addWidget(split, 1)
        self.curves: dict[int, list[pg.PlotDataItem]] = {}
        self._diff: tuple[list[str], list[list[str]]] = ([], [])

    def _plot(self, y: str) -> pg.PlotWidget:
        plot = pg.PlotWidget()
        style_plot(plot, self.colors)
        item = plot.getPlotItem()
        item.setLabel("bottom", "epoch")
        item.setLabel("left", y)
        item.addLegend(offset=(-6, 6), labelTextColor=self.colors.text, labelTextSize="8pt", verSpacing=-6)
        return plot

    # ------------------------------------------------------------------ document
    def set_document(self, doc) -> None:
        if self.doc is not None:
            try:
                self.doc.events.runs_changed.disconnect(self.reload)
            except ValueError:
                pass
        self.doc = doc
        doc.events.runs_changed.connect(self.reload)
        self.reload()

    def runs(self) -> list[dict[str, Any]]:
        return list(self.doc.runs) if self.doc is not None else []

    def reload(self, select: list[int] | None = None) -> None:
        """Refill the list; select the runs with ids `select` (default: the newest run)."""
        runs = self.runs()
        self.table.blockSignals(True)
        self.table.setRowCount(len(runs))
        for row, r in enumerate(runs):
            h = r["history"]
            metric = metric_name(r)
            cells = [
                run_title(r),
                r["started_at"].replace("T", " ")[:19],
                f"{r['duration_s']:.1f} s",
                str(len(h.get("loss", []))),
                str(r["seed"]),
                describe_changes(r),
                _fmt(r["metrics"].get("loss")),
                _fmt(r["metrics"].get("val_loss")),
                f"{metric} {_fmt(r['metrics'].get('val_' + metric, r['metrics'].get(metric)))}" if metric else "",
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r["id"])
                if col == 5:
                    item.setToolTip(describe_changes(r, limit=50))
                self.table.setItem(row, col, item)
        self.table.clearSelection()
        wanted = set(select) if select is not None else ({runs[-1]["id"]} if runs else set())
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row, r in enumerate(runs):
            if r["id"] in wanted:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)
        self.table.blockSignals(False)
        self.info.setText(
            f"{len(runs)} run{'s' if len(runs) != 1 else ''} recorded. Select two or more to compare them."
            if runs
            else "Every training run is recorded here. Train, or press Compare…"
        )
        self.refresh_selection()

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        items = [self.table.item(r, 0) for r in rows]
        return [item.data(Qt.ItemDataRole.UserRole) for item in items if item is not None]

    def select_runs(self, run_ids: list[int]) -> None:
        self.reload(select=run_ids)

    def selected_runs(self) -> list[dict[str, Any]]:
        ids = set(self.selected_ids())
        return [r for r in self.runs() if r["id"] in ids]

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if ids and self.doc is not None:
            self.doc.remove_runs(ids)

    # ------------------------------------------------------------------ overlay and A/B table
    def _metric(self) -> str:
        runs = self.selected_runs()
        return metric_name(runs[0]) if runs else "accuracy"

    def refresh_selection(self) -> None:
        runs = self.selected_runs()
        metric = self._metric()
        self.metric_card.set_title(f"{metric.capitalize()} (dashed: validation)" if metric else "Metric")
        self.metric_plot.getPlotItem().setLabel("left", metric)
        self.curves = {}
        for plot, key in ((self.loss_plot, "loss"), (self.metric_plot, metric)):
            item = plot.getPlotItem()
            item.clear()
            item.legend.clear()
            for pos, r in enumerate(runs):
                color = run_color(pos)
                h = r["history"]
                epochs = h.get("epoch") or list(range(1, len(h.get(key, [])) + 1))
                for name, style, label in (
                    (key, Qt.PenStyle.SolidLine, run_title(r)),
                    (f"val_{key}", Qt.PenStyle.DashLine, None),
                ):  # legend: one per run
                    if key and h.get(name):
                        curve = item.plot(
                            epochs[: len(h[name])],
                            h[name],
                            pen=pg.mkPen(color, width=2, style=style),
                            name=label,
                            connect="finite",
                        )
                        self.curves.setdefault(r["id"], []).append(curve)
        self._fill_diff(runs)

    def _fill_diff(self, runs: list[dict[str, Any]]) -> None:
        names = differing_settings(runs) if len(runs) > 1 else []
        metrics = [
            k
            for k in ("loss", "val_loss", "accuracy", "val_accuracy", "mae", "val_mae")
            if any(k in r["metrics"] for r in runs)
        ]
        rows = [(n, [r["settings"].get(n) for r in runs]) for n in names]
        rows += [("duration (s)", [r["duration_s"] for r in runs])]
        rows += [(f"final {m}", [r["metrics"].get(m) for r in runs]) for m in metrics]
        self.diff.clear()
        self.diff.setColumnCount(len(runs) + 1)
        self.diff.setHorizontalHeaderLabels(["", *[run_title(r) for r in runs]])
        self.diff.setRowCount(len(rows))
        for i, (name, values) in enumerate(rows):
            self.diff.setItem(i, 0, QTableWidgetItem(name))
            for j, v in enumerate(values):
                self.diff.setItem(i, j + 1, QTableWidgetItem(_fmt(v)))
        self.diff.resizeColumnsToContents()
        self.diff_card.set_title(
            f"What differs (A/B): {len(names)} setting{'s' if len(names) != 1 else ''}"
            if len(runs) > 1
            else "Settings and results"
        )
        self._diff = (["", *[run_title(r) for r in runs]], [[n, *[_fmt(v) for v in vals]] for n, vals in rows])

    def _diff_rows(self):
        return self._diff

    def _curve_rows(self, key: str):
        rows = []
        for r in self.selected_runs():
            h = r["history"]
            epochs = h.get("epoch") or list(range(1, len(h.get(key, [])) + 1))
            for name in (key, f"val_{key}"):
                rows += [[run_title(r), name, e, v] for e, v in zip(epochs, h.get(name, []))]
        return ["run", "series", "epoch", "value"], rows


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.4g}"
    return str(v)
