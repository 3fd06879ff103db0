"""Each tape row's forward and backward side by side, and the two passes over the tape.

The per-op functions are inlined into `forward` and `backward` when compiled (`inline="always"`):
as separate compiled functions each level re-optimised the code below it, which cost seconds of
the first run's compile.

Values of a batch live in `buf`, gradients in `gbuf` (row r's b x n block starts at
cap * rows[r, C_OFF]); BatchNorm keeps x̂ and 1/σ in `sbuf`. A backward writes dL/d(input)
(`assign`) or adds to it when the input has several consumers.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ... import vocabulary
from .. import tape
from . import codes
from .activations import act_backward, act_forward
from .matmul import matmul, matmul_nt, matmul_tn
from .vectors import add_into, copy_into

INPUT, DENSE, ACT, DROPOUT, BATCHNORM, COPY, PRELU, ADD, CONCAT, BINARY, SQUARE = range(11)
BIN_ADD, BIN_SUBTRACT, BIN_MULTIPLY, BIN_MAX = range(4)
codes.check(
    globals(),
    vocabulary,
    "INPUT DENSE ACT DROPOUT BATCHNORM COPY PRELU ADD CONCAT BINARY SQUARE BIN_ADD BIN_SUBTRACT BIN_MULTIPLY BIN_MAX",
)
(C_OP, C_OFF, C_N, C_IN0, C_NIN, C_P0, C_P1, C_P2, C_P3, C_AUX0, C_AUX1, C_SOFF, C_NEED, C_OPIDX, C_BWD, C_FANOUT) = (
    range(16)
)
F_ALPHA, F_RATE, F_MOMENTUM, F_EPS, F_L1, F_L2 = range(6)
codes.check(
    globals(),
    tape,
    "C_OP C_OFF C_N C_IN0 C_NIN C_P0 C_P1 C_P2 C_P3 C_AUX0 C_AUX1 C_SOFF C_NEED C_OPIDX "
    "C_BWD C_FANOUT F_ALPHA F_RATE F_MOMENTUM F_EPS F_L1 F_L2",
)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_STEP = np.uint64(0xD1B54A32D192ED03)
_OPC = np.uint64(0x8CB92BA72F3D8DD7)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True, nogil=True, inline="always")
def uniform(seed, t, opidx, j):
    """The dropout random number for one element: identical to randomness.uniform."""
    z = np.uint64(seed) * _GOLDEN + np.uint64(t) * _STEP + np.uint64(opidx) * _OPC + np.uint64(j) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(40)) / 16777216.0


@njit(cache=True, nogil=True, inline="always")
def put(out, i, value, assign):
    if assign:
        out[i] = value
    else:
        out[i] += value


# ---------------------------------------------------------------- Input
@njit(cache=True, nogil=True, inline="always")
def input_forward(X, order, s0, b, col, n, out):
    for s in range(b):
        row = order[s0 + s]
        for j in range(n):
            out[s * n + j] = X[row, col + j]


# ---------------------------------------------------------------- Dense: z = x·W + b
@njit(cache=True, nogil=True, inline="always")
def dense_forward(x, theta, b, k, n, p0, p1, out):
    w = theta[p0 : p0 + k * n].reshape(k, n)
    z = out.reshape(b, n)
    matmul(x.reshape(b, k), w, z)
    if p1 >= 0:
        for s in range(b):
            for j in range(n):
                z[s, j] += theta[p1 + j]


@njit(cache=True, nogil=True, inline="always")
def dense_backward(x, go, gx, theta, gtheta, gsq, b, k, n, p0, p1, want_sq, send, assign):
    dz = go.reshape(b, n)
    xm = x.reshape(b, k)
    matmul_tn(xm, dz, gtheta[p0 : p0 + k * n].reshape(k, n))
    if p1 >= 0:
        gb = gtheta[p1 : p1 + n]
        gb[:] = 0.0
        for s in range(b):
            for j in range(n):
                gb[j] += dz[s, j]
    if want_sq:  # per-pattern squared gradients (VarioEta)
        for p in range(k):
            for j in range(n):
                acc = 0.0
                for s in range(b):
                    acc += xm[s, p] * xm[s, p] * dz[s, j] * dz[s, j]
                gsq[p0 + p * n + j] = acc * b
        if p1 >= 0:
            for j in range(n):
                acc = 0.0
                for s in range(b):
                    acc += dz[s, j] * dz[s, j]
                gsq[p1 + j] = acc * b
    if send:
        matmul_nt(dz, theta[p0 : p0 + k * n].reshape(k, n), gx.reshape(b, k), assign)


@njit(cache=True, nogil=True)
def penalty(rows, fpar, theta, gtheta, gsq, want_sq):
    """Add the L1/L2 penalty of every Dense kernel to the gradient; return its value."""
    total = 0.0
    for r in range(rows.shape[0]):
        if rows[r, C_OP] != DENSE:
            continue
        l1 = fpar[r, F_L1]
        l2 = fpar[r, F_L2]
        if l1 == 0.0 and l2 == 0.0:
            continue
        p0 = rows[r, C_P0]
        for i in range(p0, p0 + rows[r, C_AUX0] * rows[r, C_N]):
            w = theta[i]
            sgn = 1.0 if w > 0 else (-1.0 if w < 0 else 0.0)
            pen = l1 * sgn + l2 * w
            if want_sq:
                gsq[i] += pen * (2.0 * gtheta[i] + pen)
            gtheta[i] += pen
            total += l1 * abs(w) + 0.5 * l2 * w * w
    return total


@njit(cache=True, nogil=True)
def penalty_value(rows, fpar, theta):
    """The penalty alone (what Backend.penalty computes), for validation losses."""
    total = 0.0
    for r in range(rows.shape[0]):
        if rows[r, C_OP] != DENSE:
            continue
        l1 = fpar[r, F_L1]
        l2 = fpar[r, F_L2]
        if l1 == 0.0 and l2 == 0.0:
            continue
        p0 = rows[r, C_P0]
        for i in range(p0, p0 + rows[r, C_AUX0] * rows[r, C_N]):
            w = float(theta[i])
            total += l1 * abs(w) + 0.5 * l2 * w * w
    return total


# ---------------------------------------------------------------- Dropout (inverted, counter-based masks)
@njit(cache=True, nogil=True, inline="always")
def dropout_forward(x, out, rate, training, seed, t, opidx):
    if training and rate > 0:
        scale = 1.0 / (1.0 - rate)
        for i in range(out.size):
            out[i] = x[i] * scale if uniform(seed, t, opidx, i) >= rate else 0.0
    else:
        copy_into(out, x)


@njit(cache=True, nogil=True, inline="always")
def dropout_backward(go, gx, rate, seed, t, opidx, assign):
    scale = 1.0 / (1.0 - rate) if rate > 0 else 1.0
    for i in range(go.size):
        put(gx, i, go[i] * scale if (rate <= 0 or uniform(seed, t, opidx, i) >= rate) else 0.0, assign)


# ---------------------------------------------------------------- BatchNorm over the last axis
@njit(cache=True, nogil=True, inline="always")
def batchnorm_forward(x, out, xhat, inv, theta, frozen, c, eps, mom, pg, pb, pm, pv, training, update_stats):
    mrows = x.size // c
    xv = x.reshape(mrows, c)
    yv = out.reshape(mrows, c)
    xh = xhat.reshape(mrows, c)
    for ch in range(c):
        if training:
            mu = 0.0
            for i in range(mrows):
                mu += xv[i, ch]
            mu /= mrows
            var = 0.0
            for i in range(mrows):
                d = xv[i, ch] - mu
                var += d * d
            var /= mrows
            if update_stats:
                frozen[pm + ch] = mom * frozen[pm + ch] + (1.0 - mom) * mu
                frozen[pv + ch] = mom * frozen[pv + ch] + (1.0 - mom) * var
        else:
            mu = frozen[pm + ch]
            var = frozen[pv + ch]
        iv = 1.0 / math.sqrt(var + eps)
        inv[ch] = iv
        gamma = theta[pg + ch] if pg >= 0 else 1.0
        beta = theta[pb + ch] if pb >= 0 else 0.0
        for i in range(mrows):
            h = (xv[i, ch] - mu) * iv
            xh[i, ch] = h
            yv[i, ch] = h * gamma + beta


@njit(cache=True, nogil=True, inline="always")
def batchnorm_backward(go, gx, xhat, inv, theta, gtheta, gsq, b, c, pg, pb, want_sq, send, assign):
    mrows = go.size // c
    per = mrows // b
    g2 = go.reshape(mrows, c)
    xh = xhat.reshape(mrows, c)
    gxv = gx.reshape(mrows, c)
    for ch in range(c):
        s1 = 0.0
        s2 = 0.0
        for i in range(mrows):
            s1 += g2[i, ch]
            s2 += g2[i, ch] * xh[i, ch]
        if pg >= 0:
            gtheta[pg + ch] = s2
        if pb >= 0:
            gtheta[pb + ch] = s1
        if want_sq:
            q1 = 0.0
            q2 = 0.0
            for s in range(b):
                a1 = 0.0
                a2 = 0.0
                for i in range(s * per, (s + 1) * per):
                    a1 += g2[i, ch]
                    a2 += g2[i, ch] * xh[i, ch]
                q1 += a1 * a1
                q2 += a2 * a2
            if pg >= 0:
                gsq[pg + ch] = q2 * b
            if pb >= 0:
                gsq[pb + ch] = q1 * b
        if send:
            gamma = theta[pg + ch] if pg >= 0 else 1.0
            d1 = s1 * gamma
            d2 = s2 * gamma
            for i in range(mrows):
                d = inv[ch] / mrows * (mrows * g2[i, ch] * gamma - d1 - xh[i, ch] * d2)
                if assign:
                    gxv[i, ch] = d
                else:
                    gxv[i, ch] += d


# ---------------------------------------------------------------- PReLU: a = x if x > 0 else α·x (α per unit)
@njit(cache=True, nogil=True, inline="always")
def prelu_forward(x, out, theta, b, n, p0):
    for s in range(b):
        for j in range(n):
            v = x[s * n + j]
            out[s * n + j] = v if v > 0 else theta[p0 + j] * v


@njit(cache=True, nogil=True, inline="always")
def prelu_backward(x, go, gx, theta, gtheta, gsq, b, n, p0, want_sq, send, assign):
    for j in range(n):
        acc = 0.0
        acc2 = 0.0
        for s in range(b):
            v = x[s * n + j]
            if v <= 0:
                c_ = go[s * n + j] * v
                acc += c_
                acc2 += c_ * c_
        gtheta[p0 + j] = acc
        if want_sq:
            gsq[p0 + j] = acc2 * b
    if send:
        for s in range(b):
            for j in range(n):
                i = s * n + j
                put(gx, i, go[i] if x[i] > 0 else theta[p0 + j] * go[i], assign)


# ---------------------------------------------------------------- Square: a = x²
@njit(cache=True, nogil=True, inline="always")
def square_forward(x, out):
    for i in range(out.size):
        out[i] = x[i] * x[i]


@njit(cache=True, nogil=True, inline="always")
def square_backward(x, go, gx, assign):
    for i in range(go.size):
        put(gx, i, 2.0 * x[i] * go[i], assign)


# ---------------------------------------------------------------- Add, Concatenate, element-wise binary ops
@njit(cache=True, nogil=True, inline="always")
def source(rows, ins, buf, cap, b, q):
    """The b x n block of values (or gradients, given gbuf) of tape input q (an index into `ins`)."""
    sr = ins[q, 0]
    return buf[cap * rows[sr, C_OFF] : cap * rows[sr, C_OFF] + b * rows[sr, C_N]]


@njit(cache=True, nogil=True, inline="always")
def add_forward(rows, ins, i0, nsrc, buf, cap, b, out):
    copy_into(out, source(rows, ins, buf, cap, b, i0))
    for q in range(i0 + 1, i0 + nsrc):
        y = source(rows, ins, buf, cap, b, q)
        for i in range(out.size):
            out[i] += y[i]


@njit(cache=True, nogil=True, inline="always")
def concat_forward(rows, ins, imap, i0, nsrc, buf, cap, b, n, out):
    for q in range(i0, i0 + nsrc):
        y = source(rows, ins, buf, cap, b, q)
        nk = rows[ins[q, 0], C_N]
        m0 = ins[q, 1]
        for s in range(b):
            for j in range(nk):
                out[s * n + imap[m0 + j]] = y[s * nk + j]


@njit(cache=True, nogil=True, inline="always")
def binary_value(kind, u, v):
    if kind == BIN_ADD:
        return u + v
    if kind == BIN_SUBTRACT:
        return u - v
    if kind == BIN_MULTIPLY:
        return u * v
    return max(u, v)


@njit(cache=True, nogil=True, inline="always")
def binary_forward(kind, rows, ins, imap, i0, buf, cap, b, n, out):
    x = source(rows, ins, buf, cap, b, i0)
    y = source(rows, ins, buf, cap, b, i0 + 1)
    nx, ny = rows[ins[i0, 0], C_N], rows[ins[i0 + 1, 0], C_N]
    mx, my = ins[i0, 1], ins[i0 + 1, 1]
    for s in range(b):
        for j in range(n):
            out[s * n + j] = binary_value(kind, x[s * nx + imap[mx + j]], y[s * ny + imap[my + j]])


@njit(cache=True, nogil=True, inline="always")
def merge_backward(code, kind, rows, ins, imap, i0, nsrc, buf, gbuf, cap, b, n, go):
    """Sends dL/d(output) to every input that needs it (summing over broadcast positions)."""
    for q in range(nsrc):
        sr = ins[i0 + q, 0]
        if rows[sr, C_NEED] == 0:
            continue
        nk = rows[sr, C_N]
        gk = source(rows, ins, gbuf, cap, b, i0 + q)
        if ins[i0 + q, 2] == 1:
            gk[:] = 0.0
        if code == ADD:
            add_into(gk, go)
        elif code == CONCAT:
            m0 = ins[i0 + q, 1]
            for s in range(b):
                for j in range(nk):
                    gk[s * nk + j] += go[s * n + imap[m0 + j]]
        else:
            xv = source(rows, ins, buf, cap, b, i0)
            yv = source(rows, ins, buf, cap, b, i0 + 1)
            nx, ny = rows[ins[i0, 0], C_N], rows[ins[i0 + 1, 0], C_N]
            mx, my, mk = ins[i0, 1], ins[i0 + 1, 1], ins[i0 + q, 1]
            for s in range(b):
                for j in range(n):
                    gg = go[s * n + j]
                    if kind == BIN_ADD:
                        d = gg
                    elif kind == BIN_SUBTRACT:
                        d = gg if q == 0 else -gg
                    else:
                        u = xv[s * nx + imap[mx + j]]
                        v = yv[s * ny + imap[my + j]]
                        if kind == BIN_MULTIPLY:
                            d = gg * (v if q == 0 else u)
                        else:
                            d = gg if (u >= v) == (q == 0) else 0.0
                    gk[s * nk + imap[mk + j]] += d


# ---------------------------------------------------------------- the passes over the tape
@njit(cache=True, nogil=True)
def forward(
    rows, fpar, ins, imap, X, order, s0, b, cap, sbase, theta, frozen, buf, sbuf, training, update_stats, t, seed
):
    """Every row's values for the batch order[s0:s0+b] of X."""
    for r in range(rows.shape[0]):
        code = rows[r, C_OP]
        n = rows[r, C_N]
        out = buf[cap * rows[r, C_OFF] : cap * rows[r, C_OFF] + b * n]
        i0 = rows[r, C_IN0]
        x = source(rows, ins, buf, cap, b, i0) if rows[r, C_NIN] > 0 else out
        if code == INPUT:
            input_forward(X, order, s0, b, rows[r, C_AUX0], n, out)
        elif code == DENSE:
            dense_forward(x, theta, b, rows[r, C_AUX0], n, rows[r, C_P0], rows[r, C_P1], out)
        elif code == ACT:
            act_forward(rows[r, C_AUX0], fpar[r, F_ALPHA], x, out, rows[r, C_AUX1])
        elif code == DROPOUT:
            dropout_forward(x, out, fpar[r, F_RATE], training, seed, t, rows[r, C_OPIDX])
        elif code == BATCHNORM:
            c = rows[r, C_AUX0]
            xhat = sbuf[cap * rows[r, C_SOFF] : cap * rows[r, C_SOFF] + b * n]
            inv = sbuf[sbase + rows[r, C_AUX1] : sbase + rows[r, C_AUX1] + c]
            batchnorm_forward(
                x,
                out,
                xhat,
                inv,
                theta,
                frozen,
                c,
                fpar[r, F_EPS],
                fpar[r, F_MOMENTUM],
                rows[r, C_P0],
                rows[r, C_P1],
                rows[r, C_P2],
                rows[r, C_P3],
                training,
                update_stats,
            )
        elif code == COPY:
            copy_into(out, x)
        elif code == PRELU:
            prelu_forward(x, out, theta, b, n, rows[r, C_P0])
        elif code == ADD:
            add_forward(rows, ins, i0, rows[r, C_NIN], buf, cap, b, out)
        elif code == CONCAT:
            concat_forward(rows, ins, imap, i0, rows[r, C_NIN], buf, cap, b, n, out)
        elif code == BINARY:
            binary_forward(rows[r, C_AUX0], rows, ins, imap, i0, buf, cap, b, n, out)
        else:  # SQUARE
            square_forward(x, out)


@njit(cache=True, nogil=True)
def backward(rows, fpar, ins, imap, b, cap, sbase, theta, buf, gbuf, sbuf, gtheta, gsq, want_sq, t, seed):
    """dL/dθ into gtheta (and per-pattern squares into gsq) from dL/d(output) already in gbuf."""
    for r in range(rows.shape[0] - 1, -1, -1):
        if rows[r, C_NEED] == 0 or rows[r, C_BWD] == 0 or rows[r, C_NIN] == 0:
            continue
        code = rows[r, C_OP]
        n = rows[r, C_N]
        off = cap * rows[r, C_OFF]
        go = gbuf[off : off + b * n]
        i0 = rows[r, C_IN0]
        x = source(rows, ins, buf, cap, b, i0)
        gx = source(rows, ins, gbuf, cap, b, i0)
        send = rows[ins[i0, 0], C_NEED] == 1
        assign = ins[i0, 2] == 1
        if code == DENSE:
            dense_backward(
                x,
                go,
                gx,
                theta,
                gtheta,
                gsq,
                b,
                rows[ins[i0, 0], C_N],
                n,
                rows[r, C_P0],
                rows[r, C_P1],
                want_sq,
                send,
                assign,
            )
        elif code == ACT:
            if send:
                act_backward(
                    rows[r, C_AUX0], fpar[r, F_ALPHA], x, buf[off : off + b * n], go, gx, rows[r, C_AUX1], assign
                )
        elif code == DROPOUT:
            if send:
                dropout_backward(go, gx, fpar[r, F_RATE], seed, t, rows[r, C_OPIDX], assign)
        elif code == BATCHNORM:
            c = rows[r, C_AUX0]
            xhat = sbuf[cap * rows[r, C_SOFF] : cap * rows[r, C_SOFF] + b * n]
            inv = sbuf[sbase + rows[r, C_AUX1] : sbase + rows[r, C_AUX1] + c]
            batchnorm_backward(
                go, gx, xhat, inv, theta, gtheta, gsq, b, c, rows[r, C_P0], rows[r, C_P1], want_sq, send, assign
            )
        elif code == COPY:
            if send:
                if assign:
                    copy_into(gx, go)
                else:
                    add_into(gx, go)
        elif code == PRELU:
            prelu_backward(x, go, gx, theta, gtheta, gsq, b, n, rows[r, C_P0], want_sq, send, assign)
        elif code == SQUARE:
            if send:
                square_backward(x, go, gx, assign)
        else:  # ADD, CONCAT, BINARY: one or more inputs
            merge_backward(code, rows[r, C_AUX0], rows, ins, imap, i0, rows[r, C_NIN], buf, gbuf, cap, b, n, go)
