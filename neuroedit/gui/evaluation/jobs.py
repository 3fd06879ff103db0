"""Background jobs for the evaluation panels: work runs in a Python thread, results come back as queued signals."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class Job(QObject):
    """`work(report)` runs in its own thread; `report(value)` emits `progress`. Lives in the GUI thread, so the
    signals it emits from the worker thread are queued into the GUI thread."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable[[Callable[[Any], None]], Any], name: str) -> None:
        super().__init__()  # no parent: closing the window must not delete a job whose thread still runs
        self._work = work
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.cancelled = False

    def start(self) -> None:
        self._thread.start()

    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            result = self._work(self.progress.emit)
        except Exception as e:  # the job boundary: any failure becomes a one-line message
            if not isinstance(e, ValueError):  # the expected problems (data, shapes) are ValueErrors
                traceback.print_exc()
            message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            self._emit(self.failed, message)
            return
        self._emit(self.finished, result)

    @staticmethod
    def _emit(signal, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the application is shutting down: nobody is left to tell
            pass
