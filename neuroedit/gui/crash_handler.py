"""Uncaught exceptions in the editor: log the traceback, autosave the document, tell the user.

Installed as `sys.excepthook` (exceptions in Qt slots and event handlers end up there) and
`threading.excepthook` (worker threads); a thread's report is passed to the GUI thread, which
alone may touch the document and show dialogs.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from ..logs import log_path

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)


class CrashHandler(QObject):
    """Shows one dialog per uncaught exception: what happened, that work was autosaved, where the log is."""

    _reported = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.reports: list[str] = []  # messages shown, for tests and the About box
        self._showing = False
        self._reported.connect(self._show)

    def install(self) -> None:
        sys.excepthook = self.handle
        threading.excepthook = self.handle_thread

    def uninstall(self) -> None:
        sys.excepthook = sys.__excepthook__
        threading.excepthook = threading.__excepthook__

    def handle(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        log.critical("uncaught exception", exc_info=(kind, error, tb))
        self._reported.emit(self._summary(kind, error, tb))

    def handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "a worker thread"
        log.critical(
            "uncaught exception in thread %s",
            name,
            exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
        )
        self._reported.emit(self._summary(args.exc_type, args.exc_value, args.exc_traceback))  # queued to the GUI

    @staticmethod
    def _summary(kind: type[BaseException], error: BaseException | None, tb: TracebackType | None) -> str:
        where = traceback.extract_tb(tb)[-1] if tb is not None else None
        place = f" (in {where.name}, {where.filename.rsplit('/', 1)[-1]}:{where.lineno})" if where else ""
        return f"{kind.__name__}: {error}{place}"

    def _show(self, summary: str) -> None:
        saved = self._autosave()
        path = log_path()
        text = (
            f"NeuroEdit hit an unexpected error and may not work correctly until restarted.\n\n{summary}\n\n"
            + (f"Your network was autosaved to {saved}; the next start offers to restore it.\n\n" if saved else "")
            + f"The details are in the log: {path}"
        )
        self.reports.append(text)
        if self._showing:  # an error while the dialog is up: logged and counted, not stacked
            return
        self._showing = True
        try:
            QMessageBox.critical(self.window, "Unexpected error — NeuroEdit", text)
        finally:
            self._showing = False

    def _autosave(self) -> str | None:
        """Write the recovery file first, so that whatever the error broke, the work is safe."""
        try:
            saver = self.window.files.autosaver
            if saver.save_now() and saver.data_path.is_file():
                return str(saver.data_path)
        except Exception:  # the error report must still appear
            log.exception("autosave after an uncaught exception failed")
        return None
