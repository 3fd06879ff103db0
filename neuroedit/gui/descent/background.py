"""One computation at a time off the GUI thread; only the newest request's result is delivered.

Loss curves and surfaces run the reference backend for many weight settings; doing that
in the GUI thread would freeze the window. A request made while one runs waits, and a
newer request replaces a waiting one, so fast changes (training chunks) never pile up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class Background(QObject):
    done = Signal(int, object)  # token of the request, its result
    failed = Signal(int, str)  # token, one-line reason

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: tuple[int, Callable[[], Any]] | None = None
        self._busy = False
        self.token = 0

    def submit(self, work: Callable[[], Any]) -> int:
        """Queue `work`; returns its token (compare with `token` to know whether a result is still wanted)."""
        with self._lock:
            self.token += 1
            self._pending = (self.token, work)
            if self._busy:
                return self.token
            self._busy = True
        threading.Thread(target=self._loop, daemon=True, name="descent-background").start()
        return self.token

    @property
    def busy(self) -> bool:
        return self._busy

    def _loop(self) -> None:
        while True:
            with self._lock:
                if self._pending is None:
                    self._busy = False
                    return
                token, work = self._pending
                self._pending = None
            try:
                result = work()
            except Exception as e:  # any failure becomes a one-line reason; the GUI keeps running
                self._emit(self.failed, token, str(e).splitlines()[0] if str(e) else type(e).__name__)
                continue
            self._emit(self.done, token, result)

    @staticmethod
    def _emit(signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the window went away while this ran
            pass
