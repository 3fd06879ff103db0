"""Window size from the screen, docks that leave the canvas most of the space, saved and reset layouts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings

from neuroedit.gui import window_layout
from neuroedit.gui.window_layout import default_geometry

ROOT = Path(__file__).resolve().parents[2]


def test_default_geometry_fits_the_screen():
    assert default_geometry(QRect(0, 0, 1366, 768)) == QRect(0, 0, 1366, 768)
    assert default_geometry(QRect(0, 0, 1067, 667)) == QRect(0, 0, 1067, 667)  # 1600×1000 at 1.5×
    big = default_geometry(QRect(0, 0, 1600, 1000))
    assert big.size().toTuple() == (1440, 900) and big.center() == QRect(0, 0, 1600, 1000).center()
    assert default_geometry(QRect(0, 0, 2560, 1400)).size().toTuple() == (2304, 1260)


@pytest.mark.slow  # a fresh editor process per screen
@pytest.mark.parametrize("width,height,scale", [(1366, 768, 1), (1600, 1000, 1), (1600, 1000, 1.5)])
def test_canvas_keeps_most_of_the_space_and_everything_is_on_screen(tmp_path, width, height, scale):
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "probe",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        )
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": str(scale),
        "PYTHONPATH": str(ROOT),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }  # first run: no saved layout
    done = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "layout_probe.py"), "samples/spiral.nedit"],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    screen = QRect(*probe["available"])
    assert screen.size().toTuple() == (round(width / scale), round(height / scale))
    assert screen.contains(QRect(*probe["window"])), probe
    for name, r in [("status bar", probe["status"]), *probe["docks"].items()]:
        assert screen.contains(QRect(*r)), f"{name} is off-screen: {r} not in {screen}"
    canvas = QRect(*probe["canvas"])
    window = QRect(*probe["window"])
    assert canvas.width() >= 0.5 * window.width() and canvas.height() >= 0.5 * window.height(), probe
    for name, r in probe["docks"].items():
        assert canvas.width() * canvas.height() > r[2] * r[3], f"{name} is bigger than the canvas"


def test_layout_is_restored_and_reset(make_window, qtbot):
    from neuroedit.gui.main_window import MainWindow

    w = make_window()
    w.docks["palette"].hide()
    w.resize(760, 560)  # a small window
    window_layout.save(w)
    again = MainWindow(None, None, restore_layout=True)
    qtbot.addWidget(again)
    again.show()
    assert again.docks["palette"].isHidden() and again.size().toTuple() == (760, 560)
    again.findChild(type(again.actions["new"]), "action_reset_layout").trigger()
    assert not again.docks["palette"].isHidden()
    assert QSettings().value(window_layout.STATE_KEY) is None and QSettings().value(window_layout.GEOMETRY_KEY) is None
    expected = default_geometry(window_layout.available_geometry(again))
    assert again.size() == expected.size()
    w.resize(2000, 1500)  # a layout saved on a bigger screen comes back shrunk onto this one
    window_layout.save(w)
    third = MainWindow(None, None, restore_layout=True)
    qtbot.addWidget(third)
    third.show()
    qtbot.waitUntil(lambda: window_layout.available_geometry(third).contains(third.frameGeometry()), timeout=2000)
    assert window_layout.available_geometry(third).contains(third.frameGeometry())
    view = next(a.menu() for a in again.menuBar().actions() if a.text() == "&View")
    assert "Reset layout" in [a.text() for a in view.actions()]
