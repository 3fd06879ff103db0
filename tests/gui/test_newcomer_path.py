"""A newcomer's first network, driven only through widgets a user sees and clicks.

New → Blank → choose `circle` in the Data panel → build Input(2) → Dense(8, tanh) → Dense(1) →
Loss from the palette, wired on the canvas, units and activations typed in the Inspector →
Train on the toolbar → at least 95 % validation accuracy with the default settings. The run
stops (Stop button) as soon as the target is reached.
"""

from __future__ import annotations

import pytest
from gui_helpers import drag, port_pos
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QTabBar

from neuroedit.engine.trainer import Epochs
from neuroedit.gui.palette import TYPE_ROLE
from neuroedit.gui.template_picker import TemplatePicker
from neuroedit.model import Document

TARGET = 0.95
TRAIN_MS = 30_000  # the bound: the defaults reach the target within 30 s (compiling included)


def click_widget(widget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_tab(window, title: str) -> None:
    """Click the dock tab called `title` (docks share an area as tabs)."""
    for bar in window.findChildren(QTabBar):
        for i in range(bar.count()):
            if bar.tabText(i) == title and bar.isVisible():
                QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
                return
    raise AssertionError(f"no visible tab {title!r}")


def choose_template(title: str) -> None:
    """Answer File › New's template picker the way a user does: click the template, then Create."""
    picker = QApplication.activeModalWidget()
    assert isinstance(picker, TemplatePicker)
    items = [picker.list.item(i) for i in range(picker.list.count())]
    item = next(i for i in items if i.text().startswith(title))
    QTest.mouseClick(picker.list.viewport(), Qt.MouseButton.LeftButton, pos=picker.list.visualItemRect(item).center())
    create = next(b for b in picker.findChildren(QPushButton) if b.text() == "Create")
    click_widget(create)


def add_from_palette(window, type_name: str, where: QPointF) -> str:
    """Click the palette row and press Enter (the node appears at the view centre), then drag the card to `where`."""
    click_tab(window, "Nodes")
    tree = window.palette.tree
    for g in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(g)
        for i in range(group.childCount()):
            item = group.child(i)
            if item.data(0, TYPE_ROLE) == type_name:
                tree.scrollToItem(item)
                QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center())
                QTest.keyClick(tree, Qt.Key.Key_Return)
                [node_id] = window.scene.selected_node_ids()
                card = window.scene.node_items[node_id]
                drag(window.canvas, card.scenePos() + QPointF(0, -4), where)
                window.scene.flush()
                return node_id
    raise AssertionError(f"{type_name} is not in the palette")


def wire(window, src: str, dst: str, dst_port: str = "in") -> None:
    drag(window.canvas, port_pos(window, src, "out", False), port_pos(window, dst, dst_port, True))
    window.scene.flush()


def set_in_inspector(window, qtbot, node_id: str, **values) -> None:
    """Select the card by clicking it, then type each value into the Inspector."""
    card = window.scene.node_items[node_id]
    QTest.mouseClick(
        window.canvas.viewport(),
        Qt.MouseButton.LeftButton,
        pos=window.canvas.mapFromScene(card.scenePos() + QPointF(0, -4)),
    )
    click_tab(window, "Inspector")
    for name, value in values.items():
        editor = window.inspector.editor(name)
        assert editor.isVisible()
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(editor.findText(value))  # what picking the entry in the list does
        else:
            editor.lineEdit().selectAll()
            QTest.keyClicks(editor, str(value))
            QTest.keyClick(editor, Qt.Key.Key_Return)
        assert window.doc.nodes[node_id].params[name] == value


@pytest.mark.slow
def test_new_blank_circle_2_8_1_trains_to_95_percent(qtbot, make_window):
    w = make_window(Document())
    w.resize(1600, 1000)
    w.docks["training"].show()

    QTimer.singleShot(0, lambda: choose_template("Blank"))
    click_widget(w.toolbar.widgetForAction(w.actions["new"]))
    assert not w.doc.nodes

    click_tab(w, "Data")
    source = w.data_panel.source
    assert source.isVisible()
    source.setCurrentIndex(source.findData("circle"))  # the user picks "circle" in the list
    qtbot.waitUntil(lambda: w.doc.dataset.get("spec") == "circle", timeout=10_000)

    x = w.canvas.view_centre()
    inp = add_from_palette(w, "Input", x + QPointF(-450, 0))
    hidden = add_from_palette(w, "Dense", x + QPointF(-150, 0))
    out = add_from_palette(w, "Dense", x + QPointF(150, 0))
    loss = add_from_palette(w, "Loss", x + QPointF(450, 0))
    assert w.doc.nodes[loss].params["loss"] == "binary_crossentropy"  # 2 classes: picked on the drop
    assert "binary_crossentropy" in w.statusBar().currentMessage()
    wire(w, inp, hidden)
    wire(w, hidden, out)
    wire(w, out, loss)
    set_in_inspector(w, qtbot, hidden, activation="tanh")
    set_in_inspector(w, qtbot, out, units=1, activation="sigmoid")
    qtbot.waitUntil(lambda: w.doc.nodes[loss].params == {"loss": "binary_crossentropy", "from_logits": False})
    assert w.doc.nodes[inp].params["shape"] == (2,) and w.doc.nodes[hidden].params["units"] == 8
    assert len(w.doc.edges) == 3

    val_accuracy: list[float] = []
    w.training.chunk_received.connect(
        lambda chunk: val_accuracy.extend(
            logs["val_accuracy"]
            for e in chunk.events
            if isinstance(e, Epochs)
            for _, logs in e.rows()
            if "val_accuracy" in logs
        )
    )
    qtbot.waitUntil(w.actions["train"].isEnabled)  # the problems are re-checked just after an edit
    click_widget(w.toolbar.widgetForAction(w.actions["train"]))
    qtbot.waitUntil(
        lambda: (val_accuracy and val_accuracy[-1] >= TARGET) or w.training.state in ("finished", "failed"),
        timeout=TRAIN_MS,
    )
    assert w.training.state != "failed", w.training.message
    if w.training.state == "running":
        click_widget(w.training_panel.stop_button)
        qtbot.waitUntil(lambda: w.training.state in ("idle", "finished"), timeout=10_000)
    assert max(val_accuracy) >= TARGET, val_accuracy
    assert w.dashboard.metric_plot.title == "Accuracy"
    w.training.shutdown()
    w.files.forced_dirty = False
    w.doc.history.set_clean()
