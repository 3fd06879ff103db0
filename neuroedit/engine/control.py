"""The one control loop of a training run: engine calls sized by time, and pause, step, step-epoch, speed, stop.

`RunControl.calls(trainer)` drives a Trainer in engine calls of about `call_seconds` each and
yields each call's events. The controls may be called from any thread (a GUI's buttons); they
interrupt the running call after its current step, so they act at once. The editor's worker,
the CLI and `fit` all train through this loop.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

from .trainer import Event, Progress, Trainer

# A call never grows past this factor of the last one (the first calls include compiling and warm-up).
GROWTH = 8


class RunControl:
    def __init__(self, call_seconds: float = 0.1, start_paused: bool = False, steps: int | None = None) -> None:
        self.call_seconds = call_seconds
        self._cond = threading.Condition()
        self._paused = start_paused or steps is not None
        self._budget: int | None = steps
        self._epoch_step = False
        self._stop = False
        self._rate: float | None = None
        self._trainer: Trainer | None = None

    # ------------------------------------------------------------------ controls (any thread)
    def pause(self) -> None:
        with self._cond:
            self._paused, self._budget, self._epoch_step = True, None, False
        self._interrupt()

    def resume(self) -> None:
        with self._cond:
            self._paused, self._budget, self._epoch_step = False, None, False
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
        """About this many steps per second (None: as fast as possible)."""
        self._rate = float(steps_per_second) if steps_per_second else None
        self._interrupt()

    @property
    def paused(self) -> bool:
        return self._paused and self._budget is None and not self._epoch_step

    def _interrupt(self) -> None:
        trainer = self._trainer
        if trainer is not None:
            trainer.backend.interrupt()

    # ------------------------------------------------------------------ the loop
    def _wait(self, on_state: Callable[[str], None] | None) -> bool:
        """Block while paused with nothing to do; False when stopping."""
        with self._cond:
            announced = False
            while self._paused and self._budget is None and not self._epoch_step and not self._stop:
                if not announced and on_state is not None:
                    on_state("paused")
                announced = True
                self._cond.wait()
            if announced and not self._stop and on_state is not None:
                on_state("running")
            return not self._stop

    def calls(
        self,
        trainer: Trainer,
        lock: AbstractContextManager | None = None,
        on_state: Callable[[str], None] | None = None,
    ) -> Iterator[list[Event]]:
        """Train to the end, yielding each engine call's events (the lock is held while they are yielded).

        `on_state("paused" | "running")` is called when the loop starts or stops waiting.
        """
        self._trainer = trainer
        lock = lock if lock is not None else contextlib.nullcontext()
        want = max(1, trainer.config.report_every or trainer.steps_per_epoch)
        per_step: float | None = None
        while not trainer.done:
            if not self._wait(on_state):
                with lock:
                    trainer.stop()
                    yield trainer.advance(1)  # Stopped("stopped") at once
                return
            rate = self._rate
            steps = want if per_step is None else max(1, int(self.call_seconds / per_step))
            if rate is not None:
                steps = max(1, int(rate * self.call_seconds))
            with self._cond:
                if self._budget is not None:
                    steps = min(steps, self._budget)
                epochs = 1 if self._epoch_step else trainer.config.epochs_per_call
            start, before = time.perf_counter(), trainer.global_step
            with lock:
                events = trainer.advance(steps, epochs)
                ran = trainer.global_step - before
                elapsed = time.perf_counter() - start
                with self._cond:
                    if self._budget is not None:
                        self._budget -= max(ran, 1)
                        if self._budget <= 0:
                            self._budget = None
                    if self._epoch_step and (trainer.step_in_epoch == 0 or trainer.done):
                        self._epoch_step = False
                yield events
            if ran:
                per_step = max(elapsed / ran, self.call_seconds / (GROWTH * ran))
            if rate is not None:
                done = sum(len(e.losses) for e in events if isinstance(e, Progress))
                time.sleep(max(0.0, done / rate - (time.perf_counter() - start)))
