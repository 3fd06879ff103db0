"""A node's input or output port: the handle wires are dragged from and dropped on."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem, QWidget

if TYPE_CHECKING:
    from .node_item import NodeItem

RADIUS = 5.5


class PortState(Enum):
    NORMAL = 0
    COMPATIBLE = 1  # a wire being dragged may end here
    REFUSED = 2  # a wire being dragged may not end here
    HOVER = 3  # the compatible port under the cursor


class PortItem(QGraphicsItem):
    """Child of a NodeItem; mouse presses start a wire drag handled by the scene."""

    def __init__(self, node: NodeItem, name: str, is_input: bool, description: str = "") -> None:
        super().__init__(node)
        self.node = node
        self.name = name
        self.is_input = is_input
        self.connected = False
        self.state = PortState.NORMAL
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(2)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        direction = "input" if is_input else "output"
        hint = "drag to another node's output" if is_input else "drag to another node's input"
        self.setToolTip(f"{name} ({direction}{': ' + description if description else ''}) — {hint}")

    @property
    def node_id(self) -> str:
        return self.node.node_id

    def boundingRect(self) -> QRectF:
        r = RADIUS + 4
        return QRectF(-r, -r, 2 * r, 2 * r)

    def set_state(self, state: PortState) -> None:
        if state != self.state:
            self.state = state
            self.node.redraw()

    def set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self.node.redraw()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Nothing: the node paints its ports into its cached picture; this item is the mouse target."""

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.scene() is not None:
            self.scene().begin_wire(self, event.scenePos())
            event.accept()
        else:
            event.ignore()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self.scene().drag_wire(event.scenePos())

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.scene().end_wire(event.scenePos())
