"""What the worker thread reads from the backend between training calls, as plain NumPy copies for the GUI.

Nothing here touches Qt: the results travel to the GUI thread inside a `Chunk`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

GRID = 64  # decision-boundary resolution (GRID x GRID points)
MAX_THUMB_UNITS = 8  # layers with at most this many units get per-neuron thumbnails
MAX_HIST_LAYERS = 8


@dataclass
class Plane:
    """The 2-D input plane of a network with one Input of 2 features: where to evaluate the output."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    train: tuple[np.ndarray, np.ndarray]  # points and their targets (class or value)
    val: tuple[np.ndarray, np.ndarray] | None
    task: str  # classification | regression
    num_classes: int

    def grid(self) -> np.ndarray:
        xs = np.linspace(*self.x_range, GRID)
        ys = np.linspace(*self.y_range, GRID)
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack([gx.ravel(), gy.ravel()])


@dataclass
class Boundary:
    """The network's output over the plane: `value` (GRID x GRID) and per-unit maps of small layers.

    `neurons` holds every small hidden layer and a multi-unit output (its units: the class scores or
    probabilities as the output op computes them); a single-unit output is `value` alone.
    """

    value: np.ndarray
    classes: np.ndarray | None  # argmax class per point (multi-class), else None
    neurons: dict[str, np.ndarray] = field(default_factory=dict)  # op id -> (units, GRID, GRID)


def make_plane(
    input_size: int, n_inputs: int, train: tuple[Any, Any], val: tuple[Any, Any] | None, task: str, num_classes: int
) -> Plane | None:
    """A Plane when the network reads exactly two numbers per sample, else None."""
    if n_inputs != 1 or input_size != 2:
        return None
    x = np.asarray(train[0], dtype=float).reshape(len(train[0]), -1)
    if x.shape[1] != 2 or not len(x):
        return None
    pts = x if val is None else np.vstack([x, np.asarray(val[0], float).reshape(len(val[0]), -1)])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = np.maximum((hi - lo) * 0.08, 0.1)
    lo, hi = lo - pad, hi + pad

    def targets(pair):
        y = np.asarray(pair[1], dtype=float)
        if task == "classification" and y.ndim == 2 and y.shape[1] > 1:
            return y.argmax(axis=1)
        return y.reshape(len(y), -1)[:, 0] if y.size else np.zeros(len(y))

    v = None if val is None or not len(val[0]) else (np.asarray(val[0], float).reshape(len(val[0]), -1), targets(val))
    return Plane((float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1])), (x, targets(train)), v, task, num_classes)


def boundary(backend, plane: Plane, thumbnails: bool = True) -> Boundary:
    """Evaluate the network on the plane's grid (inference mode)."""
    grid = plane.grid().astype(backend.dtype)
    graph = backend.graph
    if thumbnails:
        values = backend.values(grid, training=False)
        out = values[graph.output_id].reshape(len(grid), -1).astype(float)
    else:
        values = {}
        out = backend.predict(grid).reshape(len(grid), -1).astype(float)
    logits, fused = graph.loss_mode()
    raw = logits and not fused  # from_logits: the output holds scores; a fused loss still outputs probabilities
    classes = None
    if out.shape[1] == 1:
        value = out[:, 0]
        if raw and plane.task == "classification":
            value = 1.0 / (1.0 + np.exp(-np.clip(value, -50, 50)))
    else:
        classes = out.argmax(axis=1)
        e = np.exp(out - out.max(axis=1, keepdims=True)) if raw else np.clip(out, 0, None)
        value = e.max(axis=1) / np.maximum(e.sum(axis=1), 1e-12)
    neurons = {}
    for op in graph.ops:
        if op.type not in ("Dense", "Activation", "PReLU"):
            continue
        v = values.get(op.id)
        if v is None:
            continue
        v = v.reshape(len(grid), -1)
        if v.shape[1] <= MAX_THUMB_UNITS and (op.id != graph.output_id or v.shape[1] >= 2):
            neurons[op.id] = v.T.reshape(v.shape[1], GRID, GRID).astype(np.float32)
    return Boundary(value.reshape(GRID, GRID), None if classes is None else classes.reshape(GRID, GRID), neurons)


def wire_summary(backend) -> dict[str, dict[str, tuple[float, float]]]:
    """Per op with a kernel (or other trainable weights): (mean, mean |.|) of weights, gradients and updates."""
    out: dict[str, dict[str, tuple[float, float]]] = {}
    by_op: dict[str, list] = {}
    for seg in backend.layout.trainable:
        by_op.setdefault(seg.op_id, []).append(seg)
    vectors = {key: backend.flat(key) for key in ("weights", "gradients", "updates")}
    for op_id, segs in by_op.items():
        chosen = [s for s in segs if s.name == "kernel"] or segs
        sl = slice(chosen[0].start, chosen[0].stop)
        entry = {}
        for key, vec in vectors.items():
            a = vec[sl].astype(np.float64)
            entry[key] = (float(a.mean()), float(np.abs(a).mean())) if a.size else (0.0, 0.0)
        out[op_id] = entry
    return out


def histograms(trainer) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Weight and gradient histograms of the first few layers with trainable weights."""
    ops = []
    for seg in trainer.backend.layout.trainable:
        if seg.op_id not in ops:
            ops.append(seg.op_id)
    return {op: trainer.histograms(op) for op in ops[:MAX_HIST_LAYERS]}
