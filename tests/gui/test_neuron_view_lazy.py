"""The neuron view costs nothing while hidden and one rebuild per burst of edits while shown (pytest-qt).

Also: a graph too big to read as neurons gets a message instead of thousands of items, and a
softmax output of 2..MAX_THUMB_UNITS units gets per-class heat maps in the neuron view and the
dashboard's thumbnail strip.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from gui_docs import chain_doc
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from neuroedit.gui.backprop.neuron_layout import drawn_size, neuron_layout
from neuroedit.gui.backprop.neuron_scene import MAX_DRAWN
from neuroedit.gui.backprop.neuron_thumbs import unit_maps
from neuroedit.io import load
from neuroedit.model import Document

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def idle() -> None:
    QApplication.processEvents()


def xor_window(make_window):
    window = make_window(load(SAMPLES / "xor.nedit"), str(SAMPLES / "xor.nedit"))
    idle()
    return window, window.backprop.neuron_scene


def test_hidden_view_does_no_work_until_shown(make_window):
    window, scene = xor_window(make_window)
    bp, doc = window.backprop, window.doc
    assert not bp.neuron_view.isVisible() and scene.rebuilds == 0  # never shown: never built
    doc.set_param("dense_1", "units", 3)
    doc.add_node("Dense", {"units": 4}, node_id="extra")
    doc.connect("dense_1", "extra")
    doc.history.undo()
    doc.connect("dense_1", "extra")
    window.scene.select_nodes(["dense_1"])
    idle()
    assert scene.rebuilds == 0 and scene.neurons == {}

    bp.show_neuron_view()  # shown: one rebuild, at once, of the current graph
    assert scene.rebuilds == 1
    assert len(scene.neurons_of("dense_1")) == 3 and len(scene.neurons_of("extra")) == 4
    assert sum(1 for i in scene.links if i.link.dst == "extra" and i.link.weight[0] == "kernel") == 12
    assert all(i.selected_ring for i in scene.neurons_of("dense_1"))
    idle()
    assert scene.rebuilds == 1  # no second rebuild left on a timer

    bp.show_neuron_view(False)  # hidden again: edits wait for the next show
    doc.set_param("extra", "units", 2)
    idle()
    assert scene.rebuilds == 1 and len(scene.neurons_of("extra")) == 4
    bp.show_neuron_view()
    assert scene.rebuilds == 2 and len(scene.neurons_of("extra")) == 2


def test_weights_and_steps_while_hidden_are_applied_when_shown(make_window):
    window, scene = xor_window(make_window)
    bp, doc = window.backprop, window.doc
    bp.show_neuron_view()
    bp.show_neuron_view(False)
    link = next(i for i in scene.links if i.link.weight == ("kernel", (0, 0)))
    before = link.pen().widthF()
    doc.set_weight_value("dense_1", "kernel", (0, 0), 40.0)  # far the largest |w|: its line gets thickest
    idle()
    assert link.pen().widthF() == before and scene.rebuilds == 1
    window.docks["walkthrough"].show()  # the walk runs; the hidden view waits
    bp.player.recompute()
    bp.player.go(bp.player.first_of("loss"))
    idle()
    assert scene.neurons[("dense_2", 0)].value_text == ""
    bp.show_neuron_view()  # weights and numbers now, no rebuild needed
    assert scene.rebuilds == 1
    thickest = max(scene.links, key=lambda i: i.pen().widthF())
    assert thickest.link.weight == ("kernel", (0, 0)) and thickest.link.dst == "dense_1"
    assert scene.neurons[("dense_2", 0)].value_text != ""


def test_five_edits_while_shown_rebuild_once(make_window):
    window, scene = xor_window(make_window)
    bp, doc = window.backprop, window.doc
    bp.show_neuron_view()
    start = scene.rebuilds
    for units in (3, 4, 5, 6, 7):
        doc.set_param("dense_1", "units", units)
    assert scene.rebuilds == start  # nothing synchronous: the edits coalesce
    idle()
    assert scene.rebuilds == start + 1 and len(scene.neurons_of("dense_1")) == 7
    with doc.history.macro("five nodes"):
        for k in range(5):
            doc.add_node("Dense", {"units": 1}, node_id=f"m{k}")
    idle()
    assert scene.rebuilds == start + 2 and all(scene.neurons_of(f"m{k}") for k in range(5))
    for _ in range(6):
        doc.history.undo()
    idle()
    assert scene.rebuilds == start + 3 and len(scene.neurons_of("dense_1")) == 2
    assert not any(scene.neurons_of(f"m{k}") for k in range(5))


def test_a_weight_line_shows_the_hand_cursor_once_hovered(make_window):
    window, scene = xor_window(make_window)
    window.backprop.show_neuron_view()
    view = window.backprop.neuron_view
    view.fit()
    link = next(i for i in scene.links if i.link.weight == ("kernel", (1, 0)))
    assert not link.hasCursor()  # not set for each line of a rebuild
    pos = QPointF(view.mapFromScene(link.line().pointAt(0.3)))  # the middle is where two lines cross
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        pos,
        QPointF(view.viewport().mapToGlobal(pos.toPoint())),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view.viewport(), event)
    assert link.hasCursor() and link.cursor().shape() == Qt.CursorShape.PointingHandCursor
    assert view.viewport().cursor().shape() == Qt.CursorShape.PointingHandCursor
    assert "w₂" in link.toolTip()


def chain(layers: int, units: int) -> Document:
    doc = Document()
    doc.add_node("Input", {"shape": [units]}, node_id="x")
    prev = "x"
    for k in range(layers):
        doc.add_node("Dense", {"units": units}, node_id=f"d{k}")
        doc.connect(prev, f"d{k}")
        prev = f"d{k}"
    return doc


def test_too_big_graph_shows_a_message_instead_of_neurons(make_window, qtbot):
    doc = chain(12, 12)  # 12 x (144 kernel + 12 bias) lines: over the limit
    circles, lines = drawn_size(doc)
    lay = neuron_layout(doc)
    assert (circles, lines) == (sum(len(g.shown) for g in lay.nodes.values()) + len(lay.biases), len(lay.links))
    assert circles + lines > MAX_DRAWN
    window = make_window(doc)
    bp, scene = window.backprop, window.backprop.neuron_scene
    window.docks["walkthrough"].hide()  # only the neuron view could want the walk-through
    bp.show_neuron_view()
    assert scene.too_big.startswith("Too big to draw as neurons: these 13 nodes")
    assert f"{lines:,} lines" in scene.too_big and scene.neurons == {} and scene.links == []
    assert len(scene.items()) == 1 and scene.items()[0].toPlainText() == scene.too_big
    assert not bp.neuron_view.hint.isVisible()
    assert not bp.player.active  # no numbers to show: no walk-through per edit either
    for k in range(11, 5, -1):  # small enough again: drawn as neurons
        doc.remove_nodes([f"d{k}"])
    idle()
    assert scene.too_big == "" and len(scene.neurons_of("d5")) == 12 and bp.neuron_view.hint.isVisible()
    assert bp.player.active
    for _ in range(3):  # over the limit again while shown: d6..d8 are back
        doc.history.undo()
    idle()
    assert scene.too_big and not bp.player.active


def softmax_doc() -> Document:
    return chain_doc(
        2, {"units": 4, "activation": "tanh"}, {"units": 3, "activation": "softmax"}, "sparse_categorical_crossentropy"
    )


def test_softmax_output_units_get_maps_in_the_neuron_view_and_the_strip(qapp):
    from neuroedit.api.session import TrainingSession
    from neuroedit.gui.backprop.neuron_thumbs import thumbnail
    from neuroedit.gui.heatmap import signed_unit
    from neuroedit.gui.theme import LIGHT
    from neuroedit.gui.training.boundary import BoundaryView
    from neuroedit.gui.training.probes import GRID, boundary, make_plane

    doc = softmax_doc()
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 2)), rng.integers(0, 3, 30)
    session = TrainingSession(doc, x, y)
    plane = make_plane(2, 1, (x, y), None, "classification", 3)
    b = boundary(session.backend, plane)
    assert set(b.neurons) == {"hidden", "out"} and b.neurons["out"].shape == (3, GRID, GRID)
    np.testing.assert_allclose(b.neurons["out"].sum(axis=0), 1.0, rtol=1e-4)  # class probabilities
    assert (b.classes == b.neurons["out"].argmax(axis=0)).all()

    maps = unit_maps(doc, neuron_layout(doc), plane, b)
    for unit in range(3):
        np.testing.assert_allclose(maps[("out", unit)], signed_unit(b.neurons["out"][unit]))
        assert not thumbnail(maps[("out", unit)]).isNull()
    assert ("loss", 0) not in maps

    strip = BoundaryView(LIGHT)
    strip.set_plane(plane)
    strip.set_boundary(b)
    assert strip.refresh()
    assert {k for k in strip._thumb_labels if k[0] == "out"} == {("out", 0), ("out", 1), ("out", 2)}
    headers = [strip.thumb_grid.itemAtPosition(0, c).widget().text() for c in range(strip.thumb_grid.columnCount())]
    assert headers == ["hidden", "out"]


def test_single_output_keeps_its_value_map_only(qapp):
    from neuroedit.api.session import TrainingSession
    from neuroedit.gui.training.probes import boundary, make_plane

    doc = load(SAMPLES / "xor.nedit")
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([0, 1, 1, 0], float)
    session = TrainingSession(doc, x, y)
    b = boundary(session.backend, make_plane(2, 1, (x, y), None, "classification", 2))
    assert set(b.neurons) == {"dense_1"} and b.classes is None
