"""See backpropagation in the main window: the Neuron view tab, the Step-through dock, two View actions.

The main window builds a `Backprop` around its canvas, makes `tabs` ("Layer graph | Neuron view")
its central widget, places the step-through and gradient-check panels with `place(docks)`, adds
`actions` to its View menu and connects File › New/Open to `follow`. The neuron view's selection
stays equal to the canvas's.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QTabWidget, QWidget

from ...model import Document
from .. import shortcuts, theme
from ..binding import DocBinding
from ..canvas import GraphScene
from ..dock_host import DockHost
from ..theme import CanvasColors
from .canvas_marks import CanvasMarks
from .gradcheck_panel import GradCheckPanel
from .neuron_scene import NeuronScene
from .neuron_view import NeuronView
from .step_panel import StepPanel
from .stepper import Stepper

LAYER_TAB, NEURON_TAB = 0, 1


class Backprop(QObject):
    """The backpropagation views and their actions; its slots keep them in step with the canvas and the document.

    A QObject child of the window, so Qt drops its connections when the window goes.
    """

    status_message = Signal(str)

    def __init__(
        self,
        doc: Document,
        scene: GraphScene,
        canvas: QWidget,
        colors: CanvasColors,
        folder: Callable[[], str | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.scene = scene
        self.stepper = Stepper(doc, folder, self)
        self.neuron_scene = NeuronScene(doc, self.stepper, colors, self)
        self.neuron_view = NeuronView(self.neuron_scene)
        self.step_panel = StepPanel(self.stepper, colors is theme.DARK)
        self.gradcheck = GradCheckPanel(self.stepper)
        self.marks = CanvasMarks(scene, self.stepper)
        self.dock: QDockWidget | None = None
        self.dock_shown = False
        self._moves = DocBinding()

        self.tabs = QTabWidget()
        self.tabs.setObjectName("view_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(canvas, "Layer graph")
        self.tabs.addTab(self.neuron_view, "Neuron view")
        self.panel_tabs = QTabWidget()
        self.panel_tabs.setDocumentMode(True)
        self.panel_tabs.addTab(self.step_panel, "Step through")
        self.panel_tabs.addTab(self.gradcheck, "Gradient check")

        self.toggle = _action(
            "neuron_view",
            "Neuron View",
            self,
            "Switch between the layer graph and the neuron view (every neuron a circle)",
        )
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self.show_neuron_view)
        step_action = _action(
            "step_through",
            "Step Through Backpropagation",
            self,
            "Walk one training step forward, through the loss, backward and the update",
        )
        step_action.triggered.connect(self.show_step_through)
        self.actions = {"neuron_view": self.toggle, "step_through": step_action}

        self.tabs.currentChanged.connect(self.tab_changed)
        self.neuron_scene.too_big_changed.connect(self.update_active)
        scene.selectionChanged.connect(self.selection_changed)
        self.neuron_scene.node_clicked.connect(self.select_node)
        for source in (self.neuron_scene, self.step_panel, self.gradcheck):
            source.status_message.connect(self.status_message)
        self._moves.bind(doc, [(doc.events.node_moved, self.node_moved)])
        # Pure-Python calls: they run while Qt destroys the C++ objects. The Document may outlive us.
        detach = (self._moves.unbind, self.stepper.detach, self.neuron_scene.detach)
        self.destroyed.connect(lambda *a: [d() for d in detach])
        self.update_active()

    def place(self, docks: DockHost) -> QDockWidget:
        """The step-through and gradient-check tabs in one dock beside Problems."""
        dock = docks.add_panel(
            "stepthrough",
            "Step through",
            self.panel_tabs,
            Qt.DockWidgetArea.BottomDockWidgetArea,
            tabify_with="problems",
        )
        self.dock = dock
        self.dock_shown = dock.isVisible()
        dock.visibilityChanged.connect(self.dock_visibility)
        self.update_active()
        return dock

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
        if stepping != self.marks.enabled:  # the canvas shows the walk only while the panel is open
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
            ids = self.scene.selected_node_ids()
        except RuntimeError:  # the canvas is being cleared or destroyed: its items are gone
            return
        self.neuron_scene.set_selected(ids)

    def select_node(self, node_id: str) -> None:
        self.scene.select_nodes([node_id])

    def show_step_through(self) -> None:
        if self.dock is not None:
            self.dock.show()
            self.dock.raise_()
        self.panel_tabs.setCurrentIndex(0)

    def follow(self, doc: Document, path: str | None = None) -> None:
        """A new document (File › New/Open): every part follows it."""
        self.stepper.set_document(doc)
        self.neuron_scene.set_document(doc)
        self.step_panel.load_choice()
        self._moves.bind(doc, [(doc.events.node_moved, self.node_moved)])
        self.update_active()

    def node_moved(self, *args) -> None:
        self.marks.refresh()


def _action(key: str, text: str, parent: QObject, tip: str) -> QAction:
    action = QAction(text, parent)
    action.setObjectName(f"action_{key}")
    action.setShortcuts(shortcuts.sequences(key))
    action.setStatusTip(tip)
    return action
