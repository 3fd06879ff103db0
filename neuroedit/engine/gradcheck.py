"""Gradient check: backpropagation against central finite differences, per parameter (float64)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .reference import ReferenceBackend
from .spec import GraphSpec

# Relative errors above this are flagged in the step-through view.
FLAG_ABOVE = 1e-4


@dataclass
class GradCheck:
    """For every weight array: backprop gradient, numeric gradient and the element-wise relative error."""

    analytic: dict[str, dict[str, np.ndarray]]
    numeric: dict[str, dict[str, np.ndarray]]
    rel_error: dict[str, dict[str, np.ndarray]]

    def worst(self) -> float:
        errs = [float(e.max()) for arrays in self.rel_error.values() for e in arrays.values() if e.size]
        return max(errs, default=0.0)

    def flagged(self, limit: float = FLAG_ABOVE) -> list[tuple[str, str, tuple[int, ...], float]]:
        """(op, weight, index, relative error) of every element above `limit`."""
        out = []
        for op, arrays in self.rel_error.items():
            for name, e in arrays.items():
                for idx in zip(*np.nonzero(e > limit)):
                    out.append((op, name, tuple(int(i) for i in idx), float(e[idx])))
        return out


def gradient_check(graph: GraphSpec, weights: Mapping[str, Mapping[str, np.ndarray]], x: Any, y: Any,
                   h: float = 1e-6, seed: int = 0, iterations: int = 0) -> GradCheck:
    """Central differences (L(w+h) - L(w-h)) / 2h for every trainable element, in training mode."""
    b = ReferenceBackend(graph, "float64", seed, weights)
    b.iterations = iterations
    X = b.pack_inputs(x)
    Y = b.pack_targets(y, len(X))
    _, analytic = b.gradients(X, Y)
    numeric = np.zeros_like(analytic)
    for i in range(b.theta.size):
        old = b.theta[i]
        b.theta[i] = old + h
        up = b.gradients(X, Y)[0]
        b.theta[i] = old - h
        down = b.gradients(X, Y)[0]
        b.theta[i] = old
        numeric[i] = (up - down) / (2 * h)
    rel = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    return GradCheck(b.layout.unpack_vector(analytic), b.layout.unpack_vector(numeric), b.layout.unpack_vector(rel))
