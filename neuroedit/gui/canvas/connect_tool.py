"""One wire drag: from an output to an input, from a free input back to an output, or
picking up an existing wire by its input end (drop it elsewhere to reconnect, on empty canvas to disconnect)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF

from ...model import Edge, EditError
from .port_item import PortItem, PortState
from .wire_item import WireItem

if TYPE_CHECKING:
    from .scene import GraphScene


class ConnectDrag:
    def __init__(self, scene: GraphScene, port: PortItem, scene_pos: QPointF) -> None:
        self.scene = scene
        doc = scene.doc
        self.picked: Edge | None = None
        if port.is_input and port.name in doc.incoming(port.node_id):
            self.picked = doc.incoming(port.node_id)[port.name]
            self.fixed = scene.node_items[self.picked.src].out_ports.get(self.picked.src_port) or port
            hidden = scene.wire_items.get(self.picked)
            if hidden is not None:
                hidden.setVisible(False)
        else:
            self.fixed = port
        self.origin = port
        self.wire = WireItem(None, scene.colors, pending=True)
        scene.addItem(self.wire)
        self._hover: PortItem | None = None
        self._mark_candidates()
        self.move(scene_pos)

    # ------------------------------------------------------------------ candidates
    def _edge_to(self, port: PortItem) -> Edge | None:
        """The edge a drop on `port` would create, or None when `port` faces the wrong way."""
        if port.is_input == self.fixed.is_input:
            return None
        src, dst = (port, self.fixed) if self.fixed.is_input else (self.fixed, port)
        return Edge(src.node_id, dst.node_id, src.name, dst.name)

    def _mark_candidates(self) -> None:
        """Highlight ports a drop may go to. Cycle test once per drag (ancestors/descendants), not per port."""
        doc = self.scene.doc
        fixed_id = self.fixed.node_id
        blocked = _reachable(doc, fixed_id, forward=not self.fixed.is_input)
        existing = set(doc.edges) - ({self.picked} if self.picked else set())
        for item in self.scene.node_items.values():
            for port in item.ports():
                edge = self._edge_to(port)
                ok = edge is not None and port.node_id not in blocked and edge not in existing
                if self.picked is not None and port is self.origin:
                    ok = True
                port.set_state(PortState.COMPATIBLE if ok else PortState.REFUSED)
        self.fixed.set_state(PortState.NORMAL)

    # ------------------------------------------------------------------ mouse
    def move(self, scene_pos: QPointF) -> None:
        target = self.scene.port_near(scene_pos)
        end = target.scenePos() if target is not None and target.state != PortState.REFUSED else scene_pos
        fixed_pos = self.fixed.scenePos()
        if self.fixed.is_input:
            self.wire.set_ends(end, fixed_pos)
        else:
            self.wire.set_ends(fixed_pos, end)
        if target is not self._hover:
            if self._hover is not None and self._hover.state == PortState.HOVER:
                self._hover.set_state(PortState.COMPATIBLE)
            self._hover = target
            if target is not None and target.state == PortState.COMPATIBLE:
                target.set_state(PortState.HOVER)
            self.scene.status_message.emit(self._explain(target))

    def _explain(self, target: PortItem | None) -> str:
        if target is None or target is self.fixed:
            if self.picked is not None:
                return f"Release on empty canvas to disconnect {self.picked}"
            return "Drag to a highlighted port to connect"
        edge = self._edge_to(target)
        if edge is None:
            kind = "input" if self.fixed.is_input else "output"
            return f"Cannot connect an {kind} to another {kind}: wire an output to an input"
        if self.picked is not None and edge == self.picked:
            return "Release to keep this connection"
        reason = self.scene.doc.why_not_connect(edge)
        return f"Cannot connect: {reason}" if reason else f"Connect {edge}"

    def finish(self, scene_pos: QPointF) -> None:
        target = self.scene.port_near(scene_pos)
        self._cleanup()
        doc = self.scene.doc
        try:
            if target is None or target is self.fixed:
                if self.picked is not None:
                    doc.disconnect(self.picked)
                    self.scene.status_message.emit(f"Disconnected {self.picked}")
                return
            edge = self._edge_to(target)
            if edge is None:
                self.scene.status_message.emit(self._explain(target))
                return
            if self.picked is not None:
                if edge == self.picked:
                    return
                with doc.history.macro(f"Reconnect {edge.src} → {edge.dst}"):
                    doc.disconnect(self.picked)
                    doc.connect(edge.src, edge.dst, edge.src_port, edge.dst_port)
            else:
                doc.connect(edge.src, edge.dst, edge.src_port, edge.dst_port)
            self.scene.status_message.emit(f"Connected {edge}")
        except EditError as e:
            self.scene.status_message.emit(f"Cannot connect: {e}")

    def _cleanup(self) -> None:
        self.scene.removeItem(self.wire)
        for item in self.scene.node_items.values():
            for port in item.ports():
                port.set_state(PortState.NORMAL)
        if self.picked is not None and self.picked in self.scene.wire_items:
            self.scene.wire_items[self.picked].setVisible(True)


def _reachable(doc, start: str, forward: bool) -> set[str]:
    """Nodes that would close a cycle: from an output, its ancestors (and itself); from an input, its descendants."""
    nxt: dict[str, list[str]] = {}
    for e in doc.edges:
        a, b = (e.dst, e.src) if forward else (e.src, e.dst)
        nxt.setdefault(a, []).append(b)
    seen, stack = {start}, [start]
    while stack:
        for m in nxt.get(stack.pop(), ()):
            if m not in seen:
                seen.add(m)
                stack.append(m)
    return seen
