"""The main window is composed in one place from features that get only what they use, never the window."""

from __future__ import annotations

import ast
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from neuroedit import io as nedit_io
from neuroedit.gui import theme
from neuroedit.gui.backprop import Backprop
from neuroedit.gui.canvas import Canvas, GraphScene
from neuroedit.gui.training.controller import ACTIVE

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
FEATURES = (
    "neuroedit/gui/training/feature.py",
    "neuroedit/gui/backprop/feature.py",
    "neuroedit/gui/data_download.py",
    "neuroedit/gui/dock_host.py",
)


class BareHost(QMainWindow):
    """The smallest DockHost: what a feature may use of a window."""

    def __init__(self) -> None:
        super().__init__()
        self.docks: dict[str, QDockWidget] = {}

    def add_panel(
        self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea, tabify_with: str | None = None
    ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[key] = dock
        return dock

    def show_panel(self, key: str) -> None:
        self.docks[key].show()
        self.docks[key].raise_()


def test_feature_modules_do_not_import_the_main_window():
    for name in FEATURES:
        tree = ast.parse((ROOT / name).read_text())
        imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(m.endswith("main_window") for m in imported), f"{name} imports the main window"


def test_backprop_works_in_any_dock_host(qtbot, tmp_path):
    doc = nedit_io.load(SAMPLES / "xor.nedit")
    host = BareHost()
    qtbot.addWidget(host)
    scene = GraphScene(doc, theme.LIGHT, host)
    canvas = Canvas(scene)
    bp = Backprop(doc, scene, canvas, theme.LIGHT, lambda: str(tmp_path), host)
    host.setCentralWidget(bp.tabs)
    bp.place(host)
    messages: list[str] = []
    bp.status_message.connect(messages.append)
    host.show()
    assert bp.tabs.widget(0) is canvas and set(bp.actions) == {"neuron_view", "step_through"}
    host.docks["walkthrough"].hide()
    bp.actions["step_through"].trigger()
    assert host.docks["walkthrough"].isVisible()
    qtbot.waitUntil(lambda: bp.player.walk is not None, timeout=10_000)
    bp.step_panel.status_message.emit("from the step panel")
    assert messages == ["from the step panel"]
    scene.select_nodes(["dense_1"])
    assert bp.neuron_scene.selected == {"dense_1"}
    other = nedit_io.load(SAMPLES / "weather.nedit")
    scene.set_document(other)
    bp.follow(other)
    assert bp.player.doc is other and bp.neuron_scene.doc is other


def test_closing_while_training_stops_the_run_and_keeps_what_it_trained(qtbot, make_window, dialogs):
    doc = nedit_io.load(SAMPLES / "xor.nedit")
    doc.settings.update(epochs=1_000_000)
    w = make_window(doc)
    w.training.train()
    qtbot.waitUntil(lambda: w.training.state == "running" and w.training.last_chunk is not None, timeout=30_000)
    w.close()
    assert w.training.state not in ACTIVE and w.training.thread is None
    assert w.doc.training_history["loss"], "the results were written into the document before the save question"
    assert any(kind == "question" and "Save" in text for kind, _, text in dialogs)
