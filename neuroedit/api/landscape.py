"""The loss as a function of the weights: along one weight, and over a plane through the current weights.

Everything runs on the reference backend in float64 and in evaluation mode (no
dropout, BatchNorm running statistics), the same mode `evaluate` reports; the slope
shown with a curve is backpropagation's gradient taken in that same mode, so the
tangent touches the curve. The random plane follows Li et al. 2018, "Visualizing the
Loss Landscape of Neural Nets": each neuron's incoming weights ("filter") get a
random direction scaled to that filter's norm; biases and other 1-D arrays stay fixed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.layout import ParamLayout
from ..engine.reference import ReferenceBackend
from ..engine.spec import GraphSpec

WeightKey = tuple[str, str]
WeightRef = tuple[WeightKey, int | tuple[int, ...]]  # ((node, array name), element index)
MAX_STEPS = 41


class LandscapeError(ValueError):
    """A weight, a direction or a grid that cannot be used; the message says which."""


@dataclass(frozen=True)
class Tangent:
    """The current point of a loss curve and its slope dL/dw (backprop, evaluation mode)."""

    weight: float
    loss: float
    slope: float


class Landscape:
    """The loss of one network on fixed data (x, y) as a function of its trainable weights."""

    def __init__(
        self, graph: GraphSpec, weights: Mapping[str, Mapping[str, np.ndarray]], x: Any, y: Any, seed: int = 0
    ) -> None:
        self.backend = ReferenceBackend(graph, "float64", seed, weights)
        self.X = self.backend.pack_inputs(x)
        self.Y = self.backend.pack_targets(y, len(self.X))
        if len(self.X) == 0:
            raise LandscapeError("there are no samples to compute the loss on")
        self.origin = self.backend.theta.copy()

    # ------------------------------------------------------------------ single weights
    def flat_index(self, key: WeightKey, index: int | Sequence[int]) -> int:
        """Position of one element of a trainable array in the flat parameter vector."""
        if not (isinstance(key, tuple) and len(key) == 2):
            raise LandscapeError(f"a weight is named (node, array), e.g. ('dense_1', 'kernel'), not {key!r}")
        try:
            trainable, seg = self.backend.layout.find(*key)
        except KeyError:
            raise LandscapeError(f"{key[0]} has no weight {key[1]!r}") from None
        if not trainable:
            raise LandscapeError(f"{key[0]}.{key[1]} is not a trained weight: gradient descent never moves it")
        size = seg.stop - seg.start
        shape = tuple(seg.shape) or (1,)
        try:
            flat = (
                int(np.ravel_multi_index(tuple(np.atleast_1d(index).tolist()), shape))
                if np.ndim(index)
                else int(np.asarray(index))
            )
        except (ValueError, TypeError):
            raise LandscapeError(f"{key[0]}.{key[1]} has shape {shape}; index {index} is outside it") from None
        if not 0 <= flat < size:
            raise LandscapeError(f"{key[0]}.{key[1]} has {size} elements; index {index} is outside it")
        return seg.start + flat

    def loss(self, theta: np.ndarray | None = None) -> float:
        """Loss (with any L1/L2 penalty) at `theta` (default: the current weights), evaluation mode."""
        b = self.backend
        b.theta[:] = self.origin if theta is None else theta
        with np.errstate(all="ignore"):
            value = b.evaluate(self.X, self.Y)[0]
        b.theta[:] = self.origin
        return float(value)

    def gradient(self) -> np.ndarray:
        """dL/dθ at the current weights by backpropagation, in evaluation mode."""
        b = self.backend
        with np.errstate(all="ignore"):
            return b.backward(b.forward(self.X, training=False), self.Y).flat.copy()

    def along(self, key: WeightKey, index: int | Sequence[int], values: Sequence[float] | np.ndarray) -> np.ndarray:
        """The loss with one weight set to each of `values`, every other weight as it is."""
        i = self.flat_index(key, index)
        theta = self.origin.copy()
        out = np.empty(len(values))
        for k, v in enumerate(values):
            theta[i] = float(v)
            out[k] = self.loss(theta)
        return out

    def pre_activations(self, op_id: str) -> np.ndarray:
        """z of a Dense or Activation op for every sample, flattened (the activation plot's histogram)."""
        with np.errstate(all="ignore"):
            pre = self.backend.forward(self.X, training=False).pre
        if op_id not in pre:
            raise LandscapeError(f"{op_id} has no activation")
        return np.asarray(pre[op_id], np.float64).ravel()

    def tangent(self, key: WeightKey, index: int | Sequence[int]) -> Tangent:
        i = self.flat_index(key, index)
        return Tangent(float(self.origin[i]), self.loss(), float(self.gradient()[i]))

    # ------------------------------------------------------------------ planes
    def weight_direction(self, ref: WeightRef) -> np.ndarray:
        if not (isinstance(ref, (tuple, list)) and len(ref) == 2):
            raise LandscapeError(
                f"a direction weight is ((node, array), index), e.g. (('dense_1', 'kernel'), (0, 1)), not {ref!r}"
            )
        d = np.zeros_like(self.origin)
        d[self.flat_index(*ref)] = 1.0
        return d

    def random_direction(self, rng: np.random.Generator) -> np.ndarray:
        """A Gaussian direction, each filter scaled to the norm of the same filter of the weights (Li et al.)."""
        d = np.zeros_like(self.origin)
        for seg in self.backend.layout.trainable:
            if len(seg.shape) < 2:
                continue  # biases, BatchNorm γ/β, PReLU α: left where they are, as in the paper
            w = self.origin[seg.start : seg.stop].reshape(seg.shape)
            r = rng.standard_normal(seg.shape)
            # A Dense kernel is (inputs, units): a neuron's filter is a column.
            axes = tuple(range(len(seg.shape) - 1))
            scale = np.linalg.norm(w, axis=axes, keepdims=True) / (np.linalg.norm(r, axis=axes, keepdims=True) + 1e-10)
            d[seg.start : seg.stop] = (r * scale).ravel()
        return d

    def plane(
        self, directions: str | Sequence[WeightRef] = "random", span: float = 1.0, steps: int = 21, seed: int = 0
    ) -> Surface:
        if not 3 <= int(steps) <= MAX_STEPS or int(steps) % 2 == 0:
            raise LandscapeError(
                f"steps must be an odd number from 3 to {MAX_STEPS} (the centre is the current weights), not {steps}"
            )
        if not float(span) > 0:
            raise LandscapeError(f"span must be positive, not {span}")
        if isinstance(directions, str):
            if directions != "random":
                raise LandscapeError(
                    f"directions must be 'random' or two weights ((node, name), index), not {directions!r}"
                )
            rng = np.random.default_rng(seed)
            d1, d2 = self.random_direction(rng), self.random_direction(rng)
            if not d1.any():
                raise LandscapeError(
                    "the network has no weight matrix to take random directions in; choose two weights instead"
                )
        else:
            refs = list(directions)
            if len(refs) != 2:
                raise LandscapeError(f"give two weights as directions, not {len(refs)}")
            d1, d2 = self.weight_direction(refs[0]), self.weight_direction(refs[1])
            if np.array_equal(d1, d2):
                raise LandscapeError("the two directions are the same weight")
        return Surface(self, d1, d2, float(span), int(steps))


class Surface:
    """A steps × steps grid of losses over origin + α·d1 + β·d2, α and β in [-span, span]."""

    def __init__(self, landscape: Landscape, d1: np.ndarray, d2: np.ndarray, span: float, steps: int) -> None:
        self.landscape = landscape
        self.d1, self.d2 = d1, d2
        self.alphas = np.linspace(-span, span, steps)
        self.betas = np.linspace(-span, span, steps)
        self.Z = np.full((steps, steps), np.nan)  # Z[i, j] at (alphas[j], betas[i])

    def rows(self) -> Iterator[int]:
        """Fill Z one row (one β) at a time, yielding the row's index (progress and cancelling)."""
        base = self.landscape.origin
        for i, beta in enumerate(self.betas):
            for j, alpha in enumerate(self.alphas):
                self.Z[i, j] = self.landscape.loss(base + alpha * self.d1 + beta * self.d2)
            yield i

    def compute(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        for _ in self.rows():
            pass
        return self.alphas, self.betas, self.Z

    def project(self, thetas: np.ndarray) -> np.ndarray:
        """(α, β) of flat weight vectors: the least-squares point of the plane nearest each one."""
        t = np.atleast_2d(np.asarray(thetas, np.float64)) - self.landscape.origin
        basis = np.stack([self.d1, self.d2], axis=1)
        coef, *_ = np.linalg.lstsq(basis, t.T, rcond=None)
        return coef.T


def flat_weights(graph: GraphSpec, weights: Mapping[str, Mapping[str, np.ndarray]]) -> np.ndarray:
    """The trainable weights as one flat vector in the engine's layout (for projecting a training path)."""
    layout = ParamLayout(graph)
    theta = np.zeros(layout.n_trainable)
    for seg in layout.trainable:
        theta[seg.start : seg.stop] = np.asarray(weights[seg.op_id][seg.name], np.float64).ravel()
    return theta


def document_landscape(
    doc,
    weights: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    base_dir: str | None = None,
    max_samples: int | None = None,
    seed: int = 0,
) -> Landscape:
    """The landscape of a document on its training data (a random subset of `max_samples` when larger)."""
    from .bridge import graph_spec
    from .data import document_spec, load_training_data
    from .session import fitting_weights, split_inputs

    graph = graph_spec(doc)
    x, y = load_training_data(graph, document_spec(doc), base_dir).train
    if max_samples is not None and len(x) > max_samples:
        rows = np.sort(np.random.default_rng(seed).choice(len(x), max_samples, replace=False))
        x, y = x[rows], (None if y is None else y[rows])
    return Landscape(
        graph,
        weights if weights is not None else fitting_weights(doc, graph),
        split_inputs(graph, x),
        y,
        int(doc.settings.get("seed", 0)),
    )
