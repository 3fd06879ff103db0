"""The loss step (its formula with numbers) and the first backward step (dL/dŷ, where backpropagation starts)."""

from __future__ import annotations

import numpy as np

from ...engine import refmath
from .format import SQ, SY, D, Formula, N, O, P, Piece, S, Sym, call, joined
from .forward import more_terms
from .model import Context, Highlight


def out_sym(ctx: Context, op_id: str, k: int) -> Sym:
    """The symbol the backward steps use for an op's output: `a` for Dense neurons, else the node id."""
    op = ctx.ops[op_id]
    if op.type == "Dense":
        return Sym("a", ctx.sub(k, op.size))
    return ctx.node_sym(op_id, k)


def _bar(*inner: Piece) -> list[Piece]:
    return [Piece("open", "|"), *inner, Piece("close", "|")]


def _mean(ctx: Context, terms: list[list[Piece]], n: int, scale: float | None = None) -> list[Piece]:
    """`t₁ + t₂ + …` wrapped as `(…)/n` (or `0.5·(…)`) when there are several outputs."""
    shown, hidden = ctx.shown(len(terms))
    side = joined([terms[k] for k in shown], "+")
    if hidden:
        side += [O("+"), more_terms(hidden)]
    if len(terms) > 1:
        side = [P("("), *side, P(")")]
    if scale is not None:
        side = [N(scale), O("·"), *side]
    if n > 1:
        side = [*side, O("/"), N(n)]
    return side


class LossView:
    """ŷ, y and the loss's name for the traced sample, in the form the formulas need."""

    def __init__(self, ctx: Context) -> None:
        g = ctx.graph
        self.ctx = ctx
        self.name = g.loss_name
        self.out = g.output_id
        self.logits, self.fused = g.loss_mode()
        self.raw_logits = self.logits and not self.fused  # the output holds scores; the loss squashes them
        v = ctx.value(self.out)
        self.n = v.size
        if self.raw_logits:
            self.p = refmath.sigmoid(v) if self.name == "binary_crossentropy" else refmath.softmax(v[None])[0]
        else:
            self.p = v
        # Probabilities are clipped before the logarithm, as the engine (and Keras) does.
        logs = self.name in ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy")
        self.clipped = (
            (self.p <= refmath.EPS) | (self.p >= 1 - refmath.EPS)
            if logs and not self.logits
            else np.zeros(self.n, bool)
        )
        if self.clipped.any():
            self.p = np.clip(self.p, refmath.EPS, 1 - refmath.EPS)
        y = ctx.target
        self.y = np.zeros(0) if y is None else np.asarray(y, dtype=np.float64).ravel()
        self.cls: int | None = None  # the true class, when the target names exactly one
        if self.name in ("sparse_categorical_crossentropy", "multiclass_hinge"):
            self.cls = int(self.y[0])
        elif self.name == "categorical_crossentropy" and np.count_nonzero(self.y) == 1 and self.y.max() == 1:
            self.cls = int(np.argmax(self.y))

    def true_class(self) -> int:
        if self.cls is None:
            raise ValueError(f"the {self.name} loss needs a class index as the target")
        return self.cls

    def yhat(self, k: int) -> Piece:
        return S("ŷ", self.ctx.sub(k, self.n))

    def ysym(self, k: int) -> Piece:
        return S("y", self.ctx.sub(k, self.n))


# Losses that average over every output element (the others sum over a sample's outputs);
# all of them average over the samples of a batch.
ELEMENT_MEAN_LOSSES = ("binary_crossentropy", "mse", "mae", "hinge")


def loss_steps(ctx: Context) -> None:
    """One loss step (per sample of a batch, then their mean), with the L1/L2 penalty where there is one."""
    losses = []
    for n in range(ctx.batch):
        ctx.n = n
        losses.append(_sample_loss_step(ctx))
    ctx.n = 0
    loss_id = ctx.graph.loss_id
    data_loss = float(np.mean(losses))
    penalty = float(ctx.trace.loss) - data_loss
    formulas = []
    if ctx.batch > 1:
        terms = joined([[S("ℓ", str(n + 1))] for n in range(ctx.batch)], "+")
        formulas.append(
            Formula.make(
                [SY(ctx.objective)],
                [P("("), *terms, P(")"), O("/"), N(ctx.batch)],
                [P("("), *joined([[N(v)] for v in losses], "+"), P(")"), O("/"), N(ctx.batch)],
                [N(data_loss)],
                value=data_loss,
                note="the batch loss is the mean over its samples",
            )
        )
    if abs(penalty) > 1e-15:
        formulas.append(
            Formula.make(
                [S("L")],
                [N(data_loss), O("+"), N(penalty)],
                [N(ctx.trace.loss)],
                value=ctx.trace.loss,
                note="data loss + L1/L2 penalty of the kernels",
            )
        )
    if formulas:
        ctx.add(
            "loss",
            loss_id,
            f"{loss_id}: loss of the batch" if ctx.batch > 1 else f"{loss_id}: L1/L2 penalty",
            formulas,
            {"loss": np.array([data_loss]), "penalty": np.array([penalty])},
            Highlight(loss_id, edges=((ctx.graph.output_id, loss_id),)),
            per_sample=False,
        )


def _sample_loss_step(ctx: Context) -> float:
    """The loss formula of sample ctx.n; returns its loss (without penalty)."""
    lv = LossView(ctx)
    loss_id = ctx.graph.loss_id
    formulas: list[Formula] = []
    if lv.raw_logits:
        squash = "σ" if lv.name == "binary_crossentropy" else "softmax"
        for k in ctx.shown(lv.n)[0]:
            formulas.append(
                Formula.make(
                    [lv.yhat(k)],
                    call(squash, SY(out_sym(ctx, lv.out, k))),
                    [N(lv.p[k])],
                    value=lv.p[k],
                    note="the loss applies the squashing itself (from_logits)",
                )
            )
    data_loss = _data_loss(ctx)
    lhs = [S("ℓ", str(ctx.n + 1))] if ctx.batch > 1 else [SY(ctx.objective)]
    formulas.append(_loss_formula(ctx, lv, data_loss, lhs))
    if lv.clipped.any():
        formulas[-1] = Formula(
            formulas[-1].lhs,
            formulas[-1].sides,
            formulas[-1].value,
            formulas[-1].rel,
            f"ŷ clipped to [{refmath.EPS:g}, 1 - {refmath.EPS:g}] before the logarithm",
        )
    ctx.add(
        "loss",
        loss_id,
        f"{loss_id}: {lv.name} loss",
        formulas,
        {"y_hat": lv.p, "y": lv.y, "loss": np.array([data_loss])},
        Highlight(loss_id, edges=((lv.out, loss_id),)),
    )
    return data_loss


def _data_loss(ctx: Context) -> float:
    """The loss of the sample without penalty, computed the way the engine does (fused where it fuses)."""
    g = ctx.graph
    logits, fused = g.loss_mode()
    v = (ctx.pre(g.output_id) if fused else ctx.value(g.output_id))[None]
    y = np.zeros((1, 0)) if ctx.target is None else np.asarray(ctx.target, dtype=np.float64).reshape(1, -1)
    return float(refmath.loss_and_grad(g.loss_name, v, y, logits)[0])


def _loss_formula(ctx: Context, lv: LossView, value: float, lhs: list[Piece]) -> Formula:
    p, y, n, name = lv.p, lv.y, lv.n, lv.name
    if name == "value":
        if n == 1:
            return Formula.make(lhs, [N(p[0])], value=value, note="the objective is the output itself")
        return Formula.make(lhs, _mean(ctx, [[N(p[k])] for k in range(n)], 1), [N(value)], value=value)
    if name == "binary_crossentropy":
        terms = [_bce_term(p[k], y[k]) for k in range(n)]
        return Formula.make(lhs, _mean(ctx, terms, n), [N(value)], value=value)
    if name in ("squared_error", "sum_squared_error", "mse"):
        terms = [[P("("), N(p[k]), O("-"), N(y[k]), P(")"), SQ()] for k in range(n)]
        side = _mean(ctx, terms, n if name == "mse" else 1, 0.5 if name == "squared_error" else None)
        return Formula.make(lhs, side, [N(value)], value=value)
    if name == "mae":
        return Formula.make(
            lhs, _mean(ctx, [_bar(N(p[k]), O("-"), N(y[k])) for k in range(n)], n), [N(value)], value=value
        )
    if name in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        if lv.cls is not None:
            c = lv.cls
            return Formula.make(
                lhs,
                [O("-"), *call("ln", lv.yhat(c))],
                [O("-"), *call("ln", N(p[c]))],
                [N(value)],
                value=value,
                note=f"the true class is {c} (output {c + 1})",
            )
        terms = [[N(y[k]), O("·"), *call("ln", N(p[k]))] for k in range(n) if y[k] != 0]
        return Formula.make(lhs, [O("-"), P("("), *joined(terms, "+"), P(")")], [N(value)], value=value)
    if name == "hinge":
        t = np.where(y > 0, 1.0, -1.0)
        terms = [call("max", N(0), O(","), N(1), O("-"), N(t[k]), O("·"), N(p[k])) for k in range(n)]
        return Formula.make(lhs, _mean(ctx, terms, n), [N(value)], value=value, note="targets as ±1")
    if name == "multiclass_hinge":
        c = lv.true_class()
        terms = [call("max", N(0), O(","), N(p[j]), O("-"), N(p[c]), O("+"), N(1)) for j in range(n) if j != c]
        return Formula.make(
            lhs,
            _mean(ctx, terms, 1),
            [N(value)],
            value=value,
            note=f"sum over the classes other than the true class {c}",
        )
    return Formula.make(lhs, [N(value)], value=value)


def _bce_term(p: float, y: float) -> list[Piece]:
    if y == 0:
        return [O("-"), *call("ln", N(1), O("-"), N(p))]
    if y == 1:
        return [O("-"), *call("ln", N(p))]
    return [
        O("-"),
        P("("),
        N(y),
        O("·"),
        *call("ln", N(p)),
        O("+"),
        P("("),
        N(1),
        O("-"),
        N(y),
        P(")"),
        O("·"),
        *call("ln", N(1), O("-"), N(p)),
        P(")"),
    ]


def _top_level_sum(side: list[Piece]) -> bool:
    """Whether the side has a + or - outside brackets (so dividing it needs brackets)."""
    depth = 0
    for k, p in enumerate(side):
        depth += (p.kind == "open") - (p.kind == "close")
        if depth == 0 and p.kind == "op" and p.text in ("+", "-") and k > 0:
            return True
    return False


def _bracketed(side: list[Piece]) -> list[Piece]:
    return [P("("), *side, P(")")]


def loss_gradient_step(ctx: Context) -> None:
    """dL/dŷ for every output: the gradient backpropagation starts with."""
    lv = LossView(ctx)
    g = ctx.grad(lv.out)
    shown, hidden = ctx.shown(lv.n)
    formulas = [_grad_formula(ctx, lv, k, g[k]) for k in shown]
    ctx.add(
        "backward",
        lv.out,
        f"{lv.out}: gradient of the loss with respect to the output",
        formulas,
        {"grad": g, "y_hat": lv.p, "y": lv.y},
        Highlight(lv.out, tuple(shown), (), ((lv.out, ctx.graph.loss_id),)),
    )
    ctx.summary("backward", lv.out, hidden, "outputs", {"grad": g}, tuple(range(lv.n)))


def _grad_formula(ctx: Context, lv: LossView, k: int, result: float) -> Formula:
    J = ctx.objective
    name, p, y, n = lv.name, lv.p, lv.y, lv.n
    yh, ys = lv.yhat(k), lv.ysym(k)

    den = (n if name in ELEMENT_MEAN_LOSSES else 1) * ctx.batch

    def per_n(side: list[Piece]) -> list[Piece]:
        """The side divided by what the loss averages over (outputs and/or samples)."""
        if den == 1:
            return side
        return [*(_bracketed(side) if _top_level_sum(side) else side), O("/"), N(den)]

    if lv.raw_logits:
        lhs = [D(J, out_sym(ctx, lv.out, k))]
        if name == "binary_crossentropy":
            return Formula.make(
                lhs,
                per_n([yh, O("-"), ys]),
                per_n([N(p[k]), O("-"), N(y[k])]),
                [N(result)],
                value=result,
                note="ŷ = σ(score): the loss squashes the score itself",
            )
        t = (1.0 if k == lv.cls else 0.0) if lv.cls is not None else y[k]
        return Formula.make(
            lhs,
            per_n([yh, O("-"), S("t", ctx.sub(k, n))]),
            per_n([N(p[k]), O("-"), N(t)]),
            [N(result)],
            value=result,
            note="ŷ = softmax(scores), t: the one-hot target",
        )
    lhs = [D(J, out_sym(ctx, lv.out, k))]
    if lv.clipped[k]:
        return Formula.make(
            lhs,
            [N(result)],
            value=result,
            note="ŷ is outside (0, 1) and was clipped for the logarithm: no gradient flows",
        )
    if name == "value":
        return Formula.make(
            lhs,
            *([per_n([N(1)])] if den > 1 else []),
            [N(result)],
            value=result,
            note="the objective is the output itself",
        )
    if name == "binary_crossentropy":
        sym = [P("("), yh, O("-"), ys, P(")"), O("/"), P("("), yh, O("·"), P("("), N(1), O("-"), yh, P(")"), P(")")]
        num = [
            P("("),
            N(p[k]),
            O("-"),
            N(y[k]),
            P(")"),
            O("/"),
            P("("),
            N(p[k]),
            O("·"),
            P("("),
            N(1),
            O("-"),
            N(p[k]),
            P(")"),
            P(")"),
        ]
        return Formula.make(lhs, per_n(sym), per_n(num), [N(result)], value=result)
    if name in ("squared_error", "sum_squared_error", "mse"):
        two = [] if name == "squared_error" else [N(2), O("·")]
        sym = [*two, P("("), yh, O("-"), ys, P(")")] if two else [yh, O("-"), ys]
        num = [*two, P("("), N(p[k]), O("-"), N(y[k]), P(")")] if two else [N(p[k]), O("-"), N(y[k])]
        return Formula.make(lhs, per_n(sym), per_n(num), [N(result)], value=result)
    if name == "mae":
        return Formula.make(
            lhs,
            per_n(call("sign", yh, O("-"), ys)),
            per_n(call("sign", N(p[k]), O("-"), N(y[k]))),
            [N(result)],
            value=result,
        )
    if name in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        t = (1.0 if k == lv.cls else 0.0) if name.startswith("sparse") else y[k]
        return Formula.make(
            lhs,
            per_n([O("-"), S("t", ctx.sub(k, n)), O("/"), yh]),
            per_n([O("-"), N(t), O("/"), N(p[k])]),
            [N(result)],
            value=result,
            note="t: the one-hot target",
        )
    if name == "hinge":
        return Formula.make(lhs, [N(result)], value=result, note="-t/n where the margin 1 - t·ŷ is positive, else 0")
    if name == "multiclass_hinge":
        return Formula.make(
            lhs,
            [N(result)],
            value=result,
            note="+1 for every class whose margin is positive; minus their count for the true class",
        )
    return Formula.make(lhs, [N(result)], value=result)
