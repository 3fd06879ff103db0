"""A node drawn as a rounded card: caption, name, named ports, output shape and parameter count.

Everything that does not change between frames (paths, elided texts, fonts) is prepared
when the node changes, and the card is drawn from a cached picture (see card_pictures), so
panning and zooming a big graph is cheap.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from ...model import Node, Problem, node_type
from ..theme import font
from .port_item import RADIUS, PortItem, PortState

MIN_WIDTH = 150.0
MAX_WIDTH = 224.0
HEADER = 30.0
HEADER_TWO_LINES = 44.0  # a caption too long for one line splits at ' · '
NAME_LINE = 18.0
MAP_ROW = 26.0  # live training: a strip of per-unit heat maps under the name (layers of a few units)
MAP_SIZE = 20.0
BADGE_H = 16.0  # live training's warning pill ("60% dead"), on the card's top edge
ROW = 22.0
FOOTER = 24.0
CORNER = 9.0
LOW_DETAIL = 0.5  # below this zoom small text is illegible: only the card, caption and ports are drawn
_SHADOW = QColor(0, 0, 0, 26)
_LEFT = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
_RIGHT = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight


class NodeItem(QGraphicsItem):
    """Mirrors one document node; its position is the node's `pos` (the card's centre)."""

    def __init__(self, node: Node, colors) -> None:
        super().__init__()
        self.colors = colors
        self.node_id = node.id
        self.type_name = node.type
        try:
            spec = node_type(node.type)
            self.group, self.description = spec.group, spec.description
        except KeyError:
            self.group, self.description = "", f"unknown node type {node.type!r}"
        self.caption = ""
        self.shape_text = "?"
        self.params_text = ""
        self.problems: list[Problem] = []
        self.badge: tuple[str, str] | None = None  # (text, explanation) from live training, e.g. "60% dead"
        self.unit_maps: list[QPixmap] = []  # live training: each unit's output over a 2-D input plane
        self.in_ports: dict[str, PortItem] = {}
        self.out_ports: dict[str, PortItem] = {}
        self._height = 0.0
        self._width = -1.0  # forces the first layout in sync()
        self._ports: tuple[list[tuple[str, str]], list[tuple[str, str]]] = ([], [])
        self._caption_font = font(10.0, bold=True)
        self._header_h = HEADER
        self._caption_lines: list[str] = []
        self._small_font = font(8.5)
        self._name_font = font(8.5)
        self._name_font.setWeight(QFont.Weight.DemiBold)
        self._shown_caption = ""
        self._shown_subcaption = ""
        self._shown_name = ""
        self._card = QPainterPath()
        self._header = QPainterPath()
        self._shadow = QPainterPath()
        self.picture_scale = 0.0
        self.picture_detailed = True
        self._picture = QGraphicsPixmapItem(self)
        self._picture.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        self._picture.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._picture.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.sync(node)
        self.setPos(QPointF(*node.pos))

    # ------------------------------------------------------------------ state from the document
    def sync(self, node: Node) -> None:
        """Caption and ports from the node's current parameters."""
        self.node_id = node.id
        try:
            spec = node_type(node.type)
            caption = spec.describe(node.params)
            ins = [(p.name, p.description) for p in spec.ports_in(node.params)]
            outs = [(p.name, p.description) for p in spec.ports_out()]
        except (KeyError, TypeError, ValueError):
            caption, ins, outs = node.type, [], []
        self.caption = caption
        self._ports = (ins, outs)
        self._layout()
        self._update_tooltip()
        self.redraw()

    def set_analysis(self, shape_text: str, params: int, problems: list[Problem]) -> bool:
        """Show the analysis; True when the card changed size (the scene then re-routes its wires)."""
        params_text = f"{params:,} param{'s' if params != 1 else ''}"
        if (shape_text, params_text, problems) == (self.shape_text, self.params_text, self.problems):
            return False
        self.shape_text, self.params_text, self.problems = shape_text, params_text, problems
        resized = self._layout()
        self._update_tooltip()
        self.redraw()
        return resized

    def set_colors(self, colors) -> None:
        self.colors = colors
        self.redraw()

    def set_badge(self, text: str | None, tooltip: str | None = None) -> None:
        """A warning pill under the header (live training: dead or saturated units); None removes it."""
        badge = (text, tooltip or "") if text else None
        if badge != self.badge:
            self.badge = badge
            self._update_tooltip()
            self.redraw()

    def set_unit_maps(self, maps: list[QPixmap]) -> bool:
        """Show each unit's heat map (Playground style); [] removes the strip. True when the card changed size."""
        had = bool(self.unit_maps)
        self.unit_maps = list(maps)
        resized = self._layout() if had != bool(maps) else False
        self.redraw()
        return resized

    def _layout(self) -> bool:
        """Size the card to its caption and footer, place the ports; True if the size changed."""
        ins, outs = self._ports
        big = QFontMetricsF(font(10.0, bold=True))
        small = QFontMetricsF(self._small_font)
        caption_need = big.horizontalAdvance(self.caption) + 40
        self._caption_font = font(10.0, bold=True)
        self._caption_lines = [self.caption]
        if caption_need > MAX_WIDTH and " · " in self.caption:
            self._caption_lines = self.caption.split(" · ", 1)
            caption_need = max(
                big.horizontalAdvance(self._caption_lines[0]) + 40, small.horizontalAdvance(self._caption_lines[1]) + 24
            )
        header_h = HEADER if len(self._caption_lines) == 1 else HEADER_TWO_LINES
        footer_need = small.horizontalAdvance(self.shape_text) + small.horizontalAdvance(self.params_text) + 36
        width = min(MAX_WIDTH, max(MIN_WIDTH, caption_need, footer_need))
        names_in, names_out = [n for n, _ in ins], [n for n, _ in outs]
        height = header_h + NAME_LINE + self._map_row() + max(1, len(ins), len(outs)) * ROW + FOOTER
        resized = (width, height) != (self._width, self._height)
        if names_in != list(self.in_ports) or names_out != list(self.out_ports):
            self._replace_ports(ins, outs)
        if resized:
            self.prepareGeometryChange()
            self._width, self._height, self._header_h = width, height, header_h
            r = self.rect()
            self._card = QPainterPath()
            self._card.addRoundedRect(r, CORNER, CORNER)
            top = QPainterPath()
            top.addRect(QRectF(r.left(), r.top(), r.width(), header_h))
            self._header = self._card.intersected(top)
            self._shadow = self._card.translated(1.5, 3)
        for i, port in enumerate(self.in_ports.values()):
            port.setPos(-self._width / 2, self._row_y(i))
        for i, port in enumerate(self.out_ports.values()):
            port.setPos(self._width / 2, self._row_y(i))
        self._prepare_texts()
        return resized

    def _replace_ports(self, ins: list[tuple[str, str]], outs: list[tuple[str, str]]) -> None:
        """New port items for changed port names; a kept name keeps its 'connected' mark."""
        connected = {(p.is_input, p.name) for p in self.ports() if p.connected}
        for p in self.ports():
            p.setParentItem(None)
            if p.scene() is not None:
                p.scene().removeItem(p)
        self.in_ports = {n: PortItem(self, n, True, d) for n, d in ins}
        self.out_ports = {n: PortItem(self, n, False, d) for n, d in outs}
        for p in self.ports():
            p.connected = (p.is_input, p.name) in connected

    def _prepare_texts(self) -> None:
        badge = 18.0 if self.problems else 0.0
        fm, small = QFontMetricsF(self._caption_font), QFontMetricsF(self._name_font)
        self._shown_caption = fm.elidedText(
            self._caption_lines[0], Qt.TextElideMode.ElideRight, self._width - 20 - badge
        )
        self._shown_subcaption = (
            ""
            if len(self._caption_lines) == 1
            else QFontMetricsF(self._small_font).elidedText(
                self._caption_lines[1], Qt.TextElideMode.ElideRight, self._width - 16
            )
        )
        self._shown_name = small.elidedText(self.node_id, Qt.TextElideMode.ElideMiddle, self._width - 20)

    def badge_rect(self) -> QRectF:
        """The warning pill sits on the card's top edge, at the right: it covers no text of the card."""
        width = QFontMetricsF(self._small_font).horizontalAdvance(self.badge[0]) + 12 if self.badge else 0.0
        r = self.rect()
        return QRectF(r.right() - 10 - width, r.top() - BADGE_H / 2, width, BADGE_H)

    def _update_tooltip(self) -> None:
        lines = [f"<b>{_html(self.node_id)}</b> — {self.type_name}: {_html(self.caption)}", _html(self.description)]
        for p in self.problems:
            color = self.colors.error.name() if p.severity == "error" else self.colors.warning.name()
            lines.append(f"<span style='color:{color}'>● {_html(p.message)}</span>")
        if self.badge:
            lines.append(f"<span style='color:{self.colors.warning.name()}'>▲ {_html(self.badge[1])}</span>")
        self.setToolTip("<br>".join(lines))

    # ------------------------------------------------------------------ geometry
    def ports(self) -> list[PortItem]:
        return [*self.in_ports.values(), *self.out_ports.values()]

    def rect(self) -> QRectF:
        return QRectF(-self._width / 2, -self._height / 2, self._width, self._height)

    def _row_y(self, i: int) -> float:
        return -self._height / 2 + self._header_h + NAME_LINE + self._map_row() + (i + 0.5) * ROW

    def _map_row(self) -> float:
        return MAP_ROW if self.unit_maps else 0.0

    def port_scene_pos(self, name: str, is_input: bool) -> QPointF:
        port = (self.in_ports if is_input else self.out_ports).get(name)
        if port is not None:
            return self.mapToScene(port.pos())
        return self.mapToScene(QPointF(-self._width / 2 if is_input else self._width / 2, 0.0))

    def boundingRect(self) -> QRectF:
        m = RADIUS + 4
        return self.rect().adjusted(-m, -BADGE_H / 2 - 2, m, 6)

    def shape(self) -> QPainterPath:
        return self._card

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    # ------------------------------------------------------------------ painting
    def redraw(self) -> None:
        """The card's look changed: its picture is rendered again (at once if it is on screen)."""
        pictures = getattr(self.scene(), "pictures", None)
        if pictures is not None:
            pictures.changed(self)
        elif self.scene() is not None or self.picture_scale:
            self.render_picture(self.picture_scale or 1.0, self.picture_detailed)

    def render_picture(self, scale: float, detailed: bool) -> None:
        """Draw the card into a pixmap with `scale` device pixels per scene unit; shown pixel for pixel."""
        br = self.boundingRect()
        picture = QPixmap(max(1, math.ceil(br.width() * scale)), max(1, math.ceil(br.height() * scale)))
        picture.fill(Qt.GlobalColor.transparent)
        painter = QPainter(picture)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.scale(scale, scale)
        painter.translate(-br.topLeft())
        self._paint_card(painter, detailed)
        painter.end()
        picture.setDevicePixelRatio(scale)  # its size in scene units is the card's, whatever the resolution
        self._picture.setPixmap(picture)
        self._picture.setOffset(br.topLeft())
        self._picture.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self.picture_scale, self.picture_detailed = scale, detailed

    def show_scaled(self, smooth: bool) -> None:
        """The zoom changed and the picture is not re-rendered yet: show it scaled meanwhile."""
        self._picture.setTransformationMode(
            Qt.TransformationMode.SmoothTransformation if smooth else Qt.TransformationMode.FastTransformation
        )

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Not called (ItemHasNoContents): the child pixmap item shows the card's picture."""

    def _paint_card(self, painter: QPainter, detailed: bool) -> None:
        c = self.colors
        r = self.rect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if detailed:
            painter.fillPath(self._shadow, _SHADOW)
        painter.fillPath(self._card, c.card)
        painter.fillPath(self._header, c.groups.get(self.group, c.muted))

        errors = self.errors
        if self.isSelected():
            pen = QPen(c.selection, 2.6)
        elif errors:
            pen = QPen(c.error, 2.4)
        elif self.problems:
            pen = QPen(c.warning, 2.0)
        else:
            pen = QPen(c.card_border, 1.0)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._card)
        if self.isSelected() and errors:
            painter.setPen(QPen(c.error, 1.6, Qt.PenStyle.DashLine))
            painter.drawRoundedRect(r.adjusted(-4, -4, 4, 4), CORNER + 3, CORNER + 3)

        if self.problems:
            center = QPointF(r.right() - 14, r.top() + self._header_h / 2)
            painter.setPen(QPen(QColor("white"), 1.4))
            painter.setBrush(QBrush(c.error if errors else c.warning))
            painter.drawEllipse(center, 7.5, 7.5)
            painter.setFont(self._small_font)
            painter.drawText(QRectF(center.x() - 7.5, center.y() - 7.5, 15, 15), Qt.AlignmentFlag.AlignCenter, "!")

        painter.setFont(self._caption_font)
        painter.setPen(QColor("white"))
        if self._shown_subcaption:
            painter.drawText(QRectF(r.left() + 10, r.top() + 2, r.width() - 20, HEADER - 6), _LEFT, self._shown_caption)
            painter.setFont(self._small_font)
            painter.drawText(
                QRectF(r.left() + 8, r.top() + HEADER - 6, r.width() - 16, self._header_h - HEADER + 4),
                _LEFT,
                self._shown_subcaption,
            )
        else:
            painter.drawText(QRectF(r.left() + 10, r.top(), r.width() - 20, self._header_h), _LEFT, self._shown_caption)
        if detailed:
            self._paint_body(painter, r, errors)
        self._paint_ports(painter)

    def _paint_body(self, painter: QPainter, r: QRectF, errors: list[Problem]) -> None:
        c = self.colors
        painter.setFont(self._name_font)
        painter.setPen(c.text)
        painter.drawText(
            QRectF(r.left() + 10, r.top() + self._header_h + 2, r.width() - 20, NAME_LINE), _LEFT, self._shown_name
        )
        if self.badge:
            pill = self.badge_rect()
            painter.setPen(QPen(c.card, 1.5))
            painter.setBrush(c.warning)
            painter.drawRoundedRect(pill, BADGE_H / 2, BADGE_H / 2)
            painter.setPen(QColor("white"))
            painter.setFont(self._small_font)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, self.badge[0])
        if self.unit_maps:
            self._paint_unit_maps(painter, r)
        painter.setFont(self._small_font)
        painter.setPen(c.muted)
        for i, name in enumerate(self.in_ports):
            painter.drawText(QRectF(r.left() + 12, self._row_y(i) - ROW / 2, r.width() / 2 - 12, ROW), _LEFT, name)
        for i, name in enumerate(self.out_ports):
            painter.drawText(QRectF(r.center().x(), self._row_y(i) - ROW / 2, r.width() / 2 - 12, ROW), _RIGHT, name)
        footer_top = r.bottom() - FOOTER
        painter.setPen(QPen(c.card_border, 0.8))
        painter.drawLine(QPointF(r.left() + 8, footer_top), QPointF(r.right() - 8, footer_top))
        footer = QRectF(r.left() + 10, footer_top, r.width() - 20, FOOTER)
        painter.setPen(c.error if self.shape_text == "?" and errors else c.text)
        painter.drawText(footer, _LEFT, self.shape_text)
        painter.setPen(c.muted)
        painter.drawText(footer, _RIGHT, self.params_text)

    def _paint_unit_maps(self, painter: QPainter, r: QRectF) -> None:
        n = len(self.unit_maps)
        size = min(MAP_SIZE, (r.width() - 20) / n - 3)
        left = r.center().x() - (n * (size + 3) - 3) / 2
        top = r.top() + self._header_h + NAME_LINE + (MAP_ROW - size) / 2 - 1
        painter.setPen(QPen(self.colors.card_border, 0.8))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        for i, pixmap in enumerate(self.unit_maps):
            cell = QRectF(left + i * (size + 3), top, size, size)
            painter.drawPixmap(cell, pixmap, QRectF(pixmap.rect()))
            painter.drawRect(cell)

    def _paint_ports(self, painter: QPainter) -> None:
        c = self.colors
        accent = c.groups.get(self.group, c.port)
        for port in self.ports():
            radius, color = RADIUS, accent
            if port.state == PortState.COMPATIBLE:
                color, radius = c.port_ok, RADIUS + 1.5
            elif port.state == PortState.HOVER:
                color, radius = c.port_ok, RADIUS + 3
            elif port.state == PortState.REFUSED:
                color = c.port_refused
            filled = port.connected or port.state in (PortState.COMPATIBLE, PortState.HOVER)
            painter.setPen(QPen(color.darker(125), 1.6))
            painter.setBrush(color if filled else c.card)
            painter.drawEllipse(port.pos(), radius, radius)

    # ------------------------------------------------------------------ moving (the scene turns drags into document moves)
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.scene() is not None and self.isSelected():
            self.scene().begin_move(self, event.scenePos())

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.scene() is not None:
            self.scene().drag_move(event.scenePos())

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.scene() is not None:
            self.scene().end_move()
        super().mouseReleaseEvent(event)

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.redraw()
        elif change == QGraphicsItem.GraphicsItemChange.ItemSceneHasChanged and not self.picture_scale:
            self.redraw()  # a scene without picture management (GraphScene renders on add)

        return super().itemChange(change, value)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
