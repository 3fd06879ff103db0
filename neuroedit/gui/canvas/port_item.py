"""A node's input or output port: the handle wires are dragged from and dropped on."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem, QWidget

if TYPE_CHECKING:
    from .node_item import NodeItem

RADIUS = 5.5


class PortState(Enum):
    NORMAL = 0
    COMPATIBLE = 1   # a wire being dragged may end here
    REFUSED = 2      # a wire being dragged may not end here
    HOVER = 3        # the compatible port under the cursor


class PortItem(QGraphicsItem):
    """Child of a NodeItem; mouse presses start a wire drag handled by the scene."""

    def __init__(self, node: "NodeItem", name: str, is_input: bool, description: str = "") -> None:
        super().__init__(node)
        self.node = node
        self.name = name
        self.is_input = is_input
        self.connected = False
        self.state = PortState.NORMAL
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(2)
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
            self.update()

    def set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        colors = self.node.colors
        r = RADIUS
        color = colors.groups.get(self.node.group, colors.port)
        if self.state == PortState.COMPATIBLE:
            color, r = colors.port_ok, RADIUS + 1.5
        elif self.state == PortState.HOVER:
            color, r = colors.port_ok, RADIUS + 3
        elif self.state == PortState.REFUSED:
            color = colors.port_refused
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(color.darker(125), 1.6))
        filled = self.connected or self.state in (PortState.COMPATIBLE, PortState.HOVER)
        painter.setBrush(QBrush(color if filled else colors.card))
        painter.drawEllipse(QRectF(-r, -r, 2 * r, 2 * r))

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
