"""The Training panel follows node edits row by row: a node edit must not rebuild every editor.

On a 300-node graph, rebuilding the ~400 per-layer editors on every add/remove cost ~150 ms;
these tests pin that only the rows of the node that appeared or went away change, in document
order, and that the rows still commit to the right node.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QFormLayout, QLabel

from neuroedit.gui.training import panel as panel_module
from neuroedit.model import samples

LOSS_ROW = "param_loss_1_loss"  # the XOR sample's Loss node is loss_1


def form_rows(panel) -> list[str]:
    """The form's rows top to bottom: an editor's objectName, or a heading's/label's text."""
    form = panel._form
    rows = []
    for r in range(form.rowCount()):
        field = form.itemAt(r, QFormLayout.ItemRole.FieldRole)
        span = form.itemAt(r, QFormLayout.ItemRole.SpanningRole)
        widget = (field or span).widget()
        rows.append(widget.objectName() or (widget.text() if isinstance(widget, QLabel) else ""))
    return rows


def node_rows(panel) -> list[str]:
    return [r for r in form_rows(panel) if r.startswith("param_dense") or r == LOSS_ROW]


def dense_rows(*ids: str) -> list[str]:
    return [f"param_{i}_{name}" for i in ids for name in ("l1", "l2")]


@pytest.fixture
def counted(monkeypatch):
    """Count the editors the panel creates."""
    made: list[object] = []
    real = panel_module.make_editor

    def make(spec):
        made.append(spec.name)
        return real(spec)

    monkeypatch.setattr(panel_module, "make_editor", make)
    return made


def test_adding_a_dense_node_creates_only_its_two_editors(make_window, counted):
    doc = samples.xor()
    panel = make_window(doc).training_panel
    editors = {**panel._editors}
    node_editors = {**panel._node_editors}
    counted.clear()
    new = doc.add_node("Dense", {"l1": 0.25})
    assert counted == ["l1", "l2"]
    assert all(panel._editors[k] is e for k, e in editors.items())
    assert all(panel._node_editors[k] is e for k, e in node_editors.items())
    assert node_rows(panel) == [LOSS_ROW, *dense_rows("dense_1", "dense_2", new)]
    assert panel._node_editors[(new, "l1")].value() == pytest.approx(0.25)


def test_undo_redo_and_delete_keep_rows_in_document_order(make_window, counted):
    doc = samples.xor()
    panel = make_window(doc).training_panel
    extra = doc.add_node("Dense")
    doc.history.undo()
    assert node_rows(panel) == [LOSS_ROW, *dense_rows("dense_1", "dense_2")]
    doc.history.redo()
    assert node_rows(panel) == [LOSS_ROW, *dense_rows("dense_1", "dense_2", extra)]
    kept = panel._node_editors[("dense_2", "l1")]
    counted.clear()
    doc.remove_nodes(["dense_1"])
    assert counted == [] and node_rows(panel) == [LOSS_ROW, *dense_rows("dense_2", extra)]
    doc.history.undo()  # back in the middle, where it was
    assert node_rows(panel) == [LOSS_ROW, *dense_rows("dense_1", "dense_2", extra)]
    assert counted == ["l1", "l2"] and panel._node_editors[("dense_2", "l1")] is kept


def test_loss_row_and_heading_come_and_go_with_their_nodes(make_window):
    doc = samples.xor()
    panel = make_window(doc).training_panel
    rows = form_rows(panel)
    assert rows[0] == LOSS_ROW and rows[-1] == "training_error"
    doc.remove_nodes(["loss_1", "dense_1", "dense_2"])
    rows = form_rows(panel)
    assert node_rows(panel) == [] and not any("Regularisation" in r for r in rows) and rows[-1] == "training_error"
    doc.history.undo()
    rows = form_rows(panel)
    assert rows[0] == LOSS_ROW and node_rows(panel) == [LOSS_ROW, *dense_rows("dense_1", "dense_2")]
    heading = next(i for i, r in enumerate(rows) if "Regularisation" in r)
    assert heading == rows.index("param_dense_1_l1") - 1


def test_rows_of_a_renamed_or_new_node_commit_to_it_and_undo(make_window):
    doc = samples.xor()
    panel = make_window(doc).training_panel
    doc.rename_node("dense_1", "hidden")
    assert "param_hidden_l1" in form_rows(panel) and ("dense_1", "l1") not in panel._node_editors
    editor = panel._node_editors[("hidden", "l2")]
    editor.setValue(0.125)
    assert doc.nodes["hidden"].params["l2"] == pytest.approx(0.125)
    doc.history.undo()
    assert editor.value() == 0.0
    new = doc.add_node("Dense")
    panel._node_editors[(new, "l1")].setValue(0.5)
    assert doc.nodes[new].params["l1"] == pytest.approx(0.5)
    doc.history.undo()
    assert doc.nodes[new].params["l1"] == 0.0 and panel._node_editors[(new, "l1")].value() == 0.0


def test_a_new_document_gets_a_fresh_form(make_window):
    window = make_window(samples.xor())
    panel = window.training_panel
    other = samples.weather()
    panel.set_document(other)
    dense = [n.id for n in other.nodes.values() if n.type == "Dense"]
    assert node_rows(panel)[len(node_rows(panel)) - 2 * len(dense) :] == dense_rows(*dense)


def test_an_added_row_does_not_move_the_rows_above_it(make_window, qtbot):
    """Each layout pass over ~400 rows moves every editor; an append must leave the others in place."""
    from PySide6.QtCore import QEvent, QObject

    doc = samples.xor()
    for i in range(40):  # taller than the panel: the form sits at its minimum
        doc.add_node("Dense", pos=(0.0, 100.0 * i))
    window = make_window(doc)
    panel = window.training_panel
    window.docks["training"].raise_()
    qtbot.wait(20)
    editors = {id(e) for e in [*panel._editors.values(), *panel._node_editors.values()]}
    moved: list[str] = []

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Move and id(obj) in editors:
                moved.append(obj.objectName())
            return False

    watch = Watch()
    QApplication.instance().installEventFilter(watch)
    try:
        new = doc.add_node("Dense")
        qtbot.wait(20)
    finally:
        QApplication.instance().removeEventFilter(watch)
    assert panel._node_editors[(new, "l1")].isVisible()
    assert moved == []
