"""Issue 16's panel fixes: the Loss picker, Cannot-train feedback, Training panel on New/Open, toolbar, colours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF

from neuroedit import io as nedit_io
from neuroedit.gui.heatmap import NEG, POS
from neuroedit.model import Document

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def choose(qtbot, window, spec: str) -> None:
    """Pick `spec` in the Data panel's list as a user does and wait until it is the training data."""
    source = window.data_panel.source
    source.setCurrentIndex(source.findData(spec))
    qtbot.waitUntil(lambda: window.doc.dataset.get("spec") == spec, timeout=10_000)


def drop(window, type_name: str, x: float) -> str:
    node_id = window.add_node_at(type_name, QPointF(x, 0))
    assert node_id is not None
    return node_id


def test_a_dropped_loss_fits_the_data_then_the_output_until_the_user_chooses(qtbot, make_window):
    w = make_window(Document())
    assert drop(w, "Loss", 0) and w.doc.nodes["loss_1"].params["loss"] == "mse"  # no data yet: the default
    choose(qtbot, w, "circle")
    qtbot.waitUntil(lambda: w.doc.nodes["loss_1"].params["loss"] == "binary_crossentropy")
    inp, out = drop(w, "Input", -400), drop(w, "Dense", -200)
    w.doc.set_param(out, "units", 1)
    w.doc.connect(inp, out)
    w.doc.connect(out, "loss_1")  # a linear unit: its output is a score
    qtbot.waitUntil(lambda: w.doc.nodes["loss_1"].params["from_logits"] is True)
    assert "from logits" in w.statusBar().currentMessage()
    w.doc.set_param(out, "activation", "sigmoid")
    qtbot.waitUntil(lambda: w.doc.nodes["loss_1"].params["from_logits"] is False)

    texts = list(w.doc.history.texts)
    w.doc.history.undo()  # undo the re-pick: no new re-pick is recorded
    qtbot.wait(50)
    assert w.doc.history.texts == texts and w.doc.nodes["loss_1"].params["from_logits"] is True

    w.doc.set_param("loss_1", "loss", "mse")  # the user's own choice is kept from now on
    w.doc.set_param(out, "activation", "linear")
    qtbot.wait(50)
    assert w.doc.nodes["loss_1"].params["loss"] == "mse"
    w.doc.history.set_clean()


def test_a_loss_dropped_on_regression_data_is_mse_and_on_k_classes_categorical(qtbot, make_window):
    w = make_window(Document())
    choose(qtbot, w, "spiral_multi")
    assert w.doc.nodes[drop(w, "Loss", 0)].params["loss"] == "sparse_categorical_crossentropy"
    assert "3 classes" in w.statusBar().currentMessage()
    choose(qtbot, w, "plane")
    qtbot.waitUntil(lambda: w.doc.nodes["loss_1"].params["loss"] == "mse")
    w.doc.history.set_clean()


def test_cannot_train_shows_where_the_user_looks_and_clears_when_fixed(qtbot, make_window):
    doc = Document()
    doc.add_node("Input", {"shape": [2]}, node_id="x")
    doc.add_node("Dense", {"units": 1, "activation": "sigmoid"}, node_id="d")
    doc.add_node("Loss", {"loss": "binary_crossentropy"}, node_id="L")
    doc.connect("x", "d")
    doc.connect("d", "L")
    doc.history.clear()
    w = make_window(doc)
    w.docks["palette"].raise_()
    label = w.training_feedback.label
    w.actions["train"].trigger()
    assert w.training.state == "failed"
    assert label.isVisible() and "choose a data set" in label.text()
    assert w.data_panel.source.isVisible()  # the Data panel came to the front
    assert w.training_panel.isVisible()
    choose(qtbot, w, "xor")
    assert not label.isVisible() and w.training.state == "idle"
    assert w.training_panel.state_label.text() == ""
    w.doc.history.set_clean()


def test_the_toolbar_train_follows_the_state(qtbot, make_window):
    w = make_window(nedit_io.load(SAMPLES / "xor.nedit"))
    button = w.toolbar.widgetForAction(w.actions["train"])
    w.doc.settings.update(epochs=1_000_000)
    w.actions["train"].trigger()
    qtbot.waitUntil(lambda: w.training.state == "running", timeout=30_000)
    assert button.text() == "Training"
    w.training.pause()
    qtbot.waitUntil(lambda: w.training.state == "paused", timeout=10_000)
    assert button.text() == "Resume"
    w.training.shutdown()
    assert button.text() == "Train"
    w.files.forced_dirty = False


def test_open_and_new_reset_the_training_panel_and_a_trained_file_says_so(qtbot, make_window, tmp_path):
    trained = nedit_io.load(SAMPLES / "xor.nedit")
    trained.training_history = {
        "epoch": [1, 2],
        "loss": [0.7, 0.5],
        "accuracy": [0.5, 0.75],
        "val_loss": [0.7, 0.5],
        "val_accuracy": [0.5, 0.75],
        "lr": [0.5, 0.5],
    }
    path = tmp_path / "trained.nedit"
    nedit_io.save(trained, path)
    w = make_window(nedit_io.load(SAMPLES / "xor.nedit"))
    panel = w.training_panel
    w.training._set_state("finished", "Finished 2000 epochs")
    assert "xor" in panel.dataset_label.text()

    w.files.open(str(path))
    assert panel.progress.format() == "trained 2 epochs"
    assert "accuracy 0.75" in panel.progress_label.text() and "Train continues" in panel.progress_label.text()
    assert panel.state_label.text() == ""

    w.files.set_current(Document(), None)  # File › New › Blank
    assert "none" in panel.dataset_label.text() and "xor" not in panel.dataset_label.text()
    assert panel.progress.format() == "not trained yet: press Train"


def test_the_toolbar_keeps_short_undo_text(make_window):
    w = make_window(Document())
    button = w.toolbar.widgetForAction(w.actions["undo"])
    width = button.sizeHint().width()
    w.doc.add_node("Dense", {"units": 3})
    assert w.actions["undo"].text() == "Undo Add dense_1" and button.text() == "Undo"
    assert button.sizeHint().width() == width and button.toolTip() == "Undo Add dense_1"
    w.doc.history.set_clean()


def test_class_colours_are_the_same_in_the_data_preview_and_the_decision_boundary(qtbot):
    from neuroedit.data import load
    from neuroedit.gui.data_preview import ScatterPreview

    ds = load("circle")
    preview = ScatterPreview()
    qtbot.addWidget(preview)
    preview.show_dataset(ds)
    y = ds.train[1]
    brushes = preview.items["train"].data["brush"]
    for label, expected in ((0, NEG), (1, POS)):
        i = int(np.flatnonzero(y[:, 0] == label if y.ndim > 1 else y == label)[0])
        colour = pg.mkBrush(brushes[i]).color()
        assert (colour.red(), colour.green(), colour.blue()) == tuple(int(v) for v in expected)
