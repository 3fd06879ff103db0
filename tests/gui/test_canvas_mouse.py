"""Real mouse input on the canvas viewport: add, connect, disconnect, move, select, delete, undo, redo."""

from __future__ import annotations

import pytest
from gui_helpers import assert_scene_mirrors, click, drag, port_pos, to_view
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from neuroedit.gui.palette import TYPE_ROLE, node_mime
from neuroedit.model import Document, Edge


def _two_nodes() -> Document:
    doc = Document()
    doc.add_node("Input", {"shape": [2]}, pos=(0.0, 0.0))
    doc.add_node("Dense", {"units": 3}, pos=(300.0, 0.0))
    doc.history.clear()
    return doc


def _drop(canvas, mime, view_pos: QPoint) -> None:
    vp = canvas.viewport()
    actions = Qt.DropAction.CopyAction
    for event in (
        QDragEnterEvent(view_pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
        QDragMoveEvent(view_pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
        QDropEvent(QPointF(view_pos), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
    ):
        QApplication.sendEvent(vp, event)


def test_drop_from_palette_adds_node_where_dropped_and_undo_redo(make_window):
    w = make_window(_two_nodes())
    dense_items = [w.palette.tree.topLevelItem(i) for i in range(w.palette.tree.topLevelItemCount())]
    leaf = next(
        g.child(j) for g in dense_items for j in range(g.childCount()) if g.child(j).data(0, TYPE_ROLE) == "Dropout"
    )
    mime = node_mime(leaf.data(0, TYPE_ROLE))
    target = QPointF(600.0, 200.0)
    _drop(w.canvas, mime, to_view(w.canvas, target))
    assert "dropout_1" in w.doc.nodes
    x, y = w.doc.nodes["dropout_1"].pos
    assert abs(x - 600) <= 20 and abs(y - 200) <= 20 and x % 20 == 0 and y % 20 == 0
    assert w.scene.selected_node_ids() == ["dropout_1"]
    assert_scene_mirrors(w)
    w.actions["undo"].trigger()
    assert "dropout_1" not in w.doc.nodes
    assert_scene_mirrors(w)
    w.actions["redo"].trigger()
    assert "dropout_1" in w.doc.nodes
    assert_scene_mirrors(w)


def test_double_click_in_palette_adds_at_view_centre(make_window, qtbot):
    w = make_window(_two_nodes())
    w.palette.add_requested.emit("Flatten")
    centre = w.canvas.view_centre()
    x, y = w.doc.nodes["flatten_1"].pos
    assert abs(x - centre.x()) <= 20 and abs(y - centre.y()) <= 20


def test_connect_two_ports_by_dragging(make_window):
    w = make_window(_two_nodes())
    drag(w.canvas, port_pos(w, "input_1", "out", False), port_pos(w, "dense_1", "in", True))
    assert w.doc.edges == [Edge("input_1", "dense_1")]
    assert_scene_mirrors(w)
    w.scene.flush()
    assert w.scene.node_items["dense_1"].shape_text == "(None, 3)"
    assert w.scene.node_items["dense_1"].out_ports["out"].connected is False
    assert w.scene.node_items["dense_1"].in_ports["in"].connected is True


def test_connect_from_input_back_to_output(make_window):
    w = make_window(_two_nodes())
    drag(w.canvas, port_pos(w, "dense_1", "in", True), port_pos(w, "input_1", "out", False))
    assert w.doc.edges == [Edge("input_1", "dense_1")]


def test_refused_connection_is_explained_in_status_bar(make_window):
    doc = _two_nodes()
    doc.connect("input_1", "dense_1")
    doc.add_node("Dense", {"units": 2}, pos=(600.0, 0.0))
    doc.connect("dense_1", "dense_2")
    doc.history.clear()
    w = make_window(doc)
    drag(w.canvas, port_pos(w, "dense_2", "out", False), port_pos(w, "dense_1", "in", True))
    assert len(w.doc.edges) == 2
    assert "cycle" in w.statusBar().currentMessage()
    assert_scene_mirrors(w)


def test_compatible_ports_are_highlighted_while_dragging(make_window):
    from neuroedit.gui.canvas.connect_tool import ConnectDrag
    from neuroedit.gui.canvas.port_item import PortState

    doc = _two_nodes()
    doc.add_node("Dense", {"units": 2}, pos=(600.0, 0.0))
    doc.connect("dense_1", "dense_2")
    doc.history.clear()
    w = make_window(doc)
    items = w.scene.node_items
    tool = ConnectDrag(w.scene, items["dense_2"].out_ports["out"], items["dense_2"].pos())
    assert items["dense_1"].in_ports["in"].state == PortState.REFUSED  # would make a cycle
    assert items["input_1"].out_ports["out"].state == PortState.REFUSED  # output to output
    tool.finish(QPointF(5000, 5000))
    assert items["dense_1"].in_ports["in"].state == PortState.NORMAL
    assert len(w.doc.edges) == 1


def test_dragging_wire_end_away_disconnects_and_undo_restores(make_window):
    doc = _two_nodes()
    doc.connect("input_1", "dense_1")
    doc.history.clear()
    w = make_window(doc)
    start = port_pos(w, "dense_1", "in", True)
    drag(w.canvas, start, start + QPointF(0, 200))
    assert w.doc.edges == []
    assert_scene_mirrors(w)
    w.actions["undo"].trigger()
    assert w.doc.edges == [Edge("input_1", "dense_1")]
    assert_scene_mirrors(w)


def test_move_by_drag_is_one_undo_step_and_snaps(make_window):
    w = make_window(_two_nodes())
    item = w.scene.node_items["dense_1"]
    grab = item.mapToScene(QPointF(0, -item.rect().height() / 2 + 12))  # the header
    drag(w.canvas, grab, grab + QPointF(133, 67), steps=10)
    assert w.doc.nodes["dense_1"].pos == (440.0, 60.0)
    assert w.doc.history.texts == ["Move dense_1"]
    assert_scene_mirrors(w)
    w.actions["undo"].trigger()
    assert w.doc.nodes["dense_1"].pos == (300.0, 0.0)
    assert_scene_mirrors(w)


def test_two_drags_are_two_undo_steps(make_window):
    w = make_window(_two_nodes())
    for dx in (100, 100):
        item = w.scene.node_items["dense_1"]
        grab = item.mapToScene(QPointF(0, -item.rect().height() / 2 + 12))
        drag(w.canvas, grab, grab + QPointF(dx, 0))
    assert len(w.doc.history.texts) == 2


def test_ctrl_click_and_rubber_band_select_several(make_window):
    w = make_window(_two_nodes())
    click(w.canvas, w.scene.node_items["input_1"].pos())
    click(w.canvas, w.scene.node_items["dense_1"].pos(), Qt.KeyboardModifier.ControlModifier)
    assert sorted(w.scene.selected_node_ids()) == ["dense_1", "input_1"]
    click(w.canvas, QPointF(150, 400))
    assert w.scene.selected_node_ids() == []
    drag(w.canvas, QPointF(-150, -150), QPointF(450, 150))
    assert sorted(w.scene.selected_node_ids()) == ["dense_1", "input_1"]


def test_delete_key_undo_redo(make_window, qtbot):
    doc = _two_nodes()
    doc.connect("input_1", "dense_1")
    doc.history.clear()
    w = make_window(doc)
    click(w.canvas, w.scene.node_items["dense_1"].pos())
    w.canvas.setFocus()
    QTest.keyClick(w.canvas, Qt.Key.Key_Delete)
    assert list(w.doc.nodes) == ["input_1"] and w.doc.edges == []
    assert_scene_mirrors(w)
    QTest.keyClick(w.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert set(w.doc.nodes) == {"input_1", "dense_1"} and len(w.doc.edges) == 1
    assert_scene_mirrors(w)
    QTest.keyClick(w.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert list(w.doc.nodes) == ["input_1"]
    assert_scene_mirrors(w)


def test_selected_wire_is_deleted(make_window):
    doc = _two_nodes()
    doc.connect("input_1", "dense_1")
    doc.history.clear()
    w = make_window(doc)
    w.scene.wire_items[Edge("input_1", "dense_1")].setSelected(True)
    w.actions["delete"].trigger()
    assert w.doc.edges == [] and len(w.doc.nodes) == 2


def test_copy_paste_and_duplicate_keep_internal_edges(make_window):
    doc = _two_nodes()
    doc.connect("input_1", "dense_1")
    doc.history.clear()
    w = make_window(doc)
    w.scene.select_nodes(["input_1", "dense_1"])
    w.actions["copy"].trigger()
    w.actions["paste"].trigger()
    assert len(w.doc.nodes) == 4 and len(w.doc.edges) == 2
    assert sorted(w.scene.selected_node_ids()) == ["dense_2", "input_2"]
    assert w.doc.nodes["input_2"].pos == (40.0, 40.0)
    w.actions["duplicate"].trigger()
    assert len(w.doc.nodes) == 6 and len(w.doc.edges) == 3
    assert_scene_mirrors(w)
    w.actions["cut"].trigger()
    assert len(w.doc.nodes) == 4
    w.actions["undo"].trigger()
    assert len(w.doc.nodes) == 6


def test_paste_of_foreign_text_is_refused_politely(make_window):
    w = make_window(_two_nodes())
    QApplication.clipboard().setText("not a network")
    w.actions["paste"].trigger()
    assert "Cannot paste" in w.statusBar().currentMessage()
    assert len(w.doc.nodes) == 2


def test_auto_layout_is_one_undo_step(make_window):
    doc = _two_nodes()
    doc.connect("input_1", "dense_1")
    doc.move_nodes({"input_1": (500.0, 300.0), "dense_1": (-200.0, 40.0)})
    doc.history.clear()
    w = make_window(doc)
    w.actions["auto_layout"].trigger()
    assert w.doc.nodes["input_1"].pos[0] < w.doc.nodes["dense_1"].pos[0]
    assert w.doc.history.texts == ["Move 2 nodes"]
    w.actions["undo"].trigger()
    assert w.doc.nodes["input_1"].pos == (500.0, 300.0)
    assert_scene_mirrors(w)


def test_zoom_pan_and_frame_all(make_window):
    w = make_window(_two_nodes())
    c = w.canvas
    before = c.zoom()
    c.zoom_by(1.25)
    assert abs(c.zoom() - before * 1.25) < 1e-6
    centre = c.view_centre()
    drag(c, centre, centre + QPointF(80 / c.zoom(), 0), button=Qt.MouseButton.MiddleButton)
    assert abs(c.view_centre().x() - (centre.x() - 80 / c.zoom())) < 3
    assert w.doc.history.texts == []  # panning is not an edit
    c.frame_all()
    visible = c.mapToScene(c.viewport().rect()).boundingRect()
    for item in w.scene.node_items.values():
        assert visible.contains(item.sceneBoundingRect())


def test_wheel_zoom_scales_pictures_then_renders_them_sharp(make_window, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent

    w = make_window(_two_nodes())
    c = w.canvas
    qtbot.waitUntil(lambda: w.scene.pictures.pending == 0, timeout=2000)
    before = c.zoom()
    cards = list(w.scene.node_items.values())
    assert all(card.picture_scale == pytest.approx(before) for card in cards)
    pos = QPointF(c.viewport().rect().center())
    event = QWheelEvent(
        pos,
        c.viewport().mapToGlobal(pos),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(c.viewport(), event)
    assert c.zoom() > before
    # during the gesture the old pictures are drawn scaled; nothing is re-rendered yet
    assert all(card.picture_scale == pytest.approx(before) for card in cards)
    assert w.scene.pictures.pending == len(cards)
    assert not c.viewport().grab().isNull()
    qtbot.waitUntil(lambda: w.scene.pictures.pending == 0, timeout=2000)
    assert all(card.picture_scale == pytest.approx(c.zoom()) for card in cards)
    assert w.doc.history.texts == []
