"""The optimizer update and the L1/L2 penalty on the device: optimizers.reference_update's formulas.

The update runs one thread per weight. Bias corrections (1 - beta**t) are scalars,
computed once on the host in float64 as the CPU kernel computes them.
"""

from __future__ import annotations

import math

from numba import cuda, float64

from ... import vocabulary
from ..kernels import codes
from .launch import THREADS

SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADADELTA, ADAM, ADAMW, NADAM, VARIO_ETA = range(10)
codes.check(globals(), vocabulary, "SGD MOMENTUM NESTEROV ADAGRAD RMSPROP ADADELTA ADAM ADAMW NADAM VARIO_ETA")


@cuda.jit(cache=True)
def update(
    n,
    code,
    lr,
    mom,
    b1,
    b2,
    rho,
    eps,
    wd,
    c1,
    c1n,
    c2,
    cr,
    theta,
    g,
    gsq,
    s1,
    s2,
    last_g,
    last_u,
    k,
    losses,
    flag,
    failed,
):
    """Step k's update by rule `code` (names.OPTIMIZERS order) on every weight.

    It first settles the step (checks.settle_step, folded in to save a launch): a raised
    non-finite flag or a non-finite loss means no weight changes and failed[0] = k. A step that
    succeeds keeps its gradient and weight change in last_g and last_u, so after a failed step
    they are those of the last good one.
    """
    i = cuda.grid(1)
    if failed[0] >= 0 or i >= n:
        return
    if flag[0] != 0 or not math.isfinite(losses[k]):
        if i == 0:
            failed[0] = k
        return
    gi = g[i]
    before = theta[i]
    if code == SGD:
        theta[i] -= lr * gi
    elif code == MOMENTUM:
        v = mom * s1[i] + gi
        s1[i] = v
        theta[i] -= lr * v
    elif code == NESTEROV:
        v = mom * s1[i] + gi
        s1[i] = v
        theta[i] -= lr * (gi + mom * v)
    elif code == ADAGRAD:
        a = s1[i] + gi * gi
        s1[i] = a
        theta[i] -= lr * gi / math.sqrt(a + eps)
    elif code == RMSPROP:
        a = rho * s1[i] + (1.0 - rho) * gi * gi
        s1[i] = a
        theta[i] -= lr * gi / math.sqrt(a + eps)
    elif code == ADADELTA:
        a = rho * s1[i] + (1.0 - rho) * gi * gi
        s1[i] = a
        d = math.sqrt(s2[i] + eps) / math.sqrt(a + eps) * gi
        s2[i] = rho * s2[i] + (1.0 - rho) * d * d
        theta[i] -= lr * d
    elif code == ADAM or code == ADAMW or code == NADAM:
        m = b1 * s1[i] + (1.0 - b1) * gi
        v = b2 * s2[i] + (1.0 - b2) * gi * gi
        s1[i] = m
        s2[i] = v
        mh = b1 * m / c1n + (1.0 - b1) * gi / c1 if code == NADAM else m / c1
        decay = wd if code == ADAMW else 0.0
        theta[i] -= lr * (mh / (math.sqrt(v / c2) + eps) + decay * theta[i])
    else:  # VARIO_ETA
        mean = s1[i]
        spread = max(gsq[i] - 2.0 * mean * gi + mean * mean, 0.0)
        s2[i] = rho * s2[i] + (1.0 - rho) * spread
        s1[i] = rho * mean + (1.0 - rho) * gi
        theta[i] -= lr * gi / (math.sqrt(s2[i] / cr) + eps)
    last_g[i] = gi
    last_u[i] = theta[i] - before


def corrections(hyper, t: int) -> tuple[float, float, float, float]:
    """(1 - b1**t, 1 - b1**(t+1), 1 - b2**t, 1 - rho**t) for step t (counted from 1)."""
    _, b1, b2, rho = (float(h) for h in hyper[:4])
    return 1.0 - b1**t, 1.0 - b1 ** (t + 1), 1.0 - b2**t, 1.0 - rho**t


@cuda.jit(cache=True)
def penalty(n, l1, l2, theta, p0, gtheta, gsq, want_sq, losses, k, failed):
    """Add an L1/L2 penalty's gradient to one Dense kernel's gradient and its value to losses[k]."""
    part = cuda.shared.array(THREADS, float64)
    t = cuda.threadIdx.x
    i = cuda.grid(1)
    value = 0.0
    if failed[0] < 0 and i < n:
        w = theta[p0 + i]
        sgn = 1.0 if w > 0 else (-1.0 if w < 0 else 0.0)
        pen = l1 * sgn + l2 * w
        if want_sq:
            gsq[p0 + i] += pen * (2.0 * gtheta[p0 + i] + pen)
        gtheta[p0 + i] += pen
        value = l1 * abs(w) + 0.5 * l2 * w * w
    part[t] = value
    cuda.syncthreads()
    step = THREADS // 2  # a tree over THREADS slots; those past the block's last thread count as zero
    while step > 0:
        if t < step and t + step < cuda.blockDim.x:
            part[t] += part[t + step]
        cuda.syncthreads()
        step //= 2
    if t == 0 and failed[0] < 0:
        cuda.atomic.add(losses, k, part[0])
