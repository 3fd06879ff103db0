"""Initial parameter values for every op, reproducible from one seed.

Each op draws from its own stream (seed, op position), so adding a layer at the end
does not change the initial weights of the layers before it.
"""

from __future__ import annotations

import math

import numpy as np

from .spec import GraphSpec, OpSpec, Shape

# Keras's truncated normal keeps values within 2σ; dividing by this constant restores the variance.
_TRUNC_STD = 0.87962566103423978


def _fans(shape: Shape) -> tuple[int, int]:
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    n = int(shape[0]) if shape else 1
    return n, n


def _truncated_normal(rng: np.random.Generator, std: float, shape: Shape) -> np.ndarray:
    out = rng.normal(0.0, std, size=shape)
    bad = np.abs(out) > 2 * std
    while bad.any():
        out[bad] = rng.normal(0.0, std, size=int(bad.sum()))
        bad = np.abs(out) > 2 * std
    return out


def initial_array(name: str, value: float, shape: Shape, rng: np.random.Generator) -> np.ndarray:
    """One array from the initializer `name` (value = c for constant, σ for normal, r for uniform)."""
    fan_in, fan_out = _fans(shape)
    if name == "zeros":
        return np.zeros(shape)
    if name == "constant":
        return np.full(shape, float(value))
    if name == "normal":
        return rng.normal(0.0, float(value), size=shape)
    if name == "uniform":
        return rng.uniform(-float(value), float(value), size=shape)
    if name == "uniform_fan_in":
        r = 3.0 / math.sqrt(fan_in)
        return rng.uniform(-r, r, size=shape)
    if name == "glorot_normal":
        return _truncated_normal(rng, math.sqrt(2.0 / (fan_in + fan_out)) / _TRUNC_STD, shape)
    if name == "glorot_uniform":
        r = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-r, r, size=shape)
    if name == "he_normal":
        return _truncated_normal(rng, math.sqrt(2.0 / fan_in) / _TRUNC_STD, shape)
    if name == "lecun_normal":
        return _truncated_normal(rng, math.sqrt(1.0 / fan_in) / _TRUNC_STD, shape)
    if name == "he_uniform":
        r = math.sqrt(6.0 / fan_in)
        return rng.uniform(-r, r, size=shape)
    raise ValueError(f"unknown initializer {name!r}")


def initial_weights(graph: GraphSpec, seed: int) -> dict[str, dict[str, np.ndarray]]:
    """Fresh float64 arrays for every op that has weights."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for index, op in enumerate(graph.ops):
        if op.weights:
            rng = np.random.default_rng([int(seed), index])
            out[op.id] = _op_weights(op, rng)
    return out


def _op_weights(op: OpSpec, rng: np.random.Generator) -> dict[str, np.ndarray]:
    p = op.params
    w: dict[str, np.ndarray] = {}
    for name, (shape, _trainable) in op.weights.items():
        shape = tuple(shape)
        if op.type == "Dense":
            prefix = "kernel" if name == "kernel" else "bias"
            w[name] = initial_array(
                p.get(f"{prefix}_initializer", "zeros"), p.get(f"{prefix}_init_value", 0.0), shape, rng
            )
        elif op.type == "BatchNorm":
            w[name] = np.ones(shape) if name in ("gamma", "moving_variance") else np.zeros(shape)
        elif op.type == "PReLU":
            w[name] = np.full(shape, float(p.get("alpha_init", 0.25)))
        else:
            raise ValueError(f"{op.id}: no initial values for the weight {name!r} of a {op.type} node")
    return w
