"""One weight's update written out with the optimizer's state: velocity, m, v, m̂, v̂, accumulators.

The formulas follow the slides' rules (the Keras slide's Adam pseudo-code with its
product corrected to the division w ← w - η·m̂/(√v̂ + ε)). Every state value and the
new weight come from the engine's trace; the bias-corrected m̂ and v̂, which the engine
never stores, are worked out here from the traced m and v.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .format import SQ, SY, F, Formula, N, O, P, Piece, Sym

# The symbol each optimizer's state slot is written with.
SLOT_SYMBOLS = {"velocity": "v", "accumulator": "s", "mean_square": "s", "mean_update": "u", "m": "m", "v": "v"}
ETA, EPS = Sym("η"), Sym("ε")


@dataclass(frozen=True)
class WeightUpdate:
    """Everything about one weight element's update: its symbol, the numbers before and after."""

    sym: Sym  # w₁₂, b₂, ...
    old: float
    grad: float
    new: float
    lr: float
    t: int
    hyper: dict[str, float]
    state_old: dict[str, float]  # slot name -> value before the step
    state_new: dict[str, float]  # slot name -> value after the step (the engine's)

    def state_sym(self, slot: str, hat: bool = False) -> Sym:
        """m₁₂ for the kernel's m, m[b2] for the bias's (the weight's own subscript names it)."""
        sub = self.sym.sub if self.sym.base == "w" else self.sym.base + self.sym.sub
        return Sym(SLOT_SYMBOLS[slot], sub, hat)

    @property
    def g(self) -> Sym:
        return Sym("g", self.sym.sub if self.sym.base == "w" else self.sym.base + self.sym.sub)


def _num_sq(v: float) -> list[Piece]:
    return [P("("), N(v), P(")"), SQ()] if v < 0 else [N(v), SQ()]


def _pow(t: int | str) -> Piece:
    return Piece("sup", str(t))


def _sqrt(*inside: Piece) -> list[Piece]:
    return [F("√"), P("("), *inside, P(")")]


def _average(u: WeightUpdate, slot: str, rate: Sym, rate_value: float, squared: bool) -> Formula:
    """s ← ρ·s + (1 - ρ)·g² (or m ← β₁·m + (1 - β₁)·g)."""
    s = u.state_sym(slot)
    g_sym = [SY(u.g), SQ()] if squared else [SY(u.g)]
    g_num = _num_sq(u.grad) if squared else [N(u.grad)]
    return Formula.make(
        [SY(s)],
        [SY(rate), O("·"), SY(s), O("+"), P("("), N(1), O("-"), SY(rate), P(")"), O("·"), *g_sym],
        [
            N(rate_value),
            O("·"),
            N(u.state_old[slot]),
            O("+"),
            P("("),
            N(1),
            O("-"),
            N(rate_value),
            P(")"),
            O("·"),
            *g_num,
        ],
        [N(u.state_new[slot])],
        value=u.state_new[slot],
        rel="←",
    )


def _weight(u: WeightUpdate, symbolic: list[Piece], numeric: list[Piece]) -> Formula:
    w = SY(u.sym)
    return Formula.make(
        [w],
        [w, O("-"), SY(ETA), O("·"), *symbolic],
        [N(u.old), O("-"), N(u.lr), O("·"), *numeric],
        [N(u.new)],
        value=u.new,
        rel="←",
    )


def update_formulas(name: str, u: WeightUpdate) -> list[Formula]:
    """The optimizer's rule for one weight, state first, the weight's new value last."""
    h = u.hyper
    if name == "sgd":  # w ← w - η·g, the title says; the numbers alone read as on the slides
        return [
            Formula.make([SY(u.sym)], [N(u.old), O("-"), N(u.lr), O("·"), N(u.grad)], [N(u.new)], value=u.new, rel="←")
        ]
    if name in ("momentum", "nesterov"):
        v, mu = u.state_sym("velocity"), Sym("μ")
        vn = u.state_new["velocity"]
        out = [
            Formula.make(
                [SY(v)],
                [SY(mu), O("·"), SY(v), O("+"), SY(u.g)],
                [N(h["momentum"]), O("·"), N(u.state_old["velocity"]), O("+"), N(u.grad)],
                [N(vn)],
                value=vn,
                rel="←",
            )
        ]
        if name == "momentum":
            return out + [_weight(u, [SY(v)], [N(vn)])]
        return out + [
            _weight(
                u,
                [P("("), SY(u.g), O("+"), SY(mu), O("·"), SY(v), P(")")],
                [P("("), N(u.grad), O("+"), N(h["momentum"]), O("·"), N(vn), P(")")],
            )
        ]
    if name in ("adagrad", "rmsprop"):
        slot = "accumulator" if name == "adagrad" else "mean_square"
        s, sn = u.state_sym(slot), u.state_new[slot]
        if name == "adagrad":
            first = Formula.make(
                [SY(s)],
                [SY(s), O("+"), SY(u.g), SQ()],
                [N(u.state_old[slot]), O("+"), *_num_sq(u.grad)],
                [N(sn)],
                value=sn,
                rel="←",
            )
        else:
            first = _average(u, slot, Sym("ρ"), h["rho"], True)
        return [
            first,
            _weight(
                u,
                [SY(u.g), O("/"), *_sqrt(SY(s), O("+"), SY(EPS))],
                [N(u.grad), O("/"), *_sqrt(N(sn), O("+"), N(h["epsilon"]))],
            ),
        ]
    if name == "adadelta":
        rho, eps = h["rho"], h["epsilon"]
        s, uu, delta = u.state_sym("mean_square"), u.state_sym("mean_update"), Sym("Δ", u.g.sub)
        sn, u_old = u.state_new["mean_square"], u.state_old["mean_update"]
        d = float(np.sqrt(u_old + eps) / np.sqrt(sn + eps) * u.grad)
        step = Formula.make(
            [SY(delta)],
            [*_sqrt(SY(uu), O("+"), SY(EPS)), O("/"), *_sqrt(SY(s), O("+"), SY(EPS)), O("·"), SY(u.g)],
            [*_sqrt(N(u_old), O("+"), N(eps)), O("/"), *_sqrt(N(sn), O("+"), N(eps)), O("·"), N(u.grad)],
            [N(d)],
            value=d,
            note="with u from before this step",
        )
        un = u.state_new["mean_update"]
        avg_u = Formula.make(
            [SY(uu)],
            [SY(Sym("ρ")), O("·"), SY(uu), O("+"), P("("), N(1), O("-"), SY(Sym("ρ")), P(")"), O("·"), SY(delta), SQ()],
            [N(rho), O("·"), N(u_old), O("+"), P("("), N(1), O("-"), N(rho), P(")"), O("·"), *_num_sq(d)],
            [N(un)],
            value=un,
            rel="←",
        )
        return [_average(u, "mean_square", Sym("ρ"), rho, True), step, avg_u, _weight(u, [SY(delta)], [N(d)])]
    if name in ("adam", "adamw", "nadam"):
        return _adam(name, u)
    return [Formula.make([SY(u.sym)], [N(u.old), O("-"), N(u.old - u.new)], [N(u.new)], value=u.new, rel="←")]


def _adam(name: str, u: WeightUpdate) -> list[Formula]:
    h, t = u.hyper, u.t
    b1, b2, eps = h["beta_1"], h["beta_2"], h["epsilon"]
    B1, B2 = Sym("β", "1"), Sym("β", "2")
    m, v = u.state_sym("m"), u.state_sym("v")
    mh, vh = u.state_sym("m", hat=True), u.state_sym("v", hat=True)
    mn, vn = u.state_new["m"], u.state_new["v"]
    vhat = vn / (1 - b2**t)
    out = [_average(u, "m", B1, b1, False), _average(u, "v", B2, b2, True)]
    if name == "nadam":
        mhat = b1 * mn / (1 - b1 ** (t + 1)) + (1 - b1) * u.grad / (1 - b1**t)
        out.append(
            Formula.make(
                [SY(mh)],
                [
                    SY(B1),
                    O("·"),
                    SY(m),
                    O("/"),
                    P("("),
                    N(1),
                    O("-"),
                    SY(B1),
                    _pow("t+1"),
                    P(")"),
                    O("+"),
                    P("("),
                    N(1),
                    O("-"),
                    SY(B1),
                    P(")"),
                    O("·"),
                    SY(u.g),
                    O("/"),
                    P("("),
                    N(1),
                    O("-"),
                    SY(B1),
                    _pow("t"),
                    P(")"),
                ],
                [
                    N(b1),
                    O("·"),
                    N(mn),
                    O("/"),
                    P("("),
                    N(1),
                    O("-"),
                    N(b1),
                    _pow(t + 1),
                    P(")"),
                    O("+"),
                    P("("),
                    N(1),
                    O("-"),
                    N(b1),
                    P(")"),
                    O("·"),
                    N(u.grad),
                    O("/"),
                    P("("),
                    N(1),
                    O("-"),
                    N(b1),
                    _pow(t),
                    P(")"),
                ],
                [N(mhat)],
                value=mhat,
                note="Nesterov look-ahead",
            )
        )
    else:
        mhat = mn / (1 - b1**t)
        out.append(
            Formula.make(
                [SY(mh)],
                [SY(m), O("/"), P("("), N(1), O("-"), SY(B1), _pow("t"), P(")")],
                [N(mn), O("/"), P("("), N(1), O("-"), N(b1), _pow(t), P(")")],
                [N(mhat)],
                value=mhat,
            )
        )
    out.append(
        Formula.make(
            [SY(vh)],
            [SY(v), O("/"), P("("), N(1), O("-"), SY(B2), _pow("t"), P(")")],
            [N(vn), O("/"), P("("), N(1), O("-"), N(b2), _pow(t), P(")")],
            [N(vhat)],
            value=vhat,
        )
    )
    ratio_sym = [SY(mh), O("/"), P("("), *_sqrt(SY(vh)), O("+"), SY(EPS), P(")")]
    ratio_num = [N(mhat), O("/"), P("("), *_sqrt(N(vhat)), O("+"), N(eps), P(")")]
    if name == "adamw":
        lam = h["weight_decay"]
        out.append(
            _weight(
                u,
                [P("("), *ratio_sym, O("+"), SY(Sym("λ")), O("·"), SY(u.sym), P(")")],
                [P("("), *ratio_num, O("+"), N(lam), O("·"), N(u.old), P(")")],
            )
        )
    else:
        out.append(_weight(u, ratio_sym, ratio_num))
    return out
