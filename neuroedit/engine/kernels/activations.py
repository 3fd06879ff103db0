"""Activations: forward a = f(z) and backward dz = f'(z)·g, one loop per activation.

Softmax works on groups of `nlast` values (the last axis). `assign` writes dz; otherwise the
gradient is added to what other consumers of z already put there.
"""

from __future__ import annotations

import math

from numba import njit

from ... import vocabulary
from . import codes

LINEAR, STEP, SIGN, SIGMOID, TANH, RELU, LEAKY_RELU, ELU, SELU, SWISH, SOFTPLUS, SOFTMAX = range(12)
codes.check(globals(), vocabulary, "LINEAR STEP SIGN SIGMOID TANH RELU LEAKY_RELU ELU SELU SWISH SOFTPLUS SOFTMAX")

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


@njit(cache=True, nogil=True)
def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True, nogil=True)
def act_forward(code, alpha, z, a, nlast):
    n = z.size
    if code == LINEAR:
        for i in range(n):
            a[i] = alpha * z[i]
    elif code == STEP:
        for i in range(n):
            a[i] = 1.0 if z[i] > 0 else 0.0
    elif code == SIGN:
        for i in range(n):
            a[i] = 1.0 if z[i] > 0 else (-1.0 if z[i] < 0 else 0.0)
    elif code == SIGMOID:
        for i in range(n):
            a[i] = sigmoid(z[i])
    elif code == TANH:
        for i in range(n):
            a[i] = math.tanh(z[i])
    elif code == RELU:
        for i in range(n):
            a[i] = max(z[i], 0.0)
    elif code == LEAKY_RELU:
        for i in range(n):
            a[i] = z[i] if z[i] > 0 else alpha * z[i]
    elif code == ELU:
        for i in range(n):
            a[i] = z[i] if z[i] > 0 else alpha * math.expm1(z[i])
    elif code == SELU:
        for i in range(n):
            a[i] = SELU_SCALE * (z[i] if z[i] > 0 else SELU_ALPHA * math.expm1(z[i]))
    elif code == SWISH:
        for i in range(n):
            a[i] = z[i] * sigmoid(z[i])
    elif code == SOFTPLUS:
        for i in range(n):
            a[i] = max(z[i], 0.0) + math.log1p(math.exp(-abs(z[i])))
    else:  # SOFTMAX over groups of nlast
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


@njit(cache=True, nogil=True)
def put(out, i, value, assign):
    if assign:
        out[i] = value
    else:
        out[i] += value


@njit(cache=True, nogil=True)
def act_backward(code, alpha, z, a, g, dz, nlast, assign):
    n = z.size
    if code == LINEAR:
        for i in range(n):
            put(dz, i, alpha * g[i], assign)
    elif code == STEP or code == SIGN:
        for i in range(n):
            put(dz, i, 0.0, assign)
    elif code == SIGMOID:
        for i in range(n):
            put(dz, i, g[i] * a[i] * (1.0 - a[i]), assign)
    elif code == TANH:
        for i in range(n):
            put(dz, i, g[i] * (1.0 - a[i] * a[i]), assign)
    elif code == RELU:
        for i in range(n):
            put(dz, i, g[i] if z[i] > 0 else 0.0, assign)
    elif code == LEAKY_RELU:
        for i in range(n):
            put(dz, i, g[i] if z[i] > 0 else alpha * g[i], assign)
    elif code == ELU:
        for i in range(n):
            put(dz, i, g[i] if z[i] > 0 else alpha * math.exp(z[i]) * g[i], assign)
    elif code == SELU:
        for i in range(n):
            put(dz, i, SELU_SCALE * (1.0 if z[i] > 0 else SELU_ALPHA * math.exp(z[i])) * g[i], assign)
    elif code == SWISH:
        for i in range(n):
            s = sigmoid(z[i])
            put(dz, i, (s + z[i] * s * (1.0 - s)) * g[i], assign)
    elif code == SOFTPLUS:
        for i in range(n):
            put(dz, i, sigmoid(z[i]) * g[i], assign)
    else:  # SOFTMAX
        for s in range(0, n, nlast):
            dot = 0.0
            for j in range(s, s + nlast):
                dot += g[j] * a[j]
            for j in range(s, s + nlast):
                put(dz, j, a[j] * (g[j] - dot), assign)
