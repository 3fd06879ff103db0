"""At most one call per interval, and never a lost last one.

Labels that follow a fast stream (training chunks) repaint at a few Hz; a request that comes too
soon after the last call is served at the end of the interval, so the label never stays behind
the stream when it pauses (say while the run's last chunk is prepared).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Throttle(QObject):
    def __init__(self, seconds: float, call: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._seconds = seconds
        self._call = call
        self._last = -math.inf
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)

    def request(self) -> None:
        """Call now, or at the end of the current interval (one call however many requests came)."""
        if self._timer.isActive():
            return
        wait = self._last + self._seconds - time.perf_counter()
        if wait <= 0:
            self._fire()
        else:
            self._timer.start(max(1, math.ceil(wait * 1000)))

    def _fire(self) -> None:
        self._last = time.perf_counter()
        self._call()
