"""The walk-through's data: steps, what each step highlights, per-node number tables, and the build context.

Everything here is plain data (dataclasses and NumPy arrays), so the GUI can render
it without knowing how the steps were made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...engine.spec import GraphSpec, OpSpec
from ...engine.walkthrough import WalkthroughRecord
from .format import SY, D, Formula, NumberFormat, Piece, Sym

PHASES = ("forward", "loss", "backward", "update")
NOTATIONS = ("standard", "lecture")


@dataclass(frozen=True)
class Highlight:
    """What the canvas marks for a step. Indices are 0-based (the rendered symbols count from 1).

    `node`: the node; `units`: flat output elements (neurons) of that node; `weights`:
    (weight name, element index) pairs of that node; `edges`: (src node, dst node) arrows
    along which a value or gradient travels.
    """

    node: str
    units: tuple[int, ...] = ()
    weights: tuple[tuple[str, tuple[int, ...]], ...] = ()
    edges: tuple[tuple[str, str], ...] = ()


@dataclass
class Step:
    """One stop of the walk-through: a phase, a node (and neuron / weight), formulas and their numbers."""

    index: int
    phase: str  # forward | loss | backward | update
    node: str
    title: str
    formulas: list[Formula]
    values: dict[str, np.ndarray]
    highlight: Highlight
    unit: int | None = None  # the neuron (flat output index), when the step is about one
    sample: int | None = None  # position in the mini-batch (None: one sample, or the whole batch)
    weight: tuple[str, tuple[int, ...]] | None = None  # (name, index) when the step is about one weight element
    notes: list[str] = field(default_factory=list)
    summary: bool = False  # stands for several neurons/elements not shown one by one

    def lines(self, fmt: str = "text", number: NumberFormat = NumberFormat()) -> list[str]:  # noqa: B008 (frozen)
        """Every formula of the step rendered in `fmt` (text, markdown, latex)."""
        return [f.render(fmt, number) for f in self.formulas]


@dataclass
class ParamNumbers:
    """One weight array of a node: before the step, dL/dw (penalty included) and after the update."""

    old: np.ndarray
    grad: np.ndarray
    new: np.ndarray

    @property
    def update(self) -> np.ndarray:
        return self.new - self.old


@dataclass
class NodeNumbers:
    """Every number of one node for the current sample (no batch axis): the neuron view's hover data."""

    node: str
    type: str
    value: np.ndarray  # the node's output
    pre: np.ndarray | None  # z before the activation (Dense, Activation)
    grad: np.ndarray | None  # dL/d(output)
    pre_grad: np.ndarray | None  # dL/dz
    params: dict[str, ParamNumbers] = field(default_factory=dict)


class Context:
    """The trace of one step plus the helpers every step builder needs (symbols, caps, numbering).

    `n` is the sample of the batch the per-sample accessors (value, grad, ...) read.
    """

    def __init__(
        self,
        graph: GraphSpec,
        trace: WalkthroughRecord,
        targets: np.ndarray | None,
        number: NumberFormat,
        max_units: int,
        preview: int,
        notation: str = "standard",
    ) -> None:
        if notation not in NOTATIONS:
            raise ValueError(f"notation must be one of {', '.join(NOTATIONS)}, not {notation!r}")
        self.notation = notation
        self.graph = graph
        self.trace = trace
        self.targets = targets  # (batch, k) in the loss's format, or None
        self.batch = len(next(iter(trace.inputs.values())))
        self.n = 0
        self.number = number
        self.max_units = max_units
        self.preview = preview
        self.steps: list[Step] = []
        self.ops = {op.id: op for op in graph.ops}
        out = graph.op(graph.output_id)
        self.objective = Sym(out.id) if graph.loss_name == "value" and out.size == 1 else Sym("L")

    @property
    def lecture(self) -> bool:
        """The lectures' notation: w_kj (neuron first), δ terms, updates from the last layer back."""
        return self.notation == "lecture"

    def delta(self, op_id: str, sub: str) -> Piece:
        """dL/dz of a Dense neuron: the derivative, or in the lecture's notation δᵒᵘᵗ / δʰⁱᵈ."""
        if self.lecture:
            return SY(Sym("δᵒᵘᵗ" if op_id == self.graph.output_id else "δʰⁱᵈ", sub))
        return D(self.objective, Sym("z", sub))

    # ---------------------------------------------------------------- numbers of sample n
    @property
    def target(self) -> np.ndarray | None:
        return None if self.targets is None else self.targets[self.n]

    def value(self, op_id: str) -> np.ndarray:
        return np.asarray(self.trace.values[op_id][self.n], dtype=np.float64).ravel()

    def pre(self, op_id: str) -> np.ndarray:
        return np.asarray(self.trace.pre_activations[op_id][self.n], dtype=np.float64).ravel()

    def has_grad(self, op_id: str) -> bool:
        """Whether the loss depends on this node's output (else backpropagation never reaches it)."""
        return op_id in self.trace.value_grads

    def grad(self, op_id: str) -> np.ndarray:
        return self._row(self.trace.value_grads.get(op_id), f"dL/d({op_id})")

    def pre_grad(self, op_id: str) -> np.ndarray:
        return self._row(self.trace.pre_grads.get(op_id), f"dL/dz of {op_id}")

    def port_grad(self, op_id: str, port: int) -> np.ndarray:
        return self._row(self.trace.port_grads.get((op_id, port)), f"the gradient {op_id} sends to input {port}")

    def port_grad_if_any(self, op_id: str, port: int) -> np.ndarray | None:
        """None for a port the loss does not depend on (a constant or a target)."""
        return self.port_grad(op_id, port) if (op_id, port) in self.trace.port_grads else None

    def _row(self, g: np.ndarray | None, what: str) -> np.ndarray:
        if g is None:
            raise LookupError(f"the walk-through has no {what}")
        return np.asarray(g[self.n], dtype=np.float64).ravel()

    def weight(self, op_id: str, name: str, new: bool = False) -> np.ndarray:
        src = self.trace.new_weights if new else self.trace.old_weights
        return np.asarray(src[op_id][name], dtype=np.float64)

    def consumers(self, op_id: str) -> list[tuple[OpSpec, int]]:
        """(consumer op, port) pairs reading `op_id`, in graph order (the Loss excluded)."""
        return [
            (op, k) for op in self.graph.ops if op.type != "Loss" for k, src in enumerate(op.inputs) if src == op_id
        ]

    # ---------------------------------------------------------------- symbols
    @staticmethod
    def sub(index: int | tuple[int, ...], size_or_shape: int | tuple[int, ...]) -> str:
        """1-based subscript of an element, or "" for a single element."""
        shape = (size_or_shape,) if isinstance(size_or_shape, int) else tuple(size_or_shape)
        n = int(np.prod(shape)) if shape else 1
        if n <= 1:
            return ""
        if isinstance(index, int):
            index = tuple(int(i) for i in np.unravel_index(index, shape)) if len(shape) > 1 else (index,)
        return ",".join(str(i + 1) for i in index)

    def node_sym(self, op_id: str, k: int | None = None) -> Sym:
        """A node's value as a symbol: its id, with the element subscript when it has several."""
        op = self.ops[op_id]
        return Sym(op_id, "" if k is None else self.sub(k, op.output_shape))

    def shown(self, n: int) -> tuple[list[int], int]:
        """Which of n neurons/elements get their own formulas, and how many are only summarised."""
        if n <= self.max_units:
            return list(range(n)), 0
        return list(range(self.preview)), n - self.preview

    # ---------------------------------------------------------------- steps
    def add(
        self,
        phase: str,
        node: str,
        title: str,
        formulas: list[Formula],
        values: dict[str, np.ndarray],
        highlight: Highlight,
        per_sample: bool = True,
        **extra,
    ) -> Step:
        """Append a step; in a mini-batch, per-sample steps say which sample they show."""
        sample = self.n if per_sample and self.batch > 1 else None
        if sample is not None:
            title = f"sample {sample + 1}: {title}"
        step = Step(len(self.steps), phase, node, title, formulas, values, highlight, sample=sample, **extra)
        self.steps.append(step)
        return step

    def summary(
        self,
        phase: str,
        node: str,
        hidden: int,
        what: str,
        values: dict[str, np.ndarray],
        units: tuple[int, ...] = (),
        per_sample: bool = True,
    ) -> None:
        """A step standing for the `hidden` neurons/elements not shown one by one (numbers in `values`)."""
        if hidden:
            self.add(
                phase,
                node,
                f"{node}: {hidden} more {what} (numbers in the step's values)",
                [],
                values,
                Highlight(node, units),
                per_sample=per_sample,
                summary=True,
            )
