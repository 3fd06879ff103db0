"""Put the gradient-descent views into a MainWindow.

`install_descent(window)` adds a "Loss along weight" dock, a Gradient Descent menu (loss
surface and optimizer race windows), the inspector's activation curves and weight
matrix for Dense/Activation nodes, and keeps them following the document, training and
the step-through.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from ..binding import DocBinding
from .activation_plot import ActivationPlot
from .loss_curve import LossCurvePanel
from .race_view import RaceView
from .source import DataCache
from .surface_view import SurfaceView
from .weight_table import WeightTable


class Descent(QObject):
    """Everything install_descent made (also `window.descent`)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.cache = DataCache()
        self.curve = LossCurvePanel(window, window.colors, self.cache)
        self.surface: SurfaceView | None = None
        self.race: RaceView | None = None
        self._binding = DocBinding()
        self.destroyed.connect(lambda *a: self._binding.unbind())

    # ------------------------------------------------------------------ opening the views
    def select_weight(self, node: str, name: str, index: tuple[int, ...]) -> None:
        dock = self.window.docks["loss_curve"]
        dock.show()
        dock.raise_()
        self.curve.select(node, name, index)
        self.follow_player()

    def weight_line_clicked(self, link, scene_pos) -> None:
        """A weight line of the neuron view (the click also opens its inline editor)."""
        if link.weight is not None:
            self.select_weight(link.dst, *link.weight)

    def show_surface(self) -> SurfaceView:
        if self.surface is None:
            self.surface = SurfaceView(self.window, self.window.colors, self.cache, self.window)
            self.surface.status_message.connect(self.window.show_status)
        ref = self.curve.ref
        if ref is not None:
            self.surface.choose((ref.node, ref.name, ref.index))
        self.surface.show()
        self.surface.raise_()
        return self.surface

    def show_race(self) -> RaceView:
        if self.race is None:
            self.race = RaceView(self.window, self.window.colors, self.window)
            self.race.status_message.connect(self.window.show_status)
        self.race.load()
        self.race.show()
        self.race.raise_()
        return self.race

    # ------------------------------------------------------------------ the inspector
    def inspector_extra(self, node_id: str) -> QWidget | None:
        doc = self.window.doc
        node = doc.nodes.get(node_id)
        if node is None or node.type not in ("Dense", "Activation"):
            return None
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        weights = doc.weights.get(node_id, {})
        if node.type == "Dense" and "kernel" in weights:
            table = WeightTable(node_id, weights)
            table.weight_clicked.connect(self.select_weight)
            layout.addWidget(table)
        layout.addWidget(ActivationPlot(self.window, self.window.colors, self.cache, node_id))
        return box

    # ------------------------------------------------------------------ following
    def follow(self, doc, path=None) -> None:
        self._binding.bind(
            doc, [(doc.events.weights_changed, self.weights_changed), (doc.events.changed, self.structure_changed)]
        )
        self.curve.clear()
        if self.surface is not None:
            self.surface.clear()
        if self.race is not None and self.race.isVisible():
            self.race.load()

    def weights_changed(self, *args) -> None:
        self.curve.weights_changed()
        if self.surface is not None:
            self.surface.follow()

    def structure_changed(self, *args) -> None:
        if self.surface is not None:
            self.surface.reload_choices()

    def follow_player(self, *args) -> None:
        """The step-through's walked update of the selected weight, marked on the curve."""
        ref = self.curve.ref
        backprop = getattr(self.window, "backprop", None)
        walk = backprop.player.walk if backprop is not None else None
        if ref is None or walk is None or ref.node not in walk.nodes or ref.name not in walk.nodes[ref.node].params:
            self.curve.show_after(None)
            return
        p = walk.nodes[ref.node].params[ref.name]
        try:
            self.curve.show_after(float(p.new[ref.index]))
        except IndexError:
            self.curve.show_after(None)


def install_descent(window) -> Descent:
    d = Descent(window)
    window.descent = d
    dock = window.add_panel(
        "loss_curve", "Loss along weight", d.curve, Qt.DockWidgetArea.BottomDockWidgetArea, tabify_with="walkthrough"
    )
    dock.hide()  # shown when a weight is chosen (or from the menu), so it adds no tab until it is wanted
    d.curve.status_message.connect(window.show_status)
    menu = QMenu("&Gradient Descent", window)
    help_menu = next((a for a in window.menuBar().actions() if a.text() == "&Help"), None)
    if help_menu is not None:
        window.menuBar().insertMenu(help_menu, menu)
    else:
        window.menuBar().addMenu(menu)
    actions = (
        (
            "loss_along_weight",
            "Loss Along a Weight",
            lambda: (dock.show(), dock.raise_()),
            (
                "L(w) of the selected weight with the tangent of slope dL/dw (select a weight in the neuron view "
                "or the inspector)"
            ),
        ),
        (
            "loss_surface",
            "Loss Surface…",
            d.show_surface,
            "The loss over a plane through the current weights, with the training path",
        ),
        (
            "optimizer_race",
            "Optimizer Race…",
            d.show_race,
            "SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW, Nadam and Adadelta on the open 2-D function",
        ),
    )
    for key, text, slot, tip in actions:
        action = QAction(text, window)
        action.setObjectName(f"action_{key}")
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        window.actions[key] = action
    window.inspector.node_extras.append(d.inspector_extra)
    backprop = getattr(window, "backprop", None)
    if backprop is not None:
        backprop.neuron_scene.edit_requested.connect(d.weight_line_clicked)
        backprop.player.changed.connect(d.follow_player)
    training = getattr(window, "training", None)
    if training is not None:
        training.chunk_received.connect(d.weights_changed)
    window.files.document_opened.connect(d.follow)
    d.follow(window.doc)
    return d
