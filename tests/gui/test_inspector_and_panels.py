"""Inspector edits are undoable; problems panel click selects; summary and history follow the document."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from neuroedit.model import Document
from neuroedit.model.samples import xor as build_xor


def _xor() -> Document:
    doc = build_xor()
    doc.history.clear()
    return doc


def test_inspector_spin_box_edit_is_one_undoable_command(make_window):
    w = make_window(_xor())
    w.scene.select_nodes(["dense_1"])
    units = w.inspector.editor("units")
    assert units.value() == 2
    units.setValue(5)
    assert w.doc.nodes["dense_1"].params["units"] == 5
    assert w.doc.history.texts == ["Set dense_1.units = 5"]
    w.scene.flush()
    assert w.scene.node_items["dense_1"].caption == "Dense · 5 units · sigmoid"
    w.actions["undo"].trigger()
    assert w.doc.nodes["dense_1"].params["units"] == 2
    assert units.value() == 2  # the editor follows the undo


def test_inspector_typed_value_commits_on_enter(make_window):
    w = make_window(_xor())
    w.scene.select_nodes(["dense_1"])
    units = w.inspector.editor("units")
    units.lineEdit().selectAll()
    QTest.keyClicks(units, "300")
    assert w.doc.history.texts == []  # nothing until the edit is finished
    QTest.keyClick(units, Qt.Key.Key_Return)
    assert w.doc.nodes["dense_1"].params["units"] == 300
    assert w.doc.history.texts == ["Set dense_1.units = 300"]


def test_inspector_combo_and_checkbox(make_window):
    w = make_window(_xor())
    w.scene.select_nodes(["dense_2"])
    w.inspector.editor("activation").setCurrentText("relu")
    w.inspector.editor("use_bias").setChecked(False)
    assert w.doc.nodes["dense_2"].params["activation"] == "relu"
    assert w.doc.nodes["dense_2"].params["use_bias"] is False
    assert len(w.doc.history.texts) == 2


def test_inspector_hides_irrelevant_params(make_window):
    w = make_window(_xor())
    w.scene.select_nodes([])
    form = w.inspector._form
    assert not form.isRowVisible(w.inspector.editor("momentum"))
    w.inspector.editor("optimizer").setCurrentText("momentum")
    assert w.doc.settings["optimizer"] == "momentum"
    assert form.isRowVisible(w.inspector.editor("momentum"))
    w.actions["undo"].trigger()
    assert not form.isRowVisible(w.inspector.editor("momentum"))


def test_inspector_refused_value_shows_reason_and_reverts(make_window):
    w = make_window(_xor())
    w.scene.select_nodes(["input_1"])
    shape = w.inspector.editor("shape")
    shape.setText("2, zero")
    shape.editingFinished.emit()
    assert w.doc.nodes["input_1"].params["shape"] == (2,)
    assert "shape" in w.inspector.error_label.text()
    assert shape.text() == "2"
    shape.setText("28 x 28")
    shape.editingFinished.emit()
    assert w.doc.nodes["input_1"].params["shape"] == (28, 28)


def test_inspector_rename_is_undoable(make_window):
    w = make_window(_xor())
    w.scene.select_nodes(["dense_1"])
    w.inspector.name_edit.setText("hidden")
    w.inspector.name_edit.editingFinished.emit()
    assert "hidden" in w.doc.nodes and "hidden" in w.scene.node_items
    w.actions["undo"].trigger()
    assert "dense_1" in w.scene.node_items and "hidden" not in w.scene.node_items


def test_inspector_shows_node_problems(make_window):
    doc = _xor()
    doc.disconnect(doc.edges[0])
    w = make_window(doc)
    w.scene.select_nodes(["dense_1"])
    assert "not connected" in w.inspector.problems_label.text()


def test_problems_panel_click_selects_and_centres_node(make_window, qtbot):
    doc = _xor()
    doc.disconnect(doc.edges[1])
    doc.move_nodes({"dense_2": (3000.0, 2000.0)})
    doc.history.clear()
    w = make_window(doc)
    w.scene.flush()
    w.problems.refresh()
    rows = [w.problems.item(i) for i in range(w.problems.count())]
    row = next(r for r in rows if r.text().startswith("dense_2:"))
    rect = w.problems.visualItemRect(row)
    QTest.mouseClick(w.problems.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert w.scene.selected_node_ids() == ["dense_2"]
    shown_at = w.canvas.mapFromScene(w.scene.node_items["dense_2"].pos())
    middle = w.canvas.viewport().rect().center()
    assert abs(shown_at.x() - middle.x()) <= 3 and abs(shown_at.y() - middle.y()) <= 3
    item = w.scene.node_items["dense_2"]
    assert item.errors and "not connected" in item.toolTip()
    assert not w.actions["train"].isEnabled()
    assert "Fix the network first" in w.actions["train"].toolTip()


def test_train_action_enabled_for_a_valid_network(make_window):
    w = make_window(_xor())
    w.problems.refresh()
    train = w.actions["train"]
    assert train.isEnabled()
    assert train.toolTip() == "Train the network"


def test_summary_panel_is_live(make_window, qtbot):
    w = make_window(_xor())
    w.docks["summary"].raise_()
    qtbot.waitUntil(lambda: not w.summary.visibleRegion().isEmpty())
    table = w.summary.table
    qtbot.waitUntil(lambda: table.rowCount() == 4)
    assert [table.item(1, c).text() for c in range(4)] == ["dense_1", "Dense", "(None, 2)", "6"]
    assert "9" in w.summary.totals.text()
    w.doc.set_param("dense_1", "units", 300)
    qtbot.waitUntil(lambda: table.item(1, 3).text() == "900")
    assert "1,201" in w.summary.totals.text()


def test_history_list_click_goes_to_that_step(make_window, qtbot):
    w = make_window(_xor())
    w.doc.set_param("dense_1", "units", 3)
    w.doc.set_param("dense_1", "units", 4)
    hist = w.history_panel
    assert [hist.item(i).text() for i in range(hist.count())][1:] == w.doc.history.texts
    hist.setCurrentRow(0)
    qtbot.waitUntil(lambda: w.doc.history.index == 0)
    assert w.doc.nodes["dense_1"].params["units"] == 2
    assert hist.currentRow() == 0 and hist.count() == 3
    w.actions["redo"].trigger()
    assert hist.currentRow() == 1


def test_title_shows_name_and_star_when_dirty(make_window, tmp_path):
    path = tmp_path / "net.nedit"
    w = make_window(_xor(), str(path))
    assert w.windowTitle().startswith("net.nedit — ")
    w.doc.set_param("dense_1", "units", 3)
    assert w.windowTitle().startswith("net.nedit* — ")
    w.actions["undo"].trigger()
    assert w.windowTitle().startswith("net.nedit — ")


def test_palette_search_filters_types(make_window):
    w = make_window(_xor())
    w.palette.search.setText("merge")
    assert w.palette.visible_types() == ["Add", "Concatenate"]
    w.palette.search.setText("relu learned")
    assert w.palette.visible_types() == ["PReLU"]
    w.palette.search.clear()
    assert len(w.palette.visible_types()) == 15


def test_shortcuts_dialog_lists_every_action(make_window):
    from neuroedit.gui.help_dialog import ShortcutsDialog
    from neuroedit.gui.shortcuts import SHORTCUTS

    dialog = ShortcutsDialog(make_window(_xor()))
    texts = [dialog.table.item(i, 0).text() for i in range(dialog.table.rowCount())]
    assert len(texts) >= len(SHORTCUTS)
    assert "Undo" in texts and "Pan" in texts


def test_float_editor_accepts_scientific_notation(make_window):
    w = make_window(_xor())
    w.scene.select_nodes([])
    lr = w.inspector.editor("learning_rate")
    lr.lineEdit().selectAll()
    QTest.keyClicks(lr, "1e-3")
    QTest.keyClick(lr, Qt.Key.Key_Return)
    assert w.doc.settings["learning_rate"] == 0.001
    assert lr.text() == "0.001"
    w.actions["undo"].trigger()
    assert lr.value() == 0.5


def test_hidden_summary_catches_up_when_shown(make_window, qtbot):
    w = make_window(_xor())
    w.docks["problems"].raise_()
    qtbot.waitUntil(lambda: w.summary.visibleRegion().isEmpty())
    w.doc.set_param("dense_1", "units", 300)
    w.summary.refresh()
    w.docks["summary"].raise_()
    qtbot.waitUntil(lambda: w.summary.table.item(1, 3) is not None and w.summary.table.item(1, 3).text() == "900")


def test_problems_panel_updates_only_changed_rows_and_matches_a_rebuild(make_window):
    from neuroedit.gui.problems_panel import ProblemsPanel
    from neuroedit.model import Document

    doc = Document()
    w = make_window(doc)
    panel = w.problems
    ids = [doc.add_node("Dense", {"units": 3}) for _ in range(6)]
    panel.refresh()
    kept = panel.item(panel.count() - 1)
    doc.add_node("Input", {"shape": [3]}, (0, 0), "x")
    doc.connect("x", ids[0])
    doc.remove_nodes([ids[3]])
    doc.history.undo()
    panel.refresh()
    fresh = ProblemsPanel(doc)
    texts = [panel.item(i).text() for i in range(panel.count())]
    assert texts == [fresh.item(i).text() for i in range(fresh.count())]
    assert [panel.item(i).toolTip() for i in range(panel.count())] == [
        fresh.item(i).toolTip() for i in range(fresh.count())
    ]
    assert any(panel.item(i) is kept for i in range(panel.count()))  # unchanged rows keep their items
    fresh.deleteLater()
