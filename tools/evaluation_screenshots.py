"""Screenshots of the Evaluation and Runs panels for docs/screenshots (run under Xvfb).

HOME=$(mktemp -d) xvfb-run -s "-screen 0 1600x1000x24" python tools/evaluation_screenshots.py docs/screenshots
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import neuroedit.api as ne
from neuroedit.evaluation.compare import parse_variants
from neuroedit.gui.app import APPLICATION, ORGANIZATION


def wait(app: QApplication, done, timeout: float = 300.0) -> None:
    end = time.time() + timeout
    while not done() and time.time() < end:
        app.processEvents()
        time.sleep(0.02)


def window_for(net: ne.Network, folder: Path, name: str):
    from neuroedit.gui.main_window import MainWindow

    path = folder / f"{name}.nedit"
    net.save(path)
    from neuroedit.io import load

    w = MainWindow(load(path), str(path), recovery_folder=folder / "recovery", restore_layout=False)
    w.resize(1600, 1000)
    w.show()
    return w


def show_dock(app, w, key: str) -> None:
    dock = w.docks[key]
    dock.show()
    dock.raise_()
    for _ in range(5):
        app.processEvents()
    w.resizeDocks([dock], [560], Qt.Orientation.Vertical)
    w.resizeDocks([w.docks["training"]], [300], Qt.Orientation.Horizontal)


def worst_cell(w) -> tuple[int, int]:
    """The off-diagonal cell with the most samples (the most common confusion)."""
    m = w.evaluation_panel.confusion.matrix.copy()
    np.fill_diagonal(m, -1)
    return tuple(int(i) for i in np.unravel_index(np.argmax(m), m.shape))


def evaluated(app, w, split: str = "val"):
    show_dock(app, w, "evaluation")
    w.evaluation.evaluate(split)
    wait(app, lambda: w.evaluation.job is None)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)


def main(out: Path) -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION + "-screenshots")
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp())

    digits = ne.Sequential(
        [ne.Input((8, 8)), ne.Flatten(), ne.Dense(32, activation="relu"), ne.Dense(10, activation="softmax")],
        loss="sparse_categorical_crossentropy",
        optimizer="adam",
        name="digits",
    )
    digits.document.set_dataset({"spec": "sklearn:digits"})
    from neuroedit.api.bridge import graph_spec
    from neuroedit.api.data import load_training_data

    data = load_training_data(graph_spec(digits.document), "sklearn:digits")
    digits.fit(*data.train, epochs=8, batch_size=32, validation_data=data.val, verbose=0)
    w = window_for(digits, folder, "digits")
    evaluated(app, w)
    w.evaluation_panel.select_cell(worst_cell(w))
    app.processEvents()
    w.grab().save(str(out / "evaluation-digits.png"))
    w.close()

    spiral = ne.Sequential(
        [
            ne.Input((2,)),
            ne.Dense(8, activation="tanh"),
            ne.Dense(8, activation="tanh"),
            ne.Dense(1, activation="sigmoid"),
        ],
        loss="binary_crossentropy",
        optimizer="adam",
        name="gaussians",
    )
    spiral.document.set_dataset({"spec": "moons:n=600,noise=0.25"})
    data = load_training_data(graph_spec(spiral.document), "moons:n=600,noise=0.25")
    spiral.fit(*data.train, epochs=40, batch_size=32, validation_data=data.val, verbose=0)
    w = window_for(spiral, folder, "moons")
    evaluated(app, w)
    w.evaluation_panel.threshold_slider.setValue(300)
    w.evaluation_panel.select_cell(worst_cell(w))
    app.processEvents()
    w.grab().save(str(out / "evaluation-binary-threshold.png"))

    w.evaluation.compare(parse_variants("optimizer", "sgd, momentum, adam"), 60, fresh=True)
    wait(app, lambda: w.evaluation.compare_job is None)
    w.runs_panel.select_runs([r["id"] for r in w.doc.runs])
    show_dock(app, w, "runs")
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    w.grab().save(str(out / "runs-compare.png"))
    w.files.forced_dirty = False
    w.doc.history.set_clean()
    w.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
