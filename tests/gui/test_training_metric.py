"""Classification data always show accuracy: a regression loss (MSE) trained on the Playground circle."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gui_docs import chain_doc

from neuroedit.model import Document

WAIT_MS = 30_000


def circle_mse_doc() -> Document:
    """The newcomer's 2-8-1 tanh network with an MSE loss on the 2-class circle set."""
    return chain_doc(
        2,
        {"units": 8, "activation": "tanh"},
        {"units": 1, "activation": "sigmoid"},
        "mse",
        "circle:n=40",
        epochs=8,
        optimizer="adam",
        learning_rate=0.05,
        batch_mode="full",
    )


def test_mse_on_a_classification_set_plots_accuracy(qtbot, make_window):
    # Imported before training so the editor does not import it in a background thread: that import,
    # racing the signal connections of the next test's window, can deadlock PySide.
    import sklearn.metrics  # noqa: F401

    w = make_window(circle_mse_doc())
    w.dashboard.restore({"epoch": [1], "loss": [0.3], "mae": [0.5]})  # a plot that showed MAE before
    assert w.dashboard.metric_name == "mae"
    w.training.train()
    qtbot.waitUntil(lambda: w.training.state in ("finished", "failed"), timeout=WAIT_MS)
    assert w.training.state == "finished", w.training.message
    board = w.dashboard
    assert board.metric_name == "accuracy"
    assert board.metric_plot.title == "Accuracy" and "Accuracy" in board.metric_plot.title_label.text()
    assert board.metric_plot.item.getAxis("left").labelText == "accuracy"
    shown = board.metric_val.y()
    assert len(shown) == 8 and all(v * 4 == round(v * 4) for v in shown)  # per sample: k of the 4 validation samples
    history = w.doc.training_history
    assert {"accuracy", "val_accuracy"} <= set(history) and "mae" not in history
    np.testing.assert_allclose(shown, history["val_accuracy"])
    w.training.shutdown()
    w.files.forced_dirty = False
    w.doc.history.set_clean()


@pytest.mark.parametrize(
    "history,shown",
    [
        ({"epoch": [1, 2], "loss": [0.3, 0.2], "mae": [0.5, 0.4]}, "mae"),
        ({"epoch": [1, 2], "loss": [0.3, 0.2], "mae": [0.5, math.nan], "accuracy": [math.nan, 0.9]}, "accuracy"),
        ({"epoch": [1, 2], "loss": [0.3, 0.2], "mae": [0.5, None], "accuracy": [None, 0.9]}, "accuracy"),
    ],
)
def test_a_reopened_history_shows_the_metric_of_its_last_epoch(make_window, history, shown):
    """A file trained with MAE reported, then continued on classes, plots accuracy."""
    w = make_window(Document())
    w.dashboard.restore(history)
    assert w.dashboard.metric_name == shown
    assert w.dashboard.metric_train.y()[-1] == history[shown][-1]


def test_the_trained_summary_leaves_out_an_earlier_runs_metric():
    from neuroedit.gui.training.panel import trained_summary

    summary = trained_summary(
        {"epoch": [1, 2], "loss": [0.3, 0.2], "mae": [0.5, math.nan], "accuracy": [math.nan, 0.9]}
    )
    assert summary is not None and "accuracy 0.9" in summary[1] and "mae" not in summary[1]
