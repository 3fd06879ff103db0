"""The training worker: runs in a QThread, drives the Trainer in short `advance` chunks, never touches widgets.

Every ~0.1 s of training it sends one `Chunk` (events plus NumPy copies of the
statistics the dashboards show) through a queued Qt signal. The engine's kernels
release the GIL, so the GUI thread keeps running while a chunk computes, and the
dashboard draws the running call's losses before its chunk arrives (`Trainer.live_calls`).
Long calls matter: each return from the engine waits for the GIL, which the GUI thread
holds while it paints; with 20 ms calls the worker waited for it ~20% of the time (py-spy).
Controls (pause, step, stop, speed) may be called from any thread; they interrupt the
running call after its current step.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from ...engine.trainer import EpochEnd, Progress, Stopped
from . import probes

log = logging.getLogger(__name__)

CHUNK_SECONDS = 0.1        # training time between two chunks sent to the GUI (one engine call)
STATS_SECONDS = 0.1        # layer statistics at most this often
HIST_SECONDS = 0.5         # histograms and canvas summaries at most this often
BOUNDARY_SECONDS = 0.15    # decision boundary at most this often
# Each time the worker gets the GIL back from NumPy or a kernel it may wait up to this long for the
# GUI thread (Python's default is 5 ms, which would throttle training while plots repaint).
SWITCH_INTERVAL = 0.0005


@dataclass
class Chunk:
    """What one stretch of training produced, ready for the GUI thread (no shared mutable state)."""

    events: list = field(default_factory=list)
    epoch: int = 0
    step: int = 0                    # global steps done so far
    step_in_epoch: int = 0
    steps_per_epoch: int = 1
    epochs_planned: int = 0          # epochs this run will do at most
    epochs_done: int = 0             # epochs completed in this run
    final_epoch: int = 0             # the epoch number this run ends at (unless stopped early)
    layers: dict | None = None
    histograms: dict | None = None
    wires: dict | None = None
    boundary: Any = None
    lr: float = 0.0


class TrainingWorker(QObject):
    """Move to a QThread and connect `thread.started` to `run`. `build()` runs in the thread and returns a session."""

    chunk_ready = Signal(object)      # Chunk
    state_changed = Signal(str, str)  # state (compiling | running | paused | finished | failed), message
    session_ready = Signal(object)    # the TrainingSession, once built
    done = Signal(object)             # Stopped, or None after a failure

    def __init__(self, build: Callable[[], Any], start_paused: bool = False, steps: int | None = None,
                 plane_for: Callable[[Any], Any] | None = None) -> None:
        super().__init__()
        self._build = build
        self._plane_for = plane_for
        self._cond = threading.Condition()
        self._paused = start_paused
        self._budget: int | None = steps
        self._epoch_step = False
        self._stop = False
        self._rate: float | None = None
        self.busy = threading.Lock()   # held while the backend is in use; the GUI commits only when it can take it
        self.session = None
        self.plane = None
        self.boundary_enabled = True
        self.thumbnails = True

    # ------------------------------------------------------------------ controls (any thread)
    def pause(self) -> None:
        with self._cond:
            self._paused = True
            self._budget = None
        self._interrupt()

    def resume(self) -> None:
        with self._cond:
            self._paused, self._budget = False, None
            self._cond.notify_all()

    def step(self, n: int = 1) -> None:
        """Run n steps, then pause."""
        with self._cond:
            self._paused, self._budget, self._epoch_step = True, max(1, int(n)), False
            self._cond.notify_all()

    def step_epoch(self) -> None:
        """Run to the end of the current epoch, then pause."""
        with self._cond:
            self._paused, self._budget, self._epoch_step = True, None, True
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._interrupt()

    def set_speed(self, steps_per_second: float | None) -> None:
        self._rate = float(steps_per_second) if steps_per_second else None
        self._interrupt()

    def _interrupt(self) -> None:
        """End the running engine call after its current step, so that a control acts at once."""
        session = self.session
        if session is not None:
            session.trainer.backend.interrupt()

    # ------------------------------------------------------------------ the thread
    def run(self) -> None:
        from ...engine.numba_backend import add_compile_listener, remove_compile_listener

        def notice(message: str) -> None:
            self.state_changed.emit("compiling", message)

        add_compile_listener(notice)
        try:
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
            self._loop()     # the trainer tunes its BLAS thread count (engine/blas_threads.py)
        except Exception as e:
            log.exception("training failed")  # the traceback goes to the log file
            self.state_changed.emit("failed", f"training failed: {_message(e)}")
            self.done.emit(None)

    def _wait_for_work(self) -> bool:
        """Block while paused with nothing to do; False when stopping."""
        with self._cond:
            announced = False
            while self._paused and self._budget is None and not self._epoch_step and not self._stop:
                if not announced:
                    self.state_changed.emit("paused", "")
                    announced = True
                self._cond.wait()
            if not self._stop and (announced or self._budget is not None or self._epoch_step):
                self.state_changed.emit("running", "")
            return not self._stop

    def _loop(self) -> None:
        trainer = self.session.trainer
        per_step = 1e-4
        last_hist = last_boundary = last_stats = 0.0
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)
        self.state_changed.emit("running", "")
        while True:
            if not self._wait_for_work():
                with self.busy:
                    trainer.stop()
                    events = trainer.advance(1)   # returns Stopped("stopped") at once
                self.chunk_ready.emit(self._chunk(trainer, events, True, True))
                self.done.emit(trainer.finished)
                return
            chunk_start = time.perf_counter()
            events: list = []
            with self.busy:
                while True:
                    rate = self._rate
                    want = max(1, int(CHUNK_SECONDS / per_step)) if rate is None else max(1, int(rate * CHUNK_SECONDS))
                    with self._cond:
                        if self._budget is not None:
                            want = min(want, self._budget)
                        epoch_step = self._epoch_step
                    before, t0 = trainer.global_step, time.perf_counter()
                    events.extend(trainer.advance(want))
                    ran = trainer.global_step - before
                    if ran:
                        per_step = 0.7 * per_step + 0.3 * (time.perf_counter() - t0) / ran
                    with self._cond:
                        if self._budget is not None:
                            self._budget -= max(ran, 1)
                            if self._budget <= 0:
                                self._budget = None
                                break
                        if epoch_step and (trainer.step_in_epoch == 0 or trainer.done):
                            self._epoch_step = False
                            break
                        if self._paused or self._stop:
                            break
                    if trainer.done or rate is not None or time.perf_counter() - chunk_start >= CHUNK_SECONDS:
                        break
                now = time.perf_counter()
                final = trainer.done or self._paused
                want_stats = final or now - last_stats >= STATS_SECONDS
                want_hist = final or now - last_hist >= HIST_SECONDS
                want_boundary = self.plane is not None and (final or now - last_boundary >= BOUNDARY_SECONDS)
                chunk = self._chunk(trainer, events, want_hist, want_boundary, want_stats)
            if want_stats:
                last_stats = now
            if want_hist:
                last_hist = now
            if want_boundary:
                last_boundary = now
            self.chunk_ready.emit(chunk)
            if trainer.done:
                self.done.emit(trainer.finished)
                return
            if rate is not None:
                ran_steps = sum(len(e.losses) for e in events if isinstance(e, Progress))
                time.sleep(max(0.0, ran_steps / rate - (time.perf_counter() - chunk_start)))

    def _chunk(self, trainer, events: list, with_hist: bool, with_boundary: bool, with_stats: bool = True) -> Chunk:
        c = Chunk(events=events, epoch=trainer.epoch_offset + trainer.epoch + (0 if trainer.step_in_epoch == 0 else 1),
                  step=trainer.global_step, step_in_epoch=trainer.step_in_epoch,
                  steps_per_epoch=trainer.steps_per_epoch, epochs_planned=trainer.config.epochs,
                  epochs_done=trainer.epoch, final_epoch=trainer.epoch_offset + trainer.config.epochs,
                  lr=trainer.current_lr())
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


__all__ = ["Chunk", "TrainingWorker", "EpochEnd", "Progress", "Stopped"]
