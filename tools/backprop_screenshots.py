"""Screenshots of the step-through, one per phase: `python tools/backprop_screenshots.py [FOLDER]`.

Drives a real MainWindow (run it under Xvfb or with QT_QPA_PLATFORM=offscreen) to the
chosen steps and saves `backprop-<name>.png` (default folder: docs/screenshots).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (file name, sample file, typed inputs or None, phase, title fragment of the step, show the neuron view)
SHOTS = [
    ("forward", "xor.nedit", None, "forward", "dense_2", True),
    ("loss", "xor.nedit", None, "loss", "", True),
    ("backward", "xor.nedit", None, "backward", "gradients of its weights", True),
    ("update", "xor.nedit", None, "update", "dense_1", True),
    ("single-neuron-forward", "xor_single_neuron.nedit", None, "forward", "weighted sum", True),
    (
        "compute-graph-backward",
        "compute_graph.nedit",
        {"x": "4", "y": "-2", "z": "5", "w": "-1"},
        "backward",
        "gradient sent back to x",
        False,
    ),
    (
        "compute-graph-neurons",
        "compute_graph.nedit",
        {"x": "4", "y": "-2", "z": "5", "w": "-1"},
        "backward",
        "gradient sent back to y",
        True,
    ),
]


def shoot(folder: Path) -> list[Path]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from neuroedit.gui import theme
    from neuroedit.gui.backprop.walkthrough_player import SampleChoice
    from neuroedit.gui.main_window import MainWindow
    from neuroedit.io import load

    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.apply_palette(app, dark=False)
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for name, sample, inputs, phase, fragment, neuron_view in SHOTS:
        path = ROOT / "samples" / sample
        window = MainWindow(load(path), str(path), restore_layout=False)
        bp = window.backprop
        window.resize(1500, 940)
        window.show()
        dock = window.docks["walkthrough"]
        dock.show()
        dock.raise_()
        window.resizeDocks([dock], [360], Qt.Orientation.Vertical)
        if inputs is not None:
            bp.player.set_choice(SampleChoice("inputs", inputs=inputs))
            bp.step_panel.load_choice()
        bp.player.set_active(True)
        bp.player.recompute()
        bp.show_neuron_view(neuron_view)
        step = next(s for s in bp.player.walk.steps if s.phase == phase and fragment in s.title)
        bp.player.go(step.index)
        for _ in range(5):
            app.processEvents()
        if neuron_view:
            bp.neuron_view.fit()
        else:
            window.canvas.frame_all()
        app.processEvents()
        out = folder / f"backprop-{name}.png"
        window.grab().save(str(out))
        saved.append(out)
        window.files.autosaver.timer.stop()
        window.doc.history.set_clean()
        window.close()
        window.deleteLater()
        app.processEvents()
    return saved


if __name__ == "__main__":
    for p in shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"):
        print(p)
