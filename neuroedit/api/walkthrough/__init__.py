"""Backpropagation, step by step, for one sample of a Document: the model behind the step-through view.

`walkthrough(doc, sample=0)` or `walkthrough(doc, inputs={"x": 4, "y": -2, ...})` runs one
training step in float64 (the engine's `record_walkthrough`, on copies: the document is not
changed) and turns every number into ordered `Step`s: forward (layer by layer, neuron
by neuron for small layers), loss, backward (chain rule written out, node by node in
reverse) and update (old -> new value per weight). Each step carries structured
formulas (see .format), its numbers and what to highlight; `nodes` holds the
complete per-node tables for hover texts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...engine.spec import GraphSpec
from ...engine.trainer import TrainConfig
from ...engine.walkthrough import WalkthroughRecord, record_walkthrough
from ..bridge import graph_spec
from ..session import fitting_weights
from .backward import backward_steps, batch_gradient_steps
from .format import NumberFormat
from .forward import forward_steps
from .loss import loss_steps
from .model import PHASES, Context, Highlight, NodeNumbers, ParamNumbers, Step
from .update import OPTIMIZER_RULES, update_steps, weight_symbol

__all__ = [
    "PHASES",
    "Highlight",
    "NodeNumbers",
    "NumberFormat",
    "ParamNumbers",
    "Step",
    "Walkthrough",
    "WalkthroughError",
    "node_numbers",
    "resolve_sample",
    "walkthrough",
]


class WalkthroughError(ValueError):
    """The sample, inputs or target cannot be used; the message says what and where."""


@dataclass
class Walkthrough:
    """Ordered steps of one training step, plus every number per node (for the neuron view).

    With a mini-batch, forward and backward steps come sample by sample (`Step.sample`),
    the loss step ends with the batch mean and the weight gradients are summed over the
    batch before the update. `nodes` holds the first sample's numbers; `nodes_for(n)` any.
    """

    steps: list[Step]
    nodes: dict[str, NodeNumbers]
    graph: GraphSpec
    trace: WalkthroughRecord
    inputs: dict[str, np.ndarray]  # per Input node, (batch, *shape)
    target: np.ndarray | None  # (batch, k) in the loss's format; None for the `value` loss
    loss: float
    learning_rate: float
    optimizer: str
    number: NumberFormat
    source: str  # where the sample came from, e.g. "xor sample 0" or "given inputs"
    objective: str = "L"  # the loss's symbol: "L", or the output's id for the `value` loss (f)
    notation: str = "standard"  # or "lecture" (see walkthrough())

    def phase(self, name: str) -> list[Step]:
        return [s for s in self.steps if s.phase == name]

    @property
    def optimizer_rule(self) -> str:
        return OPTIMIZER_RULES.get(self.optimizer, self.optimizer)

    @property
    def batch(self) -> int:
        return len(next(iter(self.inputs.values())))

    def steps_for(self, node: str) -> list[Step]:
        return [s for s in self.steps if s.node == node]

    def nodes_for(self, sample: int) -> dict[str, NodeNumbers]:
        """Every node's numbers for one sample of the batch (weights are the batch's)."""
        return node_numbers(self.graph, self.trace, sample)

    def neuron_hover(self, node: str, unit: int, fmt: str = "text", sample: int = 0) -> str:
        """The formulas of one neuron/element for one sample, one per line, plus its gradients."""
        lines = []
        for s in self.steps:
            if s.sample not in (None, sample):
                continue
            if s.node == node and s.phase == "forward" and not s.summary and (s.unit == unit or s.unit is None):
                if s.unit == unit:
                    lines += s.lines(fmt, self.number)
                else:
                    lines += [f.render(fmt, self.number) for k, f in zip(s.highlight.units, s.formulas) if k == unit]
        n = self.nodes_for(sample)[node]
        if not lines:
            lines.append(f"{node}[{unit + 1}] = {self.number(n.value.ravel()[unit])}")
        out, J = "a" if n.type == "Dense" else node, self.objective
        if n.grad is not None:
            lines.append(f"d{J}/d{out} = {self.number(n.grad.ravel()[unit])}")
        if n.pre_grad is not None:
            lines.append(f"d{J}/dz = {self.number(n.pre_grad.ravel()[unit])}")
        return "\n".join(lines)

    def weight_hover(self, node: str, name: str, index: tuple[int, ...]) -> str:
        """w, dL/dw and the update of one weight element, one per line: `w₁ = 0.75`, `dL/dw₁ = 0`, `update: ...`."""
        p = self.nodes[node].params[name]
        f = self.number
        index = tuple(int(i) for i in index)
        sym = weight_symbol(name, index, tuple(p.old.shape), self.notation == "lecture").text()
        old, grad, new = float(p.old[index]), float(p.grad[index]), float(p.new[index])
        return (
            f"{sym} = {f(old)}\nd{self.objective}/d{sym} = {f(grad)}\nupdate: {f(old)} → {f(new)} (Δ = {f(new - old)})"
        )


def walkthrough(
    doc,
    sample: int | Sequence[int] | None = None,
    inputs: Mapping[str, Any] | None = None,
    target: Any = None,
    learning_rate: float | None = None,
    number: NumberFormat | None = None,
    max_units: int = 8,
    preview: int = 3,
    base_dir: str | None = None,
    notation: str = "standard",
) -> Walkthrough:
    """Walk one training step of `doc` on one sample: its data set's training sample `sample`
    (default 0; a list of indices makes a mini-batch) or explicit `inputs` by Input node id.
    `target` overrides the data's target (one sample only).
    Layers with more than `max_units` neurons show the first `preview` and a summary step.
    `notation="lecture"` writes w_kj neuron first, δᵒᵘᵗ/δʰⁱᵈ for dL/dz and updates the last layer first.
    """
    graph = graph_spec(doc)
    x, y, source = resolve_sample(doc, graph, sample, inputs, target, base_dir)
    settings = doc.settings
    config = TrainConfig.from_settings(settings)
    lr = float(settings.get("learning_rate", 0.01)) if learning_rate is None else float(learning_rate)
    if not lr > 0:
        raise WalkthroughError(f"the learning rate must be positive, not {lr:g}")
    weights = {
        op: {k: np.asarray(v, np.float64) for k, v in arrays.items()}
        for op, arrays in fitting_weights(doc, graph).items()
    }
    try:
        trace = record_walkthrough(
            graph,
            weights,
            x,
            y,
            config.optimizer,
            lr,
            dict(doc.optimizer_state or {}) or None,
            seed=int(settings.get("seed", 0)),
        )
    except ValueError as e:
        raise WalkthroughError(str(e)) from None
    targets = None if y is None else np.asarray(y, np.float64).reshape(len(y), -1)
    ctx = Context(
        graph, trace, targets, number or NumberFormat(), max(1, max_units), max(1, min(preview, max_units)), notation
    )
    for n in range(ctx.batch):
        ctx.n = n
        forward_steps(ctx)
    loss_steps(ctx)
    for n in range(ctx.batch):
        ctx.n = n
        backward_steps(ctx)
    ctx.n = 0
    if ctx.batch > 1:
        batch_gradient_steps(ctx)
    update_steps(ctx)
    return Walkthrough(
        ctx.steps,
        node_numbers(graph, trace, 0),
        graph,
        trace,
        {i: np.asarray(trace.inputs[i], np.float64) for i in graph.input_ids},
        targets,
        float(trace.loss),
        trace.learning_rate,
        trace.optimizer,
        ctx.number,
        source,
        ctx.objective.text(),
        notation,
    )


def node_numbers(graph: GraphSpec, t: WalkthroughRecord, n: int) -> dict[str, NodeNumbers]:
    """Every node's numbers for sample n of the traced batch."""
    out = {}
    for op in graph.ops:
        if op.type == "Loss":
            continue
        params = {
            name: ParamNumbers(
                np.asarray(t.old_weights[op.id][name], np.float64),
                np.asarray(t.param_grads[op.id][name], np.float64),
                np.asarray(t.new_weights[op.id][name], np.float64),
            )
            for name in t.param_grads.get(op.id, {})
        }
        grad, pre_grad = t.value_grads.get(op.id), t.pre_grads.get(op.id)
        out[op.id] = NodeNumbers(
            op.id,
            op.type,
            np.asarray(t.values[op.id][n], np.float64),
            np.asarray(t.pre_activations[op.id][n], np.float64) if op.id in t.pre_activations else None,
            None if grad is None else np.asarray(grad[n], np.float64),
            None if pre_grad is None else np.asarray(pre_grad[n], np.float64),
            params,
        )
    return out


# ---------------------------------------------------------------------- the sample
def resolve_sample(
    doc,
    graph: GraphSpec,
    sample: int | Sequence[int] | None,
    inputs: Mapping[str, Any] | None,
    target: Any,
    base_dir: str | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray | None, str]:
    """Inputs per Input node (with a batch axis), targets in the loss's format (or None), and a description."""
    if inputs is not None and sample is not None:
        raise WalkthroughError("give either a sample index or explicit inputs, not both")
    indices = [0] if sample is None else [sample] if isinstance(sample, (int, np.integer)) else list(sample)
    if not indices:
        raise WalkthroughError("the mini-batch is empty: give at least one sample index")
    if target is not None and len(indices) > 1:
        raise WalkthroughError("an explicit target fits one sample, not a mini-batch")
    if inputs is not None:
        x = _explicit_inputs(graph, inputs)
        y_data, source = None, "given inputs"
    else:
        x, y_data, source = _data_sample(doc, graph, indices, base_dir)
    if target is not None:
        y = _explicit_target(graph, target)
    elif graph.loss_name == "value":
        y = None
    elif y_data is None:
        raise WalkthroughError(f"the loss {graph.loss_name} needs a target: give one for these inputs")
    else:
        y = y_data
    return x, y, source


def _explicit_inputs(graph: GraphSpec, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
    ids = list(graph.input_ids)
    unknown = [k for k in inputs if k not in ids]
    if unknown:
        raise WalkthroughError(f"unknown input {unknown[0]!r}; the network's Input nodes are {', '.join(ids)}")
    missing = [i for i in ids if i not in inputs]
    if missing:
        raise WalkthroughError(
            f"no value for input {', '.join(missing)} (the network's Input nodes are {', '.join(ids)})"
        )
    out = {}
    for i in ids:
        shape = tuple(graph.op(i).output_shape)
        try:
            a = np.asarray(inputs[i], dtype=np.float64)
        except (TypeError, ValueError):
            raise WalkthroughError(f"input {i}: {inputs[i]!r} is not a number or a list of numbers") from None
        if a.size != int(np.prod(shape)):
            raise WalkthroughError(f"input {i} takes {int(np.prod(shape))} value(s) of shape {shape}, got {a.size}")
        out[i] = a.reshape((1, *shape))
    return out


def _explicit_target(graph: GraphSpec, target: Any) -> np.ndarray | None:
    loss = graph.loss_name
    if loss == "value":
        raise WalkthroughError("the loss 'value' takes no target (the output itself is the objective)")
    try:
        t = np.asarray(target, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise WalkthroughError(f"the target {target!r} is not a number or a list of numbers") from None
    n = int(np.prod(graph.output_shape))
    if loss in ("sparse_categorical_crossentropy", "multiclass_hinge") or (
        loss == "categorical_crossentropy" and t.size == 1 and n > 1
    ):
        if t.size != 1 or t[0] != round(t[0]) or not 0 <= t[0] < n:
            raise WalkthroughError(f"the loss {loss} needs one class index 0..{n - 1} as target")
        if loss == "categorical_crossentropy":
            return np.eye(n)[[int(t[0])]]
        return t.reshape(1, 1)
    if t.size != n:
        raise WalkthroughError(f"the output has {n} value(s) but the target has {t.size}")
    return t.reshape(1, n)


def _data_sample(doc, graph: GraphSpec, indices: list[int], base_dir: str | None):
    from ..data import DataProblem, document_spec, load_training_data

    try:
        spec = document_spec(doc)
        data = load_training_data(graph, spec, base_dir)
    except DataProblem as e:
        raise WalkthroughError(str(e)) from None
    xs, ys = data.train
    n = len(xs)
    for index in indices:
        if not 0 <= index < n:
            raise WalkthroughError(
                f"sample {index} does not exist: the training data of {spec} has {n} samples (0..{n - 1})"
            )
    rows = np.asarray(xs[indices], dtype=np.float64)
    y = None if ys is None or graph.loss_name == "value" else np.asarray(ys[indices], dtype=np.float64)
    what = f"sample {indices[0]}" if len(indices) == 1 else f"mini-batch of samples {', '.join(map(str, indices))}"
    return _split_rows(graph, rows, list(getattr(data.dataset, "feature_names", []) or [])), y, f"{spec} {what}"


def _split_rows(graph: GraphSpec, rows: np.ndarray, names: list[str]) -> dict[str, np.ndarray]:
    """Data rows split over the Input nodes: by feature name where the names are the node ids, else in order."""
    ids = list(graph.input_ids)
    flat = rows.reshape(len(rows), -1)
    if len(ids) > 1 and sorted(names) == sorted(ids) and all(graph.op(i).size == 1 for i in ids):
        return {i: flat[:, [names.index(i)]] for i in ids}
    out, start = {}, 0
    for i in ids:
        size = graph.op(i).size
        out[i] = flat[:, start : start + size].reshape((len(flat), *graph.op(i).output_shape))
        start += size
    return out


def base_dir_of(path: str | Path) -> str:
    """The folder relative data paths of a .nedit file are resolved against."""
    return str(Path(path).resolve().parent)
