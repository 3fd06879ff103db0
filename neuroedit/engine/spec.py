"""The plain graph description the engine runs: no document, no Qt, just ops in topological order.

`neuroedit.api.bridge` builds a `GraphSpec` from a Document; tests and other
tools can build one by hand. Shapes are per sample (no batch axis).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .names import check_metric, metric_name

Shape = tuple[int, ...]

# A GraphSpec's `metric` until resolved: what the loss implies (engine/names.py::metric_name).
AUTO_METRIC = "auto"

# Node types the engine runs; the model registry's types, minus nothing.
OP_TYPES = (
    "Input",
    "Dense",
    "Dropout",
    "BatchNorm",
    "Flatten",
    "Activation",
    "PReLU",
    "Add",
    "Concatenate",
    "OpAdd",
    "OpSubtract",
    "OpMultiply",
    "OpMax",
    "OpSquare",
    "Loss",
)


class GraphError(ValueError):
    """A graph description the engine cannot run; the message names the op."""


def size_of(shape: Shape) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


@dataclass(frozen=True)
class OpSpec:
    """One operation: its type, parameters, and the ops feeding its input ports (in port order)."""

    id: str
    type: str
    params: Mapping[str, Any] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()
    input_shapes: tuple[Shape, ...] = ()
    output_shape: Shape = ()
    weights: Mapping[str, tuple[Shape, bool]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return size_of(self.output_shape)


@dataclass(frozen=True)
class GraphSpec:
    """Ops in topological order; `output_id` feeds the loss `loss_id`; `input_ids` take the data, in order.

    `metric` is what training reports beside the loss ("accuracy", "mae", or None for the value
    objective): the run's choice, since a regression loss on classes reports accuracy; AUTO_METRIC
    takes what the loss implies.
    """

    ops: tuple[OpSpec, ...]
    input_ids: tuple[str, ...]
    output_id: str
    loss_id: str
    metric: str | None = AUTO_METRIC

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for op in self.ops:
            if op.type not in OP_TYPES:
                raise GraphError(f"{op.id}: unknown op type {op.type!r}")
            for src in op.inputs:
                if src not in seen:
                    raise GraphError(f"{op.id}: input {src!r} is not an earlier op")
            if len(op.inputs) != len(op.input_shapes):
                raise GraphError(f"{op.id}: {len(op.inputs)} inputs but {len(op.input_shapes)} input shapes")
            seen.add(op.id)
        for i in self.input_ids:
            if i not in seen or self.op(i).type != "Input":
                raise GraphError(f"{i!r} is not an Input op")
        if self.loss_id not in seen or self.op(self.loss_id).type != "Loss":
            raise GraphError(f"{self.loss_id!r} is not a Loss op")
        if self.op(self.loss_id).inputs != (self.output_id,):
            raise GraphError(f"the loss {self.loss_id} must be fed by {self.output_id}")
        if self.metric == AUTO_METRIC:
            object.__setattr__(self, "metric", metric_name(self.loss_name))
        problem = check_metric(self.loss_name, self.metric)
        if problem:
            raise GraphError(f"{self.loss_id}: {problem}")

    def op(self, op_id: str) -> OpSpec:
        for op in self.ops:
            if op.id == op_id:
                return op
        raise KeyError(op_id)

    @property
    def loss(self) -> OpSpec:
        return self.op(self.loss_id)

    @property
    def loss_name(self) -> str:
        return str(self.loss.params.get("loss", "mse"))

    @property
    def output_shape(self) -> Shape:
        return self.op(self.output_id).output_shape

    def loss_mode(self) -> tuple[bool, bool]:
        """(logits, fused): whether the loss sees raw scores, and whether it absorbed the output's activation.

        categorical/sparse cross-entropy after softmax and binary cross-entropy after
        sigmoid are fused: the loss takes the pre-activation scores, which is exact
        and numerically stable (no log of a rounded probability).
        """
        loss = self.loss
        if loss.params.get("from_logits", False) and self.loss_name in (
            "binary_crossentropy",
            "categorical_crossentropy",
            "sparse_categorical_crossentropy",
        ):
            return True, False
        out = self.op(self.output_id)
        act = out.params.get("activation") if out.type in ("Dense", "Activation") else None
        consumers = [op for op in self.ops if self.output_id in op.inputs]
        if len(consumers) != 1:
            return False, False
        if act == "softmax" and self.loss_name in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
            return True, True
        if act == "sigmoid" and self.loss_name == "binary_crossentropy":
            return True, True
        return False, False

    def trainable(self) -> list[tuple[str, str, Shape]]:
        """(op id, weight name, shape) of every trainable array, in graph order."""
        return [(op.id, n, tuple(s)) for op in self.ops for n, (s, t) in op.weights.items() if t]

    def frozen(self) -> list[tuple[str, str, Shape]]:
        """(op id, weight name, shape) of every non-trainable array (BatchNorm running statistics)."""
        return [(op.id, n, tuple(s)) for op in self.ops for n, (s, t) in op.weights.items() if not t]
