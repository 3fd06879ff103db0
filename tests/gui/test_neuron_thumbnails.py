"""The neuron view draws each neuron of a 2-D-input network as its heat map over the input plane (Playground look).

The pictures must be the probe's numbers in the shared diverging colour map, follow new chunks only
while the view is on screen, and be absent where there is nothing to show (no 2-D input, not trained).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gui_docs import chain_doc

from neuroedit import io as nedit_io
from neuroedit.gui.heatmap import diverging
from neuroedit.model import Document

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
WAIT_MS = 30_000


@pytest.fixture
def neuron_window(make_window):
    """A main window showing its neuron view, on XOR unless another document is given."""

    def make(doc: Document | None = None, **settings):
        if doc is None:
            doc = nedit_io.load(SAMPLES / "xor.nedit")
        doc.settings.update(settings)
        doc.history.set_clean()
        window = make_window(doc)
        window.backprop.show_neuron_view(True)
        return window

    return make


def train_until(qtbot, window, *states: str) -> None:
    window.training.train()
    qtbot.waitUntil(lambda: window.training.state in states, timeout=WAIT_MS)


def finish_cleanly(window) -> None:
    window.training.shutdown()
    window.files.forced_dirty = False
    window.doc.history.set_clean()


def pixel(item, row: int, col: int) -> tuple[int, int, int]:
    """The thumbnail's colour at grid point (row, col); grid row 0 is the bottom of the plane, image row 0 the top."""
    image = item.thumbnail.toImage()
    c = image.pixelColor(col, image.height() - 1 - row)
    return c.red(), c.green(), c.blue()


def expected(t: float) -> tuple[int, int, int]:
    return tuple(int(v) for v in diverging(np.array(t))[:3])


def assert_shows(item, signed_map: np.ndarray) -> None:
    """Corners and centre of the thumbnail are the diverging colours of the map scaled by its largest |value|."""
    scale = float(np.max(np.abs(signed_map)))
    assert scale > 0
    n = signed_map.shape[0]
    for row, col in ((0, 0), (0, n - 1), (n - 1, 0), (n - 1, n - 1), (n // 2, n // 3)):
        want = expected(0.5 + 0.5 * signed_map[row, col] / scale)
        assert pixel(item, row, col) == want, (item.node, item.unit, row, col)


def test_hidden_output_and_input_neurons_show_the_probed_maps(qtbot, neuron_window):
    w = neuron_window(epochs=300, learning_rate=0.5, batch_mode="full", seed=0)
    scene = w.backprop.neuron_scene
    assert all(item.thumbnail is None for item in scene.neurons.values())  # before training: as before
    train_until(qtbot, w, "finished", "failed")
    assert w.training.state == "finished", w.training.message
    b = w.training.last_chunk.boundary
    assert b is not None and scene.boundary is b
    hidden = b.neurons["dense_1"]
    for unit in (0, 1):
        assert_shows(scene.neurons[("dense_1", unit)], hidden[unit])
    out = scene.neurons[("dense_2", 0)]  # one sigmoid output: its probability, 0.5 white
    for row, col in ((0, 0), (63, 63), (0, 63), (32, 20)):
        assert pixel(out, row, col) == expected(b.value[row, col])
    grid = scene.plane.grid()
    assert_shows(scene.neurons[("input_1", 0)], grid[:, 0].reshape(64, 64))  # x₁ grows to the right
    assert_shows(scene.neurons[("input_1", 1)], grid[:, 1].reshape(64, 64))  # x₂ grows upwards
    assert scene.neurons[("bias:dense_1", 0)].thumbnail is None
    assert scene.neurons[("loss_1", 0)].thumbnail is None
    assert "input plane" in scene.neuron_tip("dense_1", 0) and "input plane" not in scene.neuron_tip("loss_1", 0)

    w.doc.set_setting("learning_rate", 0.3)  # any edit rebuilds the items: the maps come back at once
    scene.flush()
    assert_shows(scene.neurons[("dense_1", 1)], hidden[1])
    w.backprop.neuron_view.grab()  # paints heat maps with the step-through's values on them
    finish_cleanly(w)


@pytest.mark.slow
def test_thumbnails_follow_new_chunks_only_while_the_view_is_shown(qtbot, neuron_window):
    w = neuron_window(epochs=1_000_000, learning_rate=0.5, batch_mode="full", seed=1)
    bp, scene = w.backprop, w.backprop.neuron_scene

    def item():
        return scene.neurons[("dense_1", 0)]

    w.training.train()
    qtbot.waitUntil(lambda: item().thumbnail is not None, timeout=WAIT_MS)
    first = item().thumbnail.toImage()
    qtbot.waitUntil(lambda: item().thumbnail.toImage() != first, timeout=WAIT_MS)  # a later chunk, new picture
    assert_shows(item(), scene.boundary.neurons["dense_1"][0])

    bp.show_neuron_view(False)  # layer graph in front: chunks no longer make pictures
    qtbot.waitUntil(lambda: not bp.neuron_view.isVisible(), timeout=WAIT_MS)
    hidden_at = item().thumbnail.cacheKey()
    seen = w.training.last_chunk
    qtbot.waitUntil(
        lambda: (
            w.training.last_chunk is not seen
            and scene.boundary is not None
            and scene.boundary is w.training.last_chunk.boundary
        ),
        timeout=WAIT_MS,
    )
    assert item().thumbnail.cacheKey() == hidden_at
    w.training.pause()
    qtbot.waitUntil(lambda: w.training.state == "paused", timeout=WAIT_MS)
    bp.show_neuron_view(True)  # shown again: the latest probe is drawn at once
    assert_shows(item(), scene.boundary.neurons["dense_1"][0])

    w.training.reset()  # new weights: the old maps no longer describe the network
    assert all(i.thumbnail is None for i in scene.neurons.values())
    finish_cleanly(w)


def test_no_thumbnails_without_a_2d_input(qtbot, neuron_window):
    d = chain_doc(
        3,
        {"units": 3, "activation": "tanh"},
        {"units": 1, "activation": "sigmoid"},
        "binary_crossentropy",
        "circle:features=x1,x2,x1x2",
    )
    w = neuron_window(d, epochs=5)
    train_until(qtbot, w, "finished", "failed")
    assert w.training.state == "finished", w.training.message
    scene = w.backprop.neuron_scene
    assert scene.plane is None and len(scene.neurons) > 5
    assert all(item.thumbnail is None for item in scene.neurons.values())
    finish_cleanly(w)


def test_multiclass_output_units_get_maps_like_hidden_units(qtbot, neuron_window):
    d = Document()
    d.add_node("Input", {"shape": [2]}, (0, 0), "x")
    d.add_node("Dense", {"units": 4, "activation": "tanh"}, (220, 0), "hidden")
    d.add_node("Dense", {"units": 3, "activation": "softmax"}, (440, 0), "out")
    d.add_node("Loss", {"loss": "sparse_categorical_crossentropy"}, (660, 0), "loss")
    for a, b in (("x", "hidden"), ("hidden", "out"), ("out", "loss")):
        d.connect(a, b)
    d.set_dataset({"spec": "spiral_multi:classes=3"})
    w = neuron_window(d, epochs=3, optimizer="adam", learning_rate=0.01)
    train_until(qtbot, w, "finished", "failed")
    scene = w.backprop.neuron_scene
    for unit in range(4):
        assert_shows(scene.neurons[("hidden", unit)], scene.boundary.neurons["hidden"][unit])
    for unit in range(3):  # each softmax unit: its class's probability over the plane
        assert_shows(scene.neurons[("out", unit)], scene.boundary.neurons["out"][unit])
    assert scene.neurons[("loss", 0)].thumbnail is None
    finish_cleanly(w)


def test_colour_table_matches_the_colour_map():
    from neuroedit.gui.heatmap import MID, NEG, POS, _blend, signed_unit

    t = np.linspace(-0.2, 1.2, 2001)
    assert np.abs(diverging(t).astype(int) - _blend(np.clip(t, 0, 1))).max() <= 1
    assert diverging(0.0)[:3].tolist() == NEG.tolist() and diverging(1.0)[:3].tolist() == POS.tolist()
    assert diverging(0.5)[:3].tolist() == diverging(np.nan)[:3].tolist() == MID.tolist()
    assert diverging([[0.3]], alpha=90).shape == (1, 1, 4) and diverging([[0.3]], alpha=90)[0, 0, 3] == 90
    assert signed_unit(np.array([1.0, -2.0, np.nan, np.inf]))[:2].tolist() == [0.75, 0.0]
