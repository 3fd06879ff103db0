"""`neuroedit [FILE]`: start the editor (template picker without a file; crash recovery; screenshots)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from .. import io as nedit_io
from ..logs import LOGGER, setup_logging
from ..model import Document
from . import theme
from .crash_handler import CrashHandler
from .files import find_recoveries
from .main_window import ICON_PATH, MainWindow
from .template_picker import TemplatePicker

ORGANIZATION = "NeuroEdit"
APPLICATION = "NeuroEdit"


def make_application() -> QApplication:
    """The QApplication with our names (QSettings and AppDataLocation use them) and palette."""
    # Qt's raster engine splits big fills over a thread pool and waits for it holding the GIL,
    # so the pool's threads take the training worker's core while the worker waits for the GIL.
    # Qt reads this once, at the first paint.
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "neuroedit"])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setWindowIcon(QIcon(str(ICON_PATH)))
    app.setDesktopFileName("neuroedit")  # matches resources/neuroedit.desktop (Wayland finds the icon by it)
    theme.apply_palette(app)
    return app


def run_app(
    file: str | None = None,
    train: bool = False,
    screenshot: str | None = None,
    quit_after: float | None = None,
    warmup: subprocess.Popen | None = None,
) -> int:
    """Open the editor; with `screenshot`/`quit_after`, grab the window to a PNG and quit (docs, demos).

    `warmup`: the background kernel compile, when the caller started it already.
    """
    app = make_application()
    if not logging.getLogger(LOGGER).handlers:  # started from Python rather than the `neuroedit` command
        setup_logging()
    unattended = screenshot is not None or quit_after is not None
    doc, path, dirty, open_dialog = _initial_document(file, unattended)
    if doc is None:
        if warmup is not None:
            warmup.kill()
        return 1
    window = MainWindow(doc, path, restore_layout=not unattended)
    window.files.forced_dirty = dirty
    window.update_title()
    if path and not unattended:
        window.files.recent.add(path)
    window.show()
    QTimer.singleShot(0, lambda: window.training.start_warmup(warmup))  # compile while the user looks
    QTimer.singleShot(60, window.canvas.frame_all)
    window.data_download.enabled = not unattended
    crash_handler = CrashHandler(window)
    crash_handler.install()
    QTimer.singleShot(0, window.data_download.check)
    if open_dialog:
        QTimer.singleShot(0, lambda: window.files.open(skip_prompt=True))
    if train:
        QTimer.singleShot(100, window.training.train)
    if unattended:
        delay = 2.0 if quit_after is None else max(0.0, quit_after)
        QTimer.singleShot(int(delay * 1000), lambda: _finish(app, window, screenshot))
    return app.exec()


def _finish(app: QApplication, window: MainWindow, screenshot: str | None) -> None:
    if screenshot:
        Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
        window.canvas.end_zoom_gesture()  # sharp cards, whatever the zoom timers were doing
        window.scene.pictures.sharpen_all()
        if not window.grab().save(screenshot):
            print(f"neuroedit: error: could not write the screenshot {screenshot}", file=sys.stderr)
            app.exit(1)
            return
    window.files.autosaver.clear()
    app.exit(0)


def _initial_document(file: str | None, unattended: bool) -> tuple[Document | None, str | None, bool, bool]:
    """(document, path, unsaved, open-dialog-wanted): the file, a restored autosave, a template or blank."""
    if file:
        try:
            return nedit_io.load(file), file, False, False
        except (nedit_io.LoadError, OSError) as e:
            message = str(e) if isinstance(e, nedit_io.LoadError) else (e.strerror or str(e))
            if unattended:
                print(f"neuroedit: error: cannot open {file}: {message}", file=sys.stderr)
                return None, None, False, False
            QMessageBox.critical(None, "Cannot open file", f"{file} cannot be opened.\n\n{message}")
    if unattended:
        return Document(), None, False, False
    restored = _offer_recovery()
    if restored is not None:
        return restored
    if file:
        return Document(), None, False, False
    picker = TemplatePicker()
    if picker.exec() == TemplatePicker.DialogCode.Accepted and picker.chosen is not None:
        return picker.chosen.create(), None, False, False
    return Document(), None, False, picker.open_file_requested


def _offer_recovery() -> tuple[Document, str | None, bool, bool] | None:
    recoveries = find_recoveries()
    if not recoveries:
        return None
    latest = recoveries[0]
    when = datetime.fromtimestamp(latest.saved_at).strftime("%Y-%m-%d %H:%M")
    name = Path(latest.original).name if latest.original else "an untitled network"
    answer = QMessageBox.question(
        None,
        "Restore unsaved work?",
        f"NeuroEdit did not close cleanly. Restore the unsaved changes to {name} autosaved at {when}?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    result = None
    if answer == QMessageBox.StandardButton.Yes:
        try:
            result = (latest.load(), latest.original, True, False)
        except (nedit_io.LoadError, OSError) as e:
            QMessageBox.critical(None, "Cannot restore", f"The autosave cannot be read.\n\n{e}")
    for r in recoveries:
        r.discard()
    return result
