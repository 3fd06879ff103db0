"""The Numba CPU backend: the graph as a tape, run by compiled kernels many steps per call."""

from __future__ import annotations

import contextlib
import functools
import glob
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import epochs as E
from .backend import Backend
from .optimizers import SLOTS
from .tape import C_N, C_OFF, Tape, compile_tape, refresh_fpar

TRAIN, GRAD, PREDICT, EVAL, FWD_TRAIN, FWD_EVAL = range(6)  # kernels/run.py's modes

# Called with a short status line when kernels must be compiled or loaded (the GUI shows it).
_listeners: list[Callable[[str], None]] = []
_ready: set[tuple[str, str]] = set()  # (dtype, part) compiled or loaded in this process
log = logging.getLogger(__name__)


def add_compile_listener(fn: Callable[[str], None]) -> None:
    """`fn(message)` is called before and after the kernels are prepared in this process."""
    _listeners.append(fn)


def remove_compile_listener(fn: Callable[[str], None]) -> None:
    if fn in _listeners:
        _listeners.remove(fn)


def _notify(message: str) -> None:
    log.info(message)  # the console shows it with `neuroedit -v`
    for fn in _listeners:
        fn(message)


# What a run may need compiled: "training" (kernels/epochs.py, all that training calls) and
# "steps" (kernels/run.py: explicit steps, gradients, predictions, values for the probes).
PARTS = {"training": ("epochs", "train_epochs"), "steps": ("run", "run")}


def kernels_cached(part: str = "training") -> bool:
    """Whether this part's compiled kernels from an earlier run are on disk."""
    from . import kernels  # noqa: F401  (drops cached kernels whose sources changed)

    module, function = PARTS[part]
    source = os.path.join(os.path.dirname(__file__), "kernels", f"{module}.py")
    root = os.environ.get("NUMBA_CACHE_DIR")
    pattern = (
        os.path.join(root, "**", f"{module}.{function}-*.nbi")
        if root
        else os.path.join(os.path.dirname(source), "__pycache__", f"{module}.{function}-*.nbi")
    )
    stamp = os.path.getmtime(source)
    return any(os.path.getmtime(p) >= stamp for p in glob.glob(pattern, recursive=True))


def _tiny_backend(dtype: str) -> NumbaBackend:
    from .spec import GraphSpec, OpSpec

    g = GraphSpec(
        (
            OpSpec("x", "Input", {"shape": (1,)}, output_shape=(1,)),
            OpSpec(
                "d",
                "Dense",
                {"units": 1, "activation": "linear", "kernel_initializer": "zeros", "bias_initializer": "zeros"},
                ("x",),
                ((1,),),
                (1,),
                {"kernel": ((1, 1), True), "bias": ((1,), True)},
            ),
            OpSpec("l", "Loss", {"loss": "mse"}, ("d",), ((1,),), ()),
        ),
        ("x",),
        "d",
        "l",
    )
    b = NumbaBackend.__new__(NumbaBackend)
    Backend.__init__(b, g, dtype)
    b._setup()
    return b


def ensure_kernels(dtype: str, part: str = "training") -> float:
    """Compile (first use on a machine) or load one part of the kernels for `dtype`; returns the seconds it took.

    Only what a run calls is compiled: training needs "training" alone, so a first run does not
    wait for the kernels of predictions and gradient checks ("steps"), which compile when first used.
    """
    if (dtype, part) in _ready:
        return 0.0
    what = "training kernels" if part == "training" else "inference kernels"
    cached = kernels_cached(part)
    _notify(f"loading compiled {what}..." if cached else f"compiling {what} (first run only)...")
    start = time.perf_counter()
    _ready.add((dtype, part))  # before the call: the call below asks again
    side = {} if cached or part != "training" else {name: _compile_on_the_side(dtype, name) for name in SIDE_CALLEES}
    try:
        b = _tiny_backend(dtype)
        x = np.zeros((1, 1), dtype)
        with _loaded_from(side):
            if part == "training":
                si, sf = E.new_state()
                pi = np.zeros(E.PLAN_INTS, np.int64)
                pf = np.zeros(E.PLAN_FLOATS, np.float64)
                pi[E.P_N] = pi[E.P_BATCH] = pi[E.P_STEPS_PER_EPOCH] = pi[E.P_EPOCHS] = 1
                pi[E.P_ES_MONITOR] = E.MONITOR_NONE
                b.train_epochs(x, x, x[:0], x[:0], (pi, pf), (si, sf), 1)
            else:
                b._call(TRAIN, x, x, np.zeros(1, np.int64), np.array([0, 1]), np.zeros(1))
    except BaseException:
        _ready.discard((dtype, part))
        raise
    took = time.perf_counter() - start
    _notify(f"{what} ready ({took:.1f} s)")
    return took


def start_python(code: str) -> subprocess.Popen | None:
    """Run `code` in a new Python process, output discarded; None when no process can be started
    here (the caller then does the work itself)."""
    try:
        return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None


# Callees of the training kernel that share no callee with the code typed before them: on a cold
# cache each compiles in a process of its own into the on-disk cache, and this process loads it
# from there when its typing gets to the call (it reaches them seconds later: ops.forward comes first).
SIDE_CALLEES = ("ops.backward", "epochs.batch_loss")
SIDE_WAIT_S = 120.0  # a side process that takes longer is stuck: compile its callee here after all


def side_signatures(dtype: str) -> dict[str, tuple]:
    """The argument types the training kernel (kernels/epochs.py) passes to each of `SIDE_CALLEES`."""
    from numba import from_dtype, typeof, types

    t = _tiny_backend(dtype).tape
    i64, flag = types.int64, types.boolean
    vector = types.Array(from_dtype(np.dtype(dtype)), 1, "C")  # theta, buf, gbuf, sbuf, gtheta, gsq
    targets = types.Array(from_dtype(np.dtype(dtype)), 2, "C")  # Y and Yv, as Backend.pack_targets makes them
    order = types.Array(i64, 1, "C")
    rows, fpar, ins, imap, lossv = (typeof(a) for a in (t.rows, t.fpar, t.ins, t.imap, t.loss))
    return {
        "ops.backward": (rows, fpar, ins, imap, i64, i64, i64, *(vector,) * 6, flag, i64, i64),
        "epochs.batch_loss": (rows, ins, lossv, i64, targets, order, i64, i64, vector, vector, flag),
    }


def compile_side_callee(dtype: str, name: str) -> None:
    """One of `SIDE_CALLEES`, into the on-disk cache (in a process `ensure_kernels` starts)."""
    _kernel(name).compile(side_signatures(dtype)[name])


def _kernel(name: str) -> Any:
    """The compiled function "module.function" of neuroedit/engine/kernels."""
    import importlib

    module, function = name.split(".")
    return getattr(importlib.import_module(f"{__package__}.kernels.{module}"), function)


def _compile_on_the_side(dtype: str, name: str) -> subprocess.Popen | None:
    return start_python(f"from {__name__} import compile_side_callee; compile_side_callee({dtype!r}, {name!r})")


@contextlib.contextmanager
def _loaded_from(side: dict[str, subprocess.Popen | None]) -> Iterator[None]:
    """While the training kernel compiles here, its typing of a call to a callee that another process
    is compiling waits for that process and loads the callee from the disk cache, rather than
    compile it a second time (a race it would lose by seconds on 2 cores). The processes are
    stopped at the end: by then their work is done or no longer needed."""
    kernels = []
    for name, process in side.items():
        if process is None:
            continue
        kernel = _kernel(name)
        kernel.compile = functools.partial(_compile_after, kernel.compile, process)  # this dispatcher only
        kernels.append(kernel)
    try:
        yield
    finally:
        for kernel in kernels:
            del kernel.compile
        for process in side.values():
            if process is not None:
                process.kill()
                process.wait()


def _compile_after(compile: Callable, process: subprocess.Popen, signature: tuple) -> Any:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(SIDE_WAIT_S)
    return compile(signature)  # from the disk cache when the process wrote it


def prepare_kernels(dtype: str = "float32") -> float:
    """Compile or load every part for `dtype` (the editor does this in the background at launch)."""
    return sum(ensure_kernels(dtype, part) for part in PARTS)


class NumbaBackend(Backend):
    name = "numba"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._setup()
        ensure_kernels(self.dtype.name, "training")

    def _setup(self) -> None:
        self.tape: Tape = compile_tape(self.graph, self.layout, self.op_params)
        self._cap = 0
        n = self.layout.n_trainable
        self.gtheta = np.zeros(n, self.dtype)
        self.gsq = np.zeros(n, self.dtype)
        self._backup = np.zeros((6, n), self.dtype)  # kernels/epochs.py BACKUP_ROWS
        self._frozen_backup = np.zeros(self.layout.n_frozen, self.dtype)
        self._frozen_step = np.zeros(self.layout.n_frozen, self.dtype)
        self._order = np.zeros(0, np.int64)
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

    def _val_buffers(self, cap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Buffers of their own for validation, so the last training batch's values stay readable."""
        t = self.tape
        cap = max(cap, 1)
        if getattr(self, "_vcap", 0) < cap:
            self._vcap = cap
            self._vbufs = (
                np.zeros(cap * t.buf_size, self.dtype),
                np.zeros(cap * t.buf_size, self.dtype),
                np.zeros(cap * t.sbuf_size + t.sbuf_extra + 1, self.dtype),
                np.array([cap, cap * t.sbuf_size], np.int64),
            )
        return self._vbufs

    def _call(
        self,
        mode: int,
        X: np.ndarray,
        Y: np.ndarray,
        order: np.ndarray,
        bounds: np.ndarray,
        lrs: np.ndarray,
        out_pred: np.ndarray | None = None,
        losses: np.ndarray | None = None,
        metrics: np.ndarray | None = None,
    ) -> tuple[int, int, np.ndarray, np.ndarray]:
        from .kernels.run import run

        ensure_kernels(self.dtype.name, "steps")
        nsteps = len(bounds) - 1
        cap = int(np.diff(bounds).max()) if nsteps else 1
        self._buffers(max(cap, 1))
        t = self.tape
        losses = np.zeros(max(nsteps, 1)) if losses is None or len(losses) == 0 else losses
        metrics = np.zeros(max(nsteps, 1)) if metrics is None or len(metrics) == 0 else metrics
        pred = out_pred if out_pred is not None else np.zeros((1, 1), self.dtype)
        if Y.shape[0] == 0 and X.shape[0]:
            Y = np.zeros((X.shape[0], 0), self.dtype)
        done, failed = run(
            mode,
            t.rows,
            t.fpar,
            t.ins,
            t.imap,
            t.loss,
            self._dims,
            np.ascontiguousarray(X, self.dtype),
            np.ascontiguousarray(Y, self.dtype),
            np.ascontiguousarray(order, np.int64),
            np.ascontiguousarray(bounds, np.int64),
            np.ascontiguousarray(lrs, np.float64),
            self.theta,
            self.frozen,
            self.gtheta,
            self.gsq,
            self.slots,
            self._backup,
            self._frozen_step,
            self._frozen_backup,
            self.buf,
            self.gbuf,
            self.sbuf,
            self.optimizer.code,
            self.optimizer.hyper_array(),
            self.iterations,
            self.seed,
            losses,
            metrics,
            pred,
            self.live,
        )
        if nsteps:
            last = min(done, nsteps - 1)  # the batch whose values are in the buffers now
            self._last_batch = int(bounds[last + 1] - bounds[last])
        return int(done), int(failed), losses, metrics

    # ------------------------------------------------------------------ Backend interface
    def _train_epochs(self, X, Y, Xv, Yv, pi, pf, si, sf, max_steps, max_epochs, out):
        from .kernels.epochs import train_epochs

        bs = int(pi[E.P_BATCH])
        self._buffers(max(bs, 1))
        vbuf, vgbuf, vsbuf, vdims = self._val_buffers(min(len(Xv), E.VAL_BATCH))
        passes = -(-E.epoch_samples(pi) // max(len(X), 1))
        if len(self._order) != passes * len(X):
            self._order = np.zeros(passes * len(X), np.int64)
            self._vorder = np.arange(max(len(Xv), 1), dtype=np.int64)
        if len(self._vorder) < len(Xv):
            self._vorder = np.arange(len(Xv), dtype=np.int64)
        rows = np.zeros((max_steps // max(int(pi[E.P_STEPS_PER_EPOCH]), 1) + 2, E.EPOCH_COLUMNS))
        t = self.tape
        losses, metrics, lrs = out
        si0, sf0 = si.copy(), sf.copy()
        args = (
            t.rows,
            t.fpar,
            t.ins,
            t.imap,
            t.loss,
            self._dims,
            X,
            Y,
            Xv,
            Yv,
            self._vorder,
            vdims,
            vbuf,
            vgbuf,
            vsbuf,
            pi,
            pf,
            si,
            sf,
        )
        state = (
            self.theta,
            self.frozen,
            self.gtheta,
            self.gsq,
            self.slots,
            self._backup,
            self._frozen_backup,
            self._frozen_step,
            self._best,
            self.buf,
            self.gbuf,
            self.sbuf,
            self.optimizer.code,
            self.optimizer.hyper_array(),
            losses,
            metrics,
            lrs,
            rows,
            self._order,
            self.live,
            self.seed,
        )
        steps, ended, overflowed = train_epochs(*args, max_steps, max_epochs, *state, False)
        if overflowed:  # an update overflowed: back to the call's start, then again checking every step
            used = len(SLOTS[self.optimizer.name])
            self.theta[:] = self._backup[0]
            self.slots[:used] = self._backup[1 : 1 + used]
            self.frozen[:] = self._frozen_backup
            si[:], sf[:] = si0, sf0
            steps, ended, _ = train_epochs(*args, steps + 1, max_epochs, *state, True)
        self.iterations = int(si[E.S_STEP])
        if steps:
            self.last_grad[:] = self.gtheta
            if si[E.S_LAST_UPDATE_KNOWN]:
                np.subtract(self.theta, self._backup[3], out=self.last_update)
            else:
                self.last_update[:] = 0
            j = int(si[E.S_STEP_IN_EPOCH]) - 1
            if j < 0:
                j = int(pi[E.P_STEPS_PER_EPOCH]) - 1
            self._last_batch = min(bs, E.epoch_samples(pi) - j * bs)
        return E.EpochCall(int(steps), losses[:steps], metrics[:steps], lrs[:steps], rows[:ended])

    def _train(self, X, Y, order, bounds, lrs, losses, metrics):
        from .kernels.run import OVERFLOWED

        done, failed, _, _ = self._call(TRAIN, X, Y, order, bounds, lrs, losses=losses, metrics=metrics)
        if failed == OVERFLOWED:
            # an update overflowed and everything went back to the start of the call: redo the good steps
            if len(bounds) == 2:
                return 0, 0
            return self._train_one_by_one(X, Y, order, bounds, lrs, losses, metrics)
        self.iterations += done
        if done:
            self.last_grad[:] = self.gtheta
            if failed < 0:
                np.subtract(self.theta, self._backup[3], out=self.last_update)
        return done, (None if failed < 0 else failed)

    def _train_one_by_one(self, X, Y, order, bounds, lrs, losses, metrics):
        """The failure rule step by step: stops at the first step that fails, with the weights before it."""
        for k in range(len(bounds) - 1):
            _, failed = self._train(
                X, Y, order, bounds[k : k + 2], lrs[k : k + 1], losses[k : k + 1], metrics[k : k + 1]
            )
            if failed is not None:
                return k, k
        return len(bounds) - 1, None

    def _forward_output(self, X: np.ndarray) -> np.ndarray:
        out = np.zeros((len(X), self.graph.op(self.graph.output_id).size), self.dtype)
        if len(X):
            self._call(
                PREDICT,
                X,
                np.zeros((len(X), 0), self.dtype),
                np.arange(len(X)),
                np.array([0, len(X)]),
                np.zeros(1),
                out,
            )
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
        self._call(
            FWD_TRAIN if training else FWD_EVAL,
            X,
            np.zeros((len(X), 0), self.dtype),
            np.arange(len(X)),
            np.array([0, len(X)]),
            np.zeros(1),
        )
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
            out[op.id] = self.buf[off : off + b * n].reshape((b, *op.output_shape))
        return out
