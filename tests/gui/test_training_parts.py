"""The pieces behind the live dashboards: bounded buffers, smoothing, wire styles, badges, the decision plane."""

from __future__ import annotations

import numpy as np
import pytest
from gui_docs import chain_doc

from neuroedit.engine.trainer import LayerStats
from neuroedit.gui.training.buffers import SeriesBuffer
from neuroedit.gui.training.overlay import badges, summary_from_weights, wire_style
from neuroedit.gui.training.plots import axis_end, smooth

WAIT_MS = 30_000


def test_series_buffer_stays_bounded_and_keeps_the_whole_run():
    b = SeriesBuffer(capacity=64)
    for start in range(0, 10_000, 37):
        x = np.arange(start, min(start + 37, 10_000))
        b.append(x, 2.0 * x)
    assert len(b) <= 64
    assert b.x[0] == 0 and b.x[-1] >= 10_000 - b.stride  # start kept, end within one stride
    assert np.all(np.diff(b.x) == b.stride) and np.array_equal(b.y(), 2.0 * b.x)
    version = b.version
    b.clear()
    assert len(b) == 0 and b.version != version


def test_smooth_continues_an_exponential_moving_average_across_chunks():
    rng = np.random.default_rng(1)
    x = rng.random(1000)
    expected, prev = [], 0.3
    for v in x:
        prev = 0.1 * v + 0.9 * prev
        expected.append(prev)
    first = smooth(x[:333], 0.3)
    rest = smooth(x[333:], float(first[-1]))
    np.testing.assert_allclose(np.concatenate([first, rest]), expected, rtol=1e-12)
    assert smooth(np.array([]), None).size == 0


@pytest.mark.parametrize(
    "x_lo, x_max, want",
    [(1, 1, 2.0), (1, 100, 105.0), (0, 2000, 2100.0), (1, 37, 38.0), (0, 5, 5.2), (1, 1000, 1050.0)],
)
def test_x_axis_ends_just_past_the_last_epoch(x_lo, x_max, want):
    end = axis_end(x_lo, x_max)
    assert end == pytest.approx(want)
    assert x_max < end <= x_max + 0.06 * (x_max - x_lo) + 1e-9 or x_max == x_lo


def test_wire_style_colour_by_sign_width_by_magnitude():
    summary = {"a": {"weights": (0.5, 1.0)}, "b": {"weights": (-0.01, 0.1)}}
    a, b = wire_style(summary, "weights", "a"), wire_style(summary, "weights", "b")
    assert a.width > b.width and a.color.blue() > a.color.red() and b.color.red() > b.color.blue()
    assert wire_style(summary, None, "a") is None and wire_style(summary, "gradients", "a") is None
    assert wire_style(summary, "weights", "loss") is None
    s = summary_from_weights({"d": {"kernel": np.array([[1.0, -3.0]]), "bias": np.zeros(2)}})
    assert s["d"]["weights"] == (-1.0, 2.0)


def test_badges_for_dead_and_saturated_units():
    out = badges(
        {
            "r": LayerStats(1, 1, 0, 1, dead_fraction=0.75),
            "s": LayerStats(1, 1, 0, 1, saturated_fraction=0.9),
            "ok": LayerStats(1, 1, 0, 1, dead_fraction=0.1),
        }
    )
    assert out["r"][0] == "75% dead" and out["s"][0] == "90% saturated" and out["ok"] is None


def test_dead_relus_get_a_badge_and_wires_follow_the_toggle(qtbot, make_window):
    d = chain_doc(
        2,
        {"units": 8, "activation": "relu", "bias_initializer": "constant", "bias_init_value": -50.0},
        {"units": 1, "activation": "sigmoid"},
        "binary_crossentropy",
        "circle",
        epochs=3,
        batch_mode="full",
    )
    w = make_window(d)
    w.training.train()
    qtbot.waitUntil(lambda: w.training.state == "finished", timeout=WAIT_MS)
    w.training_overlay.apply()
    item = w.scene.node_items["hidden"]
    assert item.badge is not None and item.badge[0] == "100% dead" and "no longer learn" in item.toolTip()
    assert w.scene.node_items["out"].badge is None
    edge = next(e for e in d.edges if e.dst == "out")
    w.training_panel.wire_combo.setCurrentIndex(2)  # gradients of the last step
    assert "gradients" in w.scene.wire_items[edge].style.tooltip
    w.training_panel.wire_combo.setCurrentIndex(0)  # plain wires
    assert w.scene.wire_items[edge].style.width is None
    assert w.dashboard.dead_plot.buffers["hidden"].y()[-1] == 1.0
    w.training.shutdown()
    w.files.forced_dirty = False


def test_decision_plane_only_for_two_inputs(qtbot):
    from neuroedit.gui.training.probes import GRID, boundary, make_plane

    x = np.array([[0, 0], [1, 1], [0, 1]], float)
    plane = make_plane(2, 1, (x, np.array([0, 1, 1])), None, "classification", 2)
    assert plane is not None and plane.x_range[0] < 0 < 1 < plane.x_range[1]
    assert make_plane(3, 1, (np.zeros((3, 3)), None), None, "classification", 2) is None
    assert make_plane(1, 2, (x, None), None, "classification", 2) is None
    from pathlib import Path

    from neuroedit import io as nedit_io
    from neuroedit.gui.training.controller import _build_session, snapshot

    doc = nedit_io.load(Path(__file__).resolve().parents[2] / "samples" / "xor.nedit")
    session = _build_session(snapshot(doc), "xor", None)
    session.trainer.run()
    b = boundary(session.backend, plane)
    assert b.value.shape == (GRID, GRID) and b.classes is None and 0 <= b.value.min() <= b.value.max() <= 1
    corners = session.backend.predict(
        np.array([[plane.x_range[0], plane.y_range[0]], [plane.x_range[1], plane.y_range[1]]], np.float32)
    ).ravel()
    np.testing.assert_allclose([b.value[0, 0], b.value[-1, -1]], corners, rtol=1e-4)  # probabilities, row = y
    assert b.neurons["dense_1"].shape == (2, GRID, GRID)


def test_training_panel_keeps_its_editors_when_unrelated_nodes_change(make_window):
    """Adding a node without editors (not Dense, not Loss) must not rebuild the settings form."""
    from PySide6.QtWidgets import QWidget

    from neuroedit.model import samples

    doc = samples.xor()
    window = make_window(doc)
    before = window.training_panel.editor("learning_rate")
    doc.add_node("Dropout")
    assert window.training_panel.editor("learning_rate") is before
    new = doc.add_node("Dense")  # only the new layer's rows are added
    assert window.training_panel.editor("learning_rate") is before
    assert window.training_panel.findChild(QWidget, f"param_{new}_l1") is not None


def test_a_badge_covers_no_text_of_the_card(qapp):
    from neuroedit.gui.canvas.node_item import NodeItem
    from neuroedit.gui.theme import LIGHT
    from neuroedit.model import Document

    d = Document()
    node_id = d.add_node("Dense", {"units": 8}, (0, 0), "hidden_layer_1")
    item = NodeItem(d.nodes[node_id], LIGHT)
    item.set_badge("88% saturated", "why")
    pill, card = item.badge_rect(), item.rect()
    assert item._shown_name == node_id  # the name keeps its whole width
    assert pill.center().y() == card.top()  # on the top edge, above caption and name
    assert item.boundingRect().contains(pill)  # inside the card's picture
