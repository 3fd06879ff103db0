"""Live training in the main window: the Training panel, the live plots and the weights on the canvas.

The main window builds the `TrainingController` and a `TrainingFeature` around it, places the
panels with `place(docks)` and connects File › New/Open to `follow`; nothing here reaches into
the window.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QStatusBar

from ...model import Document
from ..canvas import GraphScene
from ..dock_host import DockHost
from ..theme import CanvasColors
from .controller import TrainingController
from .dashboard import Dashboard
from .overlay import CanvasOverlay
from .panel import TrainingPanel

PANEL_WIDTH, PLOTS_HEIGHT = 360, 330  # first-run sizes of the Training dock and the Training plots dock


class TrainingFeature(QObject):
    """The controller's views: the Training panel, the Training plots and the canvas overlay, kept in step."""

    def __init__(
        self,
        controller: TrainingController,
        colors: CanvasColors,
        scene: GraphScene,
        status_bar: QStatusBar,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.panel = TrainingPanel(controller, colors)
        self.dashboard = Dashboard(colors)
        self.overlay = CanvasOverlay(scene, controller, self)
        self.status_bar = status_bar
        self.docks: DockHost | None = None

        controller.chunk_received.connect(self.dashboard.on_chunk)
        self.dashboard.live_source = controller.live_calls
        controller.state_changed.connect(self._state_changed)
        controller.history_restored.connect(self.dashboard.restore)
        controller.plane_changed.connect(self.dashboard.set_plane)
        self.panel.wire_mode_changed.connect(self.overlay.set_mode)
        self.dashboard.restore(controller.doc.training_history)
        QTimer.singleShot(0, controller.check_dataset)  # once the window knows its file (relative data paths)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(controller.shutdown)

    def place(self, docks: DockHost) -> None:
        """The Training panel beside the Inspector, the plots beside Problems, both in front."""
        panel = docks.add_panel(
            "training", "Training", self.panel, Qt.DockWidgetArea.RightDockWidgetArea, tabify_with="inspector"
        )
        plots = docks.add_panel(
            "dashboard",
            "Training plots",
            self.dashboard,
            Qt.DockWidgetArea.BottomDockWidgetArea,
            tabify_with="problems",
        )
        self.docks = docks
        panel.raise_()
        plots.raise_()

        def first_sizes() -> None:  # once the docks have their own first sizes (queued while they were built)
            docks.resizeDocks([plots], [PLOTS_HEIGHT], Qt.Orientation.Vertical)
            docks.resizeDocks([panel], [PANEL_WIDTH], Qt.Orientation.Horizontal)

        QTimer.singleShot(0, first_sizes)

    def follow(self, doc: Document, path: str | None = None) -> None:
        """File › New/Open: stop any run of the old document and show the new one's results."""
        self.controller.set_document(doc)
        self.panel.set_document(doc)
        self.overlay.from_document(clear_badges=True)

    def _state_changed(self, state: str, text: str) -> None:
        if state == "compiling":  # a new run: fresh plots, and the panel and plots come to the front
            self.dashboard.new_run()
        if text:
            self.status_bar.showMessage(text)
        if state == "compiling":
            self._show_docks()

    def _show_docks(self) -> None:
        if self.docks is not None:
            for key in ("training", "dashboard"):
                self.docks.show_panel(key)
