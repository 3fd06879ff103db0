"""Wire live training into a MainWindow: docks, the Train action, data-set records, status bar, closing."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from ...model import EditError
from .controller import TrainingController
from .dashboard import Dashboard
from .feedback import TrainingFeedback
from .overlay import CanvasOverlay
from .panel import TrainingPanel


class _CloseGuard(QObject):
    """Before the window handles its Close event (and asks to save), stop training and keep its results."""

    def __init__(self, window, controller: TrainingController) -> None:
        super().__init__(window)
        self.controller = controller
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Close:
            self.controller.shutdown()
        return False


def attach_training(window) -> TrainingController:
    """Add the Training panel and the dashboards; returns the controller (also `window.training`)."""
    controller = TrainingController(window)
    panel = TrainingPanel(controller, window.colors)
    dashboard = Dashboard(window.colors)
    overlay = CanvasOverlay(window, controller)
    window.training, window.training_panel, window.dashboard, window.training_overlay = (
        controller, panel, dashboard, overlay)

    window.add_panel("training", "Training", panel, Qt.DockWidgetArea.RightDockWidgetArea, tabify_with="inspector")
    window.add_panel("dashboard", "Training plots", dashboard, Qt.DockWidgetArea.BottomDockWidgetArea,
                     tabify_with="problems")
    window.docks["training"].raise_()
    window.docks["dashboard"].raise_()
    QTimer.singleShot(0, lambda: (window.resizeDocks([window.docks["dashboard"]], [330], Qt.Orientation.Vertical),
                                  window.resizeDocks([window.docks["training"]], [360], Qt.Orientation.Horizontal)))
    if hasattr(window, "panels_menu"):
        for key in ("training", "dashboard"):
            window.panels_menu.addAction(window.docks[key].toggleViewAction())

    controller.chunk_received.connect(dashboard.on_chunk)
    dashboard.live_source = controller.live_calls
    controller.state_changed.connect(lambda state, text: dashboard.new_run() if state == "compiling" else None)
    controller.history_restored.connect(dashboard.restore)
    controller.plane_changed.connect(dashboard.set_plane)
    controller.state_changed.connect(lambda state, text: window.statusBar().showMessage(text) if text else None)
    controller.state_changed.connect(lambda state, text: _show_training_docks(window) if state == "compiling" else None)
    window.training_feedback = feedback = TrainingFeedback(window, controller)
    panel.wire_mode_changed.connect(overlay.set_mode)
    dashboard.restore(window.doc.training_history)

    def opened(doc, path) -> None:
        controller.set_document(doc)
        panel.set_document(doc)
        overlay.from_document(clear_badges=True)
        feedback.follow(doc)

    window.files.document_opened.connect(opened)
    if getattr(window, "data_panel", None) is not None:
        try:
            window.data_panel.spec_chosen.disconnect(window._set_dataset)
        except (RuntimeError, TypeError):
            pass
        window.data_panel.spec_chosen.connect(lambda spec: choose_dataset(window, spec))
    QTimer.singleShot(0, controller.check_dataset)   # once the window knows its file (relative data paths)
    window.trainer_available = True
    window.update_train_action()
    window._training_close_guard = _CloseGuard(window, controller)
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(controller.shutdown)
    return controller


def choose_dataset(window, spec: str) -> None:
    """Store the data set as a record (spec plus, for files, path/size/SHA-256) so a moved file is noticed."""
    from ...data import DataError, dataset_record

    base = window.training.base_dir()
    try:
        record = dataset_record(spec, base)
    except (DataError, OSError, ValueError) as e:
        window.show_status(f"Cannot use {spec}: {e}")
        return
    try:
        window.doc.set_dataset(record)
    except EditError as e:
        window.show_status(str(e))


def _show_training_docks(window) -> None:
    """Pressing Train brings the Training panel and the plots to the front of their dock tabs."""
    for key in ("training", "dashboard"):
        dock = window.docks.get(key)
        if dock is not None:
            dock.show()
            dock.raise_()
