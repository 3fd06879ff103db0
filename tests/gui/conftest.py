"""GUI test set-up: our application names, QSettings in a temporary folder, a main-window fixture."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from neuroedit.gui.app import APPLICATION, ORGANIZATION


@pytest.fixture(autouse=True)
def _isolated_settings(qapp, tmp_path_factory):
    """Every test sees empty settings: the user's real QSettings are never read or written."""
    folder = tmp_path_factory.mktemp("settings")
    qapp.setOrganizationName(ORGANIZATION)
    qapp.setApplicationName(APPLICATION)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    """No modal message box may block a test: questions answer Discard/No, errors are recorded."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str, str]] = []

    def question(parent, title, text, *args, **kwargs):
        shown.append(("question", title, text))
        return QMessageBox.StandardButton.Discard if "Save" in text else QMessageBox.StandardButton.No

    def critical(parent, title, text, *args, **kwargs):
        shown.append(("critical", title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(critical))
    return shown


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Build a MainWindow on a document (recovery files under tmp_path), shown and sized."""
    from neuroedit.gui.main_window import MainWindow

    def make(doc=None, path=None):
        window = MainWindow(doc, path, recovery_folder=tmp_path / "recovery", restore_layout=False)
        qtbot.addWidget(window)
        window.resize(1200, 800)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        window.canvas.frame_all()
        return window

    return make
