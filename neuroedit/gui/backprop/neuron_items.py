"""The pictures of the neuron view: neuron circles, the bias "1", weight lines and the "… N more" glyph.

Items hold no document state; the NeuronScene tells them what to show (numbers, glow,
selection) and asks the scene for hover texts when the mouse arrives.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsObject

from ..theme import font
from .neuron_layout import RADIUS, Link

GLOW = QColor(255, 196, 0, 150)
GRAD_COLOR = QColor("#c2185b")
UPDATE_COLOR = QColor("#2e7d32")
POSITIVE = QColor("#0877bd")
NEGATIVE = QColor("#f59322")
HEAT_RADIUS = RADIUS + 3  # a neuron showing its heat map is a little larger, so the picture reads


class NeuronItem(QGraphicsObject):
    """One output element of a node: a circle with its symbol, or its value once the forward pass got there."""

    def __init__(self, node: str, unit: int, symbol: str, fill: QColor, colors, square: bool = False) -> None:
        super().__init__()
        self.node, self.unit, self.symbol = node, unit, symbol
        self.fill, self.colors, self.square = fill, colors, square
        self.value_text = ""
        self.grad_text = ""
        self.glow = False
        self.selected_ring = False
        self.thumbnail: QPixmap | None = None  # the neuron's heat map over the 2-D input plane, if probed
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def boundingRect(self) -> QRectF:
        r = HEAT_RADIUS + 10
        return QRectF(-r - 40, -r, 2 * r + 80, 2 * r + 22)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), RADIUS + 2, RADIUS + 2)
        return path

    def set_state(self, value: str, grad: str, glow: bool) -> None:
        if (value, grad, glow) != (self.value_text, self.grad_text, self.glow):
            self.value_text, self.grad_text, self.glow = value, grad, glow
            self.update()

    def set_thumbnail(self, pixmap: QPixmap | None) -> None:
        if pixmap is not None or self.thumbnail is not None:
            self.thumbnail = pixmap
            self.update()

    def set_selected_ring(self, on: bool) -> None:
        if on != self.selected_ring:
            self.selected_ring = on
            self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        heat = self.thumbnail is not None and not self.square
        r = HEAT_RADIUS if heat else RADIUS
        if self.glow:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(GLOW)
            painter.drawEllipse(QPointF(0, 0), r + 8, r + 8)
        if heat:
            self._paint_heat_map(painter)
        else:
            self._paint_plain(painter)
        if self.grad_text:  # where it always is: the next neuron of a stack starts right below
            r = RADIUS
            painter.setFont(font(8.0, True))
            painter.setPen(GRAD_COLOR)
            painter.drawText(QRectF(-r - 40, r + 1, 2 * r + 80, 18), Qt.AlignmentFlag.AlignCenter, self.grad_text)

    def _border(self) -> QPen:
        return QPen(
            self.colors.selection if self.selected_ring else self.fill.darker(130), 3.0 if self.selected_ring else 1.6
        )

    def _paint_plain(self, painter: QPainter) -> None:
        r = RADIUS
        fill = QColor(self.fill)
        fill.setAlpha(255 if self.value_text else 70)
        painter.setPen(self._border())
        painter.setBrush(QColor(self.colors.card) if not self.value_text else fill.lighter(175))
        if self.square:
            painter.drawRoundedRect(QRectF(-r * 0.75, -r * 0.75, 1.5 * r, 1.5 * r), 4, 4)
        else:
            painter.drawEllipse(QPointF(0, 0), r, r)
        text = self.value_text or self.symbol
        painter.setPen(self.colors.text if self.value_text else self.colors.muted)
        painter.setFont(font(_text_size(text), bool(self.value_text)))
        painter.drawText(QRectF(-r - 14, -r, 2 * r + 28, 2 * r), Qt.AlignmentFlag.AlignCenter, text)
        if self.value_text and self.symbol and not self.square and self.symbol != "L":
            self._paint_badge(painter)  # the operation stays readable once the value fills the circle

    def _paint_heat_map(self, painter: QPainter) -> None:
        """The heat map fills the circle; a value from the step-through sits on a pale pill so it stays legible."""
        r = HEAT_RADIUS
        clip = QPainterPath()
        clip.addEllipse(QPointF(0, 0), r, r)
        painter.save()
        painter.setClipPath(clip)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(QRectF(-r, -r, 2 * r, 2 * r), self.thumbnail, QRectF(self.thumbnail.rect()))
        painter.restore()
        painter.setPen(self._border())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(QPointF(0, 0), r, r)
        if self.value_text:
            painter.setFont(font(_text_size(self.value_text), True))
            w = painter.fontMetrics().horizontalAdvance(self.value_text) + 8.0
            h = painter.fontMetrics().height() + 2.0
            box = QRectF(-w / 2, -h / 2, w, h)
            pill = QColor(self.colors.card)
            pill.setAlpha(225)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(pill)
            painter.drawRoundedRect(box, h / 2, h / 2)
            painter.setPen(self.colors.text)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.value_text)
        if self.symbol and self.symbol != "L":
            self._paint_badge(painter)

    def _paint_badge(self, painter: QPainter) -> None:
        painter.setFont(font(7.0, True))
        w = max(16.0, painter.fontMetrics().horizontalAdvance(self.symbol) + 8.0)
        box = QRectF(RADIUS * 0.55, -RADIUS - 6, w, 15)
        painter.setPen(QPen(self.fill.darker(130), 1.0))
        painter.setBrush(QBrush(self.colors.card))
        painter.drawRoundedRect(box, 7, 7)
        painter.setPen(self.colors.text)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.symbol)

    def hoverEnterEvent(self, event) -> None:
        scene = self.scene()
        if scene is not None:
            self.setToolTip(scene.neuron_tip(self.node, self.unit))
        super().hoverEnterEvent(event)

    def mousePressEvent(self, event) -> None:
        scene = self.scene()
        if scene is not None and event.button() == Qt.MouseButton.LeftButton:
            scene.node_clicked.emit(self.node)
            event.accept()
            return
        super().mousePressEvent(event)


def _text_size(text: str) -> float:
    return 9.5 if len(text) <= 5 else 8.0 if len(text) <= 7 else 7.0


class MoreItem(QGraphicsObject):
    """ "… N more": the neurons of a wide layer that are not drawn one by one."""

    def __init__(self, hidden: int, colors) -> None:
        super().__init__()
        self.text = f"… {hidden:,} more"
        self.colors = colors
        self.setToolTip(f"{hidden:,} more neurons are not drawn; the first ones stand for the layer")

    def boundingRect(self) -> QRectF:
        return QRectF(-48, -12, 96, 24)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.colors.muted, 1.2, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(self.boundingRect().adjusted(1, 1, -1, -1), 11, 11)
        painter.setFont(font(8.5))
        painter.setPen(self.colors.muted)
        painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, self.text)


class LinkItem(QGraphicsLineItem):
    """A line between two elements; with a weight it is coloured by sign, thick by size, and clickable.

    Qt paints the line itself (no Python per frame: a drawn network has up to ~1,400 of them); the
    rare glow and number label are child items, made only while a step shows them.
    """

    def __init__(self, link: Link, p1: QPointF, p2: QPointF, colors) -> None:
        super().__init__(QLineF(p1, p2))
        self.link = link
        self.colors = colors
        self.glow = False
        self.label = ""
        self.label_color = GRAD_COLOR
        self.label_at = 0.42
        self._glow_item: QGraphicsLineItem | None = None
        self._label_item: LinkLabel | None = None
        self._shape: QPainterPath | None = None  # Qt asks for it on every boundingRect (each paint)
        self.setAcceptHoverEvents(self.weighted)  # the pen comes with the scene's first set_weight

    @property
    def weighted(self) -> bool:
        return self.link.weight is not None

    def set_weight(self, value: float | None, relative: float) -> None:
        """Blue for positive, orange for negative weights; width 1..7 by |w| relative to the largest."""
        pen = _pen(self.colors, self.weighted, value, relative)
        if pen.widthF() != self.pen().widthF():
            self._shape = None
        self.setPen(pen)
        if self._glow_item is not None:
            self._glow_item.setPen(_glow_pen(self.pen().widthF()))

    def set_marks(self, glow: bool, label: str, label_color: QColor = GRAD_COLOR) -> None:
        if (glow, label, label_color) == (self.glow, self.label, self.label_color):
            return
        self.glow, self.label, self.label_color = glow, label, label_color
        self.setZValue(1 if glow or label else 0)
        if glow and self._glow_item is None:
            self._glow_item = QGraphicsLineItem(self.line(), self)
            self._glow_item.setPen(_glow_pen(self.pen().widthF()))
            self._glow_item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
            node_label_item_flags(self._glow_item)
        elif not glow and self._glow_item is not None:
            _drop(self._glow_item)
            self._glow_item = None
        if self._label_item is not None:
            _drop(self._label_item)
            self._label_item = None
        if label:
            self._label_item = LinkLabel(label, label_color, self.colors.card, self)
            self._label_item.setPos(self.label_pos())

    def label_pos(self) -> QPointF:
        return self.line().pointAt(self.label_at)

    def shape(self) -> QPainterPath:
        """At least 9 px wide, so a thin line is easy to hover and click."""
        if self._shape is None:
            path = QPainterPath(self.line().p1())
            path.lineTo(self.line().p2())
            stroker = QPainterPathStroker()
            stroker.setWidth(max(9.0, self.pen().widthF() + 4))
            self._shape = stroker.createStroke(path)
        return self._shape

    def hoverEnterEvent(self, event) -> None:
        scene = self.scene()
        if scene is not None and self.weighted:
            self.setToolTip(scene.weight_tip(self.link))
            if not self.hasCursor():  # set here, not for each of a rebuild's many lines
                self.setCursor(Qt.CursorShape.PointingHandCursor)
        super().hoverEnterEvent(event)

    def mousePressEvent(self, event) -> None:
        scene = self.scene()
        if scene is not None and self.weighted and event.button() == Qt.MouseButton.LeftButton:
            scene.edit_requested.emit(self.link, event.scenePos())
            event.accept()
            return
        super().mousePressEvent(event)


class LinkLabel(QGraphicsItem):
    """A number on a weight line (dL/dw, old → new) in a small rounded box centred on its position."""

    def __init__(self, text: str, color: QColor, card: QColor, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.text, self.color, self.card = text, QColor(color), QColor(card)
        self.width = QFontMetricsF(font(8.5, True)).horizontalAdvance(text) + 10
        node_label_item_flags(self)

    def boundingRect(self) -> QRectF:
        return QRectF(-self.width / 2 - 1, -11, self.width + 2, 22)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(-self.width / 2, -10, self.width, 20)
        painter.setFont(font(8.5, True))
        painter.setPen(QPen(self.color, 1.0))
        painter.setBrush(QBrush(self.card))
        painter.drawRoundedRect(box, 6, 6)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.text)


_PENS: dict[tuple, QPen] = {}


def _pen(colors, weighted: bool, value: float | None, relative: float) -> QPen:
    """A weight line's pen, shared between lines (a rebuild makes thousands; widths step by 1/50 of the range)."""
    step = round(relative * 50) if value is not None else -1
    key = (colors.wire.rgba(), weighted, value is not None and value >= 0, step)
    pen = _PENS.get(key)
    if pen is None:
        if value is None:
            pen = QPen(colors.wire, 1.2)
            if weighted:
                pen.setStyle(Qt.PenStyle.DashLine)
        else:
            t = step / 50
            color = QColor(POSITIVE if value >= 0 else NEGATIVE)
            color.setAlphaF(0.55 + 0.45 * t)
            pen = QPen(color, 1.0 + 6.0 * t)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)  # the ends hide under the circles; round caps cost 3-4x per frame
        _PENS[key] = pen
    return pen


def _glow_pen(width: float) -> QPen:
    return QPen(GLOW, width + 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)


def _drop(item: QGraphicsItem) -> None:
    scene = item.scene()
    if scene is not None:
        scene.removeItem(item)
    else:
        item.setParentItem(None)


def node_label_item_flags(item: QGraphicsItem) -> None:
    """Labels never take the mouse (clicks go to the neurons and lines below)."""
    item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    item.setAcceptHoverEvents(False)
