"""Update steps: every weight's old value, its gradient and the new value after the optimizer's rule."""

from __future__ import annotations

import numpy as np

from ..engine.spec import OpSpec
from .walkthrough_format import Formula, N, O, S, Sym
from .walkthrough_model import Context, Highlight

# Each optimizer's rule as the slides write it (g = dL/dw, η = learning rate).
OPTIMIZER_RULES = {
    "sgd": "w ← w - η·g",
    "momentum": "v ← μ·v + g;  w ← w - η·v",
    "nesterov": "v ← μ·v + g;  w ← w - η·(g + μ·v)",
    "adagrad": "s ← s + g²;  w ← w - η·g/√(s + ε)",
    "rmsprop": "s ← ρ·s + (1 - ρ)·g²;  w ← w - η·g/√(s + ε)",
    "adadelta": "s ← ρ·s + (1 - ρ)·g²;  Δ ← √(u + ε)/√(s + ε)·g;  u ← ρ·u + (1 - ρ)·Δ²;  "
                "w ← w - η·Δ",
    "adam": "m ← β₁·m + (1 - β₁)·g;  v ← β₂·v + (1 - β₂)·g²;  "
            "w ← w - η·m̂/(√v̂ + ε) (bias-corrected m̂, v̂)",
    "adamw": "Adam's step plus decoupled weight decay: w ← w - η·(m̂/(√v̂ + ε) + λ·w)",
    "nadam": "Adam with a Nesterov look-ahead in m̂",
    "vario_eta": "w ← w - η·g/(spread of the per-pattern gradients + ε)",
}

WEIGHT_SYMBOLS = {"kernel": "w", "bias": "b", "alpha": "α", "gamma": "γ", "beta": "β"}


def weight_symbol(name: str, index: tuple[int, ...], shape: tuple[int, ...]) -> Sym:
    """`w₂₁` for kernel[1, 0] (1-based; only the varying index when the other has one element), `b₂`, `α`."""
    base = WEIGHT_SYMBOLS.get(name, name)
    if name == "kernel" and len(shape) == 2:
        i, j = index
        n_in, units = shape
        sub = f"{i + 1},{j + 1}" if n_in > 1 and units > 1 else Context.sub(i, n_in) or Context.sub(j, units)
        return Sym(base, sub)
    size = int(np.prod(shape)) if shape else 1
    flat = int(np.ravel_multi_index(index, shape)) if shape else 0
    return Sym(base, Context.sub(flat, size))


def update_steps(ctx: Context) -> None:
    for op in ctx.graph.ops:
        grads = ctx.trace.param_grads.get(op.id)
        if not grads:
            continue
        if op.type == "Dense":
            _dense(ctx, op)
        else:
            for name in grads:
                _array(ctx, op, name)


def _formula(ctx: Context, sym: str, sub: str, old: float, grad: float, new: float) -> Formula:
    lr = ctx.trace.learning_rate
    if ctx.trace.optimizer == "sgd":
        return Formula.make([S(sym, sub)], [N(old), O("-"), N(lr), O("·"), N(grad)], [N(new)], value=new, rel="←")
    return Formula.make([S(sym, sub)], [N(old), O("-"), N(old - new)], [N(new)], value=new, rel="←",
                        note=f"{ctx.trace.optimizer}: {OPTIMIZER_RULES.get(ctx.trace.optimizer, '')}; g = {grad:g}")


def _title(ctx: Context, what: str) -> str:
    rule = OPTIMIZER_RULES.get(ctx.trace.optimizer, ctx.trace.optimizer)
    return f"{what}: update with {ctx.trace.optimizer} ({rule}, η = {ctx.trace.learning_rate:g})"


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
            formulas.append(_formula(ctx, "w", weight_symbol("kernel", (i, j), (n_in, units)).sub, old_k[i, j],
                                     g_k[i, j], new_k[i, j]))
        values = {"old_w": old_k[:, j].copy(), "grad_w": g_k[:, j].copy(), "new_w": new_k[:, j].copy()}
        if has_bias:
            ob, nb = ctx.weight(op.id, "bias").ravel(), ctx.weight(op.id, "bias", new=True).ravel()
            gb = ctx.trace.param_grads[op.id]["bias"].ravel()
            formulas.append(_formula(ctx, "b", ctx.sub(j, units), ob[j], gb[j], nb[j]))
            values.update(old_b=ob[j:j + 1], grad_b=gb[j:j + 1], new_b=nb[j:j + 1])
        weights = tuple(("kernel", (i, j)) for i in range(n_in)) + ((("bias", (j,)),) if has_bias else ())
        name = f"{op.id} neuron {j + 1}" if units > 1 else op.id
        notes = [f"{inputs_hidden} more weights of this neuron change the same way"] if inputs_hidden else []
        ctx.add("update", op.id, _title(ctx, name), formulas, values,
                Highlight(op.id, (j,), weights, ((op.inputs[0], op.id),)), per_sample=False, unit=j, notes=notes)
    ctx.summary("update", op.id, hidden, "neurons' updates",
                {"old_w": old_k, "new_w": new_k, "grad_w": g_k}, tuple(range(units)), per_sample=False)


def element_index(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The index of element `flat` of an array of `shape` (as Highlight.weights and NodeNumbers use it)."""
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def _array(ctx: Context, op: OpSpec, name: str) -> None:
    shape = tuple(ctx.weight(op.id, name).shape)
    old, new = ctx.weight(op.id, name).ravel(), ctx.weight(op.id, name, new=True).ravel()
    grad = np.asarray(ctx.trace.param_grads[op.id][name], dtype=np.float64).ravel()
    shown, hidden = ctx.shown(old.size)
    indices = [element_index(i, shape) for i in shown]
    formulas = [_formula(ctx, WEIGHT_SYMBOLS.get(name, name), weight_symbol(name, index, shape).sub, old[i], grad[i],
                         new[i]) for i, index in zip(shown, indices)]
    ctx.add("update", op.id, _title(ctx, f"{op.id}.{name}"), formulas, {"old": old, "grad": grad, "new": new},
            Highlight(op.id, (), tuple((name, index) for index in indices)), per_sample=False,
            weight=(name, indices[0]) if len(indices) == 1 else None)
    ctx.summary("update", op.id, hidden, f"elements of {name}", {"old": old, "grad": grad, "new": new},
                per_sample=False)
