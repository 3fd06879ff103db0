"""The training loop shared by the GUI, the CLI and the Python API (no Qt).

`Trainer.advance(n)` runs up to n steps (never past an epoch end) and returns the
events they produced; `Trainer.run_iter()` is a generator a GUI worker thread
drives, honouring pause / resume / single step / step epoch / stop requests made
from another thread. Learning-rate and regularisation changes are queued and
take effect at the next step.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

import numpy as np

from .backend import Backend
from .blas_threads import ThreadTuner, shared_blas_threads
from .optimizers import OptimizerConfig
from .schedules import Schedule

SATURATING = ("sigmoid", "tanh")
# reduce_on_plateau: smaller improvements of the monitored loss count as a stall (Keras's default).
PLATEAU_MIN_DELTA = 1e-4
RELU_LIKE = ("relu",)


@dataclass
class EarlyStopping:
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs."""

    monitor: str = "val_loss"
    min_delta: float = 0.0
    patience: int = 10
    restore_best_weights: bool = True

    @property
    def maximise(self) -> bool:
        return "accuracy" in self.monitor


@dataclass
class TrainConfig:
    epochs: int = 100
    batch_mode: str = "minibatch"          # full | stochastic | minibatch
    batch_size: int = 32
    shuffle: bool = True
    seed: int = 0
    learning_rate: float = 0.01
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    schedule: Schedule = field(default_factory=Schedule)
    early_stopping: EarlyStopping | None = None
    report_every: int = 0                  # steps per report; 0 = once per epoch
    updates_per_epoch: int = 0             # 0: an epoch is one pass over the data; N: N updates (lecture 2: 250)
    report_seconds: float | None = None    # adapt the report interval to about this much time
    layer_stats: bool = True
    blas_threads: int | None = None        # None: measure which count trains fastest (blas_threads.py)

    @classmethod
    def from_settings(cls, s: Mapping[str, Any]) -> "TrainConfig":
        """From a document's training settings (names as in model/settings.py)."""
        es = None
        if s.get("early_stopping"):
            es = EarlyStopping(s.get("es_monitor", "val_loss"), float(s.get("es_min_delta", 0.0)),
                               int(s.get("es_patience", 10)), bool(s.get("es_restore_best", True)))
        return cls(
            epochs=int(s.get("epochs", 100)), batch_mode=str(s.get("batch_mode", "minibatch")),
            batch_size=int(s.get("batch_size", 32)), shuffle=bool(s.get("shuffle", True)), seed=int(s.get("seed", 0)),
            learning_rate=float(s.get("learning_rate", 0.01)),
            optimizer=OptimizerConfig(str(s.get("optimizer", "sgd")), {k: s[k] for k in (
                "momentum", "beta_1", "beta_2", "rho", "epsilon", "weight_decay") if k in s}),
            schedule=Schedule(str(s.get("schedule", "constant")), float(s.get("schedule_factor", 0.5)),
                              int(s.get("schedule_every", 10)), int(s.get("schedule_patience", 5)),
                              float(s.get("final_learning_rate", 1e-4)), int(s.get("decay_steps", 1000)),
                              float(s.get("decay_rate", 1e-3)), float(s.get("max_learning_rate", 0.1))),
            early_stopping=es, updates_per_epoch=int(s.get("updates_per_epoch", 0)),
        )


@dataclass
class LayerStats:
    grad_norm: float
    update_ratio: float          # |Δw| / |w| of the last step
    weight_mean: float
    weight_std: float
    dead_fraction: float | None = None       # ReLU units that output 0 for the whole batch
    saturated_fraction: float | None = None  # sigmoid/tanh outputs within 1% of their limits


@dataclass
class Progress:
    """Steps first_step .. first_step+len(losses)-1 (global, 0-based) of epoch `epoch` (1-based)."""

    epoch: int
    first_step: int
    step_in_epoch: int
    steps_per_epoch: int
    losses: np.ndarray
    metrics: np.ndarray
    lrs: np.ndarray
    layers: dict[str, LayerStats] | None = None


@dataclass(frozen=True)
class LiveCall:
    """An engine call, running or just returned, for another thread to show its steps before its
    Progress event (same epoch and first_step) is handled."""

    epoch: int
    first_step: int
    step_in_epoch: int
    steps_per_epoch: int
    losses: np.ndarray           # NaN until a step is done
    lrs: np.ndarray
    counter: np.ndarray          # the backend's live array: [steps done in the running call, interrupt]
    final: np.ndarray = field(default_factory=lambda: np.full(1, -1, np.int64))   # steps done, once returned

    def finished_losses(self) -> np.ndarray:
        """Losses of the steps done so far (the counter may already count a later call's steps)."""
        final = int(self.final[0])
        done = final if final >= 0 else min(int(self.counter[0]), len(self.losses))
        losses = self.losses[:done]
        bad = np.flatnonzero(np.isnan(losses))
        return losses[:bad[0]] if len(bad) else losses


@dataclass
class EpochEnd:
    epoch: int
    logs: dict[str, float]       # Keras names: loss, accuracy|mae, val_loss, val_accuracy|val_mae, lr
    best_epoch: int | None = None


@dataclass
class Stopped:
    reason: str                  # finished | early_stopping | nonfinite | stopped
    message: str
    epoch: int
    step: int
    node: str | None = None


Event = Progress | EpochEnd | Stopped


class Trainer:
    def __init__(self, backend: Backend, x: Any, y: Any, config: TrainConfig,
                 validation: tuple[Any, Any] | None = None, history: Mapping[str, list] | None = None) -> None:
        self.backend = backend
        self.config = config
        self.X = backend.pack_inputs(x)
        self.Y = backend.pack_targets(y, len(self.X))
        if len(self.X) == 0:
            raise ValueError("there are no training samples")
        self.Xv = self.Yv = None
        if validation is not None and validation[0] is not None and len(validation[0]):
            self.Xv = backend.pack_inputs(validation[0])
            self.Yv = backend.pack_targets(validation[1], len(self.Xv))
        backend.set_optimizer(config.optimizer)
        n = len(self.X)
        self.batch_size = {"full": n, "stochastic": 1}.get(config.batch_mode, max(1, min(config.batch_size, n)))
        self.steps_per_epoch = config.updates_per_epoch or math.ceil(n / self.batch_size)
        self.config.schedule.total_steps = max(1, config.epochs * self.steps_per_epoch)
        self.history: dict[str, list] = {k: list(v) for k, v in (history or {}).items()}
        self.epoch_offset = len(self.history.get("loss", []))
        self.epoch = 0                    # epochs completed in this run
        self.step_in_epoch = 0
        self.global_step = backend.iterations
        self.lr0 = config.learning_rate
        self._plateau_scale = 1.0
        self._plateau_best = math.inf
        self._plateau_wait = 0
        self._order = self._epoch_order(0)
        self._epoch_losses: list[np.ndarray] = []
        self._epoch_metrics: list[np.ndarray] = []
        self._epoch_sizes: list[np.ndarray] = []
        self._pending: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._running = threading.Event()
        self._running.set()
        self._stop = False
        self._step_budget: int | None = None
        self._best: tuple[float, int, np.ndarray, np.ndarray] | None = None
        self._es_wait = 0
        self._chunk = config.report_every or self.steps_per_epoch
        self.threads: ThreadTuner | None = None
        self._calls_done = 0
        self._max_rate: float | None = None
        self.finished: Stopped | None = None
        self.live_calls: tuple[LiveCall, ...] = ()   # the last engine call and the one running now
        self.metric = backend.metric

    # ------------------------------------------------------------------ controls (any thread)
    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._step_budget = None
        self._running.set()

    def stop(self) -> None:
        self._stop = True
        self._running.set()

    def request_steps(self, n: int = 1) -> None:
        """While paused: run exactly n more steps, then pause again (the Step button)."""
        self._step_budget = n
        self._running.set()

    def request_epoch(self) -> None:
        """While paused: run to the end of the current epoch, then pause again."""
        self.request_steps(self.steps_per_epoch - self.step_in_epoch)

    def set_speed(self, steps_per_second: float | None) -> None:
        """Slow training down to about this many steps per second (None: as fast as possible)."""
        self._max_rate = float(steps_per_second) if steps_per_second else None

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def set_learning_rate(self, lr: float) -> None:
        self._queue(lambda: setattr(self, "lr0", float(lr)))

    def set_op_param(self, op_id: str, name: str, value: Any) -> None:
        """L1/L2, dropout rate, BatchNorm momentum/epsilon, activation α, from the next step on."""
        self._queue(lambda: self.backend.set_op_param(op_id, name, value))

    def _queue(self, change: Callable[[], None]) -> None:
        with self._lock:
            self._pending.append(change)
        self.backend.interrupt()      # the running call ends after its current step; the next applies it

    def _apply_pending(self) -> None:
        with self._lock:
            changes, self._pending = self._pending, []
        for change in changes:
            change()

    # ------------------------------------------------------------------ running
    @property
    def done(self) -> bool:
        return self.finished is not None

    def current_lr(self, k: int | None = None) -> float:
        k = self.global_step if k is None else k
        return self.config.schedule.rate(self.lr0, k, self.epoch_offset + self.epoch, self._plateau_scale)

    def advance(self, max_steps: int) -> list[Event]:
        """Run up to max_steps steps of the current epoch; handles the epoch's end."""
        if self.done:
            return []
        if self._stop:
            return [self._finish("stopped", "stopped by the user")]
        self.backend.clear_interrupt()   # an interrupt from now on ends the coming call early
        self._apply_pending()
        n = max(1, min(max_steps, self.steps_per_epoch - self.step_in_epoch))
        start = self.step_in_epoch * self.batch_size
        bounds = np.minimum(np.arange(start, start + (n + 1) * self.batch_size, self.batch_size), len(self._order))
        lrs = np.array([self.current_lr(self.global_step + i) for i in range(n)])
        tuner = self.threads
        if tuner is not None:
            tuner.begin()
        losses = np.full(n, np.nan)
        call = LiveCall(self.epoch_offset + self.epoch + 1, self.global_step, self.step_in_epoch,
                        self.steps_per_epoch, losses, lrs, self.backend.live)
        self.live_calls = self.live_calls[-1:] + (call,)
        t0 = time.perf_counter()
        r = self.backend.train(self.X, self.Y, self._order, bounds, lrs, losses)
        call.final[0] = r.steps
        if tuner is not None:
            tuner.end(time.perf_counter() - t0, r.steps)
        elif self._calls_done:      # not the first call: compiling is over and BLAS is loaded
            self.threads = ThreadTuner(shared_blas_threads(), self.config.blas_threads)
        self._calls_done += 1
        events: list[Event] = []
        if r.steps:
            self._epoch_losses.append(r.losses)
            self._epoch_metrics.append(r.metrics)
            self._epoch_sizes.append(r.sizes)
            events.append(Progress(self.epoch_offset + self.epoch + 1, self.global_step, self.step_in_epoch,
                                   self.steps_per_epoch, r.losses, r.metrics, lrs[:r.steps],
                                   self.layer_stats() if self.config.layer_stats else None))
            self.global_step += r.steps
            self.step_in_epoch += r.steps
        if r.failed_step is not None:
            events.append(self._nonfinite(bounds[r.failed_step], bounds[r.failed_step + 1],
                                          r.failed_step - r.steps))
            return events
        if self.step_in_epoch >= self.steps_per_epoch:
            events.extend(self._end_epoch())
        return events

    def run_iter(self) -> Iterator[Event]:
        """Train to the end, yielding events; blocks while paused (controls come from other threads)."""
        while not self.done:
            self._running.wait()
            budget = self._step_budget
            rate = self._max_rate
            chunk = self._chunk if rate is None else max(1, int(rate / 30))
            want = chunk if budget is None else min(chunk, budget)
            t0 = time.perf_counter()
            before = self.global_step
            events = self.advance(want)
            if budget is not None:
                self._step_budget = budget - (self.global_step - before)
                if self._step_budget <= 0:
                    self._step_budget = None
                    self._running.clear()
            elapsed = time.perf_counter() - t0
            self._adapt_chunk(elapsed, self.global_step - before)
            if rate is not None:
                time.sleep(max(0.0, (self.global_step - before) / rate - elapsed))
            yield from events

    def run(self, callback: Callable[[Event], None] | None = None) -> Stopped:
        for event in self.run_iter():
            if callback is not None:
                callback(event)
        assert self.finished is not None
        return self.finished

    def _adapt_chunk(self, elapsed: float, steps: int) -> None:
        target = self.config.report_seconds
        if not target or steps <= 0 or elapsed <= 0:
            return
        per_step = elapsed / steps
        self._chunk = int(max(1, min(self.steps_per_epoch, target / per_step)))

    # ------------------------------------------------------------------ epochs
    def _epoch_order(self, epoch: int) -> np.ndarray:
        if self.config.updates_per_epoch:    # N updates: passes over the data, back to back, cut after N batches
            want = self.config.updates_per_epoch * self.batch_size
            passes = [self._pass_order(epoch, k) for k in range(math.ceil(want / len(self.X)))]
            return np.concatenate(passes)[:want]
        return self._pass_order(epoch, 0)

    def _pass_order(self, epoch: int, k: int) -> np.ndarray:
        n = len(self.X)
        if not self.config.shuffle or self.config.batch_mode == "full":
            return np.arange(n, dtype=np.int64)
        rng = np.random.default_rng([self.config.seed, self.epoch_offset + epoch] + ([k] if k else []))
        return rng.permutation(n).astype(np.int64)

    def _end_epoch(self) -> list[Event]:
        sizes = np.concatenate(self._epoch_sizes).astype(float)
        logs: dict[str, float] = {"loss": float(np.dot(np.concatenate(self._epoch_losses), sizes) / sizes.sum())}
        if self.metric:
            logs[self.metric] = float(np.dot(np.concatenate(self._epoch_metrics), sizes) / sizes.sum())
        if self.Xv is not None:
            vl, vm = self.backend.evaluate(self.Xv, self.Yv)
            logs["val_loss"] = vl
            if self.metric:
                logs[f"val_{self.metric}"] = vm
        logs["lr"] = self.current_lr(self.global_step - 1)
        self.epoch += 1
        epoch_number = self.epoch_offset + self.epoch
        self.history.setdefault("epoch", []).append(epoch_number)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)
        self._epoch_losses, self._epoch_metrics, self._epoch_sizes = [], [], []
        self.step_in_epoch = 0
        self._order = self._epoch_order(self.epoch)
        self._update_plateau(logs)
        events: list[Event] = [EpochEnd(epoch_number, logs, self._best[1] if self._best else None)]
        stop = self._early_stopping(logs, epoch_number)
        if stop is not None:
            events[0].best_epoch = self._best[1] if self._best else None
            events.append(stop)
        elif self.epoch >= self.config.epochs:
            events.append(self._finish("finished", f"finished {self.epoch} epochs"))
        elif self._stop:
            events.append(self._finish("stopped", "stopped by the user"))
        return events

    def _monitored(self, logs: Mapping[str, float], name: str) -> float | None:
        if name in logs:
            return logs[name]
        if name.startswith("val_") and name[4:] in logs:
            return logs[name[4:]]
        return None

    def _update_plateau(self, logs: Mapping[str, float]) -> None:
        sch = self.config.schedule
        if sch.name != "reduce_on_plateau":
            return
        value = self._monitored(logs, "val_loss")
        if value is None:
            return
        if value < self._plateau_best - PLATEAU_MIN_DELTA:
            self._plateau_best, self._plateau_wait = value, 0
        else:
            self._plateau_wait += 1
            if self._plateau_wait >= sch.patience:
                self._plateau_scale *= sch.factor
                self._plateau_wait = 0

    def _early_stopping(self, logs: Mapping[str, float], epoch_number: int) -> Stopped | None:
        es = self.config.early_stopping
        if es is None:
            return None
        value = self._monitored(logs, es.monitor)
        if value is None or not math.isfinite(value):
            return None
        better = (self._best is None or (value > self._best[0] + es.min_delta if es.maximise
                                         else value < self._best[0] - es.min_delta))
        if better:
            self._best = (value, epoch_number, self.backend.theta.copy(), self.backend.frozen.copy())
            self._es_wait = 0
            return None
        self._es_wait += 1
        if self._es_wait < es.patience:
            return None
        restored = ""
        if es.restore_best_weights and self._best is not None:
            self.backend.theta[:] = self._best[2]
            self.backend.frozen[:] = self._best[3]
            restored = f"; restored the weights of epoch {self._best[1]}"
        return self._finish("early_stopping", f"early stopping at epoch {epoch_number}: {es.monitor} did not "
                                              f"improve for {es.patience} epochs{restored}")

    def _finish(self, reason: str, message: str, node: str | None = None) -> Stopped:
        self.finished = Stopped(reason, message, self.epoch_offset + self.epoch, self.global_step, node)
        if self.threads is not None:     # NumPy work after training gets the usual BLAS threads back
            self.threads.blas.restore()
        return self.finished

    # ------------------------------------------------------------------ diagnostics
    def _nonfinite(self, lo: int, hi: int, ahead: int = 0) -> Stopped:
        """`ahead` > 0 when an update overflowed and the weights went back `ahead` steps before the failure."""
        idx = self._order[lo:hi]
        node, what = locate_nonfinite(self.backend, self.X[idx], self.Y[idx])
        step = self.global_step + ahead + 1
        return self._finish("nonfinite", f"stopped at step {step} (epoch {self.epoch_offset + self.epoch + 1}): "
                                         f"{what} became NaN/Inf first in node {node}; "
                                         "the weights of the last finite step are kept", node)

    def layer_stats(self) -> dict[str, LayerStats]:
        """Per op with weights: gradient norm, |Δw|/|w|, weight mean/std, and activation health."""
        b = self.backend
        out: dict[str, LayerStats] = {}
        values = b.last_values()
        for op in b.graph.ops:
            segs = [s for s in b.layout.trainable if s.op_id == op.id]
            act = op.params.get("activation") if op.type in ("Dense", "Activation") else None
            if not segs and act not in SATURATING + RELU_LIKE:
                continue
            if segs:
                sl = slice(segs[0].start, segs[-1].stop)
                w = b.theta[sl].astype(np.float64)
                wn = float(np.linalg.norm(w))
                st = LayerStats(float(np.linalg.norm(b.last_grad[sl])),
                                float(np.linalg.norm(b.last_update[sl])) / wn if wn > 0 else 0.0,
                                float(w.mean()), float(w.std()))
            else:
                st = LayerStats(0.0, 0.0, 0.0, 0.0)
            v = values.get(op.id)
            if v is not None and len(v):
                v2 = v.reshape(len(v), -1)
                if act in RELU_LIKE:
                    st.dead_fraction = float((v2 <= 0).all(axis=0).mean())
                elif act == "sigmoid":
                    st.saturated_fraction = float(((v2 < 0.01) | (v2 > 0.99)).mean())
                elif act == "tanh":
                    st.saturated_fraction = float((np.abs(v2) > 0.99).mean())
            out[op.id] = st
        return out

    def histograms(self, op_id: str, bins: int = 30) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """{"weights": (counts, edges), "gradients": (counts, edges)} of one op's trainable arrays."""
        b = self.backend
        segs = [s for s in b.layout.trainable if s.op_id == op_id]
        if not segs:
            return {}
        sl = slice(segs[0].start, segs[-1].stop)
        return {"weights": np.histogram(b.theta[sl], bins=bins), "gradients": np.histogram(b.last_grad[sl], bins=bins)}


def locate_nonfinite(backend: Backend, X: np.ndarray, Y: np.ndarray) -> tuple[str, str]:
    """(node, what) of the first NaN/Inf on this batch: a forward value, the loss, a gradient, or a weight."""
    graph = backend.graph
    values = backend.values(X, training=True)
    for op in graph.ops:
        v = values.get(op.id)
        if v is not None and not np.isfinite(v).all():
            return op.id, "the output"
    loss, grads = backend.gradients(X, Y)
    if not math.isfinite(loss):
        return graph.loss_id, "the loss"
    for op in reversed(graph.ops):
        for s in backend.layout.trainable:
            if s.op_id == op.id and not np.isfinite(grads[s.start:s.stop]).all():
                return op.id, f"the gradient of {s.name}"
    for s in backend.layout.trainable:
        if not np.isfinite(backend.theta[s.start:s.stop]).all():
            return s.op_id, f"the weight {s.name}"
    return graph.output_id, "the update"
