"""For 2-D inputs the canvas shows each small layer's units as heat maps on its card while training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gui_docs import chain_doc
from PySide6.QtGui import QColor

from neuroedit import io as nedit_io
from neuroedit.gui.canvas.node_item import MAP_ROW, NAME_LINE
from neuroedit.gui.heatmap import diverging, signed_unit

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _finish(w) -> None:
    w.training.shutdown()
    w.files.forced_dirty = False
    w.doc.history.set_clean()


def test_training_puts_unit_maps_on_the_card_and_reset_removes_them(qtbot, make_window):
    doc = nedit_io.load(SAMPLES / "xor.nedit")
    doc.settings.update(epochs=400, learning_rate=0.5, batch_mode="full")
    w = make_window(doc)
    card = w.scene.node_items["dense_1"]
    height = card.rect().height()
    w.training.train()
    qtbot.waitUntil(lambda: w.training.state == "finished", timeout=30_000)
    qtbot.waitUntil(lambda: bool(card.unit_maps), timeout=2_000)
    assert len(card.unit_maps) == 2  # dense_1 has 2 units
    assert card.rect().height() > height  # a strip for the maps
    for edge in w.doc.edges_of("dense_1"):  # the wires follow the moved ports
        wire = w.scene.wire_items[edge]
        end = wire.path().pointAtPercent(1.0 if edge.dst == "dense_1" else 0.0)
        port = card.port_scene_pos(edge.dst_port if edge.dst == "dense_1" else edge.src_port, edge.dst == "dense_1")
        assert (end - port).manhattanLength() < 0.5
    # the pictures are the probe's values: compare a corner pixel with the colour map
    maps = w.training_overlay._pending_boundary.neurons["dense_1"]
    image = card.unit_maps[1].toImage()
    expected = diverging(signed_unit(maps[1]))[0, -1]  # grid row 0 is the bottom of the plane
    got = QColor(image.pixel(image.width() - 1, image.height() - 1))
    assert np.allclose([got.red(), got.green(), got.blue()], expected[:3], atol=2)
    # far out, cards leave their details out: look at the maps at 100 %, as a user reading them would
    w.canvas.reset_zoom()
    w.canvas.centerOn(card)
    w.canvas.end_zoom_gesture()
    card.set_badge("50% dead", "test")  # a badge's brush must not paint over the maps
    w.scene.pictures.sharpen_all()
    picture = card._picture.pixmap().toImage()
    scale, br, r = card.picture_scale, card.boundingRect(), card.rect()
    top = r.top() + card._header_h + NAME_LINE  # the strip of maps, in picture pixels
    rows = range(int((top - br.top()) * scale), int((top + MAP_ROW - br.top()) * scale))
    columns = range(int((r.left() + 12 - br.left()) * scale), int((r.right() - 12 - br.left()) * scale))
    strip = [QColor(picture.pixel(x, y)) for x in columns for y in rows]
    assert sum(c.blue() > c.red() + 60 for c in strip) > 20, "the strip shows no blue map pixels"
    w.training.reset()
    qtbot.waitUntil(lambda: not card.unit_maps, timeout=2_000)
    assert card.rect().height() == pytest.approx(height)
    _finish(w)


def test_no_maps_for_inputs_that_are_not_2d(qtbot, make_window):
    d = chain_doc(
        3,
        {"units": 3, "activation": "tanh"},
        {"units": 1, "activation": "sigmoid"},
        "binary_crossentropy",
        "circle:features=x1,x2,x1x2",
        epochs=20,
        batch_mode="full",
    )
    w = make_window(d)
    w.training.train()
    qtbot.waitUntil(lambda: w.training.state == "finished", timeout=30_000)
    qtbot.wait(300)  # an overlay tick
    assert not w.scene.node_items["hidden"].unit_maps
    _finish(w)
