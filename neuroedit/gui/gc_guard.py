"""While a worker thread runs Python code, the cyclic garbage collector runs only in the GUI thread.

Automatic collection runs in whichever thread happens to allocate; if a worker thread collected
unreachable Qt objects (e.g. of a closed window), their C++ destructors would run there, which
Qt forbids and which deadlocked or crashed the GUI (observed with the training worker). So while
any worker holds the guard the automatic collector is paused and a timer collects in the GUI
thread instead. One guard for the process: the collector is one setting too.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

GC_MS = 500  # collection interval (GUI thread) while a worker runs


class GuiThreadCollector(QObject):
    """`hold()` when a worker thread starts, `release()` when it ends (GUI thread); holds nest."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.holds = 0
        self._paused_here = False
        self._timer = QTimer(self)
        self._timer.setInterval(GC_MS)
        self._timer.timeout.connect(lambda: gc.collect(1))

    def hold(self) -> None:
        self.holds += 1
        if self.holds == 1 and gc.isenabled():
            gc.collect()
            gc.disable()
            self._paused_here = True
            self._timer.start()

    def release(self) -> None:
        if self.holds == 0:
            return
        self.holds -= 1
        if self.holds == 0 and self._paused_here:
            self._timer.stop()
            self._paused_here = False
            gc.enable()


_shared: GuiThreadCollector | None = None


def gui_thread_collector() -> GuiThreadCollector:
    """The process's guard (a child of the QApplication)."""
    global _shared
    if _shared is None:
        _shared = GuiThreadCollector(QApplication.instance())
    return _shared
