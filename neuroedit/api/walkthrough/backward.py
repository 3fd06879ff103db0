"""Backward-pass steps: node by node in reverse, the chain rule written out with its numbers.

For every node: the gradient arriving at its output (the sum over its consumers), the
local derivative, their product, dL/dw and dL/db for its weights, and the gradient it
sends back to each input. The result numbers always come from the engine's trace.
"""

from __future__ import annotations

import numpy as np

from ...engine import refmath
from ...engine.names import activation_alpha
from ...engine.spec import OpSpec
from .format import PD, SQ, SY, D, Formula, M, N, O, P, Piece, S, Sym, T, call, joined
from .forward import ACTIVATION_NAMES, batchnorm_xhat, copied_from, more_terms, operand_index, weighted_sum
from .loss import loss_gradient_step, out_sym
from .model import Context, Highlight
from .update import bias_symbol, element_index, weight_symbol


def backward_steps(ctx: Context) -> None:
    loss_gradient_step(ctx)
    for op in reversed(ctx.graph.ops):
        if op.type in ("Loss", "Input") or not ctx.has_grad(op.id):
            continue
        if op.id != ctx.graph.output_id:
            _incoming(ctx, op)
        if op.type == "Dense":
            _dense(ctx, op)
        elif op.type == "Activation":
            _activation(ctx, op)
        else:
            _ports(ctx, op)
            if ctx.batch == 1:
                _param_grads(ctx, op)
    for op in reversed(ctx.graph.ops):
        if op.type == "Input" and ctx.has_grad(op.id):
            _incoming(ctx, op)


def _incoming(ctx: Context, op: OpSpec) -> None:
    """dL/d(output) of a node: what its consumers sent back, added up when there are several."""
    g = ctx.grad(op.id)
    consumers = ctx.consumers(op.id)
    shown, hidden = ctx.shown(len(g))
    sent = [g for g in (ctx.port_grad_if_any(c.id, port) for c, port in consumers) if g is not None]
    formulas = []
    for k in shown:
        parts = [x[k] for x in sent]
        sides = [joined([[N(v)] for v in parts], "+")] if len(parts) > 1 else []
        formulas.append(Formula.make([D(ctx.objective, out_sym(ctx, op.id, k))], *sides, [N(g[k])], value=g[k]))
    names = ", ".join(c.id for c, _ in consumers)
    title = f"{op.id}: gradient arriving from {names}" + (" (summed)" if len(consumers) > 1 else "")
    ctx.add(
        "backward",
        op.id,
        title,
        formulas,
        {"grad": g},
        Highlight(op.id, tuple(shown), (), tuple((op.id, c.id) for c, _ in consumers)),
    )
    ctx.summary("backward", op.id, hidden, "gradients", {"grad": g}, tuple(range(len(g))))


def activation_derivative(act: str, z: np.ndarray, a: np.ndarray, alpha: float) -> np.ndarray:
    """f'(z) of an elementwise activation, from the engine's own math."""
    return refmath.activation_grad(act, z[None], a[None], np.ones((1, z.size)), alpha)[0]


def _derivative_formula(act: str, z_sym: Sym, a_sym: Sym, z: float, a: float, d: float) -> Formula:
    """`σ'(z) = a·(1 - a) = 0.475·(1 - 0.475) = 0.249`, `tanh'(z) = 1 - a²`, `ReLU'(z) = [z > 0]`, ..."""
    lhs = call(ACTIVATION_NAMES[act] + "'", SY(z_sym))
    if act == "sigmoid":
        return Formula.make(
            lhs,
            [SY(a_sym), O("·"), P("("), N(1), O("-"), SY(a_sym), P(")")],
            [N(a), O("·"), P("("), N(1), O("-"), N(a), P(")")],
            [N(d)],
            value=d,
        )
    if act == "tanh":
        squared = [P("("), N(a), P(")")] if a < 0 else [N(a)]
        return Formula.make(lhs, [N(1), O("-"), SY(a_sym), SQ()], [N(1), O("-"), *squared, SQ()], [N(d)], value=d)
    if act == "relu":
        return Formula.make(lhs, [P("["), SY(z_sym), O(">"), N(0), P("]")], [N(d)], value=d)
    if act in ("step", "sign"):
        return Formula.make(lhs, [N(d)], value=d, note=f"{act} is flat almost everywhere: no gradient flows")
    return Formula.make(lhs, [N(d)], value=d)


def _chain_unit(
    ctx: Context,
    act: str,
    g: np.ndarray,
    a: np.ndarray,
    z: np.ndarray,
    dz: np.ndarray,
    j: int,
    z_sym: Sym,
    a_sym: Sym,
    alpha: float,
    dz_piece: Piece | None = None,
) -> list[Formula]:
    """The chain rule through one activation: f'(z), then dL/dz (or `dz_piece`, e.g. δ) = dL/da · f'(z)."""
    J = ctx.objective
    lhs = [dz_piece or D(J, z_sym)]
    if act == "linear" and alpha == 1:
        return [Formula.make(lhs, [D(J, a_sym)], [N(dz[j])], value=dz[j], note="linear activation: a = z")]
    if act == "softmax":
        s = float((a * g).sum())
        total = T("Σₖ aₖ·dL/daₖ", r"\sum_k a_k \cdot \mathrm{d}L/\mathrm{d}a_k")
        return [
            Formula.make(
                lhs,
                [SY(a_sym), O("·"), P("("), D(J, a_sym), O("-"), total, P(")")],
                [N(a[j]), O("·"), P("("), N(g[j]), O("-"), N(s), P(")")],
                [N(dz[j])],
                value=dz[j],
                note="softmax couples all outputs of the layer",
            )
        ]
    d = float(activation_derivative(act, z, a, alpha)[j])
    return [
        _derivative_formula(act, z_sym, a_sym, float(z[j]), float(a[j]), d),
        Formula.make(
            lhs,
            [D(J, a_sym), M(), *call(ACTIVATION_NAMES[act] + "'", SY(z_sym))],
            [N(g[j]), M(), N(d)],
            [N(dz[j])],
            value=dz[j],
        ),
    ]


def _dense(ctx: Context, op: OpSpec) -> None:
    J = ctx.objective
    src = op.inputs[0]
    x = ctx.value(src)
    kernel = ctx.weight(op.id, "kernel").reshape(len(x), -1)
    units = kernel.shape[1]
    has_bias = "bias" in op.weights
    act = str(op.params.get("activation", "linear"))
    g, a, z, dz = ctx.grad(op.id), ctx.value(op.id), ctx.pre(op.id), ctx.pre_grad(op.id)
    gw = ctx.trace.param_grads[op.id]["kernel"].reshape(len(x), -1)
    gb = ctx.trace.param_grads[op.id]["bias"].ravel() if has_bias else None
    shown, hidden = ctx.shown(units)
    inputs_shown, inputs_hidden = ctx.shown(len(x))
    for j in shown:
        js = ctx.sub(j, units)
        name = f"{op.id} neuron {j + 1}" if units > 1 else op.id
        ctx.add(
            "backward",
            op.id,
            f"{name}: chain rule through the {act} activation",
            _chain_unit(
                ctx, act, g, a, z, dz, j, Sym("z", js), Sym("a", js), activation_alpha(op.params), ctx.delta(op.id, js)
            ),
            {"grad": g[j : j + 1], "z": z[j : j + 1], "a": a[j : j + 1], "pre_grad": dz[j : j + 1]},
            Highlight(op.id, (j,)),
            unit=j,
        )
        formulas = []
        for i in inputs_shown:
            ws, xs = weight_symbol("kernel", (i, j), (len(x), units), ctx.lecture), Sym("x", ctx.sub(i, len(x)))
            if ctx.batch > 1:  # this sample's share; the batch's sum follows after the last sample
                share = dz[j] * x[i]
                formulas.append(
                    Formula.make(
                        [D(J, ws)],
                        [ctx.delta(op.id, js), M(), SY(xs)],
                        [N(dz[j]), M(), N(x[i])],
                        [N(share)],
                        value=share,
                        note="this sample's share",
                    )
                )
                continue
            pen = gw[i, j] - dz[j] * x[i]
            extra_sym = [O("+"), T("penalty", r"\text{penalty}")] if abs(pen) > 1e-15 else []
            extra_num = [O("+"), N(pen)] if abs(pen) > 1e-15 else []
            formulas.append(
                Formula.make(
                    [D(J, ws)],
                    [ctx.delta(op.id, js), M(), SY(xs), *extra_sym],
                    [N(dz[j]), M(), N(x[i]), *extra_num],
                    [N(gw[i, j])],
                    value=gw[i, j],
                )
            )
        if inputs_hidden:
            formulas.append(
                Formula.make(
                    [D(J, Sym("w", "…"))], [more_terms(inputs_hidden, "weights of this neuron")], value=float("nan")
                )
            )
        if gb is not None:
            b_value = dz[j] if ctx.batch > 1 else gb[j]
            formulas.append(
                Formula.make(
                    [D(J, bias_symbol(ctx, j, units))],
                    [ctx.delta(op.id, js)],
                    [N(b_value)],
                    value=b_value,
                    note="this sample's share" if ctx.batch > 1 else "",
                )
            )
        weights = tuple(("kernel", (i, j)) for i in range(len(x))) + ((("bias", (j,)),) if has_bias else ())
        ctx.add(
            "backward",
            op.id,
            f"{name}: gradients of its weights and bias",
            formulas,
            {"x": x, "grad_w": gw[:, j].copy(), "grad_b": np.array([] if gb is None else [gb[j]])},
            Highlight(op.id, (j,), weights, ((src, op.id),)),
            unit=j,
        )
    ctx.summary(
        "backward",
        op.id,
        hidden,
        "neurons",
        {"pre_grad": dz, "grad_w": gw, "grad_b": np.array([]) if gb is None else gb},
        tuple(range(units)),
    )
    sent = ctx.port_grad(op.id, 0)
    formulas = []
    for i in inputs_shown:
        xs = Sym("x", ctx.sub(i, len(x)))
        if units > 1 and ctx.lecture:
            sym = [T("Σₖ", r"\sum_k"), ctx.delta(op.id, "k"), M(), S("w", f"k,{ctx.sub(i, len(x)) or '1'}")]
        elif units > 1:
            sym = [T("Σⱼ", r"\sum_j"), D(J, Sym("z", "j")), M(), S("w", f"{ctx.sub(i, len(x)) or '1'},j")]
        else:
            sym = [ctx.delta(op.id, ""), M(), S("w", ctx.sub(i, len(x)))]
        formulas.append(
            Formula.make([D(J, xs)], sym, weighted_sum(ctx, dz, kernel[i], None), [N(sent[i])], value=sent[i])
        )
    ctx.add(
        "backward",
        op.id,
        f"{op.id}: gradient sent back to {src}",
        formulas,
        {"grad_in": sent},
        Highlight(op.id, (), tuple(("kernel", (i, j)) for i in inputs_shown for j in range(units)), ((src, op.id),)),
    )
    ctx.summary("backward", op.id, inputs_hidden, "input gradients", {"grad_in": sent})


def _activation(ctx: Context, op: OpSpec) -> None:
    src = op.inputs[0]
    act = str(op.params["activation"])
    alpha = activation_alpha(op.params)
    g, a, z, dz = ctx.grad(op.id), ctx.value(op.id), ctx.pre(op.id), ctx.port_grad(op.id, 0)
    shown, hidden = ctx.shown(len(g))
    width = op.output_shape[-1]
    formulas = []
    for k in shown:
        row = slice(k - k % width, k - k % width + width) if act == "softmax" else slice(None)
        j = k % width if act == "softmax" else k
        formulas += _chain_unit(
            ctx, act, g[row], a[row], z[row], dz[row], j, ctx.node_sym(src, k), ctx.node_sym(op.id, k), alpha
        )
    ctx.add(
        "backward",
        op.id,
        f"{op.id}: chain rule through the {act} activation",
        formulas,
        {"grad": g, "pre_grad": dz},
        Highlight(op.id, tuple(shown), (), ((src, op.id),)),
    )
    ctx.summary("backward", op.id, hidden, "elements", {"grad": g, "pre_grad": dz}, tuple(range(len(g))))


def _local(ctx: Context, op: OpSpec, port: int, k: int) -> tuple[list, list, float]:
    """Symbolic and numeric local derivative ∂out_k/∂in(port) and its value."""
    t = op.type
    if t in ("OpMultiply", "OpMax", "OpAdd", "OpSubtract"):
        (xs, xi), (ys, yi) = [(op.inputs[p], int(operand_index(op, p)[k])) for p in (0, 1)]
        xv, yv = ctx.value(xs)[xi], ctx.value(ys)[yi]
        if t == "OpMultiply":
            other, ov = (ctx.node_sym(ys, yi), yv) if port == 0 else (ctx.node_sym(xs, xi), xv)
            return [SY(other)], [N(ov)], ov
        if t == "OpMax":
            first = xv >= yv
            cmp = [P("["), SY(ctx.node_sym(xs, xi)), O("≥" if port == 0 else "<"), SY(ctx.node_sym(ys, yi)), P("]")]
            d = float(first if port == 0 else not first)
            return cmp, [N(d)], d
        d = -1.0 if (t == "OpSubtract" and port == 1) else 1.0
        return [N(d)], [], d
    x = ctx.value(op.inputs[0])
    if t == "OpSquare":
        return [N(2), O("·"), SY(ctx.node_sym(op.inputs[0], k))], [N(2), O("·"), N(x[k])], 2 * x[k]
    if t == "Dropout":
        rate = float(op.params.get("rate", 0.0))
        out = ctx.value(op.id)
        kept = out[k] != 0 or x[k] == 0
        d = (1 / (1 - rate) if rate else 1.0) if kept else 0.0
        return [N(d)], [], d
    if t == "PReLU":
        alpha = ctx.weight(op.id, "alpha").ravel()
        if x[k] > 0:
            return [N(1)], [], 1.0
        c = k % alpha.size
        return [S("α", ctx.sub(c, alpha.size))], [N(alpha[c])], float(alpha[c])
    return [N(1)], [], 1.0


def _ports(ctx: Context, op: OpSpec) -> None:
    """One step per input port: local derivative and chain rule per element (summed over broadcasts)."""
    J = ctx.objective
    g = ctx.grad(op.id)
    for port, src in enumerate(op.inputs):
        sent = ctx.port_grad_if_any(op.id, port)
        if sent is None:
            continue
        formulas = []
        if op.type == "BatchNorm":
            formulas = [
                Formula.make(
                    [D(J, ctx.node_sym(src, i))],
                    [N(sent[i])],
                    value=sent[i],
                    note="through x̂, the batch mean μ and variance σ²",
                )
                for i in ctx.shown(len(sent))[0]
            ]
        else:
            sources = _sources(op, port, len(g))
            for i in ctx.shown(len(sent))[0]:
                ks = [k for k in range(len(g)) if sources[k] == i]
                formulas += _chain_element(ctx, op, port, src, i, ks, g, sent[i])
        shown, hidden = ctx.shown(len(sent))
        ctx.add(
            "backward",
            op.id,
            f"{op.id}: gradient sent back to {src}",
            formulas,
            {"grad": g, "grad_in": sent},
            Highlight(op.id, (), (), ((src, op.id),)),
        )
        ctx.summary("backward", op.id, hidden, "input gradients", {"grad_in": sent})


def _sources(op: OpSpec, port: int, n_out: int) -> np.ndarray:
    """For every output element, the element of input `port` it depends on (-1: none)."""
    if op.type in ("OpAdd", "OpSubtract", "OpMultiply", "OpMax"):
        return operand_index(op, port)
    if op.type in ("Concatenate", "Flatten"):
        out = np.full(n_out, -1)
        for k in range(n_out):
            p, i = copied_from(op, k)
            if p == port:
                out[k] = i
        return out
    return np.arange(n_out)


def _chain_element(
    ctx: Context, op: OpSpec, port: int, src: str, i: int, ks: list[int], g: np.ndarray, result: float
) -> list[Formula]:
    J = ctx.objective
    lhs = [D(J, ctx.node_sym(src, i))]
    if len(ks) == 1:
        k = ks[0]
        sym, num, d = _local(ctx, op, port, k)
        local = PD(ctx.node_sym(op.id, k), ctx.node_sym(src, i))
        sides = [side for side in (sym, num) if side and side != [N(d)]]
        first = [Formula.make([local], *sides, [N(d)], value=d)]
        chain = Formula.make(
            lhs, [D(J, ctx.node_sym(op.id, k)), M(), local], [N(g[k]), M(), N(d)], [N(result)], value=result
        )
        return [*first, chain]
    shown, hidden = ctx.shown(len(ks))
    terms = [[N(g[ks[m]]), M(), N(_local(ctx, op, port, ks[m])[2])] for m in shown]
    side = joined(terms, "+") + ([O("+"), more_terms(hidden)] if hidden else [])
    return [
        Formula.make(
            lhs,
            side,
            [N(result)],
            value=result,
            note=f"{src} is broadcast: the gradients of all {len(ks)} elements it feeds add up",
        )
    ]


def _param_grads(ctx: Context, op: OpSpec) -> None:
    """dL/dα (PReLU), dL/dγ and dL/dβ (BatchNorm) with their sums written out."""
    grads = ctx.trace.param_grads.get(op.id)
    if not grads:
        return
    J = ctx.objective
    g = ctx.grad(op.id)
    c = op.output_shape[-1]
    formulas = []
    if op.type == "PReLU":
        x = ctx.value(op.inputs[0])
        for idx in ctx.shown(grads["alpha"].size)[0]:
            terms = [[N(g[k]), M(), N(x[k])] for k in range(len(g)) if k % grads["alpha"].size == idx and x[k] <= 0]
            sides = [joined(terms, "+")] if terms else []
            formulas.append(
                Formula.make(
                    [D(J, Sym("α", ctx.sub(idx, grads["alpha"].size)))],
                    *sides,
                    [N(grads["alpha"].ravel()[idx])],
                    value=grads["alpha"].ravel()[idx],
                    note="sum of dL/dy·x over the negative inputs",
                )
            )
    elif op.type == "BatchNorm":
        xhat = batchnorm_xhat(ctx, op)
        for name, sym in (("gamma", "γ"), ("beta", "β")):
            if name not in grads:
                continue
            for ch in ctx.shown(c)[0]:
                ks = [k for k in range(len(g)) if k % c == ch]
                terms = [[N(g[k]), M(), N(xhat[k])] if name == "gamma" else [N(g[k])] for k in ks]
                formulas.append(
                    Formula.make(
                        [D(J, Sym(sym, ctx.sub(ch, c)))],
                        joined(terms, "+"),
                        [N(grads[name].ravel()[ch])],
                        value=grads[name].ravel()[ch],
                    )
                )
    if formulas:
        ctx.add(
            "backward",
            op.id,
            f"{op.id}: gradients of its weights",
            formulas,
            {f"grad_{k}": v for k, v in grads.items()},
            Highlight(
                op.id, (), tuple((k, element_index(i, v.shape)) for k, v in grads.items() for i in range(v.size))
            ),
        )


def batch_gradient_steps(ctx: Context) -> None:
    """In a mini-batch: every weight's gradient is the sum of the samples' shares (plus any penalty)."""
    J = ctx.objective
    t = ctx.trace
    for op in reversed(ctx.graph.ops):
        grads = t.param_grads.get(op.id)
        if not grads:
            continue
        if op.type == "Dense":
            x = np.asarray(t.values[op.inputs[0]], np.float64).reshape(ctx.batch, -1)
            dz = np.asarray(t.pre_grads[op.id], np.float64).reshape(ctx.batch, -1)
            gw = grads["kernel"].reshape(x.shape[1], -1)
            n_in, units = gw.shape
            for j in ctx.shown(units)[0]:
                formulas = []
                for i in ctx.shown(n_in)[0]:
                    shares = dz[:, j] * x[:, i]
                    formulas.append(
                        _sum_formula(J, weight_symbol("kernel", (i, j), (n_in, units), ctx.lecture), shares, gw[i, j])
                    )
                if "bias" in grads:
                    formulas.append(_sum_formula(J, bias_symbol(ctx, j, units), dz[:, j], grads["bias"].ravel()[j]))
                weights: tuple[tuple[str, tuple[int, ...]], ...] = tuple(("kernel", (i, j)) for i in range(n_in))
                weights += (("bias", (j,)),) if "bias" in grads else ()
                name = f"{op.id} neuron {j + 1}" if units > 1 else op.id
                ctx.add(
                    "backward",
                    op.id,
                    f"{name}: weight gradients summed over the batch",
                    formulas,
                    {"grad_w": gw[:, j].copy(), "shares_w": dz[:, j : j + 1] * x},
                    Highlight(op.id, (j,), weights, ((op.inputs[0], op.id),)),
                    per_sample=False,
                    unit=j,
                )
            continue
        formulas = [
            Formula.make(
                [D(J, Sym(name, ctx.sub(i, v.size)))],
                [N(v.ravel()[i])],
                value=v.ravel()[i],
                note="summed over the batch",
            )
            for name, v in grads.items()
            for i in ctx.shown(v.size)[0]
        ]
        ctx.add(
            "backward",
            op.id,
            f"{op.id}: weight gradients summed over the batch",
            formulas,
            {f"grad_{k}": v for k, v in grads.items()},
            Highlight(
                op.id, (), tuple((k, element_index(i, v.shape)) for k, v in grads.items() for i in range(v.size))
            ),
            per_sample=False,
        )


def _sum_formula(J: Sym, w: Sym, shares: np.ndarray, total: float) -> Formula:
    """`dL/dw = share₁ + share₂ + … (+ penalty) = total`."""
    penalty = total - float(shares.sum())
    side = joined([[N(s)] for s in shares], "+")
    if abs(penalty) > 1e-15:
        side += [O("+"), N(penalty)]
    note = "the samples' shares added up" + (", plus the L1/L2 penalty" if abs(penalty) > 1e-15 else "")
    return Formula.make([D(J, w)], side, [N(total)], value=total, note=note)
