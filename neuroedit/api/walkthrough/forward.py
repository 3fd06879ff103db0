"""Forward-pass steps: layer by layer (op by op), neuron by neuron for small layers."""

from __future__ import annotations

import numpy as np

from ...engine.names import activation_alpha
from ...engine.spec import OpSpec, size_of
from .format import SQ, SY, F, Formula, N, O, P, S, Sym, T, call, joined
from .model import Context, Highlight

# How activations are written: a = σ(z), a = ReLU(z), ...
ACTIVATION_NAMES = {
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
    "elu": "ELU",
    "selu": "SELU",
    "swish": "swish",
    "softplus": "softplus",
    "step": "step",
    "sign": "sign",
    "softmax": "softmax",
    "linear": "linear",
}
BINARY_SIGNS = {"OpAdd": "+", "OpSubtract": "-", "OpMultiply": "·"}


def operand_index(op: OpSpec, port: int) -> np.ndarray:
    """For every output element of a broadcasting op, the element of input `port` it reads."""
    shape = tuple(op.input_shapes[port])
    idx = np.arange(size_of(shape)).reshape(shape)
    return np.broadcast_to(idx, tuple(op.output_shape)).ravel()


def forward_steps(ctx: Context) -> None:
    for op in ctx.graph.ops:
        if op.type == "Loss":
            continue
        if op.type == "Dense":
            _dense(ctx, op)
        else:
            _elementwise(ctx, op)


def more_terms(hidden: int, what: str = "terms"):
    """`… (780 more terms)` in a formula."""
    return T(f"… ({hidden} more {what})", r"\dots\ (\text{" + f"{hidden} more {what}" + "})")


def weighted_sum(ctx: Context, coeffs: np.ndarray, xs: np.ndarray, tail: float | None) -> list:
    """`w₁·x₁ + w₂·x₂ + … (n more terms) + b` with numbers; long sums show the first terms only."""
    shown, hidden = ctx.shown(len(xs))
    terms = [[N(coeffs[i]), O("·"), N(xs[i])] for i in shown]
    side = joined(terms, "+")
    if hidden:
        side += [O("+"), more_terms(hidden)]
    if tail is not None:
        side += [O("+"), N(tail)] if side else [N(tail)]
    return side or [N(0.0)]


def activation_formula(
    act: str, a_sym: Sym, z_sym: Sym, z: np.ndarray, a: np.ndarray, j: int, alpha: float = 1.0
) -> Formula:
    """`a = σ(z) = 0.475`; softmax shows exp(z_j)/Σexp(z) with numbers; linear shows α·z."""
    if act == "softmax":
        shift = z.max() if z.max() > 50 else 0.0  # only where exp would overflow
        e = np.exp(z - shift)
        return Formula.make(
            [SY(a_sym)],
            [*call("exp", SY(z_sym)), O("/"), F("Σ"), *call("exp", S(z_sym.base))],
            [N(e[j]), O("/"), N(e.sum())],
            [N(a[j])],
            value=a[j],
            note="exp taken of z - max(z), which leaves the quotient unchanged" if shift else "",
        )
    if act == "linear":
        side = [SY(z_sym)] if alpha == 1 else [N(alpha), O("·"), SY(z_sym)]
        return Formula.make([SY(a_sym)], side, [N(a[j])], value=a[j])
    return Formula.make([SY(a_sym)], call(ACTIVATION_NAMES[act], SY(z_sym)), [N(a[j])], value=a[j])


def _dense(ctx: Context, op: OpSpec) -> None:
    src = op.inputs[0]
    x = ctx.value(src)
    kernel = ctx.weight(op.id, "kernel").reshape(len(x), -1)
    units = kernel.shape[1]
    bias = ctx.weight(op.id, "bias").ravel() if "bias" in op.weights else None
    z, a = ctx.pre(op.id), ctx.value(op.id)
    act = str(op.params.get("activation", "linear"))
    shown, hidden = ctx.shown(units)
    for j in shown:
        js = ctx.sub(j, units)
        fz = Formula.make(
            [S("z", js)], weighted_sum(ctx, kernel[:, j], x, None if bias is None else bias[j]), [N(z[j])], value=z[j]
        )
        fa = activation_formula(act, Sym("a", js), Sym("z", js), z, a, j)
        weights = tuple(("kernel", (i, j)) for i in range(len(x))) + ((("bias", (j,)),) if bias is not None else ())
        title = f"{op.id} neuron {j + 1}: " if units > 1 else f"{op.id}: "
        title += f"weighted sum of {src} (x), then {act}"
        ctx.add(
            "forward",
            op.id,
            title,
            [fz, fa],
            {
                "x": x,
                "w": kernel[:, j].copy(),
                "b": np.array([] if bias is None else [bias[j]]),
                "z": z[j : j + 1],
                "a": a[j : j + 1],
            },
            Highlight(op.id, (j,), weights, ((src, op.id),)),
            unit=j,
        )
    ctx.summary("forward", op.id, hidden, "neurons", {"x": x, "z": z, "a": a}, tuple(range(units)))


def _elementwise(ctx: Context, op: OpSpec) -> None:
    out = ctx.value(op.id)
    shown, hidden = ctx.shown(len(out))
    formulas = [_element_formula(ctx, op, k) for k in shown]
    values = {"out": out, **{f"in{p + 1}": ctx.value(s) for p, s in enumerate(op.inputs)}}
    ctx.add(
        "forward",
        op.id,
        _title(op),
        formulas,
        values,
        Highlight(op.id, tuple(shown), (), tuple((s, op.id) for s in op.inputs)),
    )
    ctx.summary("forward", op.id, hidden, "elements", values, tuple(range(len(out))))


def _title(op: OpSpec) -> str:
    what = {
        "Input": "the sample's input values",
        "Activation": f"{op.params.get('activation')} activation",
        "OpMultiply": "multiply",
        "OpAdd": "add",
        "OpSubtract": "subtract",
        "OpMax": "maximum",
        "OpSquare": "square",
        "Add": "sum of its inputs",
        "Concatenate": "inputs side by side",
        "Flatten": "the input as one vector",
        "Dropout": f"dropout (rate {op.params.get('rate')})",
        "PReLU": "PReLU activation (learned α)",
        "BatchNorm": "batch normalisation",
    }
    return f"{op.id}: {what.get(op.type, op.type)}"


def _element_formula(ctx: Context, op: OpSpec, k: int) -> Formula:
    out = ctx.value(op.id)
    lhs = [SY(ctx.node_sym(op.id, k))]
    t = op.type
    if t == "Input":
        return Formula.make(lhs, [N(out[k])], value=out[k])
    if t in BINARY_SIGNS or t == "OpMax":
        (xs, xi), (ys, yi) = [(op.inputs[p], int(operand_index(op, p)[k])) for p in (0, 1)]
        xv, yv = ctx.value(xs)[xi], ctx.value(ys)[yi]
        sx, sy = SY(ctx.node_sym(xs, xi)), SY(ctx.node_sym(ys, yi))
        if t == "OpMax":
            return Formula.make(
                lhs, call("max", sx, O(","), sy), call("max", N(xv), O(","), N(yv)), [N(out[k])], value=out[k]
            )
        sign = BINARY_SIGNS[t]
        return Formula.make(lhs, [sx, O(sign), sy], [N(xv), O(sign), N(yv)], [N(out[k])], value=out[k])
    src = op.inputs[0]
    x = ctx.value(src)
    if t == "OpSquare":
        num = [P("("), N(x[k]), P(")"), SQ()] if x[k] < 0 else [N(x[k]), SQ()]
        return Formula.make(lhs, [SY(ctx.node_sym(src, k)), SQ()], num, [N(out[k])], value=out[k])
    if t == "Activation":
        act = str(op.params["activation"])
        z = x.reshape(-1, op.output_shape[-1])[k // op.output_shape[-1]] if act == "softmax" else x
        j = k % op.output_shape[-1] if act == "softmax" else k
        return activation_formula(
            act,
            ctx.node_sym(op.id, k),
            ctx.node_sym(src, k),
            z,
            out.reshape(-1, op.output_shape[-1])[k // op.output_shape[-1]] if act == "softmax" else out,
            j,
            activation_alpha(op.params),
        )
    if t == "Add":
        return Formula.make(
            lhs,
            joined([[SY(ctx.node_sym(s, k))] for s in op.inputs], "+"),
            joined([[N(ctx.value(s)[k])] for s in op.inputs], "+"),
            [N(out[k])],
            value=out[k],
        )
    if t in ("Concatenate", "Flatten"):
        port, i = copied_from(op, k)
        s = op.inputs[port]
        return Formula.make(lhs, [SY(ctx.node_sym(s, i))], [N(out[k])], value=out[k])
    if t == "Dropout":
        rate = float(op.params.get("rate", 0.0))
        sx = SY(ctx.node_sym(src, k))
        if out[k] == 0 and x[k] != 0:
            return Formula.make(lhs, [N(0.0)], value=0.0, note="dropped")
        if rate == 0:
            return Formula.make(lhs, [sx], [N(out[k])], value=out[k])
        return Formula.make(
            lhs,
            [sx, O("/"), P("("), N(1), O("-"), N(rate), P(")")],
            [N(x[k]), O("/"), N(1 - rate)],
            [N(out[k])],
            value=out[k],
            note="kept",
        )
    if t == "PReLU":
        alpha = ctx.weight(op.id, "alpha").ravel()
        c = k % alpha.size
        if x[k] > 0:
            return Formula.make(lhs, [SY(ctx.node_sym(src, k))], [N(out[k])], value=out[k])
        return Formula.make(
            lhs,
            [S("α", ctx.sub(c, alpha.size)), O("·"), SY(ctx.node_sym(src, k))],
            [N(alpha[c]), O("·"), N(x[k])],
            [N(out[k])],
            value=out[k],
        )
    if t == "BatchNorm":
        c_count = op.output_shape[-1]
        c = k % c_count
        xhat = batchnorm_xhat(ctx, op)[k]
        w = ctx.trace.old_weights[op.id]
        gamma = float(np.ravel(w["gamma"])[c]) if "gamma" in w else 1.0
        beta = float(np.ravel(w["beta"])[c]) if "beta" in w else 0.0
        cs = ctx.sub(c, c_count)
        return Formula.make(
            lhs,
            [S("γ", cs), O("·"), S("x", ctx.sub(k, len(x)), hat=True), O("+"), S("β", cs)],
            [N(gamma), O("·"), N(xhat), O("+"), N(beta)],
            [N(out[k])],
            value=out[k],
            note="x̂ = (x - μ)/√(σ² + ε) with the batch's mean μ and variance σ²",
        )
    return Formula.make(lhs, [N(out[k])], value=out[k])


def batchnorm_xhat(ctx: Context, op: OpSpec) -> np.ndarray:
    """x̂ of the traced batch (training mode: the batch's own mean and variance), flat, of sample ctx.n."""
    x = np.asarray(ctx.trace.values[op.inputs[0]], dtype=np.float64)
    c = op.output_shape[-1]
    x2 = x.reshape(-1, c)
    xhat = (x2 - x2.mean(axis=0)) / np.sqrt(x2.var(axis=0) + float(op.params["epsilon"]))
    return xhat.reshape(x.shape[0], -1)[ctx.n]


def copied_from(op: OpSpec, k: int) -> tuple[int, int]:
    """(port, flat element) an output element of Concatenate/Flatten copies."""
    if op.type == "Flatten":
        return 0, k
    shape = tuple(op.output_shape)
    pos = np.unravel_index(k, shape)
    start = 0
    for port, ishape in enumerate(op.input_shapes):
        width = ishape[-1]
        if pos[-1] < start + width:
            return port, int(np.ravel_multi_index((*pos[:-1], pos[-1] - start), tuple(ishape)))
        start += width
    raise IndexError(k)
