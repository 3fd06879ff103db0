"""The compiled tape interpreter: forward, loss, backward and update for many steps in one call.

Every function is `@njit(cache=True, nogil=True)`: compiled once per dtype, cached on
disk, and run without the GIL so a GUI thread stays responsive. The graph is data
(the tape from `tape.py`), so editing the network never triggers recompilation.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .gemm import NO_TRANS, ROW_MAJOR, TRANS, dgemm, sgemm

# Op codes and columns: the same numbers as tape.py (kept literal so Numba folds them).
INPUT, DENSE, ACT, DROPOUT, BATCHNORM, COPY, PRELU, ADD, CONCAT, BINARY, SQUARE = range(11)
(C_OP, C_OFF, C_N, C_IN0, C_NIN, C_P0, C_P1, C_P2, C_P3, C_AUX0, C_AUX1, C_SOFF, C_NEED, C_OPIDX,
 C_BWD, C_FANOUT) = range(16)
F_ALPHA, F_RATE, F_MOMENTUM, F_EPS, F_L1, F_L2 = range(6)
# Run modes.
TRAIN, GRAD, PREDICT, EVAL, FWD_TRAIN, FWD_EVAL = range(6)
OVERFLOWED = -2     # run's failing-batch result when an update overflowed (see run)

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
EPS = 1e-7
# Below this many multiply-adds a plain loop beats a BLAS call (its fixed cost dominates tiny layers).
SMALL_MATMUL = 4096

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_STEP = np.uint64(0xD1B54A32D192ED03)
_OPC = np.uint64(0x8CB92BA72F3D8DD7)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True, nogil=True)
def uniform(seed, t, opidx, j):
    """The dropout random number for one element: identical to randomness.uniform."""
    z = np.uint64(seed) * _GOLDEN + np.uint64(t) * _STEP + np.uint64(opidx) * _OPC + np.uint64(j) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(40)) / 16777216.0


@njit(cache=True, nogil=True)
def _sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True, nogil=True)
def act_forward(code, alpha, z, a, nlast):
    n = z.size
    if code == 11:  # softmax over groups of nlast
        for s in range(0, n, nlast):
            mx = z[s]
            for j in range(s, s + nlast):
                mx = max(mx, z[j])
            tot = 0.0
            for j in range(s, s + nlast):
                e = math.exp(z[j] - mx)
                a[j] = e
                tot += e
            for j in range(s, s + nlast):
                a[j] = a[j] / tot
        return
    if code == 5:
        for i in range(n):
            a[i] = max(z[i], 0.0)
        return
    if code == 0:
        for i in range(n):
            a[i] = alpha * z[i]
        return
    if code == 4:
        for i in range(n):
            a[i] = math.tanh(z[i])
        return
    for i in range(n):
        x = z[i]
        if code == 0:
            y = alpha * x
        elif code == 1:
            y = 1.0 if x > 0 else 0.0
        elif code == 2:
            y = 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)
        elif code == 3:
            y = _sigmoid(x)
        elif code == 4:
            y = math.tanh(x)
        elif code == 5:
            y = x if x > 0 else 0.0
        elif code == 6:
            y = x if x > 0 else alpha * x
        elif code == 7:
            y = x if x > 0 else alpha * math.expm1(x)
        elif code == 8:
            y = SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x))
        elif code == 9:
            y = x * _sigmoid(x)
        else:
            y = max(x, 0.0) + math.log1p(math.exp(-abs(x)))
        a[i] = y


@njit(cache=True, nogil=True)
def act_backward(code, alpha, z, a, g, dz, nlast, assign):
    n = z.size
    if code == 11:
        for s in range(0, n, nlast):
            dot = 0.0
            for j in range(s, s + nlast):
                dot += g[j] * a[j]
            for j in range(s, s + nlast):
                d = a[j] * (g[j] - dot)
                if assign:
                    dz[j] = d
                else:
                    dz[j] += d
        return
    if code == 5 and assign:
        for i in range(n):
            dz[i] = g[i] if z[i] > 0 else 0.0
        return
    if code == 3 and assign:
        for i in range(n):
            dz[i] = g[i] * a[i] * (1.0 - a[i])
        return
    if code == 4 and assign:
        for i in range(n):
            dz[i] = g[i] * (1.0 - a[i] * a[i])
        return
    for i in range(n):
        x = z[i]
        if code == 0:
            d = alpha
        elif code == 1 or code == 2:
            d = 0.0
        elif code == 3:
            d = a[i] * (1.0 - a[i])
        elif code == 4:
            d = 1.0 - a[i] * a[i]
        elif code == 5:
            d = 1.0 if x > 0 else 0.0
        elif code == 6:
            d = 1.0 if x > 0 else alpha
        elif code == 7:
            d = 1.0 if x > 0 else alpha * math.exp(x)
        elif code == 8:
            d = SELU_SCALE * (1.0 if x > 0 else SELU_ALPHA * math.exp(x))
        elif code == 9:
            s_ = _sigmoid(x)
            d = s_ + x * s_ * (1.0 - s_)
        else:
            d = _sigmoid(x)
        if assign:
            dz[i] = d * g[i]
        else:
            dz[i] += d * g[i]


@njit(cache=True, nogil=True)
def _gemm(ta, tb, m, n, k, a, b, beta, out):
    """out = op(a) @ op(b) + beta * out for packed row-major arrays, via gemm.py's BLAS binding."""
    lda = m if ta == TRANS else k
    ldb = k if tb == TRANS else n
    if out.itemsize == 4:
        sgemm(ROW_MAJOR, ta, tb, m, n, k, np.float32(1.0), a.ctypes.data, lda, b.ctypes.data, ldb,
              np.float32(beta), out.ctypes.data, n)
    else:
        dgemm(ROW_MAJOR, ta, tb, m, n, k, 1.0, a.ctypes.data, lda, b.ctypes.data, ldb, beta, out.ctypes.data, n)


@njit(cache=True, nogil=True)
def _matmul(a, b, out):
    """out = a @ b (a: m x k, b: k x n)."""
    m, k = a.shape
    n = b.shape[1]
    if m * k * n <= SMALL_MATMUL:
        for i in range(m):
            for j in range(n):
                out[i, j] = 0.0
            for p in range(k):
                av = a[i, p]
                for j in range(n):
                    out[i, j] += av * b[p, j]
    else:
        _gemm(NO_TRANS, NO_TRANS, m, n, k, a, b, 0.0, out)


@njit(cache=True, nogil=True)
def _matmul_tn(a, b, out):
    """out = a.T @ b (a: m x k, b: m x n)."""
    m, k = a.shape
    n = b.shape[1]
    if m * k * n <= SMALL_MATMUL:
        for p in range(k):
            for j in range(n):
                out[p, j] = 0.0
        for i in range(m):
            for p in range(k):
                av = a[i, p]
                for j in range(n):
                    out[p, j] += av * b[i, j]
    else:
        _gemm(TRANS, NO_TRANS, k, n, m, a, b, 0.0, out)


@njit(cache=True, nogil=True)
def _matmul_nt(a, b, out, assign):
    """out (=|+=) a @ b.T (a: m x n, b: k x n)."""
    m, n = a.shape
    k = b.shape[0]
    if m * k * n <= SMALL_MATMUL:
        for i in range(m):
            for p in range(k):
                acc = 0.0
                for j in range(n):
                    acc += a[i, j] * b[p, j]
                if assign:
                    out[i, p] = acc
                else:
                    out[i, p] += acc
    else:
        _gemm(NO_TRANS, TRANS, m, k, n, a, b, 0.0 if assign else 1.0, out)


@njit(cache=True, nogil=True)
def forward(rows, fpar, ins, imap, X, order, s0, b, cap, sbase, theta, frozen, buf, sbuf,
            training, update_stats, t, seed):
    for r in range(rows.shape[0]):
        code = rows[r, C_OP]
        n = rows[r, C_N]
        out = buf[cap * rows[r, C_OFF]: cap * rows[r, C_OFF] + b * n]
        i0 = rows[r, C_IN0]
        if rows[r, C_NIN] > 0:
            src = ins[i0, 0]
            nin = rows[src, C_N]
            x = buf[cap * rows[src, C_OFF]: cap * rows[src, C_OFF] + b * nin]
        else:
            nin = 0
            x = out
        if code == INPUT:
            col = rows[r, C_AUX0]
            for s in range(b):
                row = order[s0 + s]
                for j in range(n):
                    out[s * n + j] = X[row, col + j]
        elif code == DENSE:
            k = rows[r, C_AUX0]
            p0 = rows[r, C_P0]
            w = theta[p0: p0 + k * n].reshape(k, n)
            z = out.reshape(b, n)
            _matmul(x.reshape(b, k), w, z)
            p1 = rows[r, C_P1]
            if p1 >= 0:
                for s in range(b):
                    for j in range(n):
                        z[s, j] += theta[p1 + j]
        elif code == ACT:
            act_forward(rows[r, C_AUX0], fpar[r, F_ALPHA], x, out, rows[r, C_AUX1])
        elif code == DROPOUT:
            rate = fpar[r, F_RATE]
            if training and rate > 0:
                scale = 1.0 / (1.0 - rate)
                opidx = rows[r, C_OPIDX]
                for i in range(b * n):
                    out[i] = x[i] * scale if uniform(seed, t, opidx, i) >= rate else 0.0
            else:
                out[:] = x
        elif code == BATCHNORM:
            c = rows[r, C_AUX0]
            mrows = b * n // c
            xv = x.reshape(mrows, c)
            yv = out.reshape(mrows, c)
            xhat = sbuf[cap * rows[r, C_SOFF]: cap * rows[r, C_SOFF] + b * n].reshape(mrows, c)
            inv = sbuf[sbase + rows[r, C_AUX1]: sbase + rows[r, C_AUX1] + c]
            eps = fpar[r, F_EPS]
            pg, pb, pm, pv = rows[r, C_P0], rows[r, C_P1], rows[r, C_P2], rows[r, C_P3]
            mom = fpar[r, F_MOMENTUM]
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
                    xhat[i, ch] = h
                    yv[i, ch] = h * gamma + beta
        elif code == COPY:
            out[:] = x
        elif code == PRELU:
            p0 = rows[r, C_P0]
            for s in range(b):
                for j in range(n):
                    v = x[s * n + j]
                    out[s * n + j] = v if v > 0 else theta[p0 + j] * v
        elif code == ADD:
            out[:] = x
            for q in range(1, rows[r, C_NIN]):
                sr = ins[i0 + q, 0]
                y = buf[cap * rows[sr, C_OFF]: cap * rows[sr, C_OFF] + b * n]
                for i in range(b * n):
                    out[i] += y[i]
        elif code == CONCAT:
            for q in range(rows[r, C_NIN]):
                sr = ins[i0 + q, 0]
                m0 = ins[i0 + q, 1]
                nk = rows[sr, C_N]
                y = buf[cap * rows[sr, C_OFF]: cap * rows[sr, C_OFF] + b * nk]
                for s in range(b):
                    for j in range(nk):
                        out[s * n + imap[m0 + j]] = y[s * nk + j]
        elif code == BINARY:
            sy = ins[i0 + 1, 0]
            ny = rows[sy, C_N]
            y = buf[cap * rows[sy, C_OFF]: cap * rows[sy, C_OFF] + b * ny]
            mx, my = ins[i0, 1], ins[i0 + 1, 1]
            kind = rows[r, C_AUX0]
            for s in range(b):
                for j in range(n):
                    u = x[s * nin + imap[mx + j]]
                    v = y[s * ny + imap[my + j]]
                    if kind == 0:
                        out[s * n + j] = u + v
                    elif kind == 1:
                        out[s * n + j] = u - v
                    elif kind == 2:
                        out[s * n + j] = u * v
                    else:
                        out[s * n + j] = u if u >= v else v
        elif code == SQUARE:
            for i in range(b * n):
                out[i] = x[i] * x[i]


@njit(cache=True, nogil=True)
def loss_and_grad(code, logits, v, y, g, assign):
    """Batch loss (mean over samples) and metric; writes dLoss/dv into g. v, g: (b, n); y: (b, k)."""
    b, n = v.shape
    loss = 0.0
    hits = 0.0
    for s in range(b):
        if code == 5 or code == 6:  # (sparse) categorical cross-entropy
            if code == 6:
                cls = int(y[s, 0])
            else:
                cls = 0
                for j in range(n):
                    if y[s, j] > y[s, cls]:
                        cls = j
            best = 0
            for j in range(n):
                if v[s, j] > v[s, best]:
                    best = j
            hits += 1.0 if best == cls else 0.0
            if logits:
                mx = v[s, 0]
                for j in range(n):
                    mx = max(mx, v[s, j])
                tot = 0.0
                for j in range(n):
                    tot += math.exp(v[s, j] - mx)
                lse = mx + math.log(tot)
                tsum = 0.0
                for j in range(n):
                    t = y[s, j] if code == 5 else (1.0 if j == cls else 0.0)
                    tsum += t
                    loss -= t * (v[s, j] - lse)
                for j in range(n):
                    t = y[s, j] if code == 5 else (1.0 if j == cls else 0.0)
                    d = (math.exp(v[s, j] - lse) * tsum - t) / b
                    if assign:
                        g[s, j] = d
                    else:
                        g[s, j] += d
            else:
                for j in range(n):
                    t = y[s, j] if code == 5 else (1.0 if j == cls else 0.0)
                    p = min(max(v[s, j], EPS), 1.0 - EPS)
                    loss -= t * math.log(p)
                    d = -t / p / b if EPS < v[s, j] < 1.0 - EPS else 0.0
                    if assign:
                        g[s, j] = d
                    else:
                        g[s, j] += d
        elif code == 8:  # multi-class hinge
            cls = int(y[s, 0])
            best = 0
            for j in range(n):
                if v[s, j] > v[s, best]:
                    best = j
            hits += 1.0 if best == cls else 0.0
            active = 0.0
            for j in range(n):
                d = 0.0
                if j != cls:
                    mg = v[s, j] - v[s, cls] + 1.0
                    if mg > 0:
                        loss += mg
                        active += 1.0
                        d = 1.0 / b
                if assign:
                    g[s, j] = d
                else:
                    g[s, j] += d
            g[s, cls] -= active / b
        else:
            for j in range(n):
                vv = v[s, j]
                if code == 9:  # value
                    loss += vv
                    d = 1.0 / b
                else:
                    yy = y[s, j]
                    diff = vv - yy
                    if code == 0:
                        loss += 0.5 * diff * diff
                        d = diff / b
                    elif code == 1:
                        loss += diff * diff
                        d = 2.0 * diff / b
                    elif code == 2:
                        loss += diff * diff / n
                        d = 2.0 * diff / (b * n)
                    elif code == 3:
                        loss += abs(diff) / n
                        d = (1.0 if diff > 0 else (-1.0 if diff < 0 else 0.0)) / (b * n)
                    elif code == 4:
                        if logits:
                            loss += (max(vv, 0.0) - vv * yy + math.log1p(math.exp(-abs(vv)))) / n
                            d = (_sigmoid(vv) - yy) / (b * n)
                            hits += 1.0 if (vv > 0) == (yy > 0.5) else 0.0
                        else:
                            p = min(max(vv, EPS), 1.0 - EPS)
                            loss -= (yy * math.log(p) + (1.0 - yy) * math.log(1.0 - p)) / n
                            d = (p - yy) / (p * (1.0 - p)) / (b * n) if EPS < vv < 1.0 - EPS else 0.0
                            hits += 1.0 if (vv > 0.5) == (yy > 0.5) else 0.0
                    else:  # hinge
                        t = 1.0 if yy > 0 else -1.0
                        mg = 1.0 - t * vv
                        loss += max(mg, 0.0) / n
                        d = -t / (b * n) if mg > 0 else 0.0
                        hits += 1.0 if (vv > 0) == (yy > 0) else 0.0
                    if code < 4:
                        hits += abs(diff)
                if assign:
                    g[s, j] = d
                else:
                    g[s, j] += d
    if code == 4 or code == 7 or code < 4:
        return loss / b, hits / (b * n)
    if code == 9:
        return loss / b, 0.0
    return loss / b, hits / b


@njit(cache=True, nogil=True)
def backward(rows, fpar, ins, imap, b, cap, sbase, theta, buf, gbuf, sbuf, gtheta, gsq, want_sq, t, seed):
    for r in range(rows.shape[0] - 1, -1, -1):
        if rows[r, C_NEED] == 0 or rows[r, C_BWD] == 0:
            continue
        code = rows[r, C_OP]
        n = rows[r, C_N]
        off = cap * rows[r, C_OFF]
        go = gbuf[off: off + b * n]
        i0 = rows[r, C_IN0]
        if rows[r, C_NIN] == 0:
            continue
        src = ins[i0, 0]
        nin = rows[src, C_N]
        soff = cap * rows[src, C_OFF]
        x = buf[soff: soff + b * nin]
        gx = gbuf[soff: soff + b * nin]
        send = rows[src, C_NEED] == 1
        assign = ins[i0, 2] == 1
        if code == DENSE:
            p0 = rows[r, C_P0]
            w = theta[p0: p0 + nin * n].reshape(nin, n)
            dz = go.reshape(b, n)
            xm = x.reshape(b, nin)
            _matmul_tn(xm, dz, gtheta[p0: p0 + nin * n].reshape(nin, n))
            p1 = rows[r, C_P1]
            if p1 >= 0:
                gb = gtheta[p1: p1 + n]
                gb[:] = 0.0
                for s in range(b):
                    for j in range(n):
                        gb[j] += dz[s, j]
            if want_sq:
                sq = np.dot((xm * xm).T, dz * dz) * b
                gsq[p0: p0 + nin * n] = sq.ravel()
                if p1 >= 0:
                    for j in range(n):
                        acc = 0.0
                        for s in range(b):
                            acc += dz[s, j] * dz[s, j]
                        gsq[p1 + j] = acc * b
            if send:
                _matmul_nt(dz, w, gx.reshape(b, nin), assign)
        elif code == ACT:
            if send:
                act_backward(rows[r, C_AUX0], fpar[r, F_ALPHA], x, buf[off: off + b * n], go, gx,
                             rows[r, C_AUX1], assign)
        elif code == DROPOUT:
            if send:
                rate = fpar[r, F_RATE]
                scale = 1.0 / (1.0 - rate) if rate > 0 else 1.0
                opidx = rows[r, C_OPIDX]
                for i in range(b * n):
                    d = go[i] * scale if (rate <= 0 or uniform(seed, t, opidx, i) >= rate) else 0.0
                    if assign:
                        gx[i] = d
                    else:
                        gx[i] += d
        elif code == BATCHNORM:
            c = rows[r, C_AUX0]
            mrows = b * n // c
            per = mrows // b
            g2 = go.reshape(mrows, c)
            xhat = sbuf[cap * rows[r, C_SOFF]: cap * rows[r, C_SOFF] + b * n].reshape(mrows, c)
            inv = sbuf[sbase + rows[r, C_AUX1]: sbase + rows[r, C_AUX1] + c]
            pg, pb = rows[r, C_P0], rows[r, C_P1]
            gxv = gx.reshape(mrows, c)
            for ch in range(c):
                s1 = 0.0
                s2 = 0.0
                for i in range(mrows):
                    s1 += g2[i, ch]
                    s2 += g2[i, ch] * xhat[i, ch]
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
                            a2 += g2[i, ch] * xhat[i, ch]
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
                        d = inv[ch] / mrows * (mrows * g2[i, ch] * gamma - d1 - xhat[i, ch] * d2)
                        if assign:
                            gxv[i, ch] = d
                        else:
                            gxv[i, ch] += d
        elif code == COPY:
            if send:
                if assign:
                    gx[:] = go
                else:
                    gx += go
        elif code == PRELU:
            p0 = rows[r, C_P0]
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
                        d = go[i] if x[i] > 0 else theta[p0 + j] * go[i]
                        if assign:
                            gx[i] = d
                        else:
                            gx[i] += d
        elif code == SQUARE:
            if send:
                for i in range(b * n):
                    d = 2.0 * x[i] * go[i]
                    if assign:
                        gx[i] = d
                    else:
                        gx[i] += d
        else:  # ADD, CONCAT, BINARY: one or more inputs
            for q in range(rows[r, C_NIN]):
                sr = ins[i0 + q, 0]
                if rows[sr, C_NEED] == 0:
                    continue
                nk = rows[sr, C_N]
                so = cap * rows[sr, C_OFF]
                gk = gbuf[so: so + b * nk]
                if ins[i0 + q, 2] == 1:
                    gk[:] = 0.0
                if code == ADD:
                    gk += go
                elif code == CONCAT:
                    m0 = ins[i0 + q, 1]
                    for s in range(b):
                        for j in range(nk):
                            gk[s * nk + j] += go[s * n + imap[m0 + j]]
                else:
                    kind = rows[r, C_AUX0]
                    sx, sy = ins[i0, 0], ins[i0 + 1, 0]
                    nx, ny = rows[sx, C_N], rows[sy, C_N]
                    xv = buf[cap * rows[sx, C_OFF]: cap * rows[sx, C_OFF] + b * nx]
                    yv = buf[cap * rows[sy, C_OFF]: cap * rows[sy, C_OFF] + b * ny]
                    mx, my = ins[i0, 1], ins[i0 + 1, 1]
                    mk = ins[i0 + q, 1]
                    for s in range(b):
                        for j in range(n):
                            gg = go[s * n + j]
                            if kind == 0:
                                d = gg
                            elif kind == 1:
                                d = gg if q == 0 else -gg
                            else:
                                u = xv[s * nx + imap[mx + j]]
                                v = yv[s * ny + imap[my + j]]
                                if kind == 2:
                                    d = gg * (v if q == 0 else u)
                                else:
                                    d = gg if (u >= v) == (q == 0) else 0.0
                            gk[s * nk + imap[mk + j]] += d


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
        cnt = rows[r, C_AUX0] * rows[r, C_N]
        for i in range(p0, p0 + cnt):
            w = theta[i]
            sgn = 1.0 if w > 0 else (-1.0 if w < 0 else 0.0)
            pen = l1 * sgn + l2 * w
            if want_sq:
                gsq[i] += pen * (2.0 * gtheta[i] + pen)
            gtheta[i] += pen
            total += l1 * abs(w) + 0.5 * l2 * w * w
    return total


@njit(cache=True, nogil=True)
def update(code, hyper, theta, g, gsq, s1, s2, lr, t):
    """One optimizer step in place; the formulas of optimizers.reference_update (one loop per rule)."""
    mom, b1, b2, rho, eps, wd = hyper[0], hyper[1], hyper[2], hyper[3], hyper[4], hyper[5]
    n = theta.size
    if code == 0:
        for i in range(n):
            theta[i] -= lr * g[i]
    elif code == 1:
        for i in range(n):
            v = mom * s1[i] + g[i]
            s1[i] = v
            theta[i] -= lr * v
    elif code == 2:
        for i in range(n):
            v = mom * s1[i] + g[i]
            s1[i] = v
            theta[i] -= lr * (g[i] + mom * v)
    elif code == 3:
        for i in range(n):
            a = s1[i] + g[i] * g[i]
            s1[i] = a
            theta[i] -= lr * g[i] / math.sqrt(a + eps)
    elif code == 4:
        for i in range(n):
            a = rho * s1[i] + (1.0 - rho) * g[i] * g[i]
            s1[i] = a
            theta[i] -= lr * g[i] / math.sqrt(a + eps)
    elif code == 5:
        for i in range(n):
            a = rho * s1[i] + (1.0 - rho) * g[i] * g[i]
            s1[i] = a
            d = math.sqrt(s2[i] + eps) / math.sqrt(a + eps) * g[i]
            s2[i] = rho * s2[i] + (1.0 - rho) * d * d
            theta[i] -= lr * d
    elif code <= 8:
        c1 = 1.0 - b1 ** t
        c1n = 1.0 - b1 ** (t + 1)
        c2 = 1.0 - b2 ** t
        nesterov = code == 8
        decay = wd if code == 7 else 0.0
        for i in range(n):
            gi = g[i]
            m = b1 * s1[i] + (1.0 - b1) * gi
            v = b2 * s2[i] + (1.0 - b2) * gi * gi
            s1[i] = m
            s2[i] = v
            mh = b1 * m / c1n + (1.0 - b1) * gi / c1 if nesterov else m / c1
            theta[i] -= lr * (mh / (math.sqrt(v / c2) + eps) + decay * theta[i])
    else:
        cr = 1.0 - rho ** t
        for i in range(n):
            gi = g[i]
            mean = s1[i]
            spread = max(gsq[i] - 2.0 * mean * gi + mean * mean, 0.0)
            s2[i] = rho * s2[i] + (1.0 - rho) * spread
            s1[i] = rho * mean + (1.0 - rho) * gi
            theta[i] -= lr * gi / (math.sqrt(s2[i] / cr) + eps)


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def all_finite(a):
    """No NaN or Inf in `a`: x - x is 0 for finite x and NaN otherwise, so the sums cannot overflow."""
    n = a.size
    if n == 0:
        return True
    z0 = a[0] - a[0]
    z1 = z0
    z2 = z0
    z3 = z0
    m = n - n % 4
    for i in range(0, m, 4):
        z0 += a[i] - a[i]
        z1 += a[i + 1] - a[i + 1]
        z2 += a[i + 2] - a[i + 2]
        z3 += a[i + 3] - a[i + 3]
    for i in range(m, n):
        z0 += a[i] - a[i]
    return z0 + z1 + z2 + z3 == 0


@njit(cache=True, nogil=True)
def _undo_call(theta, slots, frozen, backup, frozen_start, used_slots):
    """Back to the start of the call: an update overflowed somewhere in it."""
    theta[:] = backup[0]
    for j in range(used_slots):
        slots[j, :] = backup[1 + j]
    frozen[:] = frozen_start
    return 0, OVERFLOWED


@njit(cache=True, nogil=True)
def run(mode, rows, fpar, ins, imap, lossv, dims, X, Y, order, bounds, lrs, theta, frozen, gtheta, gsq,
        slots, backup, frozen_backup, frozen_start, buf, gbuf, sbuf, opt, hyper, t0, seed, out_loss, out_metric,
        out_pred, live):
    """Run len(bounds)-1 batches in `mode`; returns (batches done, index of the failing batch or -1).

    TRAIN: forward, loss, backward, penalty, update. GRAD: one batch, no update.
    PREDICT: outputs into out_pred. EVAL: loss and metric per batch (inference).
    FWD_TRAIN / FWD_EVAL: forward only (values stay in buf).
    On a non-finite loss or gradient the update is not applied. If an update made a weight
    non-finite (checked when a step fails and at the end, it is that rare), the weights, the
    optimizer state and the BatchNorm statistics go back to the start of the call and the
    result is (0, OVERFLOWED): the caller redoes the steps one call each to find the last good one.
    TRAIN publishes progress for other threads: live[0] counts the finished steps, and a
    non-zero live[1] (an interrupt) makes the current step the last.
    """
    cap, sbase = dims[0], dims[1]
    want_sq = opt == 9
    training = mode == TRAIN or mode == GRAD or mode == FWD_TRAIN
    lcode, lsrc, logits, nout = lossv[0], lossv[1], lossv[3] == 1, lossv[4]
    nsteps = bounds.size - 1
    used_slots = 0 if opt == 0 else (1 if opt <= 4 else 2)   # plain SGD keeps no state to back up
    if mode == TRAIN:
        backup[0, :] = theta
        for j in range(used_slots):
            backup[1 + j, :] = slots[j]
        frozen_start[:] = frozen
    done = nsteps
    for k in range(nsteps):
        s0 = bounds[k]
        b = bounds[k + 1] - s0
        t = t0 + k
        if mode == TRAIN:
            frozen_backup[:] = frozen
        forward(rows, fpar, ins, imap, X, order, s0, b, cap, sbase, theta, frozen, buf, sbuf,
                training, mode == TRAIN, t, seed)
        if mode == FWD_TRAIN or mode == FWD_EVAL:
            continue
        no = rows[lsrc, C_N]
        lo = cap * rows[lsrc, C_OFF]
        if mode == PREDICT:
            oo = cap * rows[lossv[6], C_OFF]
            ov = buf[oo: oo + b * nout].reshape(b, nout)
            for s in range(b):
                for j in range(nout):
                    out_pred[s0 + s, j] = ov[s, j]
            continue
        yb = np.empty((b, Y.shape[1]), Y.dtype)
        for s in range(b):
            yb[s, :] = Y[order[s0 + s]]
        v = buf[lo: lo + b * no].reshape(b, no)
        g = gbuf[lo: lo + b * no].reshape(b, no)
        if rows[lsrc, C_FANOUT] != 1 and mode != EVAL:
            g[:] = 0.0
        loss, metric = loss_and_grad(lcode, logits, v, yb, g, rows[lsrc, C_FANOUT] == 1)
        if mode == EVAL:
            out_loss[k] = loss
            out_metric[k] = metric
            continue
        if not math.isfinite(loss):
            frozen[:] = frozen_backup
            if not all_finite(theta):
                return _undo_call(theta, slots, frozen, backup, frozen_start, used_slots)
            return k, k
        for r in range(rows.shape[0]):
            if rows[r, C_NEED] == 1 and rows[r, C_FANOUT] != 1 and r != lsrc:
                o = cap * rows[r, C_OFF]
                gbuf[o: o + b * rows[r, C_N]] = 0.0
        backward(rows, fpar, ins, imap, b, cap, sbase, theta, buf, gbuf, sbuf, gtheta, gsq, want_sq, t, seed)
        loss += penalty(rows, fpar, theta, gtheta, gsq, want_sq)
        out_loss[k] = loss
        out_metric[k] = metric
        if not (math.isfinite(loss) and all_finite(gtheta)):
            if mode == TRAIN:
                frozen[:] = frozen_backup
                if not all_finite(theta):
                    return _undo_call(theta, slots, frozen, backup, frozen_start, used_slots)
            return k, k
        if mode == GRAD:
            return 1, -1
        last = k == nsteps - 1 or live[1] != 0
        if last:
            backup[3, :] = theta
        update(opt, hyper, theta, gtheta, gsq, slots[0], slots[1], lrs[k], t + 1)
        live[0] = k + 1
        if last:
            done = k + 1
            break
    if mode == TRAIN and not (all_finite(theta) and all_finite(frozen)):
        return _undo_call(theta, slots, frozen, backup, frozen_start, used_slots)
    return done, -1
