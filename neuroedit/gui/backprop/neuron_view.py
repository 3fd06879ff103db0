"""The neuron view widget: shows a NeuronScene fitted to the window, with an inline editor for weights."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsView, QLabel, QLineEdit

from .neuron_layout import Link
from .neuron_scene import NeuronScene

MAX_FIT_ZOOM = 2.5  # a small network fills the view, its numbers growing with it, but is not blown up further
MAX_SPREAD = 2.5  # columns may move this much further apart to fill a wide view
HINT = (
    "Hover a neuron for its formula, a weight for w, dL/dw and its update · click a weight to type a value · "
    "blue w > 0, orange w < 0, thicker = larger |w|"
)


class WeightEditor(QLineEdit):
    """A small field over the clicked weight: Enter commits, Escape or leaving cancels."""

    def __init__(self, view: NeuronView, link: Link, text: str) -> None:
        super().__init__(text, view.viewport())
        self.view, self.link = view, link
        self.setObjectName("weight_editor")
        self.setFixedWidth(110)
        self.setToolTip(f"New value of {link.dst}.{link.weight[0]}{list(link.weight[1])}; Enter sets it, Esc cancels")
        self.selectAll()
        self.returnPressed.connect(self._commit)
        self.editingFinished.connect(self.close_editor)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_editor()
            return
        super().keyPressEvent(event)

    def _commit(self) -> None:
        if self.view.neuron_scene.commit_weight(self.link, self.text()):
            self.close_editor()

    def close_editor(self) -> None:
        if self.view.editor is self:
            self.view.editor = None
            self.hide()
            self.deleteLater()


class NeuronView(QGraphicsView):
    def __init__(self, scene: NeuronScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.neuron_scene = scene
        self.editor: WeightEditor | None = None
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setBackgroundBrush(scene.colors.background)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setObjectName("neuron_view")
        self.hint = QLabel(HINT, self)
        self.hint.setStyleSheet(f"color: {scene.colors.muted.name()}; background: transparent; padding: 4px;")
        self.hint.setWordWrap(True)
        scene.edit_requested.connect(self.edit_weight)
        scene.sceneRectChanged.connect(lambda r: self.fit())

    def fit(self) -> None:
        """The whole network in view, never magnified past MAX_FIT_ZOOM (small nets stay crisp, not huge).

        A view wider than the network spreads its columns first, so the network fills the width too.
        """
        scene = self.neuron_scene
        self.hint.setVisible(not scene.too_big)  # nothing to hover on a "too big" message
        rect = scene.sceneRect()
        if rect.isEmpty():
            return
        view = self.viewport().rect()
        if not scene.too_big and view.height() > 0 and rect.height() > 0:
            wanted = scene.spread * (view.width() / view.height()) / (rect.width() / rect.height())
            wanted = max(1.0, min(MAX_SPREAD, wanted))
            if abs(wanted - scene.spread) > 0.1 * scene.spread:
                scene.set_spread(wanted)  # rebuilds soon; its new scene rect fits again
        self.resetTransform()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > MAX_FIT_ZOOM:
            self.resetTransform()
            self.scale(MAX_FIT_ZOOM, MAX_FIT_ZOOM)
            self.centerOn(rect.center())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.hint.setFixedWidth(max(200, self.viewport().width() - 8))
        self.hint.adjustSize()
        self.fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.neuron_scene.catch_up()  # edits, weights, steps and heat maps that arrived while the view was hidden
        self.fit()

    def wheelEvent(self, event) -> None:
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.scale(factor, factor)

    def edit_weight(self, link: Link, scene_pos: QPointF) -> WeightEditor:
        """Open the inline editor at the click, prefilled with the weight's current value."""
        if self.editor is not None:
            self.editor.close_editor()
        value = self.neuron_scene.weight_value(link)
        self.editor = WeightEditor(self, link, "" if value is None else f"{value:.6g}")
        p = self.mapFromScene(scene_pos)
        self.editor.move(max(0, p.x() - 55), max(0, p.y() - 12))
        self.editor.show()
        self.editor.setFocus()
        return self.editor
