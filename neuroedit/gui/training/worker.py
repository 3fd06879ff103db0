"""The training worker: runs in a QThread, drives the Trainer in short `advance` chunks, never touches widgets.

Every ~0.1 s of training it sends one `Chunk` (events plus NumPy copies of the
statistics the dashboards show) through a queued Qt signal. The engine's kernels
release the GIL, so the GUI thread keeps running while a chunk computes, and the
dashboard draws the running call's losses before its chunk arrives (`Trainer.live_calls`).
Long calls matter: each return from the engine waits for the GIL, which the GUI thread
holds while it paints, so with short calls the worker spends much of its time waiting
(figures in docs/benchmarks.md).
Controls (`worker.control`: pause, step, step-epoch, stop, speed; engine/control.py) may be
called from any thread; they interrupt the running call after its current step.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from ...engine.control import RunControl
from ...engine.trainer import Epochs, Progress, Stopped
from . import probes

log = logging.getLogger(__name__)

CHUNK_SECONDS = 0.1  # training time between two chunks sent to the GUI (one engine call)
STATS_SECONDS = 0.1  # layer statistics at most this often
HIST_SECONDS = 0.5  # histograms and canvas summaries at most this often
BOUNDARY_SECONDS = 0.15  # decision boundary at most this often
# Each time the worker gets the GIL back from NumPy or a kernel it may wait up to this long for the
# GUI thread (Python's default is 5 ms, which would throttle training while plots repaint).
SWITCH_INTERVAL = 0.0005


class BackgroundCompile(Protocol):
    """The kernels compiling in another process since launch (warmup.KernelWarmup)."""

    def pending(self, part: str) -> bool: ...

    def wait(self, part: str) -> None: ...


@dataclass
class Chunk:
    """What one stretch of training produced, ready for the GUI thread (no shared mutable state)."""

    events: list = field(default_factory=list)
    epoch: int = 0
    step: int = 0  # global steps done so far
    step_in_epoch: int = 0
    steps_per_epoch: int = 1
    epochs_planned: int = 0  # epochs this run will do at most
    epochs_done: int = 0  # epochs completed in this run
    final_epoch: int = 0  # the epoch number this run ends at (unless stopped early)
    layers: dict | None = None
    histograms: dict | None = None
    wires: dict | None = None
    boundary: Any = None
    lr: float = 0.0


class TrainingWorker(QObject):
    """Move to a QThread and connect `thread.started` to `run`. `build()` runs in the thread and returns a session."""

    chunk_ready = Signal(object)  # Chunk
    state_changed = Signal(str, str)  # state (compiling | running | paused | finished | failed), message
    session_ready = Signal(object)  # the TrainingSession, once built
    done = Signal(object)  # Stopped, or None after a failure

    def __init__(
        self,
        build: Callable[[], Any],
        start_paused: bool = False,
        steps: int | None = None,
        plane_for: Callable[[Any], Any] | None = None,
        launch_compile: BackgroundCompile | None = None,
    ) -> None:
        super().__init__()
        self._build = build
        # the kernels compiling in the background since launch: this thread waits for them rather than
        # compile them a second time, and the live plots go on without the decision boundary meanwhile
        self._launch_compile = launch_compile
        self._plane_for = plane_for
        # pause, step, step-epoch, speed and stop: the engine's one control loop (any thread may call them)
        self.control = RunControl(CHUNK_SECONDS, start_paused, steps)
        self.busy = threading.Lock()  # held while the backend is in use; the GUI commits only when it can take it
        self.session = None
        self.plane = None
        self.boundary_enabled = True
        self.thumbnails = True

    # ------------------------------------------------------------------ the thread
    def run(self) -> None:
        from ...engine.numba_backend import add_compile_listener, remove_compile_listener

        def notice(message: str) -> None:
            self.state_changed.emit("compiling", message)

        add_compile_listener(notice)
        try:
            if self._launch_compile is not None and self._launch_compile.pending("training"):
                self.state_changed.emit("compiling", "finishing the training engine started at launch...")
                self._launch_compile.wait("training")
            self.state_changed.emit("compiling", "preparing the network and loading data...")
            self.session = self._build()
            self.plane = self._plane_for(self.session) if self._plane_for is not None else None
        except Exception as e:  # a bad data set or network: report it, never crash the editor
            log.warning("training could not start: %s", _message(e), exc_info=True)
            self.state_changed.emit("failed", _message(e))
            self.done.emit(None)
            return
        finally:
            remove_compile_listener(notice)
        self.session_ready.emit(self.session)
        try:
            self._loop()  # the trainer tunes its BLAS thread count (engine/blas_threads.py)
        except Exception as e:
            log.exception("training failed")  # the traceback goes to the log file
            self.state_changed.emit("failed", f"training failed: {_message(e)}")
            self.done.emit(None)

    def _loop(self) -> None:
        trainer = self.session.trainer
        last_hist = last_boundary = last_stats = 0.0
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)
        self.state_changed.emit("running", "")
        for events in self.control.calls(trainer, self.busy, lambda state: self.state_changed.emit(state, "")):
            # the busy lock is held here: the probes read the backend
            now = time.perf_counter()
            final = trainer.done or self.control.paused
            want_stats = final or now - last_stats >= STATS_SECONDS
            want_hist = final or now - last_hist >= HIST_SECONDS
            launch = self._launch_compile
            inference_pending = launch is not None and launch.pending("steps")
            want_boundary = self.plane is not None and (
                final or (now - last_boundary >= BOUNDARY_SECONDS and not inference_pending)
            )
            if want_boundary and launch is not None and inference_pending:
                # the final picture's kernels are seconds away at most: what the call did goes out now,
                # the boundary follows in a chunk of its own
                self.chunk_ready.emit(self._chunk(trainer, events, want_hist, False, want_stats))
                events = []
                launch.wait("steps")
            chunk = self._chunk(trainer, events, want_hist, want_boundary, want_stats)
            if want_stats:
                last_stats = now
            if want_hist:
                last_hist = now
            if want_boundary:
                last_boundary = now
            self.chunk_ready.emit(chunk)
        self.done.emit(trainer.finished)

    def _chunk(self, trainer, events: list, with_hist: bool, with_boundary: bool, with_stats: bool = True) -> Chunk:
        c = Chunk(
            events=events,
            epoch=trainer.epoch_offset + trainer.epoch + (0 if trainer.step_in_epoch == 0 else 1),
            step=trainer.global_step,
            step_in_epoch=trainer.step_in_epoch,
            steps_per_epoch=trainer.steps_per_epoch,
            epochs_planned=trainer.config.epochs,
            epochs_done=trainer.epoch,
            final_epoch=trainer.epoch_offset + trainer.config.epochs,
            lr=trainer.current_lr(),
        )
        if with_stats and trainer.global_step > 0:
            c.layers = trainer.layer_stats()
        if with_hist:
            c.histograms = probes.histograms(trainer)
            c.wires = probes.wire_summary(trainer.backend)
        if with_boundary and self.plane is not None and self.boundary_enabled:
            c.boundary = probes.boundary(trainer.backend, self.plane, self.thumbnails)
        return c


def _message(e: Exception) -> str:
    return str(e).strip() or type(e).__name__


__all__ = ["Chunk", "Epochs", "Progress", "Stopped", "TrainingWorker"]
