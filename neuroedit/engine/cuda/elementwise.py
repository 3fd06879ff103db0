"""Element-wise and per-row kernels of the tape's ops, forward and backward.

Arrays are flat device buffers addressed by offsets (see matmul.py). `assign` says
whether a gradient is written (its only consumer) or added (several consumers).
Every kernel does nothing once `failed[0] >= 0` (a step had a non-finite loss or
gradient), so the host can queue many steps without waiting for their results.
"""

from __future__ import annotations

import math

from numba import cuda

from ... import vocabulary
from ..kernels import codes
from .device_math import act_slope, act_value, uniform

BIN_ADD, BIN_SUBTRACT, BIN_MULTIPLY, BIN_MAX = range(4)
codes.check(globals(), vocabulary, "BIN_ADD BIN_SUBTRACT BIN_MULTIPLY BIN_MAX")


@cuda.jit(cache=True)
def fill(n, a, oa, value, failed):
    i = cuda.grid(1)
    if failed[0] < 0 and i < n:
        a[oa + i] = value


@cuda.jit(cache=True)
def copy(n, src, osrc, dst, odst, failed):
    i = cuda.grid(1)
    if failed[0] < 0 and i < n:
        dst[odst + i] = src[osrc + i]


@cuda.jit(cache=True)
def axpy(n, scale, x, ox, out, oout, assign, failed):
    """out (=|+=) scale * x: Flatten, Add and their gradients."""
    i = cuda.grid(1)
    if failed[0] < 0 and i < n:
        v = scale * x[ox + i]
        if assign:
            out[oout + i] = v
        else:
            out[oout + i] += v


@cuda.jit(cache=True)
def gather_rows(b, n, X, col, order, s0, out, oout, failed):
    """An Input's batch: out[s, j] = X[order[s0 + s], col + j]."""
    i = cuda.grid(1)
    if failed[0] < 0 and i < b * n:
        s = i // n
        out[oout + i] = X[order[s0 + s], col + i - s * n]


@cuda.jit(cache=True)
def act_forward(n, code, alpha, x, ox, out, oout, failed):
    i = cuda.grid(1)
    if failed[0] < 0 and i < n:
        out[oout + i] = act_value(code, alpha, x[ox + i])


@cuda.jit(cache=True)
def act_backward(n, code, alpha, x, ox, a, oa, g, og, dz, odz, assign, failed):
    i = cuda.grid(1)
    if failed[0] < 0 and i < n:
        d = act_slope(code, alpha, x[ox + i], a[oa + i]) * g[og + i]
        if assign:
            dz[odz + i] = d
        else:
            dz[odz + i] += d


@cuda.jit(cache=True)
def softmax_forward(groups, width, x, ox, out, oout, failed):
    """Softmax over each of `groups` consecutive runs of `width` values (one thread per run)."""
    r = cuda.grid(1)
    if failed[0] < 0 and r < groups:
        s = r * width
        mx = x[ox + s]
        for j in range(s, s + width):
            mx = max(mx, x[ox + j])
        tot = 0.0
        for j in range(s, s + width):
            e = math.exp(x[ox + j] - mx)
            out[oout + j] = e
            tot += e
        for j in range(s, s + width):
            out[oout + j] = out[oout + j] / tot


@cuda.jit(cache=True)
def softmax_backward(groups, width, a, oa, g, og, dz, odz, assign, failed):
    r = cuda.grid(1)
    if failed[0] < 0 and r < groups:
        s = r * width
        dot = 0.0
        for j in range(s, s + width):
            dot += g[og + j] * a[oa + j]
        for j in range(s, s + width):
            d = a[oa + j] * (g[og + j] - dot)
            if assign:
                dz[odz + j] = d
            else:
                dz[odz + j] += d


@cuda.jit(cache=True)
def dropout_forward(n, rate, seed, t, opidx, x, ox, out, oout, failed):
    """Inverted dropout with randomness.uniform's numbers (training only; otherwise the launcher copies)."""
    i = cuda.grid(1)
    if failed[0] < 0 and i < n:
        out[oout + i] = x[ox + i] * (1.0 / (1.0 - rate)) if uniform(seed, t, opidx, i) >= rate else 0.0


@cuda.jit(cache=True)
def dropout_backward(n, rate, seed, t, opidx, g, og, gx, ogx, assign, failed):
    i = cuda.grid(1)
    if failed[0] < 0 and i < n:
        scale = 1.0 / (1.0 - rate) if rate > 0 else 1.0
        d = g[og + i] * scale if (rate <= 0 or uniform(seed, t, opidx, i) >= rate) else 0.0
        if assign:
            gx[ogx + i] = d
        else:
            gx[ogx + i] += d


@cuda.jit(cache=True)
def square_forward(n, x, ox, out, oout, failed):
    i = cuda.grid(1)
    if failed[0] < 0 and i < n:
        out[oout + i] = x[ox + i] * x[ox + i]


@cuda.jit(cache=True)
def square_backward(n, x, ox, g, og, gx, ogx, assign, failed):
    i = cuda.grid(1)
    if failed[0] < 0 and i < n:
        d = 2.0 * x[ox + i] * g[og + i]
        if assign:
            gx[ogx + i] = d
        else:
            gx[ogx + i] += d


@cuda.jit(cache=True)
def prelu_forward(b, n, x, ox, theta, op, out, oout, failed):
    i = cuda.grid(1)
    if failed[0] < 0 and i < b * n:
        v = x[ox + i]
        out[oout + i] = v if v > 0 else theta[op + i % n] * v


@cuda.jit(cache=True)
def prelu_backward(b, n, x, ox, theta, op, g, og, gx, ogx, assign, failed):
    i = cuda.grid(1)
    if failed[0] < 0 and i < b * n:
        d = g[og + i] if x[ox + i] > 0 else theta[op + i % n] * g[og + i]
        if assign:
            gx[ogx + i] = d
        else:
            gx[ogx + i] += d


@cuda.jit(cache=True)
def prelu_alpha_grad(b, n, x, ox, g, og, gtheta, gsq, op, want_sq, failed):
    """dLoss/dalpha per unit (one thread per unit sums over the batch, in the CPU's order)."""
    j = cuda.grid(1)
    if failed[0] < 0 and j < n:
        acc = 0.0
        acc2 = 0.0
        for s in range(b):
            v = x[ox + s * n + j]
            if v <= 0:
                c = g[og + s * n + j] * v
                acc += c
                acc2 += c * c
        gtheta[op + j] = acc
        if want_sq:
            gsq[op + j] = acc2 * b


@cuda.jit(cache=True)
def column_sums(b, n, src, osrc, sq, scale, dst, odst, failed):
    """dst[j] = scale * sum over rows of src[s, j] (squared when sq): the bias gradient."""
    j = cuda.grid(1)
    if failed[0] < 0 and j < n:
        acc = 0.0
        for s in range(b):
            v = src[osrc + s * n + j]
            acc += v * v if sq else v
        dst[odst + j] = acc * scale


@cuda.jit(cache=True)
def concat_forward(b, nk, n, y, oy, imap, m0, out, oout, failed):
    i = cuda.grid(1)
    if failed[0] < 0 and i < b * nk:
        s = i // nk
        out[oout + s * n + imap[m0 + i - s * nk]] = y[oy + i]


@cuda.jit(cache=True)
def concat_backward(b, nk, n, g, og, imap, m0, gk, ogk, failed):
    i = cuda.grid(1)
    if failed[0] < 0 and i < b * nk:
        s = i // nk
        gk[ogk + i] += g[og + s * n + imap[m0 + i - s * nk]]


@cuda.jit(device=True)
def _binary(kind, u, v):
    if kind == BIN_ADD:
        return u + v
    if kind == BIN_SUBTRACT:
        return u - v
    if kind == BIN_MULTIPLY:
        return u * v
    return u if u >= v else v  # BIN_MAX


@cuda.jit(cache=True)
def binary_forward(b, n, kind, x, ox, nx, mx, y, oy, ny, my, imap, out, oout, failed):
    """Broadcasting +, -, *, max: imap maps each output element to the element of each input it reads."""
    i = cuda.grid(1)
    if failed[0] < 0 and i < b * n:
        s = i // n
        j = i - s * n
        out[oout + i] = _binary(kind, x[ox + s * nx + imap[mx + j]], y[oy + s * ny + imap[my + j]])


@cuda.jit(cache=True)
def binary_backward(b, n, kind, q, x, ox, nx, mx, y, oy, ny, my, imap, g, og, gk, ogk, nk, mk, failed):
    """Gradient into input q; one thread per sample, because broadcasting sums several outputs into one input."""
    s = cuda.grid(1)
    if failed[0] < 0 and s < b:
        for j in range(n):
            gg = g[og + s * n + j]
            if kind == BIN_ADD:
                d = gg
            elif kind == BIN_SUBTRACT:
                d = gg if q == 0 else -gg
            else:
                u = x[ox + s * nx + imap[mx + j]]
                v = y[oy + s * ny + imap[my + j]]
                if kind == BIN_MULTIPLY:
                    d = gg * (v if q == 0 else u)
                else:  # BIN_MAX
                    d = gg if (u >= v) == (q == 0) else 0.0
            gk[ogk + s * nk + imap[mk + j]] += d
