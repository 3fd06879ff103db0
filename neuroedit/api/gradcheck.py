"""Gradient check: backpropagation against central finite differences, per parameter element.

Both run on the reference backend in float64 on the same batch in training mode
(dropout masks are fixed per step, BatchNorm uses the batch's statistics), so any
disagreement beyond round-off points at a wrong derivative. The input values of the
batch's first sample are checked too (dL/dx), which is all a computation graph
without weights has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.reference import ReferenceBackend
from ..engine.spec import GraphSpec
from .bridge import graph_spec
from .session import fitting_weights
from .walkthrough import resolve_sample

# Gradients smaller than this count as this large in the relative error, so two
# round-off-sized numbers (1e-11 vs 0) are not flagged.
ABS_FLOOR = 1e-6


@dataclass(frozen=True)
class GradRow:
    node: str
    param: str  # weight name, or "input" for an Input node's value
    index: tuple[int, ...]
    backprop: float
    numeric: float
    rel_err: float
    flagged: bool


@dataclass
class GradCheck:
    rows: list[GradRow]
    threshold: float
    h: float
    checked: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # (node, param) -> (checked, total)
    loss: float = 0.0

    @property
    def flagged(self) -> list[GradRow]:
        return [r for r in self.rows if r.flagged]

    @property
    def ok(self) -> bool:
        return not self.flagged

    @property
    def max_rel_err(self) -> float:
        return max((r.rel_err for r in self.rows), default=0.0)

    def sampled_notes(self) -> list[str]:
        """One line per array that was only partly checked (a random subset of its elements)."""
        return [
            f"{node}.{param}: {k} of {n} elements checked (random subset)"
            for (node, param), (k, n) in self.checked.items()
            if k < n
        ]


def relative_error(a: float, b: float, floor: float = ABS_FLOOR) -> float:
    """|a - b| / max(|a|, |b|, floor)."""
    return abs(a - b) / max(abs(a), abs(b), floor)


def gradient_check(
    doc,
    sample: int | Sequence[int] | None = None,
    inputs: Mapping[str, Any] | None = None,
    target: Any = None,
    max_per_array: int = 20,
    h: float = 1e-5,
    threshold: float = 1e-4,
    check_inputs: bool = True,
    seed: int = 0,
    base_dir: str | None = None,
) -> GradCheck:
    """Check every parameter of `doc` on one sample or a mini-batch (as `walkthrough` picks them).

    The document's stored weights are used.
    """
    graph = graph_spec(doc)
    x, y, _ = resolve_sample(doc, graph, sample, inputs, target, base_dir)
    return check_graph(
        graph,
        fitting_weights(doc, graph),
        x,
        y,
        max_per_array,
        h,
        threshold,
        check_inputs,
        seed,
        int(doc.settings.get("seed", 0)),
    )


def check_graph(
    graph: GraphSpec,
    weights: Mapping[str, Mapping[str, np.ndarray]],
    x: Any,
    y: Any,
    max_per_array: int = 20,
    h: float = 1e-5,
    threshold: float = 1e-4,
    check_inputs: bool = True,
    seed: int = 0,
    weight_seed: int = 0,
) -> GradCheck:
    """Arrays with more than `max_per_array` elements are checked on a random subset (drawn with `seed`)."""
    b = ReferenceBackend(graph, "float64", weight_seed, weights)
    X = b.pack_inputs(x)
    Y = b.pack_targets(y, len(X))
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        p = b.forward(X, training=True, step=b.iterations)
        gr = b.backward(p, Y)
    result = GradCheck([], threshold, h, loss=float(gr.loss))

    def loss() -> float:
        with np.errstate(all="ignore"):
            return float(b.gradients(X, Y)[0])

    def pick(n: int) -> np.ndarray:
        return np.arange(n) if n <= max_per_array else np.sort(rng.choice(n, max_per_array, replace=False))

    def add(node: str, param: str, index: tuple[int, ...], analytic: float, numeric: float) -> None:
        err = relative_error(analytic, numeric)
        result.rows.append(GradRow(node, param, index, analytic, numeric, err, bool(err > threshold)))

    theta = b.flat("weights")

    def loss_at(i: int, value: float) -> float:
        moved = theta.copy()
        moved[i] = value
        b.set_flat("weights", moved)
        return loss()

    for seg in b.layout.trainable:
        chosen = pick(seg.stop - seg.start)
        result.checked[(seg.op_id, seg.name)] = (len(chosen), seg.stop - seg.start)
        for k in chosen:
            i = seg.start + int(k)
            old = theta[i]
            up = loss_at(i, old + h)
            down = loss_at(i, old - h)
            b.set_flat("weights", theta)
            index = tuple(int(v) for v in np.unravel_index(int(k), seg.shape)) if seg.shape else ()
            add(seg.op_id, seg.name, index, float(gr.flat[i]), (up - down) / (2 * h))
    if check_inputs:
        col = 0
        for input_id in graph.input_ids:
            op = graph.op(input_id)
            analytic = gr.values.get(input_id)
            if analytic is not None:
                chosen = pick(op.size)
                result.checked[(input_id, "input")] = (len(chosen), op.size)
                for k in chosen:
                    c = col + int(k)
                    old = X[0, c]
                    X[0, c] = old + h
                    up = loss()
                    X[0, c] = old - h
                    down = loss()
                    X[0, c] = old
                    index = tuple(int(v) for v in np.unravel_index(int(k), op.output_shape))
                    add(input_id, "input", index, float(analytic[0].ravel()[k]), (up - down) / (2 * h))
            col += op.size
    return result
