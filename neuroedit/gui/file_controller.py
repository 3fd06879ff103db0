"""File > New/Open/Save for the main window: dirty state, unsaved-change prompts, load errors, recent files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

from .. import io as nedit_io
from ..model import Document
from .files import Autosaver, RecentFiles
from .template_picker import TemplatePicker

if TYPE_CHECKING:
    from .main_window import MainWindow

FILE_FILTER = "NeuroEdit networks (*.nedit);;All files (*)"


class FileController(QObject):
    """Owns the current file path and whether the document differs from it."""

    document_opened = Signal(object, object)  # (Document, path or None)
    state_changed = Signal()  # title must be refreshed (path or dirty changed)
    about_to_write = Signal()  # a save or autosave is next: bring results in (training so far)

    def __init__(self, window: MainWindow, recovery_folder: Path | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.path: str | None = None
        self.forced_dirty = False
        self.recent = RecentFiles()
        self.autosaver = Autosaver(self._autosave_state, recovery_folder, parent=self)

    # ------------------------------------------------------------------ state
    def is_dirty(self) -> bool:
        return self.forced_dirty or not self.window.doc.history.is_clean

    def folder(self) -> str | None:
        """The open file's folder, where relative data-set paths start; None for an unsaved document."""
        return str(Path(self.path).parent) if self.path else None

    def display_name(self) -> str:
        return Path(self.path).name if self.path else "Untitled"

    def set_current(self, doc: Document, path: str | None, dirty: bool = False) -> None:
        self.path = os.path.abspath(path) if path else None
        self.forced_dirty = dirty
        if self.path:
            self.recent.add(self.path)
        self.document_opened.emit(doc, self.path)
        self.state_changed.emit()

    # ------------------------------------------------------------------ prompts
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded, or unchanged)."""
        if not self.is_dirty():
            return True
        answer = QMessageBox.question(
            self.window,
            "Unsaved changes",
            f"Save the changes to {self.display_name()}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # ------------------------------------------------------------------ actions
    def new(self) -> bool:
        if not self.maybe_save():
            return False
        picker = TemplatePicker(self.window)
        if picker.exec() != TemplatePicker.DialogCode.Accepted:
            return False
        if picker.open_file_requested:
            return self.open(skip_prompt=True)
        if picker.chosen is not None:
            self.set_current(picker.chosen.create(), None)
        return True

    def open(self, path: str | None = None, skip_prompt: bool = False) -> bool:
        if not skip_prompt and not self.maybe_save():
            return False
        if path is None:
            start = os.path.dirname(self.path) if self.path else ""
            path, _ = QFileDialog.getOpenFileName(self.window, "Open network", start, FILE_FILTER)
            if not path:
                return False
        return self.load(path)

    def load(self, path: str) -> bool:
        """Open `path`; a bad or unreadable file shows the loader's message and changes nothing."""
        try:
            doc = nedit_io.load(path)
        except nedit_io.LoadError as e:
            self._error("Cannot open file", f"{path} is not a valid NeuroEdit file.", str(e))
            return False
        except OSError as e:
            self._error("Cannot open file", f"{path} cannot be read.", e.strerror or str(e))
            return False
        self.set_current(doc, path)
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.write(self.path)

    def save_as(self) -> bool:
        start = self.path or str(Path.home() / f"{self.display_name().removesuffix('.nedit')}.nedit")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save network as", start, FILE_FILTER)
        if not path:
            return False
        if not path.endswith(".nedit"):
            path += ".nedit"
        return self.write(path)

    def _autosave_state(self):
        self.about_to_write.emit()
        return self.window.doc, self.path, self.is_dirty()

    def write(self, path: str) -> bool:
        self.about_to_write.emit()
        try:
            nedit_io.save(self.window.doc, path)
        except (OSError, nedit_io.SaveError) as e:
            self._error("Cannot save file", f"{path} could not be written; the old file is unchanged.", str(e))
            return False
        self.path = os.path.abspath(path)
        self.forced_dirty = False
        self.window.doc.history.set_clean()
        self.recent.add(self.path)
        self.autosaver.clear()
        self.window.statusBar().showMessage(f"Saved {self.path}", 4000)
        self.state_changed.emit()
        return True

    def _error(self, title: str, text: str, detail: str) -> None:
        QMessageBox.critical(self.window, title, f"{text}\n\n{detail}")
