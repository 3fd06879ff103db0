"""Screenshots of the gradient-descent views: `python -m neuroedit.gui.descent.screenshots [FOLDER]`.

Drives a real MainWindow (run it under Xvfb or with QT_QPA_PLATFORM=offscreen) and saves
`descent-<name>.png` (default folder: docs/screenshots).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _wait(app, done: Callable[[], bool], seconds: float = 60.0) -> None:
    end = time.monotonic() + seconds
    while not done() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    app.processEvents()


def _window(app, sample: str):
    from ...io import load
    from ..main_window import MainWindow

    path = ROOT / "samples" / sample
    window = MainWindow(load(path), str(path), restore_layout=False)
    window.resize(1500, 940)
    window.show()
    app.processEvents()
    return window


def _close(app, window) -> None:
    window.files.autosaver.timer.stop()
    window.doc.history.set_clean()
    window.close()
    window.deleteLater()
    app.processEvents()


def _train(window, epochs: int, rounds: int, app) -> None:
    """Train in the document (as the Train button's commits do), so the views follow the weights."""
    from ...api.session import TrainingSession
    from ...data import load as load_data

    data = load_data(window.doc.dataset["spec"])
    for _ in range(rounds):
        s = TrainingSession(window.doc, data.train[0], data.train[1], overrides={"epochs": epochs}, backend="reference")
        s.trainer.run()
        s.commit()
        app.processEvents()


def shoot(folder: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from .. import theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    theme.apply_palette(app, dark=False)
    folder.mkdir(parents=True, exist_ok=True)
    saved = []

    for key, steps in (("rosenbrock", 400), ("ravine", 120), ("beale", 300), ("saddle", 100)):
        window = _window(app, f"race_{key}.nedit")
        race = window.descent.show_race()
        race.advance(steps)
        app.processEvents()
        out = folder / f"descent-race-{key}.png"
        race.grab().save(str(out))
        saved.append(out)
        race.close()
        _close(app, window)

    window = _window(app, "weather.nedit")
    d = window.descent
    d.curve.width_box.setValue(0.5)
    d.select_weight("dense_2", "kernel", (0, 0))
    window.backprop.show_step_through()
    window.backprop.player.set_active(True)
    window.backprop.player.recompute()
    d.follow_player()
    _wait(app, lambda: d.curve.curve is not None and d.curve.curve.after is not None)
    window.docks["loss_curve"].raise_()
    window.docks["inspector"].raise_()
    window.scene.select_nodes(["dense_1"])
    _wait(
        app,
        lambda: (
            "pre-activations"
            in (window.inspector.findChild(type(d.curve.title), "activation_note") or d.curve.title).text()
        ),
    )
    from PySide6.QtCore import Qt

    from .activation_plot import ActivationPlot

    window.resizeDocks([window.docks["inspector"]], [560], Qt.Orientation.Horizontal)
    plot = window.inspector.findChild(ActivationPlot)
    app.processEvents()
    window.inspector.ensureWidgetVisible(plot, 0, 0)
    app.processEvents()
    out = folder / "descent-loss-curve-and-activation.png"
    window.grab().save(str(out))
    saved.append(out)
    _close(app, window)

    window = _window(app, "weather_5_inputs.nedit")
    window.doc.set_setting("optimizer", "adam")
    bp = window.backprop
    bp.show_step_through()
    bp.player.set_active(True)
    bp.step_panel.lecture.setChecked(True)
    window.resizeDocks([window.docks["walkthrough"]], [420], Qt.Orientation.Vertical)
    bp.show_neuron_view(True)
    step = next(s for s in bp.player.walk.steps if s.phase == "update" and s.node == "dense_2")
    bp.player.go(step.index)
    app.processEvents()
    bp.neuron_view.fit()
    app.processEvents()
    out = folder / "descent-step-through-adam-lecture.png"
    window.grab().save(str(out))
    saved.append(out)
    _close(app, window)

    window = _window(app, "xor.nedit")
    surface = window.descent.show_surface()
    surface.steps.setValue(31)
    surface.span.setValue(2.5)
    surface.compute()
    _wait(app, lambda: surface.result is not None)
    _train(window, 40, 12, app)
    _wait(app, lambda: len(surface.path) >= 12, 5)
    out = folder / "descent-surface-xor.png"
    surface.grab().save(str(out))
    saved.append(out)
    surface.close()
    _close(app, window)
    return saved


if __name__ == "__main__":
    for p in shoot(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"):
        print(p)
