"""Mouse helpers: real press/move/release events on the canvas viewport at scene coordinates."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def to_view(canvas, scene_pos: QPointF) -> QPoint:
    return canvas.mapFromScene(scene_pos)


def _send(widget, kind, pos: QPoint, button, buttons, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    global_pos = widget.mapToGlobal(pos)
    event = QMouseEvent(kind, QPointF(pos), QPointF(global_pos), button, buttons, modifiers)
    QApplication.sendEvent(widget, event)


def drag(
    canvas,
    start: QPointF,
    end: QPointF,
    steps: int = 6,
    button=Qt.MouseButton.LeftButton,
    modifiers=Qt.KeyboardModifier.NoModifier,
) -> None:
    """Press at scene point `start`, move in `steps` to `end`, release: one real mouse drag."""
    vp = canvas.viewport()
    a, b = to_view(canvas, start), to_view(canvas, end)
    _send(vp, QMouseEvent.Type.MouseButtonPress, a, button, button, modifiers)
    for i in range(1, steps + 1):
        p = QPoint(a.x() + (b.x() - a.x()) * i // steps, a.y() + (b.y() - a.y()) * i // steps)
        _send(vp, QMouseEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, button, modifiers)
    _send(vp, QMouseEvent.Type.MouseButtonRelease, b, button, Qt.MouseButton.NoButton, modifiers)


def click(canvas, at: QPointF, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, modifiers, to_view(canvas, at))


def port_pos(window, node_id: str, port: str, is_input: bool) -> QPointF:
    item = window.scene.node_items[node_id]
    return (item.in_ports if is_input else item.out_ports)[port].scenePos()


def assert_scene_mirrors(window) -> None:
    """The scene shows exactly the document: node ids, edge set, positions, captions, port names."""
    from neuroedit.model import node_type

    scene, doc = window.scene, window.doc
    scene.flush()
    assert set(scene.node_items) == set(doc.nodes)
    assert set(scene.wire_items) == set(doc.edges)
    for node_id, item in scene.node_items.items():
        node = doc.nodes[node_id]
        assert item.node_id == node_id
        assert (item.pos().x(), item.pos().y()) == node.pos
        spec = node_type(node.type)
        assert item.caption == spec.describe(node.params)
        assert list(item.in_ports) == [p.name for p in spec.ports_in(node.params)]
    for edge, wire in scene.wire_items.items():
        src = scene.node_items[edge.src].port_scene_pos(edge.src_port, False)
        dst = scene.node_items[edge.dst].port_scene_pos(edge.dst_port, True)
        path = wire.path()
        assert path.pointAtPercent(0.0) == src and path.pointAtPercent(1.0) == dst
    graphic_nodes = [i for i in scene.items() if type(i).__name__ == "NodeItem"]
    assert len(graphic_nodes) == len(doc.nodes)
