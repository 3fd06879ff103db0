"""The reference math in plain NumPy: activations, losses and metrics on whole batches.

This module *defines* what every name means; the Numba kernels must agree with it
(the parity tests compare them). Losses are means over the batch, as in Keras.
"""

from __future__ import annotations

import numpy as np

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
# Probabilities are clipped to [EPS, 1 - EPS] before a logarithm, as Keras does.
EPS = 1e-7


def sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype)


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    s = z - z.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


def activation(name: str, z: np.ndarray, alpha: float) -> np.ndarray:
    if name == "linear":
        return alpha * z
    if name == "step":
        return (z > 0).astype(z.dtype)
    if name == "sign":
        return np.sign(z)
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    if name == "leaky_relu":
        return np.where(z > 0, z, alpha * z)
    if name == "elu":
        return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))
    if name == "selu":
        return SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0)))
    if name == "swish":
        return z * sigmoid(z)
    if name == "softplus":
        return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    if name == "softmax":
        return softmax(z)
    raise ValueError(f"unknown activation {name!r}")


def activation_grad(name: str, z: np.ndarray, a: np.ndarray, g: np.ndarray, alpha: float) -> np.ndarray:
    """dL/dz from dL/da = g (step and sign: zero almost everywhere)."""
    if name == "linear":
        return alpha * g
    if name in ("step", "sign"):
        return np.zeros_like(g)
    if name == "sigmoid":
        return g * a * (1 - a)
    if name == "tanh":
        return g * (1 - a * a)
    if name == "relu":
        return g * (z > 0)
    if name == "leaky_relu":
        return g * np.where(z > 0, 1, alpha).astype(g.dtype)
    if name == "elu":
        return g * np.where(z > 0, 1, alpha * np.exp(np.minimum(z, 0))).astype(g.dtype)
    if name == "selu":
        return g * SELU_SCALE * np.where(z > 0, 1, SELU_ALPHA * np.exp(np.minimum(z, 0))).astype(g.dtype)
    if name == "swish":
        s = sigmoid(z)
        return g * (s + z * s * (1 - s))
    if name == "softplus":
        return g * sigmoid(z)
    if name == "softmax":
        return a * (g - (g * a).sum(axis=-1, keepdims=True))
    raise ValueError(f"unknown activation {name!r}")


def loss_and_grad(name: str, v: np.ndarray, y: np.ndarray, logits: bool) -> tuple[float, np.ndarray]:
    """Batch loss (mean over samples) and dLoss/dv. v: (B, n); y: (B, k) targets in the loss's format.

    `logits` means v holds raw scores: sigmoid (binary) or softmax (categorical) is applied
    inside the loss, which is the numerically stable fused form.
    """
    b = v.shape[0]
    if name in ("squared_error", "sum_squared_error", "mse", "mae"):
        d = v - y
        if name == "squared_error":
            return float(0.5 * (d * d).sum() / b), d / b
        if name == "sum_squared_error":
            return float((d * d).sum() / b), 2 * d / b
        if name == "mse":
            return float((d * d).mean()), 2 * d / d.size
        return float(np.abs(d).mean()), np.sign(d) / d.size
    if name == "binary_crossentropy":
        n = v.size
        if logits:
            loss = np.maximum(v, 0) - v * y + np.log1p(np.exp(-np.abs(v)))
            return float(loss.sum() / n), (sigmoid(v) - y) / n
        p = np.clip(v, EPS, 1 - EPS)
        loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))
        inside = (v > EPS) & (v < 1 - EPS)
        return float(loss.sum() / n), np.where(inside, (p - y) / (p * (1 - p)), 0).astype(v.dtype) / n
    if name in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        t = y if name == "categorical_crossentropy" else one_hot(y, v.shape[1], v.dtype)
        if logits:
            ls = log_softmax(v)
            return float(-(t * ls).sum() / b), (np.exp(ls) * t.sum(axis=1, keepdims=True) - t) / b
        p = np.clip(v, EPS, 1 - EPS)
        inside = (v > EPS) & (v < 1 - EPS)
        return float(-(t * np.log(p)).sum() / b), np.where(inside, -t / p, 0).astype(v.dtype) / b
    if name == "hinge":
        t = np.where(y > 0, 1, -1).astype(v.dtype)
        m = 1 - t * v
        return float(np.maximum(m, 0).mean()), np.where(m > 0, -t, 0).astype(v.dtype) / v.size
    if name == "multiclass_hinge":
        cls = y[:, 0].astype(np.int64)
        rows = np.arange(b)
        margins = v - v[rows, cls][:, None] + 1
        margins[rows, cls] = 0
        active = (margins > 0).astype(v.dtype)
        grad = active.copy()
        grad[rows, cls] = -active.sum(axis=1)
        return float(np.maximum(margins, 0).sum() / b), grad / b
    if name == "value":
        return float(v.sum() / b), np.full_like(v, 1.0 / b)
    raise ValueError(f"unknown loss {name!r}")


def one_hot(y: np.ndarray, classes: int, dtype) -> np.ndarray:
    t = np.zeros((y.shape[0], classes), dtype=dtype)
    t[np.arange(y.shape[0]), y[:, 0].astype(np.int64)] = 1
    return t


def metric(loss: str, name: str | None, v: np.ndarray, y: np.ndarray, logits: bool) -> float:
    """The metric `name` of a batch: a classification loss's own accuracy, a regression loss's MAE or
    accuracy, 0 for the `value` objective (no metric).

    A regression loss's accuracy reads its outputs as classes, per sample: one output is class 1
    above 0.5, several name the class of their largest value (the targets are one-hot).
    """
    if name is None or loss == "value":
        return 0.0
    if loss == "binary_crossentropy":
        pred = v > (0 if logits else 0.5)
        return float((pred == (y > 0.5)).mean())
    if loss == "hinge":
        return float(((v > 0) == (y > 0)).mean())
    if loss in ("categorical_crossentropy", "sparse_categorical_crossentropy", "multiclass_hinge"):
        label = y.argmax(axis=1) if loss == "categorical_crossentropy" else y[:, 0].astype(np.int64)
        return float((v.argmax(axis=1) == label).mean())
    if name == "accuracy":
        if v.shape[1] == 1:
            return float(((v[:, 0] > 0.5) == (y[:, 0] > 0.5)).mean())
        return float((v.argmax(axis=1) == y.argmax(axis=1)).mean())
    return float(np.abs(v - y).mean())
