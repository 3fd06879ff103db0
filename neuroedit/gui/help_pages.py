"""Help › Getting started (the first steps on one page) and Help › About (versions, where files go)."""

from __future__ import annotations

import platform
from typing import TYPE_CHECKING

import numpy as np
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QTextBrowser,
    QVBoxLayout,
)

from .._version import __version__
from ..data.downloads import cache_dir
from ..logs import log_path

if TYPE_CHECKING:
    from .main_window import MainWindow

GETTING_STARTED = """
<h2>Getting started with NeuroEdit</h2>
<ol>
<li><b>Start from a template.</b> <i>File › New</i> offers the course networks (XOR, the single
neuron, weather, the spiral, Fashion-MNIST, the computation graph) or a blank canvas.</li>
<li><b>Build.</b> Drag nodes from the <i>Nodes</i> panel onto the canvas (or double-click them
there). Drag from an output port (right) to an input port (left) to connect. Select a node to
edit its units, activation or loss in the <i>Inspector</i>. Problems are outlined in red and
listed in <i>Problems</i>; every edit can be undone (Ctrl+Z).</li>
<li><b>Choose data.</b> In the <i>Data</i> panel pick a data set (xor, circle, spiral, …) or
import a CSV, NPZ or MNIST-style folder; the preview shows what the network will learn.
MNIST and Fashion-MNIST are downloaded on request
(<code>neuroedit data download fashion-mnist</code>).</li>
<li><b>Train.</b> Press <i>Train</i> (Ctrl+T). The <i>Training</i> panel sets the optimizer,
learning rate, batch size and epochs; <i>Training plots</i> show the loss, accuracy and, for
2-D data, the decision boundary while it trains. Pause, Step and Reset work at any time.</li>
<li><b>Look inside.</b> <i>View › Neuron view</i> draws every neuron and weight;
<i>View › Step through backpropagation</i> walks one sample through the forward pass, the loss,
the backward pass and the update, with the numbers on the canvas.</li>
<li><b>Save.</b> A <code>.nedit</code> file keeps the network, its settings, the data-set
reference and the trained weights. Unsaved work is autosaved every minute.</li>
</ol>
<p>Without the editor: <code>neuroedit train FILE</code>, <code>neuroedit evaluate FILE</code>,
<code>neuroedit trace FILE</code> and <code>neuroedit --help</code>.
Keyboard shortcuts: <i>Help › Keyboard shortcuts</i> (F1).</p>
"""


class GettingStartedDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("getting_started")
        self.setWindowTitle("Getting started — NeuroEdit")
        self.page = QTextBrowser()
        self.page.setHtml(GETTING_STARTED)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page)
        layout.addWidget(buttons)
        self.resize(620, 560)


def about_text() -> str:
    """Version, the libraries it runs on, and where it keeps its log and downloaded data."""
    from importlib.metadata import version

    return (
        f"<h3>NeuroEdit {__version__}</h3>"
        "<p>A visual neural-network editor: draw a network, train it, and watch backpropagation.</p>"
        f"<p>Python {platform.python_version()} · Qt {qVersion()} (PySide6 {pyside_version}) · "
        f"NumPy {np.__version__} · Numba {version('numba')}</p>"
        f"<p>Log file: {log_path()}<br>Downloaded data sets: {cache_dir()}</p>"
        "<p>MIT licence.</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("about")
        self.setWindowTitle("About NeuroEdit")
        icon = QLabel()
        icon.setPixmap(QIcon(_icon_path()).pixmap(64, 64))
        self.text = QLabel(about_text())
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(icon)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(520, 300)


def _icon_path() -> str:
    from .main_window import ICON_PATH

    return str(ICON_PATH)


def add_help_pages(window: MainWindow, menu: QMenu) -> dict[str, QAction]:
    """Help › Getting started and Help › About NeuroEdit; the actions by key."""
    actions = {}
    for key, text, dialog in (
        ("getting_started", "Getting started", GettingStartedDialog),
        ("about", "About NeuroEdit", AboutDialog),
    ):
        action = QAction(text, window)
        action.setObjectName(f"action_{key}")
        action.triggered.connect(lambda checked=False, d=dialog: d(window).exec())
        menu.addAction(action)
        actions[key] = action
    return actions
