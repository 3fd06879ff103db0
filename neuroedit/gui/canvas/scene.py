"""The scene mirrors a Document: items are created, changed and removed only by document events."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QLineF, QPointF, QRectF, QTimer, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene

from ...model import Document, Edge, EditError, analyze
from ...model.nodetypes import fmt_shape
from ..binding import DocBinding
from .card_pictures import CardPictures
from .connect_tool import ConnectDrag
from .node_item import NodeItem
from .port_item import PortItem
from .wire_item import WireItem, WireStyle

GRID = 20.0
WORLD = 50_000.0


class GraphScene(QGraphicsScene):
    """Node cards and wires for `doc`. User gestures become Document edits; events update the items."""

    status_message = Signal(str)
    analysis_updated = Signal()

    def __init__(self, doc: Document, colors, parent=None) -> None:
        super().__init__(parent)
        self.colors = colors
        self.snap_to_grid = True
        self.node_items: dict[str, NodeItem] = {}
        self.wire_items: dict[Edge, WireItem] = {}
        self._wires_of: dict[str, set[Edge]] = {}
        self._wire_style: Callable[[Edge], WireStyle | None] | None = None
        self._move: tuple[str, QPointF, dict[str, tuple[float, float]]] | None = None
        self._connect: ConnectDrag | None = None
        self._analysis_timer = QTimer(self)
        self._analysis_timer.setSingleShot(True)
        self._analysis_timer.setInterval(0)
        self._analysis_timer.timeout.connect(self.refresh_analysis)
        self.setSceneRect(QRectF(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD))
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.pictures = CardPictures(self)

        self.doc = doc
        self._binding = DocBinding()
        self.set_document(doc)

    # ------------------------------------------------------------------ document binding
    def set_document(self, doc: Document) -> None:
        self._binding.unbind()
        self.doc = doc
        self.pictures.clear()
        self.clear()
        self.node_items.clear()
        self.wire_items.clear()
        self._wires_of.clear()
        self._move = self._connect = None
        ev = doc.events
        self._binding.bind(
            doc,
            [
                (ev.node_added, self._on_node_added),
                (ev.node_removed, self._on_node_removed),
                (ev.node_renamed, self._on_node_renamed),
                (ev.edge_added, self._on_edge_added),
                (ev.edge_removed, self._on_edge_removed),
                (ev.param_changed, self._on_param_changed),
                (ev.node_moved, self._on_node_moved),
                (ev.changed, self._analysis_timer.start),
            ],
        )
        for node_id in doc.nodes:
            self._on_node_added(node_id)
        for edge in doc.edges:
            self._on_edge_added(edge)
        self.refresh_analysis()

    def flush(self) -> None:
        """Apply a pending re-analysis now (tests and benchmarks call this instead of waiting)."""
        if self._analysis_timer.isActive():
            self._analysis_timer.stop()
            self.refresh_analysis()

    def refresh_analysis(self) -> None:
        a = analyze(self.doc)
        problems: dict[str, list] = {}
        for p in a.problems:
            if p.node_id is not None:
                problems.setdefault(p.node_id, []).append(p)
        for node_id, item in self.node_items.items():
            node = self.doc.nodes[node_id]
            shape = a.shapes.get(node_id)
            if node.type == "Loss":
                text = "scalar loss" if shape is not None else "?"
            else:
                text = fmt_shape(shape)
            if item.set_analysis(text, sum(a.param_count(node_id)), problems.get(node_id, [])):
                for edge in self._wires_of.get(node_id, ()):
                    self._route(edge)
        self.analysis_updated.emit()

    # ------------------------------------------------------------------ event handlers
    def _on_node_added(self, node_id: str) -> None:
        item = NodeItem(self.doc.nodes[node_id], self.colors)
        self.node_items[node_id] = item
        self._wires_of.setdefault(node_id, set())
        self.addItem(item)
        self.pictures.add(item)

    def _on_node_removed(self, node_id: str) -> None:
        for edge in list(self._wires_of.get(node_id, ())):
            self._on_edge_removed(edge)
        self._wires_of.pop(node_id, None)
        item = self.node_items.pop(node_id, None)
        if item is not None:
            self.pictures.remove(item)
            self.removeItem(item)

    def _on_node_renamed(self, old_id: str, new_id: str) -> None:
        for edge in list(self._wires_of.get(old_id, ())):
            self._on_edge_removed(edge)
        item = self.node_items.pop(old_id)
        self.node_items[new_id] = item
        self._wires_of.pop(old_id, None)
        self._wires_of[new_id] = set()
        item.sync(self.doc.nodes[new_id])
        for edge in self.doc.edges_of(new_id):
            if edge not in self.wire_items:
                self._on_edge_added(edge)

    def _on_edge_added(self, edge: Edge) -> None:
        wire = WireItem(edge, self.colors)
        self.wire_items[edge] = wire
        self._wires_of.setdefault(edge.src, set()).add(edge)
        self._wires_of.setdefault(edge.dst, set()).add(edge)
        if self._wire_style is not None:
            wire.set_style(self._wire_style(edge))
        self.addItem(wire)
        self._route(edge)
        self._update_port_marks(edge)

    def _on_edge_removed(self, edge: Edge) -> None:
        wire = self.wire_items.pop(edge, None)
        for node_id in (edge.src, edge.dst):
            self._wires_of.get(node_id, set()).discard(edge)
        if wire is not None:
            self.removeItem(wire)
        self._update_port_marks(edge)

    def _on_param_changed(self, node_id: str, name: str, old, new) -> None:
        item = self.node_items.get(node_id)
        if item is None:
            return
        item.sync(self.doc.nodes[node_id])
        for edge in self._wires_of.get(node_id, ()):
            self._route(edge)

    def _on_node_moved(self, node_id: str, pos: tuple[float, float]) -> None:
        item = self.node_items.get(node_id)
        if item is None:
            return
        item.setPos(QPointF(*pos))
        for edge in self._wires_of.get(node_id, ()):
            self._route(edge)

    def _route(self, edge: Edge) -> None:
        wire, src, dst = self.wire_items.get(edge), self.node_items.get(edge.src), self.node_items.get(edge.dst)
        if wire is not None and src is not None and dst is not None:
            wire.set_ends(src.port_scene_pos(edge.src_port, False), dst.port_scene_pos(edge.dst_port, True))

    def _update_port_marks(self, edge: Edge) -> None:
        """Filled port dots for ports with a wire, hollow ones for free ports."""
        src, dst = self.node_items.get(edge.src), self.node_items.get(edge.dst)
        if src is not None and edge.src_port in src.out_ports:
            src.out_ports[edge.src_port].set_connected(
                any(e.src == edge.src and e.src_port == edge.src_port for e in self._wires_of.get(edge.src, ()))
            )
        if dst is not None and edge.dst_port in dst.in_ports:
            dst.in_ports[edge.dst_port].set_connected(
                any(e.dst == edge.dst and e.dst_port == edge.dst_port for e in self._wires_of.get(edge.dst, ()))
            )

    # ------------------------------------------------------------------ look
    def set_unit_maps(self, node_id: str, maps: list) -> None:
        """Per-unit heat maps on a card (live training); its wires follow when the card grows or shrinks."""
        item = self.node_items.get(node_id)
        if item is not None and item.set_unit_maps(maps):
            for edge in self._wires_of.get(node_id, ()):
                self._route(edge)

    def set_wire_style(self, style: Callable[[Edge], WireStyle | None] | None) -> None:
        """Colour/thicken wires per edge (live training shows weights this way); None restores the theme."""
        self._wire_style = style
        for edge, wire in self.wire_items.items():
            wire.set_style(style(edge) if style is not None else None)

    def set_colors(self, colors) -> None:
        self.colors = colors
        for item in self.node_items.values():
            item.set_colors(colors)
        for wire in self.wire_items.values():
            wire.set_colors(colors)
        self.update()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, self.colors.background)
        scale = painter.worldTransform().m11()
        if scale < 0.35:
            return
        left, top = math.floor(rect.left() / GRID), math.floor(rect.top() / GRID)
        right, bottom = math.ceil(rect.right() / GRID), math.ceil(rect.bottom() / GRID)
        minor: list[QLineF] = []
        major: list[QLineF] = []
        for i in range(left, right + 1):
            (major if i % 5 == 0 else minor).append(QLineF(i * GRID, rect.top(), i * GRID, rect.bottom()))
        for j in range(top, bottom + 1):
            (major if j % 5 == 0 else minor).append(QLineF(rect.left(), j * GRID, rect.right(), j * GRID))
        # Hairline grid lines need no antialiasing, which costs more than the rest of a pan frame.
        antialiased = painter.testRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(self.colors.grid_minor, 0))
        painter.drawLines(minor)
        painter.setPen(QPen(self.colors.grid_major, 0))
        painter.drawLines(major)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialiased)

    # ------------------------------------------------------------------ selection
    def selected_node_ids(self) -> list[str]:
        return [i for i, item in self.node_items.items() if item.isSelected()]

    def selected_edges(self) -> list[Edge]:
        return [e for e, w in self.wire_items.items() if w.isSelected()]

    def select_nodes(self, node_ids) -> None:
        wanted = set(node_ids)
        self.blockSignals(True)
        try:
            self.clearSelection()
            for i in wanted:
                if i in self.node_items:
                    self.node_items[i].setSelected(True)
        finally:
            self.blockSignals(False)
        self.selectionChanged.emit()

    def snap(self, x: float, y: float) -> tuple[float, float]:
        if not self.snap_to_grid:
            return (round(x, 1), round(y, 1))
        return (round(x / GRID) * GRID, round(y / GRID) * GRID)

    # ------------------------------------------------------------------ moving nodes: one undo step per drag
    def begin_move(self, item: NodeItem, scene_pos: QPointF) -> None:
        ids = self.selected_node_ids()
        self.doc.history.seal()
        self._move = (item.node_id, scene_pos, {i: self.doc.nodes[i].pos for i in ids})

    def drag_move(self, scene_pos: QPointF) -> None:
        if self._move is None:
            return
        anchor, start, starts = self._move
        if anchor not in starts:
            return
        delta = scene_pos - start
        ax, ay = starts[anchor]
        sx, sy = self.snap(ax + delta.x(), ay + delta.y())
        dx, dy = sx - ax, sy - ay
        positions = {i: (x + dx, y + dy) for i, (x, y) in starts.items() if i in self.doc.nodes}
        try:
            self.doc.move_nodes(positions)
        except EditError as e:
            self.status_message.emit(str(e))

    def end_move(self) -> None:
        if self._move is not None:
            self._move = None
            self.doc.history.seal()

    # ------------------------------------------------------------------ connecting: drag from a port
    def begin_wire(self, port: PortItem, scene_pos: QPointF) -> None:
        self.clearSelection()
        self._connect = ConnectDrag(self, port, scene_pos)

    def drag_wire(self, scene_pos: QPointF) -> None:
        if self._connect is not None:
            self._connect.move(scene_pos)

    def end_wire(self, scene_pos: QPointF) -> None:
        if self._connect is not None:
            drag, self._connect = self._connect, None
            drag.finish(scene_pos)

    def port_near(self, scene_pos: QPointF, radius: float = 14.0) -> PortItem | None:
        """The port closest to `scene_pos` within `radius` (forgiving drops)."""
        area = QRectF(scene_pos.x() - radius, scene_pos.y() - radius, 2 * radius, 2 * radius)
        best, best_d = None, radius * radius
        for item in self.items(area):
            if isinstance(item, PortItem):
                d = item.scenePos() - scene_pos
                dist = d.x() * d.x() + d.y() * d.y()
                if dist <= best_d:
                    best, best_d = item, dist
        return best
