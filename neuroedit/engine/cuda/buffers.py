"""What a CUDA run keeps on the GPU: weights, optimizer state, gradients, value buffers, the data set.

The host decides when to copy: `upload_params`/`download_params` move weights and
optimizer state, `data` uploads a training set once and reuses it while the same
host arrays are passed again; a set too big for the GPU is `stream`ed instead, the
rows of one call at a time through a pinned (page-locked) staging buffer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from ..tape import Tape

# A data set is kept on the device when it takes at most this share of the free memory.
RESIDENT_SHARE = 0.5


def _zeros(n: int, dtype: np.dtype | type) -> Any:
    # Never empty: kernels get a real pointer even for a graph without frozen weights.
    return cuda.to_device(np.zeros(max(int(n), 1), dtype))


class DeviceState:
    """The device arrays of one backend; value buffers grow with the largest batch seen."""

    def __init__(self, tape: Tape, n_trainable: int, n_frozen: int, dtype: np.dtype) -> None:
        self.dtype = np.dtype(dtype)
        self.n_trainable, self.n_frozen = n_trainable, n_frozen
        n = n_trainable
        self.theta, self.gtheta, self.gsq = _zeros(n, dtype), _zeros(n, dtype), _zeros(n, dtype)
        self.slot1, self.slot2 = _zeros(n, dtype), _zeros(n, dtype)
        # weights and slots at the start of a call (restored if an update overflows)
        self.start_theta, self.start_slot1, self.start_slot2 = _zeros(n, dtype), _zeros(n, dtype), _zeros(n, dtype)
        # the last good training step's gradient and weight change (copied to the host only when asked)
        self.last_grad, self.last_update = _zeros(n, dtype), _zeros(n, dtype)
        # BatchNorm statistics: now, before the current step, at the start of the call
        self.frozen, self.frozen_backup = _zeros(n_frozen, dtype), _zeros(n_frozen, dtype)
        self.frozen_start = _zeros(n_frozen, dtype)
        # early stopping's best weights and statistics
        self.best_theta, self.best_frozen = _zeros(n, dtype), _zeros(n_frozen, dtype)
        self.failed = cuda.to_device(np.full(1, -1, np.int64))
        self.flag = cuda.to_device(np.zeros(1, np.int32))
        self.imap = cuda.to_device(np.ascontiguousarray(tape.imap, np.int64))
        self.cap = 0
        self.steps = 0
        self._data: dict[tuple, tuple] = {}
        self._staged: dict[str, tuple] = {}

    def reserve(self, tape: Tape, cap: int, steps: int) -> None:
        """Room for batches of `cap` samples and `steps` per-step losses."""
        if cap > self.cap:
            self.cap = cap
            self.buf = _zeros(cap * tape.buf_size, self.dtype)
            self.gbuf = _zeros(cap * tape.buf_size, self.dtype)
            self.sbuf = _zeros(cap * tape.sbuf_size + tape.sbuf_extra + 1, self.dtype)
            self.lrow = _zeros(cap, np.float64)
            self.hrow = _zeros(cap, np.float64)
        if steps > self.steps:
            self.steps = steps
            self.losses = _zeros(steps, np.float64)
            self.metrics = _zeros(steps, np.float64)

    def data(self, X: np.ndarray, Y: np.ndarray) -> tuple | None:
        """(X, Y) on the device, uploaded once: the training and the validation set stay there between calls.

        A set is known by its host arrays' identity (the trainer passes the same ones every call);
        the two most recent sets are kept. None if the set does not fit (then `stream` it).
        """
        key = (id(X), X.shape, X.ctypes.data, id(Y), Y.shape, Y.ctypes.data)
        if key not in self._data:
            if not self.fits(X, Y):
                return None
            y = Y if Y.shape[1] else np.zeros((len(Y), 1), self.dtype)
            entry = (
                cuda.to_device(np.ascontiguousarray(X, self.dtype)),
                cuda.to_device(np.ascontiguousarray(y, self.dtype)),
                X,
                Y,
            )  # the host arrays keep their ids
            self._data = {**dict(list(self._data.items())[-1:]), key: entry}
        return self._data[key][:2]

    def fits(self, *arrays: np.ndarray) -> bool:
        """Whether these host arrays, in the backend's dtype, fit the device's memory with room to spare."""
        need = sum(a.size for a in arrays) * self.dtype.itemsize
        return need <= RESIDENT_SHARE * cuda.current_context().get_memory_info()[0]

    def stream(self, X: np.ndarray, Y: np.ndarray, rows: np.ndarray) -> tuple:
        """X[rows] and Y[rows] on the device (for one call), gathered on the host into pinned buffers."""
        y = Y if Y.shape[1] else np.zeros((len(Y), 1), self.dtype)
        return self._stage("X", X, rows), self._stage("Y", y, rows)

    def _stage(self, name: str, a: np.ndarray, rows: np.ndarray) -> Any:
        n, width = len(rows), a.shape[1]
        host, dev = self._staged.get(name, (None, None))
        if host is None or host.shape[0] < n or host.shape[1] != width:
            host = cuda.pinned_array((max(n, 1), width), self.dtype)
            dev = cuda.device_array((max(n, 1), width), self.dtype)
            self._staged[name] = (host, dev)
        np.take(a, rows, axis=0, out=host[:n])
        dev[:n].copy_to_device(host[:n])
        return dev

    def upload_params(self, theta: np.ndarray, frozen: np.ndarray, slots: np.ndarray) -> None:
        if self.n_trainable:
            self.theta.copy_to_device(theta)
            self.slot1.copy_to_device(slots[0])
            self.slot2.copy_to_device(slots[1])
        if self.n_frozen:
            self.frozen.copy_to_device(frozen)

    def download_params(self, theta: np.ndarray, frozen: np.ndarray, slots: np.ndarray) -> None:
        if self.n_trainable:
            self.theta.copy_to_host(theta)
            self.slot1.copy_to_host(slots[0])
            self.slot2.copy_to_host(slots[1])
        if self.n_frozen:
            self.frozen.copy_to_host(frozen)

    def vector(self, name: str) -> np.ndarray:
        """A host copy of one trainable-sized device vector (gtheta, last_grad, ...)."""
        return getattr(self, name).copy_to_host()[: self.n_trainable]
