"""Neuron view cost per edit while it is shown: the 300-node canvas graph, a graph just under the drawing limit, samples.

Run:  QT_QPA_PLATFORM=offscreen python benchmarks/neuron_view.py
Target: <= 16 ms per edit (the canvas target). The 300-node graph is over MAX_DRAWN, so the
view shows a "too big to draw as neurons" message; the reference row is the same edit in the
full MainWindow with the Layer graph in front (the neuron view hidden does no work at all).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from canvas import BUDGET_MS, build_graph, median_p95
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from neuroedit.gui.backprop.neuron_layout import drawn_size
from neuroedit.gui.backprop.neuron_scene import MAX_DRAWN, NeuronScene
from neuroedit.gui.backprop.neuron_view import NeuronView
from neuroedit.gui.backprop.walkthrough_player import WalkthroughPlayer
from neuroedit.gui.theme import LIGHT
from neuroedit.io import load
from neuroedit.model import Document

REPEAT = 15
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def chain(layers: int, units: int) -> Document:
    """Input + `layers` Dense layers of `units`: the biggest kind of net the neuron view still draws."""
    doc = Document()
    prev = doc.add_node("Input", {"shape": [units]})
    for _ in range(layers):
        node = doc.add_node("Dense", {"units": units, "activation": "tanh"})
        doc.connect(prev, node)
        prev = node
    doc.history.clear()
    return doc


def edits_until_idle(app, doc: Document) -> list[float]:
    """Add a small Dense layer and run the event loop until idle; undo it (untimed)."""
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        doc.add_node("Dense", {"units": 4})
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
        doc.history.undo()
        app.processEvents()
    return times


def scene_alone(app, doc: Document) -> tuple[list[float], list[float], int]:
    """A shown NeuronView: add-until-idle times, direct rebuild times, rebuilds per edit."""
    scene = NeuronScene(doc, WalkthroughPlayer(doc), LIGHT)
    view = NeuronView(scene)
    view.resize(1280, 800)
    view.show()
    app.processEvents()
    start = scene.rebuilds
    edits = edits_until_idle(app, doc)
    per_edit = (scene.rebuilds - start) / (2 * REPEAT)
    rebuilds = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        scene.rebuild()
        rebuilds.append((time.perf_counter() - t0) * 1000)
    view.hide()
    return edits, rebuilds, per_edit


def main_window(app, doc: Document, neuron_view: bool) -> list[float]:
    from neuroedit.gui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as folder:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)
        window = MainWindow(doc, None, recovery_folder=Path(folder), restore_layout=False)
        window.resize(1440, 900)
        window.show()
        window.backprop.show_neuron_view(neuron_view)
        app.processEvents()
        times = edits_until_idle(app, doc)
        window.hide()  # not close(): that would ask to save
    return times


def main() -> None:
    app = QApplication.instance() or QApplication([])
    rows = []
    cases = [
        ("300-node canvas graph", build_graph()),
        ("Input + 8 Dense of 12 (under the limit)", chain(8, 12)),
        ("spiral 2-8-8-1 (README heat-map network)", load(SAMPLES / "spiral.nedit")),
        ("samples/fashion_mnist_mlp.nedit", load(SAMPLES / "fashion_mnist_mlp.nedit")),
    ]
    for name, doc in cases:
        circles, lines = drawn_size(doc)
        edits, rebuilds, per_edit = scene_alone(app, doc)
        rows.append((f"{name}: {circles:,} circles + {lines:,} lines", None, None))
        rows.append(("  shown NeuronView alone: rebuild", *median_p95(rebuilds)))
        rows.append((f"  shown NeuronView alone: add until idle ({per_edit:.0f} rebuild/edit)", *median_p95(edits)))
    rows.append(
        (
            "full MainWindow, 300 nodes, neuron view in front: add until idle",
            *median_p95(main_window(app, build_graph(), True)),
        )
    )
    rows.append(
        (
            "full MainWindow, 300 nodes, layer graph in front: add until idle",
            *median_p95(main_window(app, build_graph(), False)),
        )
    )
    print(f"drawing limit MAX_DRAWN = {MAX_DRAWN:,} circles + lines")
    print(f"{'case':<76}{'median ms':>10}{'p95 ms':>9}{'budget':>8}")
    for label, med, p95 in rows:
        if med is None:
            print(label)
        else:
            print(f"{label:<76}{med:>10.2f}{p95:>9.2f}{'ok' if p95 <= BUDGET_MS else 'SLOW':>8}")


if __name__ == "__main__":
    main()
