"""File › Export… and File › Import…: the network as ONNX / a PyTorch or Keras script, and ONNX models in."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from ..api.bridge import GraphProblem
from ..api.session import ensure_weights
from ..interop import InteropError, export_network, import_onnx

if TYPE_CHECKING:
    from .main_window import MainWindow

# File-dialog filter -> export format; the filter the user picks decides what is written.
EXPORT_FILTERS = {
    "ONNX model (*.onnx)": "onnx",
    "PyTorch script, trains with torchrun too (*.py)": "pytorch",
    "Keras 3 script (*.py)": "keras",
}
IMPORT_FILTER = "ONNX models (*.onnx);;All files (*)"


class InteropActions:
    """The two File-menu actions and what they do; `export_to` and `import_from` skip the dialogs."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.export_action = self._action(
            "Export…",
            "Ctrl+E",
            "Write the network as ONNX, a PyTorch script (trains on several GPUs with torchrun) or a Keras script",
            self.export,
        )
        self.import_action = self._action("Import ONNX…", "Ctrl+I", "Open an ONNX model as a new network", self.import_)
        file_menu = next(
            m for a in window.menuBar().actions() if a.text() == "&File" and isinstance(m := a.menu(), QMenu)
        )
        quit_action = window.actions["quit"]
        file_menu.insertAction(quit_action, self.export_action)
        file_menu.insertAction(quit_action, self.import_action)
        file_menu.insertSeparator(quit_action)

    def _action(self, text: str, shortcut: str, tip: str, slot) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda: slot())
        self.window.addAction(action)
        return action

    # ------------------------------------------------------------------ export
    def export(self) -> bool:
        files = self.window.files
        stem = files.display_name().removesuffix(".nedit")
        folder = os.path.dirname(files.path) if files.path else str(Path.home())
        path, chosen = QFileDialog.getSaveFileName(
            self.window, "Export network", os.path.join(folder, stem + ".onnx"), ";;".join(EXPORT_FILTERS)
        )
        if not path:
            return False
        fmt = EXPORT_FILTERS.get(chosen) or ("onnx" if path.endswith(".onnx") else "pytorch")
        if fmt == "onnx" and not path.endswith(".onnx"):
            path += ".onnx"
        elif fmt != "onnx" and not path.endswith(".py"):
            path = str(Path(path).with_suffix(".py"))
        return self.export_to(path, fmt)

    def export_to(self, path: str, fmt: str) -> bool:
        """Write the current network (weights trained so far included); errors in a message box."""
        window = self.window
        training = getattr(window, "training", None)
        if training is not None:
            training.commit()
        try:
            ensure_weights(window.doc)
            written = export_network(window.doc, path, fmt)
        except (GraphProblem, InteropError) as e:
            QMessageBox.critical(window, "Cannot export", f"The network cannot be exported as {fmt}.\n\n{e}")
            return False
        except OSError as e:
            QMessageBox.critical(window, "Cannot export", f"{path} could not be written.\n\n{e.strerror or e}")
            return False
        window.show_status("Exported " + " and ".join(p.name for p in written))
        return True

    # ------------------------------------------------------------------ import
    def import_(self) -> bool:
        files = self.window.files
        if not files.maybe_save():
            return False
        folder = os.path.dirname(files.path) if files.path else ""
        path, _ = QFileDialog.getOpenFileName(self.window, "Import ONNX model", folder, IMPORT_FILTER)
        return bool(path) and self.import_from(path, skip_prompt=True)

    def import_from(self, path: str, skip_prompt: bool = False) -> bool:
        """Open the ONNX model in `path` as a new, unsaved network; a bad file changes nothing."""
        files = self.window.files
        if not skip_prompt and not files.maybe_save():
            return False
        try:
            doc = import_onnx(path)
        except InteropError as e:
            QMessageBox.critical(self.window, "Cannot import", f"{path} cannot be imported.\n\n{e}")
            return False
        files.set_current(doc, None, dirty=True)
        self.window.canvas.frame_all()
        self.window.show_status(f"Imported {Path(path).name}: save it to keep it as a .nedit network")
        return True


def install_interop(window: MainWindow) -> InteropActions:
    return InteropActions(window)
