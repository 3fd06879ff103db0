"""The gradient-descent views: loss along a weight, loss surface, optimizer race, activation curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from neuroedit.api.landscape import Landscape
from neuroedit.api.session import ensure_weights
from neuroedit.gui.descent.activation_plot import ActivationPlot, curves, diagnosis
from neuroedit.gui.descent.weight_table import WeightTable
from neuroedit.io import load

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _weather(make_window):
    doc = load(SAMPLES / "weather.nedit")
    ensure_weights(doc)
    return make_window(doc, str(SAMPLES / "weather.nedit"))


def test_loss_curve_shows_the_backprop_tangent_and_follows_edits(make_window, qtbot):
    window = _weather(make_window)
    d = window.descent
    d.select_weight("dense_2", "kernel", (3, 0))
    qtbot.waitUntil(lambda: d.curve.curve is not None, timeout=20000)
    c = d.curve.curve
    k = len(c.values) // 2
    assert c.values[k] == pytest.approx(c.tangent.weight) and c.losses[k] == pytest.approx(c.tangent.loss)
    h = c.values[1] - c.values[0]
    assert (c.losses[k + 1] - c.losses[k - 1]) / (2 * h) == pytest.approx(c.tangent.slope, rel=0.02, abs=1e-4)
    assert "slope dL/dw" in d.curve.slope_label.text()
    old = c.tangent.weight
    window.doc.set_weight_value("dense_2", "kernel", (3, 0), old + 0.5)  # an edit moves the point
    qtbot.waitUntil(lambda: d.curve.curve.tangent.weight == pytest.approx(old + 0.5, abs=1e-6), timeout=20000)


def test_step_through_update_is_marked_downhill(make_window, qtbot):
    window = _weather(make_window)
    d = window.descent
    window.backprop.show_step_through()
    window.backprop.player.set_active(True)
    window.backprop.player.recompute()
    d.select_weight("dense_2", "bias", (0,))
    qtbot.waitUntil(lambda: d.curve.curve is not None and d.curve.curve.after is not None, timeout=20000)
    c = d.curve.curve
    new = float(window.backprop.player.walk.nodes["dense_2"].params["bias"].new[0])
    assert c.after[0] == pytest.approx(new)
    assert np.sign(c.after[0] - c.tangent.weight) == -np.sign(c.tangent.slope)  # against the slope


def test_neuron_view_weight_click_selects_the_weight(make_window, qtbot):
    from PySide6.QtCore import QPointF

    from neuroedit.gui.backprop.neuron_layout import Link

    window = _weather(make_window)
    window.backprop.show_neuron_view(True)
    link = Link("dense_1", 2, "dense_2", 0, ("kernel", (2, 0)))
    window.backprop.neuron_scene.edit_requested.emit(link, QPointF(0, 0))
    assert window.descent.curve.ref.node == "dense_2" and window.descent.curve.ref.index == (2, 0)
    assert window.docks["loss_curve"].isVisible()


def test_surface_centre_is_the_current_loss_and_the_path_follows(make_window, qtbot):
    window = _weather(make_window)
    surface = window.descent.show_surface()
    surface.steps.setValue(7)
    surface.compute()
    qtbot.waitUntil(lambda: surface.result is not None, timeout=30000)
    s = surface.result.surface
    assert s.Z.shape == (7, 7)
    assert s.Z[3, 3] == pytest.approx(s.landscape.loss(), rel=1e-12)
    assert "Centre" in surface.info.text()
    weights = {op: {k: v.copy() for k, v in a.items()} for op, a in window.doc.weights.items()}
    weights["dense_1"]["kernel"] = weights["dense_1"]["kernel"] * 1.1
    window.doc.replace_weights(weights)
    assert len(surface.path) == 2 and np.abs(surface.path[1]).max() > 0
    surface.mode.setCurrentIndex(1)
    surface.compute()
    qtbot.waitUntil(lambda: surface.result is not None and surface.result.label[0].startswith("dense_1"), timeout=30000)


@pytest.mark.slow
def test_race_view_runs_the_template(make_window, qtbot):
    window = make_window(load(SAMPLES / "race_rosenbrock.nedit"))
    race = window.descent.show_race()
    assert race.race is not None and race.table.rowCount() == 9
    race.advance(25)
    assert {r.steps for r in race.race.racers} == {25}
    assert race.table.item(0, 2).text() == "25"
    path = race.curves["adam"].getData()
    np.testing.assert_allclose(path[0][-1], race.race.racer("adam").path[-1][0])
    race.table.cellWidget(5, 1).setValue(0.2)  # adam's learning rate: the race starts again
    assert race.race.racer("adam").learning_rate == 0.2 and race.race.racer("sgd").steps == 0


def test_race_explains_when_the_document_is_not_a_function(make_window):
    window = make_window(load(SAMPLES / "xor.nedit"))
    race = window.descent.show_race()
    assert race.race is None and "No race" in race.title.text()


def test_inspector_shows_activation_curves_and_weight_matrix(make_window, qtbot):
    window = _weather(make_window)
    window.scene.select_nodes(["dense_1"])
    table = window.inspector.findChild(WeightTable)
    plot = window.inspector.findChild(ActivationPlot)
    assert table is not None and plot is not None and table.table.columnCount() == 8
    note = plot.findChild(QLabel, "activation_note")
    qtbot.waitUntil(lambda: "saturated" in note.text(), timeout=20000)
    table.table.cellClicked.emit(0, 1)
    assert window.descent.curve.ref.index == (0, 1)


@pytest.mark.parametrize(
    "name", ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "swish", "softplus", "linear", "softmax"]
)
def test_activation_derivative_matches_finite_differences(name):
    z = np.linspace(-3, 3, 61) + 0.013  # off the kinks
    _a, d, _ = curves(name, 0.01 if name == "leaky_relu" else 1.0, z)
    h = 1e-6
    up, _, _ = curves(name, 0.01 if name == "leaky_relu" else 1.0, z + h)
    down, _, _ = curves(name, 0.01 if name == "leaky_relu" else 1.0, z - h)
    np.testing.assert_allclose(d, (up - down) / (2 * h), rtol=1e-5, atol=1e-7)


def test_dead_relu_diagnosis():
    assert diagnosis("relu", 1.0, np.array([-1.0, -2.0, 3.0, -0.5])).startswith("75%")
    assert diagnosis("sigmoid", 1.0, np.array([-9.0, 9.0, 0.0, 0.1])).startswith("50%")


def test_landscape_pre_activations_are_the_forward_pass():
    doc = load(SAMPLES / "xor_single_neuron.nedit")
    from neuroedit.api.bridge import graph_spec
    from neuroedit.api.session import fitting_weights

    g = graph_spec(doc)
    land = Landscape(g, fitting_weights(doc, g), np.array([[0, 0], [1, 1]], float), np.array([0, 0], float))
    np.testing.assert_allclose(land.pre_activations("dense_1"), [-0.1, 1.15], rtol=1e-6)


def test_step_through_lecture_notation_option(make_window, qtbot):
    window = make_window(load(SAMPLES / "xor.nedit"))
    bp = window.backprop
    bp.show_step_through()
    bp.player.set_active(True)
    bp.step_panel.lecture.setChecked(True)
    walk = bp.player.walk
    assert walk.notation == "lecture"
    updates = walk.phase("update")
    assert updates[0].node == "dense_2"  # the last layer first
    assert any("δʰⁱᵈ" in f.render() for s in walk.phase("backward") for f in s.formulas)
    bp.step_panel.lecture.setChecked(False)
    assert bp.player.walk.phase("update")[0].node == "dense_1"


def test_step_through_shows_adams_state(make_window, qtbot):
    doc = load(SAMPLES / "xor_single_neuron.nedit")
    doc.set_setting("optimizer", "adam")
    window = make_window(doc)
    bp = window.backprop
    bp.show_step_through()
    bp.player.set_active(True)
    bp.player.recompute()
    step = bp.player.walk.phase("update")[0]
    bp.player.go(step.index)
    text = bp.step_panel.formulas.toPlainText()
    assert "m̂" in text and "v̂" in text and "√" in text and "step t = 1" in text
    assert "Serif" in bp.step_panel.formulas.toHtml()  # hats drawn in a font that places them right


@pytest.mark.slow
def test_views_follow_live_training(make_window, qtbot):
    doc = load(SAMPLES / "xor.nedit")
    ensure_weights(doc)
    doc.settings.update(epochs=300, learning_rate=0.5, batch_mode="full")
    window = make_window(doc)
    d = window.descent
    d.select_weight("dense_2", "kernel", (0, 0))
    qtbot.waitUntil(lambda: d.curve.curve is not None, timeout=20000)
    before = d.curve.curve.tangent.weight
    surface = d.show_surface()
    surface.steps.setValue(5)
    surface.compute()
    qtbot.waitUntil(lambda: surface.result is not None, timeout=20000)
    window.training.train()
    qtbot.waitUntil(lambda: window.training.state in ("finished", "failed"), timeout=60000)
    assert window.training.state == "finished"
    qtbot.waitUntil(lambda: d.curve.curve.tangent.weight != before, timeout=20000)
    final = float(window.doc.weights["dense_2"]["kernel"][0, 0])
    qtbot.waitUntil(lambda: d.curve.curve.tangent.weight == pytest.approx(final, rel=1e-6), timeout=20000)
    assert len(surface.path) >= 2
    window.training.shutdown()
    window.doc.history.set_clean()


def test_opening_another_document_clears_the_views(make_window, qtbot):
    window = _weather(make_window)
    d = window.descent
    d.select_weight("dense_2", "bias", (0,))
    qtbot.waitUntil(lambda: d.curve.curve is not None, timeout=20000)
    surface = d.show_surface()
    surface.steps.setValue(5)
    surface.compute()
    qtbot.waitUntil(lambda: surface.result is not None, timeout=20000)
    surface.compute()  # a second grid replaces the first one's contour lines
    qtbot.waitUntil(lambda: surface.compute_button.isEnabled(), timeout=20000)
    assert len([i for i in surface.image.childItems() if i in surface.isos]) == len(surface.isos)
    surface.choose(("dense_2", "bias", (0,)))
    assert surface.first.currentText() == "dense_2.bias[0]"
    window.files.document_opened.emit(window.doc, None)
    xs, _ = d.curve.line.getData()
    assert d.curve.ref is None and (xs is None or len(xs) == 0)
    assert surface.result is None and surface.path == [] and surface.first.currentText() == "dense_1.kernel[0, 0]"
