"""Step-through, neuron view and gradient check in a real MainWindow (pytest-qt, offscreen).

The SEEDS.md worked examples must appear in the rendered step panel; weight edits in the
neuron view are one undoable document edit; the views follow document events.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from neuroedit.io import load

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture
def open_sample(make_window):
    def make(name: str):
        path = SAMPLES / name
        window = make_window(load(path), str(path))
        bp = window.backprop
        window.docks["walkthrough"].show()
        bp.player.set_active(True)
        bp.player.recompute()
        return window, bp

    return make


def move_to(view, scene_pos) -> None:
    """A real mouse move (no button) over the view: what makes items receive hover events."""
    pos = QPointF(view.mapFromScene(scene_pos))
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        pos,
        QPointF(view.viewport().mapToGlobal(pos.toPoint())),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view.viewport(), event)


def all_panel_text(bp) -> str:
    """Step through every step with Next and collect what the formula area shows."""
    texts = [bp.step_panel.text()]
    while bp.step_panel.next_button.isEnabled():
        QTest.mouseClick(bp.step_panel.next_button, Qt.MouseButton.LeftButton)
        texts.append(bp.step_panel.text())
    return "\n".join(texts)


def test_xor_single_neuron_shows_example_1(open_sample):
    window, bp = open_sample("xor_single_neuron.nedit")
    assert bp.player.error == ""
    text = all_panel_text(bp)
    for expected in (
        "z = 0.75·0 + 0.5·0 + (-0.1) = -0.1",
        "σ(z) = 0.475",
        "-ln(1 - 0.475) = 0.644",
        "-0.1 - 0.5·0.475 = -0.338",
        "0.75 - 0.5·0 = 0.75",
        "0.5 - 0.5·0 = 0.5",
    ):
        assert expected in text, expected
    assert "η = 0.5" in bp.step_panel.rate.text()


def test_compute_graph_shows_example_2(open_sample):
    window, bp = open_sample("compute_graph.nedit")
    panel = bp.step_panel
    assert panel.mode.currentData() == "inputs"  # a computation graph: typed inputs, from values:
    assert {n: f.text() for n, f in panel.input_fields.items()} == {"x": "4", "y": "-2", "z": "5", "w": "-1"}
    text = all_panel_text(bp)
    for expected in (
        "p = x·y = 4·(-2) = -8",
        "q = max(z, w) = max(5, -1) = 5",
        "m = p + q = -8 + 5 = -3",
        "f = m² = (-3)² = 9",
        "df/dm = df/df · ∂f/∂m = 1 · (-6) = -6",
        "df/dp = df/dm · ∂m/∂p = -6 · 1 = -6",
        "df/dq = df/dm · ∂m/∂q = -6 · 1 = -6",
        "df/dx = df/dp · ∂p/∂x = -6 · (-2) = 12",
        "df/dy = df/dp · ∂p/∂y = -6 · 4 = -24",
        "df/dz = df/dq · ∂q/∂z = -6 · 1 = -6",
        "df/dw = df/dq · ∂q/∂w = -6 · 0 = 0",
    ):
        assert expected in text, expected


def test_typed_inputs_change_the_walk(open_sample):
    window, bp = open_sample("compute_graph.nedit")
    panel = bp.step_panel
    panel.set_input("x", "3")
    panel.walk()
    step = next(s for s in bp.player.walk.steps if s.node == "p" and s.phase == "forward")
    bp.player.go(step.index)
    assert "4·(-2)" not in panel.text() and "3·(-2) = -6" in panel.text()
    panel.set_input("x", "three")
    panel.walk()
    assert bp.player.walk is None and "input x" in bp.player.error
    assert "input x" in panel.text()  # the message says which field is wrong


def test_step_through_all_phases_and_back(open_sample):
    window, bp = open_sample("xor.nedit")
    bp.show_neuron_view()  # the neuron view draws while it is shown
    s, panel = bp.player, bp.step_panel
    seen = []
    while True:
        seen.append(s.step.phase)
        assert panel.steps.currentItem().data(0, Qt.ItemDataRole.UserRole) == s.index
        if not panel.next_button.isEnabled():
            break
        panel.next_button.click()
    assert list(dict.fromkeys(seen)) == ["forward", "loss", "backward", "update"]
    assert s.index == s.count - 1
    panel.prev_button.click()
    assert s.index == s.count - 2
    panel.reset_button.click()
    assert s.index == 0 and not panel.prev_button.isEnabled()
    # only computed nodes show numbers: at the start just the inputs
    values = {k: item.value_text for k, item in bp.neuron_scene.neurons.items()}
    assert values[("input_1", 0)] == "0" and values[("dense_2", 0)] == ""
    s.go(s.first_of("loss"))
    assert bp.neuron_scene.neurons[("dense_2", 0)].value_text != ""
    assert bp.neuron_scene.neurons[("dense_2", 0)].grad_text == ""
    s.go(s.first_of("update"))
    assert bp.neuron_scene.neurons[("dense_2", 0)].grad_text.startswith("∂L")
    assert any("→" in link.label for link in bp.neuron_scene.links)


def test_play_steps_on_a_timer(open_sample, qtbot):
    window, bp = open_sample("xor_single_neuron.nedit")
    bp.player.set_speed(5)
    bp.step_panel.play_button.click()
    qtbot.waitUntil(lambda: bp.player.index == bp.player.count - 1, timeout=5000)
    qtbot.waitUntil(lambda: not bp.player.timer.isActive(), timeout=2000)
    assert bp.step_panel.play_button.text().endswith("Play")


def test_highlight_on_both_views(open_sample):
    window, bp = open_sample("xor_single_neuron.nedit")
    bp.show_neuron_view()
    s = bp.player
    step = next(st for st in s.walk.steps if st.phase == "forward" and st.node == "dense_1")
    s.go(step.index)
    assert bp.neuron_scene.neurons[("dense_1", 0)].glow
    glowing = {(i.link.src, i.link.weight) for i in bp.neuron_scene.links if i.glow}
    assert glowing == {
        ("input_1", ("kernel", (0, 0))),
        ("input_1", ("kernel", (1, 0))),
        ("bias:dense_1", ("bias", (0,))),
    }
    outlined = [m for m in bp.marks.items if type(m).__name__ == "QGraphicsRectItem" and m.pen().widthF() == 3.0]
    assert len(outlined) == 1
    assert outlined[0].rect().contains(window.scene.node_items["dense_1"].sceneBoundingRect())
    labels = [m.text() for m in bp.marks.items if hasattr(m, "text")]
    assert "= 0.475" in labels and "= [0, 0]" in labels


def test_neuron_view_mirrors_weights_and_structure(open_sample):
    window, bp = open_sample("xor.nedit")
    bp.show_neuron_view()
    scene, doc = bp.neuron_scene, window.doc
    kernel = doc.weights["dense_1"]["kernel"]
    for item in scene.links:
        if item.link.weight and item.link.dst == "dense_1" and item.link.weight[0] == "kernel":
            assert scene.weight_value(item.link) == pytest.approx(float(kernel[item.link.weight[1]]))
    assert {n for (n, _) in scene.neurons} == {
        "input_1",
        "dense_1",
        "dense_2",
        "loss_1",
        "bias:dense_1",
        "bias:dense_2",
    }
    doc.set_param("dense_1", "units", 3)
    scene.flush()
    assert len(bp.neuron_scene.neurons_of("dense_1")) == 3
    doc.history.undo()
    scene.flush()
    assert len(bp.neuron_scene.neurons_of("dense_1")) == 2
    doc.set_param("dense_1", "units", 40)  # a wide layer collapses to a summary
    scene.flush()
    assert len(scene.neurons_of("dense_1")) == 5
    assert any(type(i).__name__ == "MoreItem" and "35 more" in i.text for i in scene.items())


def test_edit_weight_by_click_and_undo(open_sample, qtbot):
    window, bp = open_sample("xor_single_neuron.nedit")
    bp.show_neuron_view()
    view, scene, doc = bp.neuron_view, bp.neuron_scene, window.doc
    view.fit()
    link_item = next(i for i in scene.links if i.link.weight == ("kernel", (0, 0)))
    assert "w₁ = 0.75" in scene.weight_tip(link_item.link)
    point = view.mapFromScene(link_item.line().pointAt(0.6))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    editor = view.editor
    assert editor is not None and editor.text() == "0.75"
    editor.selectAll()
    QTest.keyClicks(editor, "-2.5")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert doc.weights["dense_1"]["kernel"][0, 0] == pytest.approx(-2.5)
    assert view.editor is None
    assert doc.history.undo_text().startswith("Set") or doc.history.can_undo()
    # the view follows: the line is now orange (negative) and the walk-through uses the new weight
    assert link_item.pen().color().name() == "#f59322"
    assert "w₁ = -2.5" in scene.weight_tip(link_item.link)
    doc.history.undo()
    assert doc.weights["dense_1"]["kernel"][0, 0] == pytest.approx(0.75)
    assert link_item.pen().color().name() == "#0877bd"
    qtbot.waitUntil(lambda: "w₁ = 0.75" in scene.weight_tip(link_item.link), timeout=2000)


def test_bad_typed_weight_changes_nothing(open_sample):
    window, bp = open_sample("xor_single_neuron.nedit")
    bp.show_neuron_view()
    link = next(i.link for i in bp.neuron_scene.links if i.link.weight == ("bias", (0,)))
    messages = []
    bp.neuron_scene.status_message.connect(messages.append)
    assert not bp.neuron_scene.commit_weight(link, "abc")
    assert messages and "not a number" in messages[0]
    assert not window.doc.history.can_undo()


def test_neuron_hover_shows_the_formula(open_sample):
    window, bp = open_sample("xor_single_neuron.nedit")
    bp.show_neuron_view()
    tip = bp.neuron_scene.neuron_tip("dense_1", 0)
    assert "z = 0.75·0 + 0.5·0 + (-0.1) = -0.1" in tip and "a = σ(z) = 0.475" in tip
    assert "0.644" in bp.neuron_scene.neuron_tip("loss_1", 0)
    link = next(i.link for i in bp.neuron_scene.links if i.link.weight == ("bias", (0,)))
    tip = bp.neuron_scene.weight_tip(link)
    assert "b = -0.1" in tip and "dL/db = 0.475" in tip and "-0.1 → -0.338" in tip


def test_selection_is_shared(open_sample):
    window, bp = open_sample("xor.nedit")
    window.scene.select_nodes(["dense_1"])
    bp.neuron_scene.flush()  # hidden: brought up to date on request
    assert all(i.selected_ring for i in bp.neuron_scene.neurons_of("dense_1"))
    assert not any(i.selected_ring for i in bp.neuron_scene.neurons_of("dense_2"))
    bp.show_neuron_view()
    bp.neuron_scene.node_clicked.emit("dense_2")  # what a click on a neuron sends
    assert window.scene.selected_node_ids() == ["dense_2"]
    bp.show_neuron_view(False)
    assert window.scene.selected_node_ids() == ["dense_2"]
    assert all(i.selected_ring for i in bp.neuron_scene.neurons_of("dense_2"))


def test_apply_update_is_one_undoable_edit(open_sample):
    window, bp = open_sample("xor_single_neuron.nedit")
    doc = window.doc
    bp.step_panel.apply_button.click()
    assert float(doc.weights["dense_1"]["bias"][0]) == pytest.approx(-0.338, abs=5e-4)
    assert float(doc.weights["dense_1"]["kernel"][0, 0]) == pytest.approx(0.75)
    assert "Apply backprop update" in doc.history.undo_text()
    doc.history.undo()
    assert float(doc.weights["dense_1"]["bias"][0]) == pytest.approx(-0.1)
    assert not doc.history.can_undo()


def test_gradient_check_table(open_sample):
    window, bp = open_sample("xor_single_neuron.nedit")
    panel = bp.gradcheck
    result = panel.run()
    assert result is not None and result.ok
    assert panel.table.rowCount() == len(result.rows) == 5
    assert panel.flagged_rows() == []
    assert "all agree" in panel.summary.text()
    bias_row = next(k for k in range(5) if panel.table.item(k, 1).text() == "bias")
    assert panel.table.item(bias_row, 3).text() == "0.475021"


def test_gradient_check_flags_in_red(open_sample, monkeypatch):
    from neuroedit.api import gradcheck

    window, bp = open_sample("xor_single_neuron.nedit")
    row = gradcheck.GradRow("dense_1", "bias", (0,), 0.5, 0.4, 0.2, True)
    monkeypatch.setattr(
        "neuroedit.gui.backprop.gradcheck_panel.gradient_check", lambda *a, **k: gradcheck.GradCheck([row], 1e-4, 1e-5)
    )
    bp.gradcheck.run()
    assert bp.gradcheck.flagged_rows() == [0]
    assert "1 flagged" in bp.gradcheck.summary.text()


def test_mini_batch_and_errors(open_sample):
    window, bp = open_sample("xor.nedit")
    panel = bp.step_panel
    panel.mode.setCurrentIndex(1)
    panel.batch.setText("0, 1")
    panel.walk()
    assert bp.player.walk is not None and bp.player.walk.batch == 2
    assert "sample 2:" in "\n".join(s.title for s in bp.player.walk.steps)
    panel.mode.setCurrentIndex(0)
    panel.sample.setValue(99)
    panel.walk()
    assert bp.player.walk is None and "sample 99 does not exist" in panel.text()
    assert not panel.next_button.isEnabled()


def test_document_without_weights_gets_initialised(make_window):
    from neuroedit.model import Document

    doc = Document()
    doc.add_node("Input", {"shape": (2,)}, node_id="x")
    doc.add_node("Dense", {"units": 1, "activation": "sigmoid"}, node_id="d")
    doc.add_node("Loss", {"loss": "binary_crossentropy"}, node_id="L")
    doc.connect("x", "d")
    doc.connect("d", "L")
    window = make_window(doc)
    bp = window.backprop
    bp.step_panel.set_input("x", "1, 0")
    bp.step_panel.target.setText("1")
    bp.step_panel.walk()
    assert bp.player.error == ""
    assert set(doc.weights["d"]) == {"kernel", "bias"}
    assert np.isfinite(bp.player.walk.loss)


def test_follows_file_open(open_sample):
    window, bp = open_sample("xor.nedit")
    window.files.open(str(SAMPLES / "compute_graph.nedit"))
    assert window.doc is bp.player.doc is bp.neuron_scene.doc
    assert set(bp.step_panel.input_fields) == {"x", "y", "z", "w"}
    bp.player.set_active(True)
    bp.player.recompute()
    assert bp.player.walk is not None and bp.player.walk.loss == pytest.approx(9.0)
    bp.show_neuron_view()
    assert ("p", 0) in bp.neuron_scene.neurons and bp.neuron_scene.neurons[("p", 0)].symbol == "×"


def test_broken_graph_explains_and_still_draws(make_window):
    from neuroedit.model import Document

    doc = Document()
    doc.add_node("Input", {"shape": (2,)}, node_id="x")
    doc.add_node("Dense", {"units": 3}, node_id="d")  # not connected, no loss
    window = make_window(doc)
    bp = window.backprop
    bp.player.set_active(True)
    bp.player.recompute()
    assert bp.player.walk is None and "cannot run" in bp.step_panel.text()
    assert not bp.step_panel.next_button.isEnabled() and not bp.step_panel.apply_button.isEnabled()
    bp.show_neuron_view()
    assert ("x", 1) in bp.neuron_scene.neurons
    doc.connect("x", "d")
    bp.neuron_scene.flush()
    assert len(bp.neuron_scene.neurons_of("d")) == 3
    assert sum(1 for i in bp.neuron_scene.links if i.link.weight and i.link.weight[0] == "kernel") == 6


def test_after_apply_the_walk_starts_over_from_the_new_weights(open_sample):
    window, bp = open_sample("xor_single_neuron.nedit")
    s = bp.player
    s.go(s.count - 1)
    bp.step_panel.apply_button.click()
    assert s.index == 0
    s.go(next(st.index for st in s.walk.steps if st.node == "dense_1" and st.phase == "forward"))
    assert "+ (-0.338) = -0.338" in bp.step_panel.text()


def test_closing_the_panel_clears_the_canvas_marks(open_sample):
    window, bp = open_sample("xor_single_neuron.nedit")
    assert bp.marks.items
    window.docks["walkthrough"].hide()
    assert bp.marks.items == [] and not bp.player.active
    bp.show_neuron_view()  # the neuron view still walks
    assert bp.player.active
    window.docks["walkthrough"].show()
    assert bp.marks.items


def test_real_hover_sets_the_tooltips(open_sample):
    window, bp = open_sample("xor_single_neuron.nedit")
    bp.show_neuron_view()
    view = bp.neuron_view
    view.fit()
    neuron = bp.neuron_scene.neurons[("dense_1", 0)]
    move_to(view, neuron.scenePos())
    assert "a = σ(z) = 0.475" in neuron.toolTip()
    link = next(i for i in bp.neuron_scene.links if i.link.weight == ("kernel", (1, 0)))
    move_to(view, link.line().pointAt(0.5))
    assert "w₂ = 0.5" in link.toolTip() and "dL/dw₂ = 0" in link.toolTip()


def test_view_menu_switches_views_and_opens_the_panel(make_window, qtbot):
    window = make_window(load(SAMPLES / "xor.nedit"), str(SAMPLES / "xor.nedit"))
    bp = window.backprop
    assert window.centralWidget() is bp.tabs and bp.tabs.widget(0) is window.canvas
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    toggle = window.actions["neuron_view"]
    assert toggle in view_menu.actions() and window.actions["step_through"] in view_menu.actions()
    window.scene.select_nodes(["dense_1"])
    toggle.trigger()
    assert bp.tabs.currentWidget() is bp.neuron_view and bp.player.active
    assert all(i.selected_ring for i in bp.neuron_scene.neurons_of("dense_1"))
    bp.tabs.setCurrentIndex(0)
    assert not toggle.isChecked()
    window.actions["step_through"].trigger()
    dock = window.docks["walkthrough"]
    assert dock.isVisible() and bp.player.active
    qtbot.waitUntil(lambda: bp.player.walk is not None, timeout=3000)
    assert "Forward pass" in bp.step_panel.text()


def test_backprop_shortcuts_are_listed_in_the_help():
    from neuroedit.gui.shortcuts import help_rows

    texts = {what for what, _ in help_rows()}
    assert {"Neuron view", "Step through backpropagation"} <= texts


def test_canvas_marks_follow_the_step_through_tab(make_window, qtbot):
    """Docks tabbed together stay isVisible() when behind another tab: the marks follow the tab itself."""
    from neuroedit import io as nedit_io

    w = make_window(nedit_io.load(SAMPLES / "xor.nedit"))
    w.docks["walkthrough"].raise_()
    qtbot.waitUntil(lambda: w.backprop.marks.enabled, timeout=2000)
    w.docks["dashboard"].raise_()  # Training plots in front of Step through
    qtbot.waitUntil(lambda: not w.backprop.marks.enabled, timeout=2000)
    w.docks["walkthrough"].raise_()
    qtbot.waitUntil(lambda: w.backprop.marks.enabled, timeout=2000)


def test_typed_inputs_get_a_box_per_input_node_and_play_waits_for_them(make_window, qtbot):
    """A blank document: the Input dropped later gets its box ("0, 0" for 2 values); an empty box disables Play."""
    from neuroedit.model import Document

    window = make_window(Document())
    bp = window.backprop
    panel = bp.step_panel
    bp.player.set_active(True)
    assert panel.mode.currentData() == "inputs" and panel.input_fields == {}
    window.doc.add_node("Input", {"shape": (2,)}, node_id="x")
    window.doc.add_node("Dense", {"units": 1, "activation": "sigmoid"}, node_id="d")
    window.doc.add_node("Loss", {"loss": "binary_crossentropy"}, node_id="L")
    window.doc.connect("x", "d")
    window.doc.connect("d", "L")
    qtbot.waitUntil(lambda: "x" in panel.input_fields)
    field = panel.input_fields["x"]
    assert field.text() == "0, 0" and field.placeholderText() == "x1, x2"
    assert "needs a target" in panel.text() and not panel.play_button.isEnabled()  # no data set: type one
    panel.target.setText("1")
    panel.walk()
    assert panel.play_button.isEnabled()
    field.clear()
    assert not panel.play_button.isEnabled()
    assert "Type the value of x" in panel.text()
    field.setText("1, 0")
    panel.walk()
    assert panel.play_button.isEnabled() and bp.player.error == ""


def test_forward_steps_number_the_weights_of_the_sum_and_a_wide_view_is_filled(make_window, qtbot):
    """Weight labels on the current sum's edges (bias included), even for a layer of 8 inputs; columns spread out."""
    from gui_docs import chain_doc

    doc = chain_doc(
        2, {"units": 8, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}, "binary_crossentropy", "circle"
    )
    window = make_window(doc)
    window.resize(1600, 1000)
    bp = window.backprop
    window.docks["walkthrough"].show()
    bp.player.set_active(True)
    bp.player.recompute()
    bp.show_neuron_view()
    qtbot.waitUntil(lambda: bp.neuron_scene.spread > 1.0)  # the view is wider than the 2-8-1 network
    bp.neuron_scene.flush()
    s = bp.player
    s.go(next(st.index for st in s.walk.steps if st.phase == "forward" and st.node == "out"))
    bp.neuron_scene.flush()
    into_out = {link.link.weight: link.label for link in bp.neuron_scene.links if link.link.dst == "out"}
    kernel, bias = doc.weights["out"]["kernel"], doc.weights["out"]["bias"]
    assert len(into_out) == 9
    assert into_out[("bias", (0,))] == f"b {s.walk.number(bias[0])}"
    assert all(into_out[("kernel", (i, 0))] == f"w {s.walk.number(kernel[i, 0])}" for i in range(8))
    s.go(s.first_of("loss"))
    bp.neuron_scene.flush()
    assert all(link.label == "" for link in bp.neuron_scene.links if link.link.dst == "out")
