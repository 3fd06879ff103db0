"""The backend contract: what the trainer, the probes, gradient checks and the API may ask of a backend.

A backend owns everything that changes while training runs, possibly in device memory:
the trainable weights, the non-trainable ones (BatchNorm moving statistics), the optimizer
state, the last step's gradients and updates, the best-weights snapshot of early stopping,
and the values of the last batch. Code outside a backend never touches those arrays; it
uses these methods (host NumPy arrays in and out):

- weights: `get_weights`, `set_weights` ({op: {name: array}}); `flat(what)` copies one flat
  vector ("weights", "frozen", "gradients", "updates"), `set_flat(what, v)` installs one
  ("weights", "frozen"); `penalty()`.
- optimizer: `set_optimizer`, `export_optimizer_state`, `import_optimizer_state`; `iterations`.
- live parameters: `set_op_param` (L1/L2, dropout rate, BatchNorm momentum/epsilon, alpha).
- training: `train_epochs` runs steps and epochs (shuffle, schedule, validation, early
  stopping, NaN/Inf stop inside, see epochs.py) and is what the trainer calls; `train` runs
  explicitly listed batches. `keep_best` / `restore_best` hold the early-stopping snapshot.
  `interrupt` (any thread) ends a running call after its step; `live[0]` counts its steps.
- inference and inspection: `predict`, `evaluate`, `gradients`, `values`, `last_values`.

Failure rule, the same in every backend: a step whose loss or gradient is not finite is not
applied, and a step whose update makes a weight or a BatchNorm statistic non-finite is undone
(weights, optimizer state and moving statistics go back to before that step).

A new backend subclasses `Backend` and implements `_train`, `_forward_output`,
`_evaluate_batch`, `gradients`, `values` and `last_values`; it may override `_train_epochs`
(the default is the reference loop, one `train` call per step; `epochs.train_epochs_segments`
computes the same with one `_train` call per epoch segment) and, when its arrays do not
live in host memory, the weight and snapshot methods. tests/engine/test_backend_contract.py
runs the same tests on every backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import epochs as E
from .initializers import initial_weights
from .layout import ParamLayout
from .optimizers import SLOTS, OptimizerConfig
from .spec import GraphSpec, size_of

# Parameters that may change while training runs (take effect at the next step).
LIVE_PARAMS = ("l1", "l2", "rate", "momentum", "epsilon", "negative_slope", "elu_alpha", "slope")


class EngineError(ValueError):
    """Data or weights that do not fit the graph; the message says what and where."""


@dataclass
class RunResult:
    """Per-step loss and metric of a run of training steps; `failed_step` is the index of a non-finite step."""

    losses: np.ndarray
    metrics: np.ndarray
    sizes: np.ndarray
    steps: int
    failed_step: int | None = None


class Backend:
    name = "base"

    def __init__(
        self,
        graph: GraphSpec,
        dtype: str = "float32",
        seed: int = 0,
        weights: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    ) -> None:
        if str(dtype) not in ("float32", "float64"):
            raise EngineError(f"dtype must be float32 or float64, not {dtype}")
        self.graph = graph
        self.dtype = np.dtype(dtype)
        self.seed = int(seed)
        self.layout = ParamLayout(graph)
        self.theta = np.zeros(self.layout.n_trainable, self.dtype)
        self.frozen = np.zeros(self.layout.n_frozen, self.dtype)
        self.set_weights(initial_weights(graph, seed))
        if weights:
            self.set_weights(weights)
        self.op_params: dict[str, dict[str, Any]] = {op.id: dict(op.params) for op in graph.ops}
        self._optimizer = OptimizerConfig()
        self.slots = np.zeros((2, self.layout.n_trainable), self.dtype)
        self.iterations = 0
        self.last_grad = np.zeros(self.layout.n_trainable, self.dtype)
        self.last_update = np.zeros(self.layout.n_trainable, self.dtype)
        self._best = np.zeros(self.layout.n_trainable + self.layout.n_frozen, self.dtype)
        # [steps finished by the running train call, interrupt request]: read and written across threads
        self.live = np.zeros(2, np.int64)
        self.logits, self.fused = graph.loss_mode()
        self.metric = graph.metric
        self.input_sizes = [graph.op(i).size for i in graph.input_ids]

    # ------------------------------------------------------------------ weights
    def get_weights(self) -> dict[str, dict[str, np.ndarray]]:
        return self.layout.unpack(self.theta, self.frozen)

    def set_weights(self, weights: Mapping[str, Mapping[str, np.ndarray]]) -> None:
        """Install some or all arrays; each must have exactly the shape the graph expects."""
        for op_id, arrays in weights.items():
            for name, value in arrays.items():
                try:
                    trainable, seg = self.layout.find(op_id, name)
                except KeyError:
                    raise EngineError(f"{op_id} has no weight {name!r}") from None
                a = np.asarray(value, dtype=np.float64)
                if a.shape != tuple(seg.shape):
                    raise EngineError(f"{op_id}.{name} must have shape {tuple(seg.shape)}, got {a.shape}")
                (self.theta if trainable else self.frozen)[seg.start : seg.stop] = a.ravel()

    FLAT = ("weights", "frozen", "gradients", "updates")

    def _vector(self, what: str) -> np.ndarray:
        if what not in self.FLAT:
            raise EngineError(f"no flat vector {what!r}; known: {', '.join(self.FLAT)}")
        return {"weights": self.theta, "frozen": self.frozen, "gradients": self.last_grad, "updates": self.last_update}[
            what
        ]

    def flat(self, what: str) -> np.ndarray:
        """A host copy of one flat vector: "weights" (trainable, in layout order), "frozen" (BatchNorm
        statistics), "gradients" or "updates" (of the last training step)."""
        return self._vector(what).copy()

    def set_flat(self, what: str, values: np.ndarray) -> None:
        """Install a whole flat vector of "weights" or "frozen"."""
        if what not in ("weights", "frozen"):
            raise EngineError(f"only weights and frozen can be set, not {what!r}")
        target = self._vector(what)
        v = np.asarray(values)
        if v.shape != target.shape:
            raise EngineError(f"{what} must have shape {target.shape}, got {v.shape}")
        target[:] = v

    def keep_best(self) -> None:
        """Snapshot the weights and BatchNorm statistics (early stopping's best epoch)."""
        nt = self.layout.n_trainable
        self._best[:nt] = self.theta
        self._best[nt:] = self.frozen

    def restore_best(self) -> None:
        """Go back to the last `keep_best` snapshot."""
        nt = self.layout.n_trainable
        self.theta[:] = self._best[:nt]
        self.frozen[:] = self._best[nt:]

    def last_gradients(self) -> dict[str, dict[str, np.ndarray]]:
        """dLoss/dw of the last training step, as {op_id: {name: array}} (canvas overlays, histograms)."""
        return self.layout.unpack_vector(self.last_grad)

    def last_updates(self) -> dict[str, dict[str, np.ndarray]]:
        """The change the last training step made to each weight array."""
        return self.layout.unpack_vector(self.last_update)

    def set_op_param(self, op_id: str, name: str, value: Any) -> None:
        """Change a non-structural parameter (L1, L2, dropout rate, ...): used from the next step on."""
        if name not in LIVE_PARAMS or op_id not in self.op_params:
            raise EngineError(f"{op_id}.{name} cannot be changed while training")
        self.op_params[op_id][name] = value

    # ------------------------------------------------------------------ optimizer
    @property
    def optimizer(self) -> OptimizerConfig:
        return self._optimizer

    def set_optimizer(self, cfg: OptimizerConfig) -> None:
        """Switch rule or hyperparameters; switching to another rule starts its state afresh."""
        if cfg.name != self._optimizer.name:
            self.slots[:] = 0
            self.iterations = 0
        self._optimizer = cfg

    def export_optimizer_state(self) -> dict[str, np.ndarray]:
        """A flat dict of arrays (what Document.optimizer_state stores)."""
        out = {
            "iterations": np.array([self.iterations], dtype=np.int64),
            "optimizer": np.array([self._optimizer.code], dtype=np.int64),
        }
        for k, slot in enumerate(SLOTS[self._optimizer.name]):
            for seg in self.layout.trainable:
                out[f"{seg.op_id}/{seg.name}/{slot}"] = self.slots[k, seg.start : seg.stop].reshape(seg.shape).copy()
        return out

    def import_optimizer_state(self, state: Mapping[str, np.ndarray]) -> None:
        """Restore a state saved by `export_optimizer_state` for the same optimizer; otherwise start afresh."""
        code = np.asarray(state.get("optimizer", [-1])).ravel()
        if code.size != 1 or int(code[0]) != self._optimizer.code:
            return
        slots = np.zeros_like(self.slots)
        for k, slot in enumerate(SLOTS[self._optimizer.name]):
            for seg in self.layout.trainable:
                a = state.get(f"{seg.op_id}/{seg.name}/{slot}")
                if a is None or np.shape(a) != tuple(seg.shape):
                    return
                slots[k, seg.start : seg.stop] = np.asarray(a).ravel()
        self.slots[:] = slots
        self.iterations = int(np.asarray(state.get("iterations", [0])).ravel()[0])

    # ------------------------------------------------------------------ data
    def pack_inputs(self, x: Any) -> np.ndarray:
        """One (N, features) array holding every Input's data side by side, in the backend's dtype."""
        ids = self.graph.input_ids
        if isinstance(x, Mapping):
            missing = [i for i in ids if i not in x]
            if missing:
                raise EngineError(f"no data for input {', '.join(missing)}")
            parts = [x[i] for i in ids]
        elif isinstance(x, (list, tuple)) and len(ids) > 1:
            parts = list(x)
        else:
            parts = [x]
        if len(parts) != len(ids):
            raise EngineError(f"the network has {len(ids)} inputs ({', '.join(ids)}) but got {len(parts)} arrays")
        cols, n = [], None
        for op_id, part in zip(ids, parts):
            a = np.asarray(part, dtype=self.dtype)
            shape, k = tuple(self.graph.op(op_id).output_shape), size_of(self.graph.op(op_id).output_shape)
            if a.ndim == 1 and k == 1:
                a = a.reshape(-1, 1)
            if a.ndim < 1 or (a.shape[1:] != shape and not (a.ndim == 2 and a.shape[1] == k)):
                raise EngineError(f"input {op_id} expects samples of shape {shape}, got data of shape {a.shape}")
            a = a.reshape(a.shape[0], k)
            if n is not None and a.shape[0] != n:
                raise EngineError(f"inputs have different numbers of samples ({n} and {a.shape[0]})")
            n = a.shape[0]
            cols.append(a)
        return np.ascontiguousarray(np.concatenate(cols, axis=1) if len(cols) > 1 else cols[0])

    def pack_targets(self, y: Any, n: int) -> np.ndarray:
        """Targets as (N, k): class indices as one column, otherwise one column per output."""
        loss = self.graph.loss_name
        out = self.graph.output_shape
        if loss == "value":
            return np.zeros((n, 0), self.dtype)
        if y is None:
            raise EngineError(f"the loss {loss} needs targets")
        a = np.asarray(y, dtype=self.dtype)
        if a.shape[:1] != (n,):
            raise EngineError(f"{a.shape[0] if a.ndim else 0} targets for {n} samples")
        if loss in ("sparse_categorical_crossentropy", "multiclass_hinge"):
            a = a.reshape(n, -1)
            if a.shape[1] != 1:
                raise EngineError(f"{loss} needs one integer class per sample, got targets of shape {np.shape(y)}")
            classes = size_of(out)
            if n and (a.min() < 0 or a.max() >= classes or np.any(a != np.round(a))):
                raise EngineError(f"{loss} targets must be integers 0..{classes - 1}")
            return np.ascontiguousarray(a)
        a = a.reshape(n, -1)
        if a.shape[1] != size_of(out):
            raise EngineError(f"targets have {a.shape[1]} values per sample but the output has {size_of(out)}")
        return np.ascontiguousarray(a)

    # ------------------------------------------------------------------ running
    def train(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        order: np.ndarray,
        bounds: np.ndarray,
        lrs: np.ndarray,
        losses: np.ndarray | None = None,
    ) -> RunResult:
        """Run len(bounds)-1 training steps; step k uses samples order[bounds[k]:bounds[k+1]] and lr lrs[k].

        Stops at the first step whose loss or gradients are not finite (the update is not
        applied) or whose update makes a weight non-finite (the weights are restored), and
        after the current step when `interrupt()` is called. While it runs, `live[0]` counts
        the finished steps and their losses are in `losses` (pass an array to watch them).
        """
        nsteps = len(bounds) - 1
        losses = np.zeros(nsteps) if losses is None else losses
        metrics = np.zeros(nsteps)
        self.live[0] = 0
        sizes = np.diff(bounds).astype(np.int64)
        done, failed = self._train(
            X,
            Y,
            np.asarray(order, np.int64),
            np.asarray(bounds, np.int64),
            np.asarray(lrs, np.float64),
            losses,
            metrics,
        )
        return RunResult(losses[:done], metrics[:done], sizes[:done], done, failed)

    def train_epochs(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        Xv: np.ndarray,
        Yv: np.ndarray,
        plan: tuple[np.ndarray, np.ndarray],
        state: tuple[np.ndarray, np.ndarray],
        max_steps: int,
        max_epochs: int = 0,
        out: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> E.EpochCall:
        """Run up to max_steps steps of the run described by `plan` (epochs.py), from and into `state`.

        Also stops after max_epochs epoch ends (0: no limit), when the run finishes, stops early or
        fails (state[0][S_STOP]), and after the current step on `interrupt()`. `out` are
        (losses, metrics, lrs) arrays of at least max_steps, written step by step for other threads.
        """
        pi, pf = plan
        si, sf = state
        if out is None:
            out = (np.zeros(max_steps), np.zeros(max_steps), np.zeros(max_steps))
        self.live[0] = 0
        return self._train_epochs(X, Y, Xv, Yv, pi, pf, si, sf, int(max_steps), int(max_epochs), out)

    def interrupt(self) -> None:
        """Make a running `train` call return after its current step (any thread): controls act at once."""
        self.live[1] = 1

    def clear_interrupt(self) -> None:
        """Forget an interrupt that came before the caller applied the changes it was sent for."""
        self.live[1] = 0

    def predict(self, X: np.ndarray, batch_size: int = 1024) -> np.ndarray:
        """Outputs in inference mode (no dropout, BatchNorm running statistics)."""
        outs = [self._forward_output(X[i : i + batch_size]) for i in range(0, max(len(X), 1), batch_size)]
        out = np.concatenate(outs) if outs else np.zeros((0, self.graph.op(self.graph.output_id).size))
        return out.reshape((len(X), *self.graph.output_shape))

    def evaluate(self, X: np.ndarray, Y: np.ndarray, batch_size: int = 1024) -> tuple[float, float]:
        """Mean loss (with the L1/L2 penalty, as Keras reports it) and metric in inference mode."""
        if len(X) == 0:
            return float("nan"), float("nan")
        total_loss = total_metric = 0.0
        for i in range(0, len(X), batch_size):
            loss, metric = self._evaluate_batch(X[i : i + batch_size], Y[i : i + batch_size])
            n = min(batch_size, len(X) - i)
            total_loss += loss * n
            total_metric += metric * n
        return float(total_loss / len(X) + self.penalty()), float(total_metric / len(X))

    def penalty(self) -> float:
        """The L1/L2 penalty of the weights now: Σ l1·|w| + ½·l2·w² over the penalised kernels."""
        total = 0.0
        for sl, l1, l2 in self.penalised_kernels():
            w = self.theta[sl].astype(np.float64)
            total += l1 * float(np.abs(w).sum()) + 0.5 * l2 * float((w * w).sum())
        return total

    def penalised_kernels(self) -> list[tuple[slice, float, float]]:
        """(place in theta, l1, l2) of every Dense kernel with an L1 or L2 penalty."""
        out = []
        for seg in self.layout.trainable:
            p = self.op_params[seg.op_id]
            l1, l2 = float(p.get("l1", 0.0)), float(p.get("l2", 0.0))
            if seg.name == "kernel" and (l1 or l2):
                out.append((slice(seg.start, seg.stop), l1, l2))
        return out

    # ------------------------------------------------------------------ for subclasses
    def _train_epochs(self, X, Y, Xv, Yv, pi, pf, si, sf, max_steps, max_epochs, out) -> E.EpochCall:
        return E.train_epochs_python(self, X, Y, Xv, Yv, pi, pf, si, sf, max_steps, max_epochs, out)

    def _train(self, X, Y, order, bounds, lrs, losses, metrics) -> tuple[int, int | None]:
        raise NotImplementedError

    def _train_segment(self, X, Y, order, bounds, lrs, losses, metrics, steps_before: int) -> tuple[int, int | None]:
        """`_train` for epochs.train_epochs_segments; steps_before: steps the running call finished before."""
        return self._train(X, Y, order, bounds, lrs, losses, metrics)

    def _forward_output(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _evaluate_batch(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
        raise NotImplementedError

    def gradients(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
        """Loss (with penalty) and the flat gradient of one batch in training mode, without updating."""
        raise NotImplementedError

    def values(self, X: np.ndarray, training: bool = False) -> dict[str, np.ndarray]:
        """Every op's output for a batch (activation statistics, locating a NaN)."""
        raise NotImplementedError

    def last_values(self) -> dict[str, np.ndarray]:
        """Every op's output for the last training batch (empty before the first step)."""
        raise NotImplementedError


def batch_bounds(n: int, batch_size: int, steps: int | None = None) -> np.ndarray:
    """Start of every batch of one epoch over n samples (the last batch may be smaller)."""
    starts = list(range(0, n, batch_size)) + [n]
    return np.array(starts[: (steps + 1) if steps is not None else None], dtype=np.int64)
