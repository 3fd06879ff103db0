"""Put the backpropagation views into a MainWindow: the Neuron view tab, the Step-through dock, View actions.

`install_backprop(window)` is the only thing the main window calls. It wraps the canvas
in a "Layer graph | Neuron view" tab widget, docks the step-through and gradient-check
panels, keeps the neuron view's selection equal to the canvas's, and follows File > Open.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QTabWidget

from .. import shortcuts, theme
from ..binding import DocBinding
from .canvas_marks import CanvasMarks
from .gradcheck_panel import GradCheckPanel
from .neuron_scene import NeuronScene
from .neuron_view import NeuronView
from .step_panel import StepPanel
from .stepper import Stepper

LAYER_TAB, NEURON_TAB = 0, 1


class Backprop(QObject):
    """Everything install_backprop made (also `window.backprop`); its slots keep the views in step.

    A QObject child of the window, so Qt drops its connections when the window goes.
    """

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        dark = window.colors is theme.DARK
        self.stepper = Stepper(window.doc, lambda: _base_dir(window), self)
        self.neuron_scene = NeuronScene(window.doc, self.stepper, window.colors, self)
        self.neuron_view = NeuronView(self.neuron_scene)
        self.step_panel = StepPanel(self.stepper, dark)
        self.gradcheck = GradCheckPanel(self.stepper)
        self.marks = CanvasMarks(window.scene, self.stepper)
        self.tabs = QTabWidget()
        self.panel_tabs = QTabWidget()
        self._moves = DocBinding()
        self.dock_shown = False
        bindings = [self._moves, self.stepper._binding, self.neuron_scene._binding]
        self.destroyed.connect(lambda *a: [b.unbind() for b in bindings])   # the Document may outlive us

    def show_neuron_view(self, on: bool = True) -> None:
        self.tabs.setCurrentIndex(NEURON_TAB if on else LAYER_TAB)

    def dock_visibility(self, shown: bool) -> None:
        """The dock's own signal: isVisible() stays True for a dock whose tab is behind another one."""
        self.dock_shown = shown
        self.update_active()

    def update_active(self, *args) -> None:
        """Walk only while the step-through dock or the neuron view's neurons are on screen.

        A graph too big to draw as neurons shows no numbers: walking it for the neuron view alone
        would cost a full forward and backward pass per edit for nothing.
        """
        stepping = self.dock_shown
        neurons = self.tabs.currentIndex() == NEURON_TAB and not self.neuron_scene.too_big
        self.stepper.set_active(stepping or neurons)
        if stepping != self.marks.enabled:        # the canvas shows the walk only while the panel is open
            self.marks.set_enabled(stepping)

    def tab_changed(self, index: int) -> None:
        self.toggle.blockSignals(True)
        self.toggle.setChecked(index == NEURON_TAB)
        self.toggle.blockSignals(False)
        self.update_active()
        if index == NEURON_TAB:
            self.neuron_view.fit()

    def selection_changed(self) -> None:
        try:
            ids = self.window.scene.selected_node_ids()
        except RuntimeError:          # the canvas is being cleared or destroyed: its items are gone
            return
        self.neuron_scene.set_selected(ids)

    def select_node(self, node_id: str) -> None:
        self.window.scene.select_nodes([node_id])

    def show_step_through(self) -> None:
        dock = self.window.docks["stepthrough"]
        dock.show()
        dock.raise_()
        self.panel_tabs.setCurrentIndex(0)

    def follow(self, doc, path=None) -> None:
        """A new document (File > New/Open): every part follows it."""
        self.stepper.set_document(doc)
        self.neuron_scene.set_document(doc)
        self.marks.scene = self.window.scene
        self.step_panel.load_choice()
        self._moves.bind(doc, [(doc.events.node_moved, self.node_moved)])
        self.update_active()

    def node_moved(self, *args) -> None:
        self.marks.refresh()


def install_backprop(window) -> Backprop:
    bp = Backprop(window)
    window.backprop = bp
    canvas = window.takeCentralWidget()
    tabs = bp.tabs
    tabs.setObjectName("view_tabs")
    tabs.setDocumentMode(True)
    tabs.addTab(canvas, "Layer graph")
    tabs.addTab(bp.neuron_view, "Neuron view")
    window.setCentralWidget(tabs)

    bp.panel_tabs.setDocumentMode(True)
    bp.panel_tabs.addTab(bp.step_panel, "Step through")
    bp.panel_tabs.addTab(bp.gradcheck, "Gradient check")
    dock = window.add_panel("stepthrough", "Step through", bp.panel_tabs, Qt.DockWidgetArea.BottomDockWidgetArea,
                            tabify_with="problems")

    bp.toggle = toggle = QAction("Neuron View", window)
    toggle.setObjectName("action_neuron_view")
    toggle.setCheckable(True)
    toggle.setShortcuts(shortcuts.sequences("neuron_view"))
    toggle.setStatusTip("Switch between the layer graph and the neuron view (every neuron a circle)")
    toggle.toggled.connect(bp.show_neuron_view)
    step_action = QAction("Step Through Backpropagation", window)
    step_action.setObjectName("action_step_through")
    step_action.setShortcuts(shortcuts.sequences("step_through"))
    step_action.setStatusTip("Walk one training step forward, through the loss, backward and the update")
    step_action.triggered.connect(bp.show_step_through)
    for action in (toggle, step_action):
        window.addAction(action)
        window.actions[action.objectName()[7:]] = action
    view_menu = next((a.menu() for a in window.menuBar().actions() if a.text() == "&View"), None)
    if view_menu is not None:
        view_menu.addSeparator()
        view_menu.addActions([toggle, step_action])
    if hasattr(window, "panels_menu"):
        window.panels_menu.addAction(dock.toggleViewAction())

    tabs.currentChanged.connect(bp.tab_changed)
    bp.dock_shown = dock.isVisible()
    dock.visibilityChanged.connect(bp.dock_visibility)
    bp.neuron_scene.too_big_changed.connect(bp.update_active)
    window.scene.selectionChanged.connect(bp.selection_changed)
    bp.neuron_scene.node_clicked.connect(bp.select_node)
    for source in (bp.neuron_scene, bp.step_panel, bp.gradcheck):
        source.status_message.connect(window.show_status)
    window.files.document_opened.connect(bp.follow)
    training = getattr(window, "training", None)
    if training is not None:      # 2-D inputs: each neuron shows its heat map over the input plane, live
        training.plane_changed.connect(bp.neuron_scene.set_plane)
        training.chunk_received.connect(bp.neuron_scene.on_chunk)
        training.history_restored.connect(bp.neuron_scene.clear_boundary)
    bp._moves.bind(window.doc, [(window.doc.events.node_moved, bp.node_moved)])
    bp.update_active()
    return bp


def _base_dir(window) -> str | None:
    path = getattr(window.files, "path", None)
    return str(Path(path).resolve().parent) if path else None
