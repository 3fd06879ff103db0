"""Wire evaluation into a MainWindow: the Evaluation and Runs docks, run recording, Compare… jobs.

Runs are recorded from the training controller's public signals: a run starts when training
starts compiling and ends when it finishes, stops or fails; what it trained is the part of the
document's history added in between.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QFrame, QScrollArea, QWidget

from ...api.bridge import graph_spec
from ...api.data import DataProblem, document_spec, load_training_data
from ...api.network import Network
from ...model.runs import epochs_in, history_since, record_run, run_settings
from ..training.controller import snapshot
from .compare_dialog import CompareDialog
from .jobs import Job
from .panel import EvaluationPanel
from .runs_panel import RunsPanel

ENDED = ("finished", "idle", "failed")
WARM_THREAD = "neuroedit-import-metrics"
log = logging.getLogger(__name__)


class EvaluationController(QObject):
    """Owns the background jobs of the window's Evaluation and Runs panels."""

    def __init__(self, window, panel: EvaluationPanel, runs_panel: RunsPanel) -> None:
        super().__init__(window)
        self.window, self.panel, self.runs_panel = window, panel, runs_panel
        self.job: Job | None = None
        self.compare_job: Job | None = None
        self.pending_split: str | None = None
        self.stale = False  # trained since the last evaluation
        self._data_cache: tuple[Any, Any] | None = None  # (key, TrainingData): reused while nothing changed
        self._run_start: tuple[float, datetime, dict, int] | None = None
        panel.evaluate_requested.connect(self.evaluate)
        runs_panel.compare_requested.connect(self.ask_compare)

    # ------------------------------------------------------------------ evaluation
    def _data(self, graph, spec: str, base: str | None):
        """The data set, loaded once per (spec, folder, loss, input shapes): re-evaluating is then fast."""
        key = (spec, base, graph.loss_name, tuple(graph.op(i).output_shape for i in graph.input_ids))
        cached = self._data_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        data = load_training_data(graph, spec, base)
        self._data_cache = (key, data)
        return data

    def evaluate(self, split: str) -> None:
        """Evaluate the current weights on `split` in a background thread; the panel shows the result."""
        if self.job is not None and self.job.running():
            self.pending_split = split
            return
        doc = self.window.doc
        try:
            graph = graph_spec(doc)
            spec = document_spec(doc)
        except (ValueError, DataProblem) as e:
            self.panel.show_error(str(e).splitlines()[0])
            return
        snap = snapshot(doc)
        base = self.window.training.base_dir()

        def work(report):
            from ...evaluation.evaluate import evaluate_data

            return evaluate_data(Network(snap), graph, self._data(graph, spec, base), split, first_look=report)

        self.panel.show_busy("Evaluating…")
        job = Job(work, "neuroedit-evaluation")
        job.progress.connect(lambda ev: self.panel.show_evaluation(ev) if self.window.doc is doc else None)
        job.finished.connect(lambda ev: self._evaluated(ev if self.window.doc is doc else None))
        job.failed.connect(self._failed)
        self.job = job
        job.start()

    def _evaluated(self, ev) -> None:
        """`ev` is None when another document was opened meanwhile (the result belongs to the old one)."""
        if ev is not None:
            self.panel.show_evaluation(ev)
        self._next()

    def _failed(self, message: str) -> None:
        self.panel.show_error(message)
        self._next()

    def _next(self) -> None:
        self.job = None
        if self.pending_split is not None:
            split, self.pending_split = self.pending_split, None
            self.evaluate(split)

    def document_changed(self) -> None:
        self._data_cache = None

    # ------------------------------------------------------------------ runs
    def training_state(self, state: str, text: str) -> None:
        doc = self.window.doc
        if state == "running" or (state == "compiling" and not self.window.training.compiling_since_launch):
            warm_metrics()  # not while the launch compile needs every core: the first Train press waits for it
        if state == "compiling":
            if self._run_start is not None and epochs_in(doc.training_history) <= self._run_start[3]:
                return  # the worker's own "compiling" report of the run that just started
            self._finish_run()
            self._run_start = (
                time.perf_counter(),
                datetime.now(UTC),
                run_settings(doc),
                epochs_in(doc.training_history),
            )
        elif state in ENDED:
            self._finish_run()
            if state == "finished":
                self.stale = True
                self.dock_shown(not self.window.docks["evaluation"].visibleRegion().isEmpty())

    def dock_shown(self, visible: bool) -> None:
        """After training the panel evaluates when it is (or next becomes) visible: no work for a hidden tab."""
        if visible and self.stale:
            self.stale = False
            self.evaluate(self.panel.split())

    def _finish_run(self) -> None:
        start, self._run_start = self._run_start, None
        if start is None:
            return
        began, when, settings, first = start
        doc = self.window.doc
        if epochs_in(doc.training_history) <= first:
            return
        record_run(
            doc, settings, history_since(doc.training_history, first), time.perf_counter() - began, started_at=when
        )
        self.window.files.forced_dirty = True
        self.window.update_title()

    # ------------------------------------------------------------------ Compare…
    def ask_compare(self) -> None:
        if self.compare_job is not None and self.compare_job.running():
            self.window.show_status("A comparison is already training")
            return
        s = self.window.doc.settings
        dialog = CompareDialog(self.window, int(s.get("epochs", 100)), int(s.get("seed", 0)))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.compare(dialog.variants(), dialog.epochs(), dialog.fresh())

    def compare(self, variants, epochs: int, fresh: bool) -> None:
        """Train one copy per variant in a background thread; each finished run is recorded and overlaid."""
        from ...evaluation.compare import compare, starting_point

        doc = self.window.doc
        try:
            graph = graph_spec(doc)
            spec = document_spec(doc)
            base = starting_point(snapshot(doc), fresh)
        except (ValueError, DataProblem) as e:
            self.window.show_status(f"Cannot compare: {str(e).splitlines()[0]}")
            return
        folder = self.window.training.base_dir()
        self._compared: list[int] = []
        self._compare_doc = doc

        def work(report):
            return compare(base, variants, self._data(graph, spec, folder), epochs, report)

        job = Job(work, "neuroedit-compare")
        job.progress.connect(self._compared_one)
        job.finished.connect(lambda runs: self._compare_done(len(variants)))
        job.failed.connect(lambda message: self._compare_done(len(variants), message))
        self.compare_job = job
        self.runs_panel.compare_button.setEnabled(False)
        self.window.show_status(f"Comparing {len(variants)} settings: training {variants[0].label}…")
        job.start()

    def _compared_one(self, run: dict) -> None:
        doc = self._compare_doc
        if doc is not self.window.doc:  # another file was opened meanwhile: its runs are not these
            return
        recorded = record_run(doc, run["settings"], run["history"], run["duration_s"], label=run["label"])
        self._compared.append(recorded["id"])
        self.runs_panel.select_runs(self._compared)
        self.window.files.forced_dirty = True
        self.window.update_title()
        self.window.show_status(f"Compared {len(self._compared)} runs…")

    def _compare_done(self, total: int, error: str = "") -> None:
        self.compare_job = None
        self.runs_panel.compare_button.setEnabled(True)
        if error:
            self.window.show_status(f"Compare stopped: {error}")
        else:
            self.window.show_status(f"Compared {total} settings: their curves are overlaid in the Runs panel")
        dock = self.window.docks["runs"]
        dock.show()
        dock.raise_()


def _scrolling(panel: QWidget) -> QScrollArea:
    """The panels need room for three plots side by side; in a small window they scroll instead of
    squeezing the canvas (a dock is never smaller than its widget's minimum size)."""
    scroller = QScrollArea()
    scroller.setWidgetResizable(True)
    scroller.setFrameShape(QFrame.Shape.NoFrame)
    scroller.setWidget(panel)
    return scroller


def _add_menu_actions(window, controller: EvaluationController) -> None:
    """Network › Evaluate and Network › Compare training settings… (the panels' buttons, from the menu)."""
    menu = next((a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Network"), None)
    if menu is None:
        return

    def evaluate() -> None:
        dock = window.docks["evaluation"]
        dock.show()
        dock.raise_()
        controller.panel.request()

    menu.addSeparator()
    for text, slot, name in (
        ("Evaluate", evaluate, "action_evaluate"),
        ("Compare Training Settings…", controller.ask_compare, "action_compare"),
    ):
        action = menu.addAction(text)
        action.setObjectName(name)
        action.triggered.connect(slot)


def warm_metrics() -> None:
    """Import scikit-learn's metrics in the background while the first training compiles (the import
    takes seconds), so the first evaluation after it does not wait for it."""
    if "sklearn.metrics" not in sys.modules and not any(t.name == WARM_THREAD for t in threading.enumerate()):
        threading.Thread(target=_import_metrics, name=WARM_THREAD, daemon=True).start()


def _import_metrics() -> None:
    try:
        importlib.import_module("sklearn.metrics")
    except Exception:  # e.g. the editor quit mid-import; an evaluation imports it again and reports any error
        log.debug("background import of sklearn.metrics failed", exc_info=True)


def install_evaluation(window) -> EvaluationController:
    """Add the Evaluation and Runs docks (tabbed with the training plots) and their controller."""
    panel = EvaluationPanel(window.colors)
    runs_panel = RunsPanel(window.colors)
    controller = EvaluationController(window, panel, runs_panel)
    window.evaluation_panel, window.runs_panel, window.evaluation = panel, runs_panel, controller
    near = "dashboard" if "dashboard" in window.docks else "problems"
    window.add_panel(
        "evaluation", "Evaluation", _scrolling(panel), Qt.DockWidgetArea.BottomDockWidgetArea, tabify_with=near
    )
    window.add_panel("runs", "Runs", _scrolling(runs_panel), Qt.DockWidgetArea.BottomDockWidgetArea, tabify_with=near)
    if near == "dashboard":
        window.docks["dashboard"].raise_()
    _add_menu_actions(window, controller)
    runs_panel.set_document(window.doc)
    window.training.state_changed.connect(controller.training_state)
    window.docks["evaluation"].visibilityChanged.connect(controller.dock_shown)

    def opened(doc, path) -> None:
        controller.document_changed()
        controller._run_start = None
        controller.stale = False
        runs_panel.set_document(doc)
        panel.clear()

    window.files.document_opened.connect(opened)
    return controller
