"""The training loop shared by the GUI, the CLI and the Python API (no Qt).

`Trainer.advance(steps, epochs)` is one engine call: it may cross many epoch ends
(shuffling, validation, schedules and early stopping run inside the backend, see
epochs.py) and returns the events it produced. `Trainer.run_iter()` trains to the end
in calls of about `report_seconds`. Learning-rate and regularisation changes are
queued and take effect at the next step.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import epochs as E
from .backend import Backend
from .blas_threads import ThreadTuner, shared_blas_threads
from .optimizers import OptimizerConfig
from .schedules import Schedule

SATURATING = ("sigmoid", "tanh")
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


# A tiny network trains hundreds of thousands of epochs a minute: the per-epoch history keeps at most
# 2 * HISTORY_POINTS epochs (then every k-th, with its number in "epoch"), so memory and saved files
# stay bounded however long a run is.
HISTORY_POINTS = 10_000


def thin_history(history: dict[str, list], points: int) -> None:
    """Keep `points` evenly spaced epochs (the last one included) of every curve as long as "epoch"."""
    n = len(history["epoch"])
    keep = np.unique(np.round(np.linspace(0, n - 1, points)).astype(np.int64)).tolist()
    for name, values in history.items():
        if len(values) == n:
            history[name] = [values[i] for i in keep]


@dataclass
class TrainConfig:
    epochs: int = 100
    batch_mode: str = "minibatch"  # full | stochastic | minibatch
    batch_size: int = 32
    shuffle: bool = True
    seed: int = 0
    learning_rate: float = 0.01
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    schedule: Schedule = field(default_factory=Schedule)
    early_stopping: EarlyStopping | None = None
    report_every: int = 0  # steps in the first call; 0 = one epoch
    report_seconds: float | None = 0.5  # later calls take about this long (run_iter)
    epochs_per_call: int = 0  # 1 when Python must see every epoch (user callbacks); 0 = no limit
    updates_per_epoch: int = 0  # 0: an epoch is one pass over the data; N: N updates (lecture 2: 250)
    layer_stats: bool = True
    blas_threads: int | None = None  # None: measure which count trains fastest (blas_threads.py)

    @classmethod
    def from_settings(cls, s: Mapping[str, Any]) -> TrainConfig:
        """From a document's training settings (names as in model/settings.py)."""
        es = None
        if s.get("early_stopping"):
            es = EarlyStopping(
                s.get("es_monitor", "val_loss"),
                float(s.get("es_min_delta", 0.0)),
                int(s.get("es_patience", 10)),
                bool(s.get("es_restore_best", True)),
            )
        return cls(
            epochs=int(s.get("epochs", 100)),
            batch_mode=str(s.get("batch_mode", "minibatch")),
            batch_size=int(s.get("batch_size", 32)),
            shuffle=bool(s.get("shuffle", True)),
            seed=int(s.get("seed", 0)),
            learning_rate=float(s.get("learning_rate", 0.01)),
            optimizer=OptimizerConfig(
                str(s.get("optimizer", "sgd")),
                {k: s[k] for k in ("momentum", "beta_1", "beta_2", "rho", "epsilon", "weight_decay") if k in s},
            ),
            schedule=Schedule(
                str(s.get("schedule", "constant")),
                float(s.get("schedule_factor", 0.5)),
                int(s.get("schedule_every", 10)),
                int(s.get("schedule_patience", 5)),
                float(s.get("final_learning_rate", 1e-4)),
                int(s.get("decay_steps", 1000)),
                float(s.get("decay_rate", 1e-3)),
                float(s.get("max_learning_rate", 0.1)),
            ),
            early_stopping=es,
            updates_per_epoch=int(s.get("updates_per_epoch", 0)),
        )


@dataclass
class LayerStats:
    grad_norm: float
    update_ratio: float  # |Δw| / |w| of the last step
    weight_mean: float
    weight_std: float
    dead_fraction: float | None = None  # ReLU units that output 0 for the whole batch
    saturated_fraction: float | None = None  # sigmoid/tanh outputs within 1% of their limits


@dataclass
class Progress:
    """Steps first_step .. first_step+len(losses)-1 (global, 0-based) of one engine call. They start at step
    `step_in_epoch` of epoch `epoch` (1-based) and may run on through later epochs."""

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
    losses: np.ndarray  # NaN until a step is done
    lrs: np.ndarray
    counter: np.ndarray  # the backend's live array: [steps done in the running call, interrupt]
    final: np.ndarray = field(default_factory=lambda: np.full(1, -1, np.int64))  # steps done, once returned

    def finished_losses(self) -> np.ndarray:
        """Losses of the steps done so far (the counter may already count a later call's steps)."""
        final = int(self.final[0])
        done = final if final >= 0 else min(int(self.counter[0]), len(self.losses))
        losses = self.losses[:done]
        bad = np.flatnonzero(np.isnan(losses))
        return losses[: bad[0]] if len(bad) else losses


@dataclass
class Epochs:
    """The epochs that ended in one engine call, as arrays (one call may end thousands of epochs)."""

    epochs: np.ndarray  # epoch numbers, 1-based over the whole history
    logs: dict[str, np.ndarray]  # Keras names: loss, accuracy|mae, val_loss, val_accuracy|val_mae, lr
    best_epoch: int | None = None  # early stopping's best epoch after the last of them

    def rows(self) -> Iterator[tuple[int, dict[str, float]]]:
        """(epoch, logs) per epoch, for printing."""
        for i, e in enumerate(self.epochs.tolist()):
            yield e, {k: float(v[i]) for k, v in self.logs.items()}


@dataclass
class Stopped:
    reason: str  # finished | early_stopping | nonfinite | stopped
    message: str
    epoch: int
    step: int
    node: str | None = None


Event = Progress | Epochs | Stopped


class Trainer:
    """One training run: the data, the settings, and the run's state between engine calls (`state`)."""

    def __init__(
        self,
        backend: Backend,
        x: Any,
        y: Any,
        config: TrainConfig,
        validation: tuple[Any, Any] | None = None,
        history: Mapping[str, list] | None = None,
    ) -> None:
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
        self._Xv = self.Xv if self.Xv is not None else self.X[:0]
        self._Yv = self.Yv if self.Yv is not None else self.Y[:0]
        backend.set_optimizer(config.optimizer)
        n = len(self.X)
        self.batch_size = {"full": n, "stochastic": 1}.get(config.batch_mode, max(1, min(config.batch_size, n)))
        self.steps_per_epoch = config.updates_per_epoch or math.ceil(n / self.batch_size)
        self.config.schedule.total_steps = max(1, config.epochs * self.steps_per_epoch)
        self.history: dict[str, list] = {k: list(v) for k, v in (history or {}).items()}
        done = len(self.history.get("loss", []))
        if len(self.history.get("epoch", [])) != done:  # histories without numbers count their epochs by position
            self.history["epoch"] = list(range(1, done + 1))
        self.epoch_offset = int(self.history["epoch"][-1]) if done else 0
        self.state = E.new_state()
        self.state[0][E.S_STEP] = backend.iterations
        self.lr0 = config.learning_rate
        self._pending: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._stop = False
        self.threads: ThreadTuner | None = None
        self._calls_done = 0
        self.finished: Stopped | None = None
        self.live_calls: tuple[LiveCall, ...] = ()  # the last engine call and the one running now
        self.metric = backend.metric

    # ------------------------------------------------------------------ where the run is
    @property
    def epoch(self) -> int:
        """Epochs completed in this run."""
        return int(self.state[0][E.S_EPOCH])

    @property
    def step_in_epoch(self) -> int:
        return int(self.state[0][E.S_STEP_IN_EPOCH])

    @property
    def global_step(self) -> int:
        return int(self.state[0][E.S_STEP])

    @property
    def best_epoch(self) -> int | None:
        return int(self.state[0][E.S_BEST_EPOCH]) or None

    # ------------------------------------------------------------------ changes (any thread)
    def stop(self) -> None:
        """End the run at the next call (the running one ends after its step)."""
        self._stop = True
        self.backend.interrupt()

    def set_learning_rate(self, lr: float) -> None:
        self._queue(lambda: setattr(self, "lr0", float(lr)))

    def set_op_param(self, op_id: str, name: str, value: Any) -> None:
        """L1/L2, dropout rate, BatchNorm momentum/epsilon, activation α, from the next step on."""
        self._queue(lambda: self.backend.set_op_param(op_id, name, value))

    def _queue(self, change: Callable[[], None]) -> None:
        with self._lock:
            self._pending.append(change)
        self.backend.interrupt()  # the running call ends after its current step; the next applies it

    def _apply_pending(self) -> None:
        with self._lock:
            changes, self._pending = self._pending, []
        for change in changes:
            change()

    # ------------------------------------------------------------------ running
    @property
    def done(self) -> bool:
        return self.finished is not None

    def plan(self) -> tuple[np.ndarray, np.ndarray]:
        """The run's settings as the arrays `Backend.train_epochs` reads (rebuilt per call: epochs and
        the learning rate may change while training runs)."""
        c = self.config
        pi, pf = c.schedule.plan(self.lr0)
        pi[E.P_N], pi[E.P_BATCH], pi[E.P_STEPS_PER_EPOCH] = len(self.X), self.batch_size, self.steps_per_epoch
        pi[E.P_EPOCH_SAMPLES] = c.updates_per_epoch * self.batch_size
        pi[E.P_EPOCHS], pi[E.P_SEED] = c.epochs, c.seed
        pi[E.P_SHUFFLE] = int(c.shuffle and c.batch_mode != "full")
        pi[E.P_EPOCH_OFFSET], pi[E.P_N_VAL] = self.epoch_offset, len(self._Xv)
        pi[E.P_HAS_METRIC] = int(self.metric is not None)
        pi[E.P_ES_MONITOR] = E.MONITOR_NONE
        es = c.early_stopping
        if es is not None:
            name = es.monitor.removeprefix("val_")
            kind = E.MONITOR_LOSS if name == "loss" else (E.MONITOR_METRIC if name == self.metric else E.MONITOR_NONE)
            pi[E.P_ES_MONITOR], pi[E.P_ES_VAL] = kind, int(es.monitor.startswith("val_"))
            pi[E.P_ES_PATIENCE], pi[E.P_ES_RESTORE] = es.patience, int(es.restore_best_weights)
            pi[E.P_ES_MAXIMISE] = int(es.maximise)
            pf[E.PF_ES_MIN_DELTA] = es.min_delta
        return pi, pf

    def current_lr(self, k: int | None = None) -> float:
        k = self.global_step if k is None else k
        return self.config.schedule.rate(
            self.lr0, k, self.epoch_offset + self.epoch, float(self.state[1][E.SF_PLATEAU_SCALE])
        )

    def advance(self, max_steps: int, max_epochs: int = 0) -> list[Event]:
        """One engine call: up to max_steps steps and max_epochs epoch ends (0: as many as fit)."""
        if self.done:
            return []
        if self._stop:
            return [self._finish("stopped", "stopped by the user")]
        self.backend.clear_interrupt()  # an interrupt from now on ends the coming call early
        self._apply_pending()
        n = max(1, int(max_steps))
        losses, metrics, lrs = np.full(n, np.nan), np.zeros(n), np.full(n, np.nan)
        epoch, first, in_epoch = self.epoch_offset + self.epoch + 1, self.global_step, self.step_in_epoch
        call = LiveCall(epoch, first, in_epoch, self.steps_per_epoch, losses, lrs, self.backend.live)
        self.live_calls = self.live_calls[-1:] + (call,)
        tuner = self.threads
        if tuner is not None:
            tuner.begin()
        t0 = time.perf_counter()
        r = self.backend.train_epochs(
            self.X, self.Y, self._Xv, self._Yv, self.plan(), self.state, n, max_epochs, (losses, metrics, lrs)
        )
        call.final[0] = r.steps
        if tuner is not None:
            tuner.end(time.perf_counter() - t0, r.steps)
        elif self._calls_done:  # not the first call: compiling is over and BLAS is loaded
            self.threads = ThreadTuner(shared_blas_threads(), self.config.blas_threads)
        self._calls_done += 1
        events: list[Event] = []
        if r.steps:
            events.append(
                Progress(
                    epoch,
                    first,
                    in_epoch,
                    self.steps_per_epoch,
                    r.losses,
                    r.metrics,
                    r.lrs,
                    self.layer_stats() if self.config.layer_stats else None,
                )
            )
        if len(r.epochs):
            events.append(self._record(r.epochs))
        stop = int(self.state[0][E.S_STOP])
        if stop == E.NONFINITE:
            events.append(self._nonfinite())
        elif stop == E.FINISHED:
            events.append(self._finish("finished", f"finished {self.epoch} epochs"))
        elif stop == E.EARLY_STOPPING:
            es = self.config.early_stopping
            assert es is not None
            best = self.best_epoch
            restored = f"; restored the weights of epoch {best}" if es.restore_best_weights and best else ""
            events.append(
                self._finish(
                    "early_stopping",
                    f"early stopping at epoch {self.epoch_offset + self.epoch}: "
                    f"{es.monitor} did not improve for {es.patience} "
                    f"epochs{restored}",
                )
            )
        elif self._stop and len(r.epochs):
            events.append(self._finish("stopped", "stopped by the user"))
        return events

    def run_iter(self) -> Iterator[Event]:
        """Train to the end in calls of about `config.report_seconds` (control.RunControl), yielding events."""
        from .control import RunControl

        for events in RunControl(self.config.report_seconds or 0.5).calls(self):
            yield from events

    def run(self, callback: Callable[[Event], None] | None = None) -> Stopped:
        for event in self.run_iter():
            if callback is not None:
                callback(event)
        assert self.finished is not None
        return self.finished

    # ------------------------------------------------------------------ epochs
    def epoch_order(self, epoch: int) -> np.ndarray:
        """The sample order of epoch `epoch` (0-based over the whole history)."""
        c = self.config
        return E.epoch_order(
            c.shuffle and c.batch_mode != "full",
            c.seed,
            epoch,
            len(self.X),
            self.batch_size,
            c.updates_per_epoch * self.batch_size,
        )

    def _record(self, rows: np.ndarray) -> Epochs:
        """History and the event of the epochs one call ended."""
        k = len(rows)
        numbers = np.arange(self.epoch_offset + self.epoch - k + 1, self.epoch_offset + self.epoch + 1)
        logs = {"loss": rows[:, E.E_LOSS]}
        if self.metric:
            logs[self.metric] = rows[:, E.E_METRIC]
        if self.Xv is not None:
            logs["val_loss"] = rows[:, E.E_VAL_LOSS]
            if self.metric:
                logs[f"val_{self.metric}"] = rows[:, E.E_VAL_METRIC]
        logs["lr"] = rows[:, E.E_LR]
        before = len(self.history.get("epoch", []))
        self.history.setdefault("epoch", []).extend(numbers.tolist())
        # Every curve stays as long as "epoch" when a continued run logs other names (its metric
        # changed, or it has no validation data): NaN where a curve has no value.
        for name, values in logs.items():
            self.history.setdefault(name, [math.nan] * before).extend(values.tolist())
        for name, curve in self.history.items():
            if name not in logs and name != "epoch" and len(curve) == before:
                curve.extend([math.nan] * k)
        if len(self.history["epoch"]) > 2 * HISTORY_POINTS:
            thin_history(self.history, HISTORY_POINTS)
        best = int(rows[-1, E.E_BEST_EPOCH])
        return Epochs(numbers, logs, best or None)

    def _finish(self, reason: str, message: str, node: str | None = None) -> Stopped:
        self.finished = Stopped(reason, message, self.epoch_offset + self.epoch, self.global_step, node)
        if self.threads is not None:  # NumPy work after training gets the usual BLAS threads back
            self.threads.blas.restore()
        return self.finished

    # ------------------------------------------------------------------ diagnostics
    def _nonfinite(self) -> Stopped:
        si = self.state[0]
        idx = self.epoch_order(self.epoch_offset + self.epoch)[int(si[E.S_FAILED_LO]) : int(si[E.S_FAILED_HI])]
        node, what = locate_nonfinite(self.backend, self.X[idx], self.Y[idx])
        step = int(si[E.S_FAILED_STEP]) + 1
        return self._finish(
            "nonfinite",
            f"stopped at step {step} (epoch {self.epoch_offset + self.epoch + 1}): "
            f"{what} became NaN/Inf first in node {node}; "
            "the weights of the last finite step are kept",
            node,
        )

    def layer_stats(self) -> dict[str, LayerStats]:
        """Per op with weights: gradient norm, |Δw|/|w|, weight mean/std, and activation health."""
        b = self.backend
        out: dict[str, LayerStats] = {}
        values = b.last_values()
        theta, grad, upd = b.flat("weights"), b.flat("gradients"), b.flat("updates")
        for op in b.graph.ops:
            segs = [s for s in b.layout.trainable if s.op_id == op.id]
            act = op.params.get("activation") if op.type in ("Dense", "Activation") else None
            if not segs and act not in SATURATING + RELU_LIKE:
                continue
            if segs:
                sl = slice(segs[0].start, segs[-1].stop)
                w = theta[sl].astype(np.float64)
                wn = float(np.linalg.norm(w))
                st = LayerStats(
                    float(np.linalg.norm(grad[sl])),
                    float(np.linalg.norm(upd[sl])) / wn if wn > 0 else 0.0,
                    float(w.mean()),
                    float(w.std()),
                )
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
        return {
            "weights": np.histogram(b.flat("weights")[sl], bins=bins),
            "gradients": np.histogram(b.flat("gradients")[sl], bins=bins),
        }


def locate_nonfinite(backend: Backend, X: np.ndarray, Y: np.ndarray) -> tuple[str, str]:
    """(node, what) of the first NaN/Inf on this batch: a forward value, the loss, a gradient, or a weight."""
    with np.errstate(all="ignore"):  # the NaN/Inf is expected here: it is what we look for
        return _locate_nonfinite(backend, X, Y)


def _locate_nonfinite(backend: Backend, X: np.ndarray, Y: np.ndarray) -> tuple[str, str]:
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
            if s.op_id == op.id and not np.isfinite(grads[s.start : s.stop]).all():
                return op.id, f"the gradient of {s.name}"
    theta = backend.flat("weights")
    for s in backend.layout.trainable:
        if not np.isfinite(theta[s.start : s.stop]).all():
            return s.op_id, f"the weight {s.name}"
    return graph.output_id, "the update"
