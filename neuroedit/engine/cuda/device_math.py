"""Per-element math as CUDA device functions: the formulas of kernels/activations.py, number for number.

Codes are the vocabulary's (neuroedit/vocabulary.py), checked at import like the CPU kernels'.
"""

from __future__ import annotations

import math

import numpy as np
from numba import cuda

from ... import vocabulary
from ..kernels import codes

LINEAR, STEP, SIGN, SIGMOID, TANH, RELU, LEAKY_RELU, ELU, SELU, SWISH, SOFTPLUS, SOFTMAX = range(12)
codes.check(globals(), vocabulary, "LINEAR STEP SIGN SIGMOID TANH RELU LEAKY_RELU ELU SELU SWISH SOFTPLUS SOFTMAX")

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805

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
    if code == LINEAR:
        return alpha * x
    if code == STEP:
        return 1.0 if x > 0 else 0.0
    if code == SIGN:
        return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)
    if code == SIGMOID:
        return sigmoid(x)
    if code == TANH:
        return math.tanh(x)
    if code == RELU:
        return max(x, 0.0)
    if code == LEAKY_RELU:
        return x if x > 0 else alpha * x
    if code == ELU:
        return x if x > 0 else alpha * math.expm1(x)
    if code == SELU:
        return SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x))
    if code == SWISH:
        return x * sigmoid(x)
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))  # SOFTPLUS


@cuda.jit(device=True)
def act_slope(code, alpha, x, a):
    """d activation / dx at input x with output a (element-wise activations)."""
    if code == LINEAR:
        return alpha
    if code == STEP or code == SIGN:
        return 0.0
    if code == SIGMOID:
        return a * (1.0 - a)
    if code == TANH:
        return 1.0 - a * a
    if code == RELU:
        return 1.0 if x > 0 else 0.0
    if code == LEAKY_RELU:
        return 1.0 if x > 0 else alpha
    if code == ELU:
        return 1.0 if x > 0 else alpha * math.exp(x)
    if code == SELU:
        return SELU_SCALE * (1.0 if x > 0 else SELU_ALPHA * math.exp(x))
    if code == SWISH:
        s = sigmoid(x)
        return s + x * s * (1.0 - s)
    return sigmoid(x)  # SOFTPLUS
