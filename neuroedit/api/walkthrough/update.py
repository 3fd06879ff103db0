"""Update steps: every weight's old value, its gradient and the new value after the optimizer's rule."""

from __future__ import annotations

import numpy as np

from ...engine.spec import OpSpec
from .format import Formula, Sym
from .model import Context, Highlight
from .optimizer import WeightUpdate, update_formulas

# Each optimizer's rule as the slides write it (g = dL/dw, η = learning rate).
OPTIMIZER_RULES = {
    "sgd": "w ← w - η·g",
    "momentum": "v ← μ·v + g;  w ← w - η·v",
    "nesterov": "v ← μ·v + g;  w ← w - η·(g + μ·v)",
    "adagrad": "s ← s + g²;  w ← w - η·g/√(s + ε)",
    "rmsprop": "s ← ρ·s + (1 - ρ)·g²;  w ← w - η·g/√(s + ε)",
    "adadelta": "s ← ρ·s + (1 - ρ)·g²;  Δ ← √(u + ε)/√(s + ε)·g;  u ← ρ·u + (1 - ρ)·Δ²;  w ← w - η·Δ",
    "adam": "m ← β₁·m + (1 - β₁)·g;  v ← β₂·v + (1 - β₂)·g²;  m̂ = m/(1 - β₁ᵗ);  v̂ = v/(1 - β₂ᵗ);  w ← w - η·m̂/(√v̂ + ε)",
    "adamw": "Adam's step plus decoupled weight decay: w ← w - η·(m̂/(√v̂ + ε) + λ·w)",
    "nadam": "Adam with a Nesterov look-ahead in m̂",
    "vario_eta": "w ← w - η·g/(spread of the per-pattern gradients + ε)",
}

WEIGHT_SYMBOLS = {"kernel": "w", "bias": "b", "alpha": "α", "gamma": "γ", "beta": "β"}


def weight_symbol(name: str, index: tuple[int, ...], shape: tuple[int, ...], lecture: bool = False) -> Sym:
    """`w₂₁` for kernel[1, 0] (1-based; only the varying index when the other has one element), `b₂`, `α`.

    In the lecture's notation the neuron comes first: kernel[1, 0] (input 2 -> neuron 1) is w₁₂ (w_kj).
    """
    base = WEIGHT_SYMBOLS.get(name, name)
    if name == "kernel" and len(shape) == 2:
        i, j = index
        n_in, units = shape
        pair = (j, i) if lecture else (i, j)
        sub = (
            f"{pair[0] + 1},{pair[1] + 1}" if n_in > 1 and units > 1 else Context.sub(i, n_in) or Context.sub(j, units)
        )
        return Sym(base, sub)
    size = int(np.prod(shape)) if shape else 1
    flat = int(np.ravel_multi_index(index, shape)) if shape else 0
    return Sym(base, Context.sub(flat, size))


def update_steps(ctx: Context) -> None:
    """One step per neuron (or weight array); in the lecture's notation the last layer comes first."""
    ops = reversed(ctx.graph.ops) if ctx.lecture else ctx.graph.ops
    for op in ops:
        grads = ctx.trace.param_grads.get(op.id)
        if not grads:
            continue
        if op.type == "Dense":
            _dense(ctx, op)
        else:
            for name in grads:
                _array(ctx, op, name)


def _formulas(
    ctx: Context, op_id: str, name: str, flat: int, sym: Sym, old: float, grad: float, new: float
) -> list[Formula]:
    """The weight's update with the optimizer's state (see .optimizer)."""
    t = ctx.trace

    def state(src: dict) -> dict[str, float]:
        return {slot: float(np.ravel(arrays[op_id][name])[flat]) for slot, arrays in src.items()}

    u = WeightUpdate(sym, old, grad, new, t.learning_rate, t.iteration, t.hyper, state(t.old_state), state(t.new_state))
    return update_formulas(t.optimizer, u)


def _title(ctx: Context, what: str) -> str:
    t = ctx.trace
    eta = f"η = {ctx.number(t.learning_rate)}"
    if t.optimizer == "sgd":
        return f"{what}: update with sgd ({OPTIMIZER_RULES['sgd']}, {eta})"
    # The rows write the rule out; the step t matters for the bias correction.
    return f"{what}: update with {t.optimizer} (step t = {t.iteration}, {eta})"


def bias_symbol(ctx: Context, j: int, units: int) -> Sym:
    """`b₂`; in the lecture's notation the bias is the weight of the always-on input x₀ = 1: w₂₀ (w₀ alone)."""
    if ctx.lecture:
        return Sym("w", f"{j + 1},0" if units > 1 else "0")
    return Sym("b", ctx.sub(j, units))


def _dense(ctx: Context, op: OpSpec) -> None:
    old_k, new_k = ctx.weight(op.id, "kernel"), ctx.weight(op.id, "kernel", new=True)
    n_in, units = old_k.shape[0], old_k.shape[-1]
    old_k, new_k = old_k.reshape(n_in, units), new_k.reshape(n_in, units)
    g_k = ctx.trace.param_grads[op.id]["kernel"].reshape(n_in, units)
    has_bias = "bias" in op.weights
    shown, hidden = ctx.shown(units)
    inputs_shown, inputs_hidden = ctx.shown(n_in)
    for j in shown:
        formulas = []
        for i in inputs_shown:
            formulas += _formulas(
                ctx,
                op.id,
                "kernel",
                i * units + j,
                weight_symbol("kernel", (i, j), (n_in, units), ctx.lecture),
                old_k[i, j],
                g_k[i, j],
                new_k[i, j],
            )
        values = {"old_w": old_k[:, j].copy(), "grad_w": g_k[:, j].copy(), "new_w": new_k[:, j].copy()}
        if has_bias:
            ob, nb = ctx.weight(op.id, "bias").ravel(), ctx.weight(op.id, "bias", new=True).ravel()
            gb = ctx.trace.param_grads[op.id]["bias"].ravel()
            formulas += _formulas(ctx, op.id, "bias", j, bias_symbol(ctx, j, units), ob[j], gb[j], nb[j])
            values.update(old_b=ob[j : j + 1], grad_b=gb[j : j + 1], new_b=nb[j : j + 1])
        weights = tuple(("kernel", (i, j)) for i in range(n_in)) + ((("bias", (j,)),) if has_bias else ())
        name = f"{op.id} neuron {j + 1}" if units > 1 else op.id
        notes = [f"{inputs_hidden} more weights of this neuron change the same way"] if inputs_hidden else []
        ctx.add(
            "update",
            op.id,
            _title(ctx, name),
            formulas,
            values,
            Highlight(op.id, (j,), weights, ((op.inputs[0], op.id),)),
            per_sample=False,
            unit=j,
            notes=notes,
        )
    ctx.summary(
        "update",
        op.id,
        hidden,
        "neurons' updates",
        {"old_w": old_k, "new_w": new_k, "grad_w": g_k},
        tuple(range(units)),
        per_sample=False,
    )


def element_index(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The index of element `flat` of an array of `shape` (as Highlight.weights and NodeNumbers use it)."""
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def _array(ctx: Context, op: OpSpec, name: str) -> None:
    shape = tuple(ctx.weight(op.id, name).shape)
    old, new = ctx.weight(op.id, name).ravel(), ctx.weight(op.id, name, new=True).ravel()
    grad = np.asarray(ctx.trace.param_grads[op.id][name], dtype=np.float64).ravel()
    shown, hidden = ctx.shown(old.size)
    indices = [element_index(i, shape) for i in shown]
    formulas = [
        f
        for i, index in zip(shown, indices)
        for f in _formulas(ctx, op.id, name, i, weight_symbol(name, index, shape), old[i], grad[i], new[i])
    ]
    ctx.add(
        "update",
        op.id,
        _title(ctx, f"{op.id}.{name}"),
        formulas,
        {"old": old, "grad": grad, "new": new},
        Highlight(op.id, (), tuple((name, index) for index in indices)),
        per_sample=False,
        weight=(name, indices[0]) if len(indices) == 1 else None,
    )
    ctx.summary(
        "update", op.id, hidden, f"elements of {name}", {"old": old, "grad": grad, "new": new}, per_sample=False
    )
