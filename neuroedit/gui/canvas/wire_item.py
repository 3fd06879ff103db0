"""A cubic Bezier wire from an output port to an input port."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from ...model import Edge


@dataclass(frozen=True)
class WireStyle:
    """How one wire looks; live training colours wires by weight sign and magnitude with it."""

    color: QColor | None = None
    width: float | None = None
    tooltip: str | None = None


def bezier(p1: QPointF, p2: QPointF) -> QPainterPath:
    """An S-curve leaving p1 to the right and entering p2 from the left."""
    gap = p2.x() - p1.x()
    dx = max(10.0, gap * 0.5) if gap > 0 else max(50.0, -gap * 0.5)  # backwards wires loop around
    path = QPainterPath(p1)
    path.cubicTo(QPointF(p1.x() + dx, p1.y()), QPointF(p2.x() - dx, p2.y()), p2)
    return path


class WireItem(QGraphicsPathItem):
    """One Edge: selectable and hoverable here, drawn by a plain child path item.

    The child is painted in C++ without a Python call per wire and per frame (Python paints were
    most of a frame on big graphs: docs/benchmarks.md, "Canvas"), and shows no dashed selection
    box: selection shows as colour.
    `edge` is None for the wire that follows the mouse while connecting.
    """

    def __init__(self, edge: Edge | None, colors, pending: bool = False) -> None:
        super().__init__()
        self.edge = edge
        self.colors = colors
        self.pending = pending
        self.style = WireStyle()
        self.setZValue(-1 if not pending else 5)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, not pending)
        self.setAcceptHoverEvents(not pending)
        self._hover = False
        self._line = QGraphicsPathItem(self)
        self._line.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._line.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        if edge is not None:
            self.setToolTip(
                f"{edge.src}.{edge.src_port} → {edge.dst}.{edge.dst_port}\n"
                "Drag the input end away to disconnect; select and press Delete to remove."
            )
        self._apply_pen()

    def set_ends(self, p1: QPointF, p2: QPointF) -> None:
        path = bezier(p1, p2)
        self.setPath(path)
        self._line.setPath(path)

    def set_style(self, style: WireStyle | None) -> None:
        """Override colour/width (None restores the theme's look)."""
        self.style = style or WireStyle()
        if self.style.tooltip is not None:
            self.setToolTip(self.style.tooltip)
        self._apply_pen()

    def set_colors(self, colors) -> None:
        self.colors = colors
        self._apply_pen()

    def _apply_pen(self) -> None:
        color = self.style.color or (self.colors.selection if self.pending else self.colors.wire)
        width = self.style.width or 2.2
        if self.isSelected() or self._hover:
            color = self.colors.wire_selected
            width += 1.0
        pen = QPen(
            color, width, Qt.PenStyle.DashLine if self.pending else Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap
        )
        self.setPen(pen)
        self._line.setPen(pen)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self.path())

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self._apply_pen()
        return super().itemChange(change, value)

    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self._apply_pen()

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self._apply_pen()
