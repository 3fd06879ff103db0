"""Compile the training kernels in the background at launch, so that the first Train press does not wait.

On a new install Numba compiles the kernels once (then they load from its disk cache). The
editor starts that compile in a separate process as soon as the window opens: the GUI keeps
its responsiveness (compiling is mostly Python, which would hold the GIL in a thread) and the
work uses another core. A Train press while it runs waits for the training kernels to be on disk,
then loads them; the plots' probes wait in the same way for the inference kernels.
"""

from __future__ import annotations

import subprocess
import time

from PySide6.QtCore import QObject, QTimer, Signal

POLL_MS = 500
WAIT_POLL_S = 0.1
COMPILE = "from neuroedit.engine.numba_backend import prepare_kernels; prepare_kernels({dtype!r})"


def launch(dtype: str = "float32") -> subprocess.Popen | None:
    """Start the background compile unless the kernels are on disk; None when none was started.

    `neuroedit FILE` calls this before it imports the rest of the GUI and builds the window,
    so the compile has those seconds too.
    """
    from ...engine.numba_backend import PARTS, kernels_cached, start_python

    if all(kernels_cached(part) for part in PARTS):
        return None
    return start_python(COMPILE.format(dtype=dtype))  # None: training compiles when first pressed


class KernelWarmup(QObject):
    """One background compile. `message` carries the status-bar text; `wait()` blocks until it is done."""

    message = Signal(str)

    def __init__(self, parent: QObject | None = None, dtype: str = "float32") -> None:
        super().__init__(parent)
        self.dtype = dtype
        self.process: subprocess.Popen | None = None
        self._started = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    def start(self, process: subprocess.Popen | None = None) -> bool:
        """Start compiling unless the kernels are already on disk, or adopt a compile `launch` started
        before the window was built; True when a compile runs."""
        self.process = process if process is not None else launch(self.dtype)
        if self.process is None:
            return False
        self._started = time.perf_counter()
        self.message.emit("Preparing the training engine in the background (first run only)...")
        self._timer.start()
        return True

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def pending(self, part: str) -> bool:
        """Whether the background compile is still working towards `part`'s kernels ("training", or
        "steps": predictions and values, the plots' probes)."""
        from ...engine.numba_backend import kernels_cached

        return self.running and not kernels_cached(part)

    def wait(self, part: str = "training") -> None:
        """Block until `part`'s kernels are on disk or the background compile has ended (any thread).

        Loading them from disk then takes a fraction of a second; compiling them in this process
        as well would only take the CPU from the compile that is about to write them.
        """
        while self.pending(part):
            time.sleep(WAIT_POLL_S)

    def stop(self) -> None:
        """The window closes: a half-done compile is of no use to anyone."""
        self._timer.stop()
        process = self.process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def _poll(self) -> None:
        if self.running:
            return
        self._timer.stop()
        took = time.perf_counter() - self._started
        ok = self.process is not None and self.process.returncode == 0
        self.message.emit(f"Training engine ready ({took:.0f} s)" if ok else "")
