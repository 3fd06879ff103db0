"""Optimizer steps: the formulas of optimizers.reference_update, one loop per rule."""

from __future__ import annotations

import math

from numba import njit

from ... import vocabulary
from . import codes

SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADADELTA, ADAM, ADAMW, NADAM, VARIO_ETA = range(10)
codes.check(globals(), vocabulary, "SGD MOMENTUM NESTEROV ADAGRAD RMSPROP ADADELTA ADAM ADAMW NADAM VARIO_ETA")


@njit(cache=True, nogil=True)
def state_vectors(code):
    """How many state vectors (slots) the rule keeps."""
    return 0 if code == SGD else (1 if code <= RMSPROP else 2)


@njit(cache=True, nogil=True)
def update(code, hyper, theta, g, gsq, s1, s2, lr, t):
    """One optimizer step in place; the formulas of optimizers.reference_update (one loop per rule)."""
    mom, b1, b2, rho, eps, wd = hyper[0], hyper[1], hyper[2], hyper[3], hyper[4], hyper[5]
    n = theta.size
    if code == SGD:
        for i in range(n):
            theta[i] -= lr * g[i]
    elif code == MOMENTUM:
        for i in range(n):
            v = mom * s1[i] + g[i]
            s1[i] = v
            theta[i] -= lr * v
    elif code == NESTEROV:
        for i in range(n):
            v = mom * s1[i] + g[i]
            s1[i] = v
            theta[i] -= lr * (g[i] + mom * v)
    elif code == ADAGRAD:
        for i in range(n):
            a = s1[i] + g[i] * g[i]
            s1[i] = a
            theta[i] -= lr * g[i] / math.sqrt(a + eps)
    elif code == RMSPROP:
        for i in range(n):
            a = rho * s1[i] + (1.0 - rho) * g[i] * g[i]
            s1[i] = a
            theta[i] -= lr * g[i] / math.sqrt(a + eps)
    elif code == ADADELTA:
        for i in range(n):
            a = rho * s1[i] + (1.0 - rho) * g[i] * g[i]
            s1[i] = a
            d = math.sqrt(s2[i] + eps) / math.sqrt(a + eps) * g[i]
            s2[i] = rho * s2[i] + (1.0 - rho) * d * d
            theta[i] -= lr * d
    elif code == ADAM or code == ADAMW or code == NADAM:
        c1 = 1.0 - b1**t
        c1n = 1.0 - b1 ** (t + 1)
        c2 = 1.0 - b2**t
        nesterov = code == NADAM
        decay = wd if code == ADAMW else 0.0
        for i in range(n):
            gi = g[i]
            m = b1 * s1[i] + (1.0 - b1) * gi
            v = b2 * s2[i] + (1.0 - b2) * gi * gi
            s1[i] = m
            s2[i] = v
            mh = b1 * m / c1n + (1.0 - b1) * gi / c1 if nesterov else m / c1
            theta[i] -= lr * (mh / (math.sqrt(v / c2) + eps) + decay * theta[i])
    else:  # VARIO_ETA
        cr = 1.0 - rho**t
        for i in range(n):
            gi = g[i]
            mean = s1[i]
            spread = max(gsq[i] - 2.0 * mean * gi + mean * mean, 0.0)
            s2[i] = rho * s2[i] + (1.0 - rho) * spread
            s1[i] = rho * mean + (1.0 - rho) * gi
            theta[i] -= lr * gi / (math.sqrt(s2[i] / cr) + eps)
