"""The pure-NumPy reference backend: op by op, readable, the definition the fast backends must match.

It also produces the full record of one step (every value, every gradient) that
the step-through view and `neuroedit trace` show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import refmath as m
from .backend import Backend
from .names import activation_alpha
from .optimizers import reference_update
from .randomness import uniform
from .spec import OpSpec


@dataclass
class Pass:
    """What a forward pass leaves for the backward pass."""

    values: dict[str, np.ndarray] = field(default_factory=dict)
    pre: dict[str, np.ndarray] = field(default_factory=dict)  # Dense/Activation input to the activation
    cache: dict[str, tuple] = field(default_factory=dict)  # BatchNorm and Dropout internals


@dataclass
class Grads:
    loss: float
    metric: float
    values: dict[str, np.ndarray]  # dL/d(output of op)
    pre: dict[str, np.ndarray]  # dL/dz of Dense/Activation ops
    flat: np.ndarray  # dL/dθ (trainable, flat, incl. penalty)
    sq: np.ndarray  # mean over patterns of the squared per-pattern gradient
    ports: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)  # dL/d(input port k of op)


def _sum_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Reduce a broadcast gradient (B, *out) back to an operand's (B, *shape)."""
    b = g.shape[0]
    full = (1,) * (g.ndim - 1 - len(shape)) + tuple(shape)
    axes = tuple(i + 1 for i, d in enumerate(full) if d == 1 and g.shape[i + 1] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape((b, *shape))


class ReferenceBackend(Backend):
    name = "reference"

    # ------------------------------------------------------------------ forward
    def forward(self, X: np.ndarray, training: bool, step: int = 0, update_stats: bool = False) -> Pass:
        p = Pass()
        b = X.shape[0]
        col = 0
        w = self.get_weights()
        for index, op in enumerate(self.graph.ops):
            prm = self.op_params[op.id]
            ins = [p.values[i] for i in op.inputs]
            t = op.type
            if t == "Input":
                out = X[:, col : col + op.size].reshape((b, *op.output_shape))
                col += op.size
            elif t == "Dense":
                z = ins[0] @ w[op.id]["kernel"].astype(self.dtype)
                if "bias" in w[op.id]:
                    z = z + w[op.id]["bias"].astype(self.dtype)
                p.pre[op.id] = z
                out = m.activation(
                    prm["activation"],
                    z,
                    1.0 if prm["activation"] == "linear" else (0.01 if prm["activation"] == "leaky_relu" else 1.0),
                )
            elif t == "Activation":
                p.pre[op.id] = ins[0]
                out = m.activation(prm["activation"], ins[0], activation_alpha(prm))
            elif t == "Dropout":
                rate = float(prm.get("rate", 0.0))
                if training and rate > 0:
                    keep = (uniform(self.seed, step, index, ins[0].size) >= rate).reshape(ins[0].shape)
                    mask = (keep / (1 - rate)).astype(self.dtype)
                else:
                    mask = None
                p.cache[op.id] = (mask,)
                out = ins[0] * mask if mask is not None else ins[0]
            elif t == "BatchNorm":
                out = self._bn_forward(op, ins[0], w[op.id], training, update_stats, p)
            elif t == "Flatten":
                out = ins[0].reshape(b, -1)
            elif t == "PReLU":
                out = np.where(ins[0] > 0, ins[0], w[op.id]["alpha"].astype(self.dtype) * ins[0])
            elif t == "Add":
                out = ins[0].copy()
                for x in ins[1:]:
                    out = out + x
            elif t == "Concatenate":
                out = np.concatenate(ins, axis=-1)
            elif t == "OpAdd":
                out = ins[0] + ins[1]
            elif t == "OpSubtract":
                out = ins[0] - ins[1]
            elif t == "OpMultiply":
                out = ins[0] * ins[1]
            elif t == "OpMax":
                out = np.maximum(ins[0], ins[1])
            elif t == "OpSquare":
                out = ins[0] * ins[0]
            elif t == "Loss":
                continue
            else:
                raise ValueError(t)
            p.values[op.id] = np.asarray(out, dtype=self.dtype).reshape((b, *op.output_shape))
        return p

    def _bn_forward(self, op: OpSpec, x: np.ndarray, w: dict, training: bool, update_stats: bool, p: Pass):
        prm = self.op_params[op.id]
        c = x.shape[-1]
        x2 = x.reshape(-1, c)
        eps = float(prm["epsilon"])
        if training:
            mu, var = x2.mean(axis=0), x2.var(axis=0)
            if update_stats:
                mom = float(prm["momentum"])
                seg_mm = self.layout.find(op.id, "moving_mean")[1]
                seg_mv = self.layout.find(op.id, "moving_variance")[1]
                self.frozen[seg_mm.start : seg_mm.stop] = mom * self.frozen[seg_mm.start : seg_mm.stop] + (1 - mom) * mu
                self.frozen[seg_mv.start : seg_mv.stop] = (
                    mom * self.frozen[seg_mv.start : seg_mv.stop] + (1 - mom) * var
                )
        else:
            mu, var = w["moving_mean"].astype(self.dtype), w["moving_variance"].astype(self.dtype)
        inv = 1.0 / np.sqrt(var + eps)
        xhat = (x2 - mu) * inv
        gamma = w["gamma"].astype(self.dtype) if "gamma" in w else np.ones(c, self.dtype)
        beta = w["beta"].astype(self.dtype) if "beta" in w else np.zeros(c, self.dtype)
        p.cache[op.id] = (xhat, inv, gamma, training)
        return (xhat * gamma + beta).reshape(x.shape)

    # ------------------------------------------------------------------ backward
    def backward(self, p: Pass, Y: np.ndarray) -> Grads:
        g = self.graph
        out_id = g.output_id
        b = p.values[out_id].shape[0]
        gv: dict[str, np.ndarray] = {}
        gpre: dict[str, np.ndarray] = {}
        ports: dict[tuple[str, int], np.ndarray] = {}
        flat = np.zeros(self.layout.n_trainable, self.dtype)
        sq = np.zeros(self.layout.n_trainable, self.dtype)
        w = self.get_weights()
        loss_name = g.loss_name
        a_out = p.values[out_id].reshape(b, -1)
        if self.fused:
            z = p.pre[out_id].reshape(b, -1)
            loss, dz = m.loss_and_grad(loss_name, z, Y, True)
            metric = m.metric(loss_name, self.metric, z, Y, True)
            gpre[out_id] = dz.astype(self.dtype).reshape(p.pre[out_id].shape)
            # dL/da shown for teaching; the fused path never needs it.
            gv[out_id] = (
                m.loss_and_grad(loss_name, a_out, Y, False)[1].astype(self.dtype).reshape(p.values[out_id].shape)
            )
        else:
            loss, da = m.loss_and_grad(loss_name, a_out, Y, self.logits)
            metric = m.metric(loss_name, self.metric, a_out, Y, self.logits)
            gv[out_id] = da.astype(self.dtype).reshape(p.values[out_id].shape)

        def put(op_id: str, name: str, grad: np.ndarray, sq_value: np.ndarray) -> None:
            seg = self.layout.find(op_id, name)[1]
            flat[seg.start : seg.stop] += grad.ravel()
            sq[seg.start : seg.stop] += sq_value.ravel()

        def send(op: OpSpec, port: int, grad: np.ndarray) -> None:
            src = op.inputs[port]
            ports[(op.id, port)] = grad
            gv[src] = gv[src] + grad if src in gv else grad

        for op in reversed(g.ops):
            if op.type in ("Loss", "Input") or (op.id not in gv and op.id not in gpre):
                continue
            prm = self.op_params[op.id]
            ins = [p.values[i] for i in op.inputs]
            t = op.type
            if t in ("Dense", "Activation"):
                if op.id in gpre and op.id == out_id and self.fused:
                    dz = gpre[op.id]
                else:
                    act = prm["activation"]
                    dz = m.activation_grad(act, p.pre[op.id], p.values[op.id], gv[op.id], activation_alpha(prm))
                    dz = dz.astype(self.dtype)
                    gpre[op.id] = dz
                if t == "Activation":
                    send(op, 0, dz)
                    continue
                x = ins[0]
                kernel = w[op.id]["kernel"].astype(self.dtype)
                put(op.id, "kernel", x.T @ dz, b * ((x * x).T @ (dz * dz)))
                if "bias" in w[op.id]:
                    put(op.id, "bias", dz.sum(axis=0), b * (dz * dz).sum(axis=0))
                send(op, 0, dz @ kernel.T)
                continue
            go = gv[op.id]  # only Dense/Activation ops have a dL/dz without a dL/d(output)
            if t == "Dropout":
                mask = p.cache[op.id][0]
                send(op, 0, go * mask if mask is not None else go)
            elif t == "BatchNorm":
                xhat, inv, gamma, training = p.cache[op.id]
                c = xhat.shape[-1]
                g2 = go.reshape(-1, c)
                per_sample = g2.reshape(b, -1, c)
                xs = xhat.reshape(b, -1, c)
                if "gamma" in w[op.id]:
                    put(op.id, "gamma", (g2 * xhat).sum(axis=0), b * ((per_sample * xs).sum(axis=1) ** 2).sum(axis=0))
                if "beta" in w[op.id]:
                    put(op.id, "beta", g2.sum(axis=0), b * (per_sample.sum(axis=1) ** 2).sum(axis=0))
                dxhat = g2 * gamma
                if training:
                    n = g2.shape[0]
                    dx = inv / n * (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
                else:
                    dx = dxhat * inv
                send(op, 0, dx.reshape(ins[0].shape))
            elif t == "Flatten":
                send(op, 0, go.reshape(ins[0].shape))
            elif t == "PReLU":
                x = ins[0]
                neg = x <= 0
                alpha = w[op.id]["alpha"].astype(self.dtype)
                c_i = np.where(neg, go * x, 0)
                put(op.id, "alpha", c_i.sum(axis=0), b * (c_i * c_i).sum(axis=0))
                send(op, 0, np.where(neg, alpha * go, go))
            elif t == "Add":
                for k in range(len(op.inputs)):
                    send(op, k, go)
            elif t == "Concatenate":
                start = 0
                for port, x in enumerate(ins):
                    k = x.shape[-1]
                    send(op, port, go[..., start : start + k])
                    start += k
            elif t in ("OpAdd", "OpSubtract", "OpMultiply", "OpMax"):
                x, y = ins
                if t == "OpAdd":
                    gx, gy = go, go
                elif t == "OpSubtract":
                    gx, gy = go, -go
                elif t == "OpMultiply":
                    gx, gy = go * y, go * x
                else:
                    first = x >= y
                    gx, gy = np.where(first, go, 0), np.where(first, 0, go)
                send(op, 0, _sum_to(np.asarray(gx, self.dtype), op.input_shapes[0]))
                send(op, 1, _sum_to(np.asarray(gy, self.dtype), op.input_shapes[1]))
            elif t == "OpSquare":
                send(op, 0, 2 * ins[0] * go)
        loss += self._add_penalty(flat, sq)
        return Grads(loss, metric, gv, gpre, flat, sq, ports)

    def _add_penalty(self, flat: np.ndarray, sq: np.ndarray) -> float:
        """Add the penalty's gradient to `flat` (and its per-sample square terms to `sq`); return its value."""
        for sl, l1, l2 in self.penalised_kernels():
            wv = self.theta[sl]
            pen = (l1 * np.sign(wv) + l2 * wv).astype(self.dtype)
            sq[sl] += pen * (2 * flat[sl] + pen)
            flat[sl] += pen
        return self.penalty()

    # ------------------------------------------------------------------ Backend interface
    def _train(self, X, Y, order, bounds, lrs, losses, metrics):
        with np.errstate(all="ignore"):  # overflow is detected and reported, not warned about
            return self._train_steps(X, Y, order, bounds, lrs, losses, metrics)

    def _train_steps(self, X, Y, order, bounds, lrs, losses, metrics):
        for k in range(len(bounds) - 1):
            idx = order[bounds[k] : bounds[k + 1]]
            frozen_before = self.frozen.copy()
            p = self.forward(X[idx], training=True, step=self.iterations, update_stats=True)
            gr = self.backward(p, Y[idx])
            self._last_values = p.values
            if not (np.isfinite(gr.loss) and np.isfinite(gr.flat).all()):
                self.frozen[:] = frozen_before
                return k, k
            before = self.theta.copy()
            slots_before = self.slots.copy()
            reference_update(self.optimizer, self.theta, gr.flat, gr.sq, self.slots, float(lrs[k]), self.iterations + 1)
            if not np.isfinite(self.theta).all() or not np.isfinite(self.frozen).all():
                self.theta[:], self.slots[:], self.frozen[:] = before, slots_before, frozen_before
                return k, k
            self.iterations += 1
            self.last_grad[:] = gr.flat
            self.last_update[:] = self.theta - before
            losses[k], metrics[k] = gr.loss, gr.metric
            self.live[0] = k + 1
            if self.live[1]:
                return k + 1, None
        return len(bounds) - 1, None

    def _forward_output(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X, training=False).values[self.graph.output_id].reshape(len(X), -1)

    def _evaluate_batch(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
        p = self.forward(X, training=False)
        v = (p.pre if self.fused else p.values)[self.graph.output_id].reshape(len(X), -1)
        loss, _ = m.loss_and_grad(self.graph.loss_name, v, Y, self.logits)
        return loss, m.metric(self.graph.loss_name, self.metric, v, Y, self.logits)

    def gradients(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
        with np.errstate(all="ignore"):
            gr = self.backward(self.forward(X, training=True, step=self.iterations), Y)
        return gr.loss, gr.flat

    def values(self, X: np.ndarray, training: bool = False) -> dict[str, np.ndarray]:
        return self.forward(X, training=training, step=self.iterations).values

    def last_values(self) -> dict[str, np.ndarray]:
        return getattr(self, "_last_values", {})
