"""The Numba CPU backend: the graph as a tape, run by compiled kernels many steps per call."""

from __future__ import annotations

import glob
import logging
import os
import time
from typing import Callable

import numpy as np

from .backend import Backend
from .tape import C_N, C_OFF, Tape, compile_tape, refresh_fpar

TRAIN, GRAD, PREDICT, EVAL, FWD_TRAIN, FWD_EVAL = range(6)

# Called with a short status line when kernels must be compiled or loaded (the GUI shows it).
_listeners: list[Callable[[str], None]] = []
_ready: set[str] = set()
log = logging.getLogger(__name__)


def add_compile_listener(fn: Callable[[str], None]) -> None:
    """`fn(message)` is called before and after the kernels are prepared in this process."""
    _listeners.append(fn)


def remove_compile_listener(fn: Callable[[str], None]) -> None:
    if fn in _listeners:
        _listeners.remove(fn)


def _notify(message: str) -> None:
    log.info(message)  # the console shows it with `neuroedit -v`
    for fn in list(_listeners):
        fn(message)


def kernels_cached() -> bool:
    """Whether compiled kernels from an earlier run are on disk (next to the module)."""
    here = os.path.dirname(__file__)
    source = os.path.getmtime(os.path.join(here, "numba_kernels.py"))
    index = glob.glob(os.path.join(here, "__pycache__", "numba_kernels.run-*.nbi"))
    return any(os.path.getmtime(p) >= source for p in index)


def ensure_kernels(dtype: str) -> float:
    """Compile (first use on a machine) or load the kernels for `dtype`; returns the seconds it took."""
    if dtype in _ready:
        return 0.0
    _notify("loading compiled kernels..." if kernels_cached() else "compiling kernels (first run only)...")
    start = time.perf_counter()
    from . import numba_kernels  # noqa: F401  (imports numba)
    from .spec import GraphSpec, OpSpec
    g = GraphSpec((OpSpec("x", "Input", {"shape": (1,)}, output_shape=(1,)),
                   OpSpec("d", "Dense", {"units": 1, "activation": "linear", "kernel_initializer": "zeros",
                                         "bias_initializer": "zeros"}, ("x",), ((1,),), (1,),
                          {"kernel": ((1, 1), True), "bias": ((1,), True)}),
                   OpSpec("l", "Loss", {"loss": "mse"}, ("d",), ((1,),), ())), ("x",), "d", "l")
    b = NumbaBackend.__new__(NumbaBackend)
    Backend.__init__(b, g, dtype)
    b._setup()
    x = np.zeros((1, 1), dtype)
    b._call(TRAIN, x, x, np.zeros(1, np.int64), np.array([0, 1]), np.zeros(1))
    _ready.add(dtype)
    took = time.perf_counter() - start
    _notify(f"kernels ready ({took:.1f} s)")
    return took


class NumbaBackend(Backend):
    name = "numba"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._setup()
        ensure_kernels(self.dtype.name)

    def _setup(self) -> None:
        self.tape: Tape = compile_tape(self.graph, self.layout, self.op_params)
        self._cap = 0
        n = self.layout.n_trainable
        self.gtheta = np.zeros(n, self.dtype)
        self.gsq = np.zeros(n, self.dtype)
        self._backup = np.zeros((4, n), self.dtype)
        self._frozen_backup = np.zeros(self.layout.n_frozen, self.dtype)
        self._last_batch = 0

    def set_op_param(self, op_id, name, value) -> None:
        super().set_op_param(op_id, name, value)
        refresh_fpar(self.tape, self.graph, self.op_params)

    def _buffers(self, cap: int) -> None:
        if cap <= self._cap:
            return
        t = self.tape
        self._cap = cap
        self.buf = np.zeros(cap * t.buf_size, self.dtype)
        self.gbuf = np.zeros(cap * t.buf_size, self.dtype)
        self.sbuf = np.zeros(cap * t.sbuf_size + t.sbuf_extra + 1, self.dtype)
        self._dims = np.array([cap, cap * t.sbuf_size], np.int64)

    def _call(self, mode: int, X: np.ndarray, Y: np.ndarray, order: np.ndarray, bounds: np.ndarray,
              lrs: np.ndarray, out_pred: np.ndarray | None = None, losses: np.ndarray | None = None,
              metrics: np.ndarray | None = None) -> tuple[int, int, np.ndarray, np.ndarray]:
        from .numba_kernels import run

        nsteps = len(bounds) - 1
        cap = int(np.diff(bounds).max()) if nsteps else 1
        self._buffers(max(cap, 1))
        t = self.tape
        losses = np.zeros(max(nsteps, 1)) if losses is None or len(losses) == 0 else losses
        metrics = np.zeros(max(nsteps, 1)) if metrics is None or len(metrics) == 0 else metrics
        pred = out_pred if out_pred is not None else np.zeros((1, 1), self.dtype)
        if Y.shape[0] == 0 and X.shape[0]:
            Y = np.zeros((X.shape[0], 0), self.dtype)
        done, failed = run(mode, t.rows, t.fpar, t.ins, t.imap, t.loss, self._dims,
                           np.ascontiguousarray(X, self.dtype), np.ascontiguousarray(Y, self.dtype),
                           np.ascontiguousarray(order, np.int64), np.ascontiguousarray(bounds, np.int64),
                           np.ascontiguousarray(lrs, np.float64), self.theta, self.frozen, self.gtheta, self.gsq,
                           self.slots, self._backup, self._frozen_backup, self.buf, self.gbuf, self.sbuf,
                           self.optimizer.code, self.optimizer.hyper_array(), self.iterations, self.seed,
                           losses, metrics, pred, self.live)
        if nsteps:
            last = min(done, nsteps - 1)   # the batch whose values are in the buffers now
            self._last_batch = int(bounds[last + 1] - bounds[last])
        return int(done), int(failed), losses, metrics

    # ------------------------------------------------------------------ Backend interface
    def _train(self, X, Y, order, bounds, lrs, losses, metrics):
        done, failed, _, _ = self._call(TRAIN, X, Y, order, bounds, lrs, losses=losses, metrics=metrics)
        if failed >= 0 and done == 0 and failed > 0:
            # the update overflowed: weights went back to the start of this run
            return 0, failed
        self.iterations += done
        if done:
            self.last_grad[:] = self.gtheta
            if failed < 0:
                np.subtract(self.theta, self._backup[3], out=self.last_update)
        return done, (None if failed < 0 else failed)

    def _forward_output(self, X: np.ndarray) -> np.ndarray:
        out = np.zeros((len(X), self.graph.op(self.graph.output_id).size), self.dtype)
        if len(X):
            self._call(PREDICT, X, np.zeros((len(X), 0), self.dtype), np.arange(len(X)),
                       np.array([0, len(X)]), np.zeros(1), out)
        return out

    def _evaluate_batch(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
        _, _, l, m = self._call(EVAL, X, Y, np.arange(len(X)), np.array([0, len(X)]), np.zeros(1))
        return float(l[0]), float(m[0])

    def gradients(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
        frozen = self.frozen.copy()
        _, _, l, _ = self._call(GRAD, X, Y, np.arange(len(X)), np.array([0, len(X)]), np.zeros(1))
        self.frozen[:] = frozen
        return float(l[0]), self.gtheta.copy()

    def values(self, X: np.ndarray, training: bool = False) -> dict[str, np.ndarray]:
        self._call(FWD_TRAIN if training else FWD_EVAL, X, np.zeros((len(X), 0), self.dtype), np.arange(len(X)),
                   np.array([0, len(X)]), np.zeros(1))
        return {k: v.copy() for k, v in self.buffer_values(len(X)).items()}

    def last_values(self) -> dict[str, np.ndarray]:
        return self.buffer_values() if self._cap else {}

    def buffer_values(self, b: int | None = None) -> dict[str, np.ndarray]:
        """Views into the buffers (overwritten by the next call) of every op's output for the last batch."""
        b = self._last_batch if b is None else b
        out = {}
        for op in self.graph.ops:
            r = self.tape.value_row.get(op.id)
            if r is None:
                continue
            off = self._cap * int(self.tape.rows[r, C_OFF])
            n = int(self.tape.rows[r, C_N])
            out[op.id] = self.buf[off: off + b * n].reshape((b, *op.output_shape))
        return out
