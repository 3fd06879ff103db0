"""The Evaluation and Runs panels: cell clicks filter the samples, the threshold moves the matrix,
runs survive save and reopen, Compare overlays its curves. Evaluation runs off the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest

import neuroedit.api as ne
from neuroedit import io as nedit_io
from neuroedit.evaluation.compare import parse_variants

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
WAIT_MS = 60_000


def evaluated(qtbot, window, split: str = "val"):
    window.evaluation.evaluate(split)
    qtbot.waitUntil(lambda: window.evaluation.job is None, timeout=WAIT_MS)
    panel = window.evaluation_panel
    assert panel.evaluation is not None, panel.status.text()
    return panel


def click_cell(view, row: int, col: int) -> None:
    """A real left click in the middle of one heat-map cell."""
    scene_pos = view.vb.mapViewToScene(QPointF(col + 0.5, row + 0.5))
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view.mapFromScene(scene_pos)
    )


def close_cleanly(window) -> None:
    window.training.shutdown()
    window.files.forced_dirty = False
    window.doc.history.set_clean()


@pytest.fixture
def digits_window(make_window):
    net = ne.Sequential(
        [ne.Input((8, 8)), ne.Flatten(), ne.Dense(10, activation="softmax")],
        loss="sparse_categorical_crossentropy",
        seed=3,
    )
    net.document.set_dataset({"spec": "sklearn:digits"})
    return make_window(net.document)


def test_evaluation_runs_in_a_background_thread(qtbot, digits_window, monkeypatch):
    from neuroedit.evaluation import evaluate as evaluate_module

    threads = []
    real = evaluate_module.evaluate_data
    monkeypatch.setattr(
        evaluate_module, "evaluate_data", lambda *a, **k: (threads.append(threading.current_thread()), real(*a, **k))[1]
    )
    evaluated(qtbot, digits_window)
    assert threads and threads[0] is not threading.main_thread()


def test_network_menu_evaluates(qtbot, digits_window):
    action = digits_window.findChild(QAction, "action_evaluate")
    action.trigger()
    qtbot.waitUntil(
        lambda: (
            digits_window.evaluation_panel.evaluation is not None
            and digits_window.evaluation_panel.evaluation.metrics.complete
        ),
        timeout=WAIT_MS,
    )
    assert digits_window.findChild(QAction, "action_compare") is not None
    close_cleanly(digits_window)


def test_a_cell_click_filters_the_gallery(qtbot, digits_window):
    panel = evaluated(qtbot, digits_window)
    m = panel.confusion.matrix
    assert m.shape == (10, 10) and m.sum() == len(panel.evaluation.predictions)
    assert panel.samples.kind == "gallery"
    off = m.copy()
    np.fill_diagonal(off, -1)
    row, col = np.unravel_index(np.argmax(off), off.shape)
    click_cell(panel.confusion, int(row), int(col))
    assert panel.selected_cell == (row, col)
    pred = panel.evaluation.predictions
    expected = set(np.nonzero((pred.y_true == row) & (pred.y_pred == col))[0])
    shown = {panel.samples.gallery.item(i).data(Qt.ItemDataRole.UserRole) for i in range(panel.samples.gallery.count())}
    assert shown == expected and len(shown) == m[row, col] > 0
    assert f"{m[row, col]} samples" in panel.samples_card.title_label.text()
    panel.mistakes_button.click()
    assert panel.selected_cell is None and "mistakes" in panel.samples_card.title_label.text()
    shown = [panel.samples.gallery.item(i).data(Qt.ItemDataRole.UserRole) for i in range(panel.samples.gallery.count())]
    confidence = [pred.proba[i, pred.y_pred[i]] for i in shown]
    assert all(pred.y_pred[i] != pred.y_true[i] for i in shown) and confidence == sorted(confidence, reverse=True)
    close_cleanly(digits_window)


def test_plots_export_png_and_csv(qtbot, digits_window, tmp_path):
    panel = evaluated(qtbot, digits_window)
    for card in (panel.confusion_card, panel.roc_card, panel.pr_card, panel.samples_card):
        assert card.export_png(str(tmp_path / f"{card.objectName()}.png"))
        card.export_csv(str(tmp_path / f"{card.objectName()}.csv"))
        assert (tmp_path / f"{card.objectName()}.png").read_bytes().startswith(b"\x89PNG")
    rows = (tmp_path / "evaluation_confusion.csv").read_text().splitlines()
    assert rows[0].startswith("true \\ predicted,0,1") and len(rows) == 11
    header = (tmp_path / "evaluation_roc.csv").read_text().splitlines()[0]
    assert header == "class,fpr,tpr,threshold"
    assert (tmp_path / "evaluation_samples.csv").read_text().splitlines()[0].startswith("index,true,predicted,p_0")
    close_cleanly(digits_window)


def test_opening_another_file_clears_the_panel(qtbot, digits_window):
    panel = evaluated(qtbot, digits_window)
    digits_window.files.open(str(SAMPLES / "xor.nedit"), skip_prompt=True)
    assert panel.evaluation is None and not panel.pages.isVisible()
    close_cleanly(digits_window)


def test_compare_dialog_refuses_bad_values(qtbot, make_window):
    from neuroedit.gui.evaluation.compare_dialog import CompareDialog

    w = make_window(nedit_io.load(SAMPLES / "xor.nedit"))
    dialog = CompareDialog(w, 100, 0)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("batch"))
    assert dialog.values.text() == "full, 1, 32"
    dialog.values.setText("full, zero")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and "'zero' is not a batch size" in dialog.error.text()
    dialog.values.setText("full, 4")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert [v.label for v in dialog.variants()] == ["full batch", "batch 4"]
    close_cleanly(w)


def test_the_threshold_slider_changes_the_matrix(qtbot, make_window):
    net = ne.Sequential(
        [ne.Input((2,)), ne.Dense(4, activation="tanh"), ne.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        seed=1,
    )
    net.document.set_dataset({"spec": "moons:n=300"})
    w = make_window(net.document)
    panel = evaluated(qtbot, w)
    assert panel.threshold_row.isVisible() and panel.samples.kind == "points"
    at_half = panel.confusion.matrix.copy()
    panel.threshold_slider.setValue(0)  # everything positive
    everything = panel.confusion.matrix.copy()
    assert everything[:, 0].sum() == 0 and everything.sum() == at_half.sum()
    panel.threshold_slider.setValue(1000)  # (almost) nothing positive
    assert panel.confusion.matrix[:, 1].sum() <= at_half[:, 1].sum()
    assert not np.array_equal(everything, panel.confusion.matrix)
    assert "precision" in panel.threshold_label.text() and "FPR" in panel.threshold_label.text()
    x, y = panel.operating_point.getData()
    assert (x[0], y[0]) == (0.0, 0.0) or panel.confusion.matrix[:, 1].sum() > 0
    close_cleanly(w)


def test_regression_shows_scatter_and_residuals(qtbot, make_window):
    w = make_window(nedit_io.load(SAMPLES / "weather.nedit"))
    panel = evaluated(qtbot, w, "test")
    assert panel.pages.currentIndex() == 1
    assert len(panel.scatter.getData()[0]) == len(panel.evaluation.predictions)
    assert panel.residual_hist[0].sum() == len(panel.evaluation.predictions)
    assert "R²" in panel.regression_summary.text()
    close_cleanly(w)


def test_runs_survive_save_and_reopen(qtbot, make_window, tmp_path):
    doc = nedit_io.load(SAMPLES / "xor.nedit")
    doc.settings.update(epochs=15, batch_mode="full")
    path = tmp_path / "xor.nedit"
    w = make_window(doc, str(path))
    for lr in (0.5, 0.9):
        w.doc.set_setting("learning_rate", lr)
        w.training.train()
        qtbot.waitUntil(lambda: w.training.state in ("finished", "failed"), timeout=WAIT_MS)
        qtbot.waitUntil(lambda n=(1 if lr == 0.5 else 2): len(w.doc.runs) == n, timeout=WAIT_MS)
    assert w.evaluation_panel.evaluation is None
    w.docks["evaluation"].raise_()  # the panel evaluates the trained weights when it is shown
    qtbot.waitUntil(lambda: w.evaluation_panel.evaluation is not None, timeout=WAIT_MS)
    assert w.runs_panel.table.rowCount() == 2
    assert w.doc.runs[1]["changed"] == {"learning_rate": [0.5, 0.9]}
    assert len(w.doc.runs[1]["history"]["loss"]) == 15
    assert w.files.save()
    w.files.open(str(path), skip_prompt=True)
    assert w.doc is not doc and [r["id"] for r in w.doc.runs] == [1, 2]
    assert w.runs_panel.table.rowCount() == 2
    w.runs_panel.select_runs([1, 2])
    diff = w.runs_panel.diff
    names = [diff.item(i, 0).text() for i in range(diff.rowCount())]
    assert "learning_rate" in names and "final loss" in names
    close_cleanly(w)


def test_compare_overlays_the_curves_of_every_setting(qtbot, make_window):
    w = make_window(nedit_io.load(SAMPLES / "xor.nedit"))
    w.evaluation.compare(parse_variants("learning_rate", "0.1, 1"), 12, fresh=True)
    qtbot.waitUntil(lambda: w.evaluation.compare_job is None, timeout=WAIT_MS)
    labels = [r["label"] for r in w.doc.runs]
    assert labels == ["compare: lr 0.1", "compare: lr 1"]
    panel = w.runs_panel
    assert panel.selected_ids() == [1, 2]
    assert set(panel.curves) == {1, 2}
    for curves in panel.curves.values():
        x, y = curves[0].getData()
        assert len(x) == 12 and np.isfinite(y).all()
    assert not np.allclose(panel.curves[1][0].getData()[1], panel.curves[2][0].getData()[1])
    legend = [label.text for _, label in panel.loss_plot.getPlotItem().legend.items]
    assert legend == ["#1 compare: lr 0.1", "#2 compare: lr 1"]
    assert w.windowTitle().find("*") > 0  # results to save
    close_cleanly(w)
