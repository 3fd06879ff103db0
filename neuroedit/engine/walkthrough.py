"""One training step laid open: every forward value, the loss, every gradient and the update.

The step-through view and `neuroedit trace` show these numbers. They come from the
reference backend in float64, so they are the definition, printed exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .optimizers import SLOTS, OptimizerConfig, reference_update
from .reference import ReferenceBackend
from .spec import GraphSpec


@dataclass
class WalkthroughRecord:
    """All arrays keep the batch axis first; keys are op ids (and weight names)."""

    inputs: dict[str, np.ndarray]
    values: dict[str, np.ndarray]  # output of every op
    pre_activations: dict[str, np.ndarray]  # z of Dense/Activation ops (before the activation)
    loss: float
    metric: float
    value_grads: dict[str, np.ndarray]  # dL/d(output of op)
    pre_grads: dict[str, np.ndarray]  # dL/dz of Dense/Activation ops
    port_grads: dict[tuple[str, int], np.ndarray]  # dL/d(input port k of op), as sent backwards
    param_grads: dict[str, dict[str, np.ndarray]]  # dL/dw, penalty included
    old_weights: dict[str, dict[str, np.ndarray]]
    new_weights: dict[str, dict[str, np.ndarray]]
    learning_rate: float
    optimizer: str
    order: list[str] = field(default_factory=list)  # ops in forward order
    hyper: dict[str, float] = field(default_factory=dict)  # the optimizer's hyperparameters
    iteration: int = 1  # t of this update (Adam's bias correction)
    # The optimizer's state by slot name (velocity, m, v, ...) before and after this update: {slot: {op: {name}}}
    old_state: dict[str, dict[str, dict[str, np.ndarray]]] = field(default_factory=dict)
    new_state: dict[str, dict[str, dict[str, np.ndarray]]] = field(default_factory=dict)

    def update(self, op_id: str, name: str) -> np.ndarray:
        return self.new_weights[op_id][name] - self.old_weights[op_id][name]


def record_walkthrough(
    graph: GraphSpec,
    weights: Mapping[str, Mapping[str, np.ndarray]],
    x: Any,
    y: Any,
    optimizer: OptimizerConfig | None = None,
    learning_rate: float = 0.01,
    optimizer_state: Mapping[str, np.ndarray] | None = None,
    seed: int = 0,
    iterations: int = 0,
) -> WalkthroughRecord:
    """Run one batch (x, y) forward and backward in float64 and apply one optimizer step to a copy."""
    b = ReferenceBackend(graph, "float64", seed, weights)
    b.set_optimizer(optimizer or OptimizerConfig())
    b.iterations = iterations
    if optimizer_state:
        b.import_optimizer_state(optimizer_state)  # also restores the iteration count
    X = b.pack_inputs(x)
    Y = b.pack_targets(y, len(X))
    old = b.get_weights()
    p = b.forward(X, training=True, step=b.iterations, update_stats=True)
    gr = b.backward(p, Y)
    slots_before = b.slots.copy()
    reference_update(b.optimizer, b.theta, gr.flat, gr.sq, b.slots, float(learning_rate), b.iterations + 1)
    inputs = {i: p.values[i] for i in graph.input_ids}
    return WalkthroughRecord(
        inputs=inputs,
        values=dict(p.values),
        pre_activations=dict(p.pre),
        loss=gr.loss,
        metric=gr.metric,
        value_grads=dict(gr.values),
        pre_grads=dict(gr.pre),
        port_grads=dict(gr.ports),
        param_grads=b.layout.unpack_vector(gr.flat),
        old_weights=old,
        new_weights=b.get_weights(),
        learning_rate=float(learning_rate),
        optimizer=b.optimizer.name,
        order=[op.id for op in graph.ops if op.type != "Loss"],
        hyper=dict(b.optimizer.hyper),
        iteration=b.iterations + 1,
        old_state={slot: b.layout.unpack_vector(slots_before[k]) for k, slot in enumerate(SLOTS[b.optimizer.name])},
        new_state={slot: b.layout.unpack_vector(b.slots[k]) for k, slot in enumerate(SLOTS[b.optimizer.name])},
    )
