"""Per-element math as CUDA device functions: the formulas of numba_kernels.py, number for number.

Codes are the engine's: activations index names.ACTIVATIONS, losses names.LOSSES.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
SOFTMAX = 11

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_STEP = np.uint64(0xD1B54A32D192ED03)
_OPC = np.uint64(0x8CB92BA72F3D8DD7)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@cuda.jit(device=True)
def uniform(seed, t, opidx, j):
    """The dropout number of randomness.uniform (splitmix64; wraps modulo 2**64 like the CPU's)."""
    z = np.uint64(seed) * _GOLDEN + np.uint64(t) * _STEP + np.uint64(opidx) * _OPC + np.uint64(j) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(40)) / 16777216.0


@cuda.jit(device=True)
def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@cuda.jit(device=True)
def act_value(code, alpha, x):
    """activation(x) for every element-wise activation (softmax has its own kernel)."""
    if code == 0:
        return alpha * x
    if code == 1:
        return 1.0 if x > 0 else 0.0
    if code == 2:
        return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)
    if code == 3:
        return sigmoid(x)
    if code == 4:
        return math.tanh(x)
    if code == 5:
        return max(x, 0.0)
    if code == 6:
        return x if x > 0 else alpha * x
    if code == 7:
        return x if x > 0 else alpha * math.expm1(x)
    if code == 8:
        return SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x))
    if code == 9:
        return x * sigmoid(x)
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@cuda.jit(device=True)
def act_slope(code, alpha, x, a):
    """d activation / dx at input x with output a (element-wise activations)."""
    if code == 0:
        return alpha
    if code == 1 or code == 2:
        return 0.0
    if code == 3:
        return a * (1.0 - a)
    if code == 4:
        return 1.0 - a * a
    if code == 5:
        return 1.0 if x > 0 else 0.0
    if code == 6:
        return 1.0 if x > 0 else alpha
    if code == 7:
        return 1.0 if x > 0 else alpha * math.exp(x)
    if code == 8:
        return SELU_SCALE * (1.0 if x > 0 else SELU_ALPHA * math.exp(x))
    if code == 9:
        s = sigmoid(x)
        return s + x * s * (1.0 - s)
    return sigmoid(x)
