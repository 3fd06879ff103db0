"""The canvas view: zoom to cursor, pan (middle button or space-drag), rubber band, frame all, drops."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsView

from ...model import Edge
from .node_item import LOW_DETAIL
from .scene import GraphScene
from .wire_item import WireStyle

NODE_MIME = "application/x-neuroedit-node-type"
MIN_ZOOM, MAX_ZOOM, FRAME_MAX_ZOOM = 0.1, 4.0, 1.35
ZOOM_SETTLE_MS = 150


class Canvas(QGraphicsView):
    """Shows a GraphScene. Emits `add_requested(type, pos)` for palette drops and `files_dropped` for files."""

    add_requested = Signal(str, QPointF)
    files_dropped = Signal(list)
    zoom_changed = Signal(float)

    def __init__(self, scene: GraphScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.TextAntialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._space = False
        self._pan_from: QPointF | None = None
        # While a zoom goes on, cards show their pictures scaled; sharp ones come when it settles.
        self._settle = QTimer(self, singleShot=True, interval=ZOOM_SETTLE_MS)
        self._settle.timeout.connect(self.end_zoom_gesture)
        self.zoom_changed.connect(self._zoomed)

    @property
    def graph(self) -> GraphScene:
        return self.scene()  # type: ignore[return-value]

    def set_wire_style(self, style: Callable[[Edge], WireStyle | None] | None) -> None:
        """Extension point for live training: colour wires by weights (see GraphScene.set_wire_style)."""
        self.graph.set_wire_style(style)

    # ------------------------------------------------------------------ zoom and framing
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        step = min(MAX_ZOOM, max(MIN_ZOOM, factor)) / self.zoom()
        self.scale(step, step)
        self.zoom_changed.emit(self.zoom())

    def zoom_by(self, step: float) -> None:
        old_anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.set_zoom(self.zoom() * step)
        self.setTransformationAnchor(old_anchor)

    def _zoomed(self, zoom: float) -> None:
        """Every zoom is a gesture: quick frames (pictures unfiltered, wires aliased) until it settles."""
        self.graph.pictures.hold(True)
        self.graph.pictures.set_zoom(zoom, self.devicePixelRatioF())
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self._settle.start()

    def end_zoom_gesture(self) -> None:
        """The zoom settled: antialiased wires, and sharp cards re-rendered a few per frame."""
        self._settle.stop()
        self.graph.pictures.hold(False)
        # far out, wires are hairlines: antialiasing them costs more than it shows
        self.setRenderHint(QPainter.RenderHint.Antialiasing, self.zoom() >= LOW_DETAIL)
        self.viewport().update()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        if self.graph is not None:  # None while QGraphicsView sets itself up
            self.graph.pictures.scrolled()

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def frame_all(self) -> None:
        """Fit every node in view (F), without blowing small graphs up past a readable size."""
        items = list(self.graph.node_items.values())
        if not items:
            self.resetTransform()
            self.centerOn(0, 0)
            self.zoom_changed.emit(self.zoom())
            return
        rect = QRectF()
        for item in items:
            rect = rect.united(item.sceneBoundingRect())
        self.frame_rect(rect)

    def frame_rect(self, rect: QRectF) -> None:
        rect = rect.adjusted(-40, -40, 40, 40)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > FRAME_MAX_ZOOM:
            self.set_zoom(FRAME_MAX_ZOOM)
        elif self.zoom() < MIN_ZOOM:
            self.set_zoom(MIN_ZOOM)
        self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom())

    def centre_on_node(self, node_id: str) -> None:
        item = self.graph.node_items.get(node_id)
        if item is not None:
            self.centerOn(item)

    def view_centre(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.set_zoom(self.zoom() * (1.0015**delta))
        event.accept()

    # ------------------------------------------------------------------ panning
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pan = event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space
        )
        if pan:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self.pan_by(event.position() - self._pan_from)
            self._pan_from = event.position()
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            if self._space:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def pan_by(self, delta: QPointF) -> None:
        """Move the picture by `delta` viewport pixels (scroll bars are hidden but still scroll)."""
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() - round(delta.x()))
        v.setValue(v.value() - round(delta.y()))

    # ------------------------------------------------------------------ drops from the palette and the file manager
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(NODE_MIME) or event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(NODE_MIME) or event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        data = event.mimeData()
        if data.hasFormat(NODE_MIME):
            type_name = bytes(data.data(NODE_MIME)).decode("utf-8")
            self.add_requested.emit(type_name, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        elif data.hasUrls():
            paths = [u.toLocalFile() for u in data.urls() if u.isLocalFile()]
            if paths:
                self.files_dropped.emit(paths)
                event.acceptProposedAction()
        else:
            event.ignore()
