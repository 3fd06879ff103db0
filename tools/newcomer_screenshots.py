"""Screenshots of a newcomer's first network: `python tools/newcomer_screenshots.py [FOLDER]`.

A blank document at 1600×1000 (run under Xvfb or with QT_QPA_PLATFORM=offscreen): the Data panel
with `circle` chosen, the 2-8-1 tanh network trained with the default settings (decision
boundary in the plots), and the same network in the neuron view at a forward step. Saves
`newcomer-data.png`, `newcomer-trained.png` and `newcomer-neurons.png` (default folder:
docs/screenshots).
"""

from __future__ import annotations

import itertools
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1600, 1000)
TRAIN_SECONDS = 60


def _pump(app, seconds: float, until=None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until is not None and until()):
        app.processEvents()
        time.sleep(0.01)


def build_network(window) -> None:
    """Input(2) → Dense(8, tanh) → Dense(1, sigmoid) → Loss, added the way the palette adds them."""
    from PySide6.QtCore import QPointF

    ids = [
        window.add_node_at(t, QPointF(x, 0)) for t, x in (("Input", 0), ("Dense", 260), ("Dense", 520), ("Loss", 780))
    ]
    hidden, out = ids[1], ids[2]
    doc = window.doc
    doc.set_param(hidden, "activation", "tanh")
    doc.set_param(out, "units", 1)
    doc.set_param(out, "activation", "sigmoid")
    for src, dst in itertools.pairwise(ids):
        doc.connect(src, dst)


def shoot(folder: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from neuroedit.gui import theme
    from neuroedit.gui.main_window import MainWindow
    from neuroedit.model import Document

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    theme.apply_palette(app, dark=False)
    folder.mkdir(parents=True, exist_ok=True)
    window = MainWindow(Document(), None, recovery_folder=Path(tempfile.mkdtemp()), restore_layout=False)
    window.resize(*SIZE)
    window.show()
    _pump(app, 0.5)
    saved = []

    def grab(name: str) -> None:
        out = folder / f"newcomer-{name}.png"
        window.grab().save(str(out))
        saved.append(out)

    window.docks["data"].raise_()
    source = window.data_panel.source
    source.setCurrentIndex(source.findData("circle"))
    _pump(app, 10, until=lambda: window.doc.dataset.get("spec") == "circle")
    build_network(window)
    window.canvas.frame_all()
    _pump(app, 0.5)
    grab("data")

    window.training.train()
    _pump(app, TRAIN_SECONDS, until=lambda: window.training.state in ("finished", "failed"))
    _pump(app, 1.0)
    window.canvas.frame_all()
    _pump(app, 0.3)
    grab("trained")

    bp = window.backprop
    bp.show_neuron_view()
    bp.show_step_through()
    bp.player.set_active(True)
    bp.player.recompute()
    if bp.player.walk is None:
        raise SystemExit(f"no walk-through: {bp.player.error}")
    step = next(s for s in bp.player.walk.steps if s.phase == "forward" and s.node == "dense_2")
    bp.player.go(step.index)
    _pump(app, 0.5)
    bp.neuron_view.fit()
    _pump(app, 0.3)
    grab("neurons")

    window.files.autosaver.timer.stop()
    window.files.forced_dirty = False
    window.doc.history.set_clean()
    window.close()
    return saved


if __name__ == "__main__":
    for p in shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"):
        print(p)
