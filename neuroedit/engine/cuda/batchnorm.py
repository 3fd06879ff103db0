"""BatchNorm forward and backward, one thread per channel (the sums run in the CPU kernel's order).

Layout as on the CPU: the batch's values are (mrows, c); xhat is kept in the scratch
buffer for backward, 1/sqrt(var + eps) per channel next to it.
"""

from __future__ import annotations

import math

from numba import cuda


@cuda.jit(cache=True)
def bn_forward(
    c,
    mrows,
    x,
    ox,
    out,
    oout,
    xhat,
    oxh,
    inv,
    oinv,
    theta,
    pg,
    pb,
    frozen,
    pm,
    pv,
    eps,
    mom,
    training,
    update_stats,
    failed,
):
    ch = cuda.grid(1)
    if failed[0] >= 0 or ch >= c:
        return
    if training:
        mu = 0.0
        for i in range(mrows):
            mu += x[ox + i * c + ch]
        mu /= mrows
        var = 0.0
        for i in range(mrows):
            d = x[ox + i * c + ch] - mu
            var += d * d
        var /= mrows
        if update_stats:
            frozen[pm + ch] = mom * frozen[pm + ch] + (1.0 - mom) * mu
            frozen[pv + ch] = mom * frozen[pv + ch] + (1.0 - mom) * var
    else:
        mu = frozen[pm + ch]
        var = frozen[pv + ch]
    iv = 1.0 / math.sqrt(var + eps)
    inv[oinv + ch] = iv
    gamma = theta[pg + ch] if pg >= 0 else 1.0
    beta = theta[pb + ch] if pb >= 0 else 0.0
    for i in range(mrows):
        h = (x[ox + i * c + ch] - mu) * iv
        xhat[oxh + i * c + ch] = h
        out[oout + i * c + ch] = h * gamma + beta


@cuda.jit(cache=True)
def bn_backward(
    c, mrows, b, g, og, xhat, oxh, inv, oinv, theta, pg, pb, gtheta, gsq, want_sq, gx, ogx, send, assign, failed
):
    ch = cuda.grid(1)
    if failed[0] >= 0 or ch >= c:
        return
    s1 = 0.0
    s2 = 0.0
    for i in range(mrows):
        s1 += g[og + i * c + ch]
        s2 += g[og + i * c + ch] * xhat[oxh + i * c + ch]
    if pg >= 0:
        gtheta[pg + ch] = s2
    if pb >= 0:
        gtheta[pb + ch] = s1
    if want_sq:
        per = mrows // b
        q1 = 0.0
        q2 = 0.0
        for s in range(b):
            a1 = 0.0
            a2 = 0.0
            for i in range(s * per, (s + 1) * per):
                a1 += g[og + i * c + ch]
                a2 += g[og + i * c + ch] * xhat[oxh + i * c + ch]
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
            d = inv[oinv + ch] / mrows * (mrows * g[og + i * c + ch] * gamma - d1 - xhat[oxh + i * c + ch] * d2)
            if assign:
                gx[ogx + i * c + ch] = d
            else:
                gx[ogx + i * c + ch] += d
