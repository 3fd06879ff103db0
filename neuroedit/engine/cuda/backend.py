"""CudaBackend: the Backend interface (what the trainer calls) on top of DeviceState and TapeRunner.

This is the only module that knows the host-side contract. Weights, optimizer state and
the data sets live on the GPU; the host arrays `theta`, `frozen` and `slots` are mirrors,
copied down when read after a call changed the device copies, and copied up before the
next call if they differ from what was last copied (the trainer, gradient checks and
imports write into them). Reads from another thread while a call runs (the GUI's
probes) get a snapshot and never send it back. `last_grad` and `last_update` are
copied down only when read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from .. import epochs as E
from ..backend import Backend, batch_bounds
from ..tape import C_N, C_OFF, L_OUT_ROW, compile_tape, refresh_fpar
from .buffers import DeviceState
from .stepper import EVAL, FWD_EVAL, FWD_TRAIN, GRAD, OVERFLOWED, PREDICT, TRAIN, TapeRunner

_MIRRORED = ("theta", "frozen", "slots")


class _Mirror:
    """A host array that follows the device copy: reading it first brings the device's values down."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        obj._pull()
        return obj.__dict__["_host_" + self.name]

    def __set__(self, obj: Any, value: np.ndarray) -> None:
        obj.__dict__["_host_" + self.name] = value


class _Lazy:
    """A host copy of a device vector made when first read after the call that changed it."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        if self.name in obj._stale:
            obj._stale.discard(self.name)
            obj.__dict__["_host_" + self.name][:] = obj.state.vector(self.name)
        return obj.__dict__["_host_" + self.name]

    def __set__(self, obj: Any, value: np.ndarray) -> None:
        obj.__dict__["_host_" + self.name] = value
        obj._stale.discard(self.name)


class CudaBackend(Backend):
    name = "cuda"
    theta = _Mirror()
    frozen = _Mirror()
    slots = _Mirror()
    last_grad = _Lazy()
    last_update = _Lazy()

    def __init__(self, *args, **kwargs) -> None:
        from ..devices import require_cuda

        require_cuda()
        # Host and device copies of theta/frozen/slots: the device's version counts calls that may
        # change it; the host holds version `_pulled`, and `_synced` is what both held then.
        self._device_version = self._pulled = 0
        self._synced: dict[str, np.ndarray] = {}
        self._stale: set[str] = set()
        super().__init__(*args, **kwargs)
        self.tape = compile_tape(self.graph, self.layout, self.op_params)
        self.state = DeviceState(self.tape, self.layout.n_trainable, self.layout.n_frozen, self.dtype)
        self.runner = TapeRunner(self.tape, self.state)
        self._last_batch = 0
        # steps finished by earlier segments of the running train_epochs call (live[0] counts them all)
        self._live_base = 0

    # ------------------------------------------------------------------ host <-> device
    def _host(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        d = self.__dict__
        return d["_host_theta"], d["_host_frozen"], d["_host_slots"]

    def _pull(self) -> None:
        version = self._device_version
        if self._pulled != version:
            self.state.download_params(*self._host())
            self._synced = {name: a.copy() for name, a in zip(_MIRRORED, self._host())}
            self._pulled = version

    def _push(self) -> None:
        """Before a call: send the host arrays up if they were written since they were last in sync."""
        if self._pulled != self._device_version:
            return  # the device is newer and nobody read (so nobody wrote) the host copies since
        if not self._synced or any(
            not np.array_equal(a, self._synced[name]) for name, a in zip(_MIRRORED, self._host())
        ):
            self.state.upload_params(*self._host())
            self._synced = {name: a.copy() for name, a in zip(_MIRRORED, self._host())}

    def _run(
        self,
        mode: int,
        X: np.ndarray,
        Y: np.ndarray | None,
        order: np.ndarray,
        bounds: np.ndarray,
        lrs: np.ndarray,
        losses: np.ndarray | None = None,
        cached: bool = False,
    ) -> tuple[int, int]:
        nsteps = len(bounds) - 1
        self._push()
        changes = mode == TRAIN
        # counted before and after: a read while the call runs gets a snapshot, a read after it the result
        self._device_version += changes
        self.state.reserve(self.tape, max(int(np.diff(bounds).max()) if nsteps else 1, 1), max(nsteps, 1))
        Y = np.zeros((len(X), 0), self.dtype) if Y is None or (Y.shape[0] == 0 and len(X)) else Y
        resident = self.state.data(X, Y) if cached else None
        if resident:
            Xd, Yd = resident
        elif cached:
            # too big to keep on the GPU: send this call's rows, in the order the steps use them
            Xd, Yd = self.state.stream(X, Y, np.asarray(order[bounds[0] : bounds[-1]], np.int64))
            order, bounds = np.arange(bounds[-1] - bounds[0]), bounds - bounds[0]
        else:
            Xd = cuda.to_device(np.ascontiguousarray(X, self.dtype))
            Yd = cuda.to_device(np.ascontiguousarray(Y if Y.shape[1] else np.zeros((len(X), 1)), self.dtype))
        done, failed = self.runner.run(
            mode,
            Xd,
            Yd,
            cuda.to_device(np.ascontiguousarray(order, np.int64)),
            bounds,
            lrs,
            self.optimizer.code,
            self.optimizer.hyper_array(),
            self.iterations,
            self.seed,
            self.live,
            losses,
            self._live_base,
        )
        self._device_version += changes
        if nsteps:
            last = min(done, nsteps - 1)  # the batch whose values are in the buffers now
            self._last_batch = int(bounds[last + 1] - bounds[last])
        return done, failed

    def _per_step(self, name: str, count: int) -> np.ndarray:
        return getattr(self.state, name)[:count].copy_to_host() if count else np.zeros(0)

    # ------------------------------------------------------------------ Backend interface
    def set_op_param(self, op_id, name, value) -> None:
        super().set_op_param(op_id, name, value)
        refresh_fpar(self.tape, self.graph, self.op_params)  # the launcher reads the float tape every call

    def _train_epochs(self, X, Y, Xv, Yv, pi, pf, si, sf, max_steps, max_epochs, out) -> E.EpochCall:
        """The reference loop with one device call per epoch segment (the launches queue without waiting)."""
        r = E.train_epochs_segments(self, X, Y, Xv, Yv, pi, pf, si, sf, max_steps, max_epochs, out)
        if r.steps and not si[E.S_LAST_UPDATE_KNOWN]:  # early stopping restored other weights
            s = self.state
            s.last_update.copy_to_device(np.zeros(s.n_trainable, self.dtype))
        return r

    def _train_segment(self, X, Y, order, bounds, lrs, losses, metrics, steps_before: int):
        self._live_base = steps_before
        try:
            return self._train(X, Y, order, bounds, lrs, losses, metrics)
        finally:
            self._live_base = 0

    def _train(self, X, Y, order, bounds, lrs, losses, metrics):
        done, failed = self._run(TRAIN, X, Y, order, bounds, lrs, losses, cached=True)
        if failed == OVERFLOWED:
            # an update overflowed and everything went back to the start of the call: redo the good steps
            if len(bounds) == 2:
                return 0, 0
            return self._train_one_by_one(X, Y, order, bounds, lrs, losses, metrics)
        losses[:done] = self._per_step("losses", done)
        metrics[:done] = self._per_step("metrics", done)
        self.iterations += done
        if done:  # the update kernel kept the last good step's gradient and weight change
            self._stale.update(("last_grad", "last_update"))
        return done, (None if failed < 0 else failed)

    def _train_one_by_one(self, X, Y, order, bounds, lrs, losses, metrics):
        """The failure rule step by step: stops at the first step that fails, with the state after the one before."""
        for k in range(len(bounds) - 1):
            _, failed = self._train(
                X, Y, order, bounds[k : k + 2], lrs[k : k + 1], losses[k : k + 1], metrics[k : k + 1]
            )
            if failed is not None:
                self.live[0] = self._live_base + k
                return k, k
        return len(bounds) - 1, None

    def keep_best(self) -> None:
        """Snapshot the weights and BatchNorm statistics on the device (no host copy)."""
        self._push()
        s = self.state
        s.best_theta.copy_to_device(s.theta)
        s.best_frozen.copy_to_device(s.frozen)

    def restore_best(self) -> None:
        self._push()
        s = self.state
        s.theta.copy_to_device(s.best_theta)
        s.frozen.copy_to_device(s.best_frozen)
        self._device_version += 1  # the host mirrors are older now: the next read copies them down

    def evaluate(self, X: np.ndarray, Y: np.ndarray, batch_size: int = 1024) -> tuple[float, float]:
        """As Backend.evaluate, with every batch in one call and the set kept on the device."""
        if len(X) == 0:
            return float("nan"), float("nan")
        bounds = batch_bounds(len(X), batch_size)
        self._run(EVAL, X, Y, np.arange(len(X)), bounds, np.zeros(len(bounds) - 1), cached=True)
        sizes = np.diff(bounds)
        loss = self._per_step("losses", len(sizes)) @ sizes / len(X)
        metric = self._per_step("metrics", len(sizes)) @ sizes / len(X)
        return float(loss + self.penalty()), float(metric)

    def _forward_output(self, X: np.ndarray) -> np.ndarray:
        out_row = int(self.tape.loss[L_OUT_ROW])
        nout = int(self.tape.rows[out_row, C_N])
        if not len(X):
            return np.zeros((0, nout), self.dtype)
        self._run(PREDICT, X, None, np.arange(len(X)), np.array([0, len(X)]), np.zeros(1))
        off = self.state.cap * int(self.tape.rows[out_row, C_OFF])
        return self.state.buf[off : off + len(X) * nout].copy_to_host().reshape(len(X), nout)

    def _evaluate_batch(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
        self._run(EVAL, X, Y, np.arange(len(X)), np.array([0, len(X)]), np.zeros(1))
        return float(self._per_step("losses", 1)[0]), float(self._per_step("metrics", 1)[0])

    def gradients(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
        self._run(GRAD, X, Y, np.arange(len(X)), np.array([0, len(X)]), np.zeros(1))
        return float(self._per_step("losses", 1)[0]), self.state.vector("gtheta")

    def values(self, X: np.ndarray, training: bool = False) -> dict[str, np.ndarray]:
        self._run(FWD_TRAIN if training else FWD_EVAL, X, None, np.arange(len(X)), np.array([0, len(X)]), np.zeros(1))
        return self._buffer_values(len(X))

    def last_values(self) -> dict[str, np.ndarray]:
        return self._buffer_values(self._last_batch) if self.state.cap else {}

    def _buffer_values(self, b: int) -> dict[str, np.ndarray]:
        """Host copies of every op's output for the batch in the value buffer."""
        buf = self.state.buf.copy_to_host()
        out = {}
        for op in self.graph.ops:
            r = self.tape.value_row.get(op.id)
            if r is None:
                continue
            off = self.state.cap * int(self.tape.rows[r, C_OFF])
            n = int(self.tape.rows[r, C_N])
            out[op.id] = buf[off : off + b * n].reshape((b, *op.output_shape))
        return out
