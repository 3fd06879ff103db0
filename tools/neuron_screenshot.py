"""The neuron-view heat-map screenshot: `python tools/neuron_screenshot.py [PNG]`.

Trains the README's 2-8-8-1 spiral network in a real MainWindow (run it under Xvfb or with
QT_QPA_PLATFORM=offscreen), shows the neuron view with the step-through's forward values on the
first hidden layer's heat maps and saves it (default: docs/screenshots/neuron-thumbnails.png).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from neuroedit.io import from_bytes, to_bytes
from neuroedit.model import Document, samples

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 120.0


def spiral_doc() -> Document:
    """The spiral sample as if opened from a file (no undo history)."""
    return from_bytes(to_bytes(samples.spiral()))


def shoot(out: Path) -> Path:
    from PySide6.QtWidgets import QApplication

    from neuroedit.gui import theme
    from neuroedit.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.apply_palette(app, dark=False)
    window = MainWindow(spiral_doc(), None, restore_layout=False)
    window.resize(1600, 1000)
    window.show()
    bp = window.backprop
    bp.show_neuron_view(True)
    window.training.train()
    deadline = time.monotonic() + TIMEOUT_S
    while window.training.state not in ("finished", "failed") and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    if window.training.state != "finished":
        raise RuntimeError(f"training did not finish: {window.training.message}")
    bp.stepper.recompute()
    step = [s for s in bp.stepper.walk.steps if s.phase == "forward" and s.node == "hidden_1"][-1]
    bp.stepper.go(step.index)
    for _ in range(5):
        app.processEvents()
    bp.neuron_view.fit()
    app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    window.files.autosaver.timer.stop()
    window.doc.history.set_clean()
    window.files.forced_dirty = False
    window.close()
    return out


if __name__ == "__main__":
    print(shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots" / "neuron-thumbnails.png"))
