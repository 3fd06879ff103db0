"""Losses: the batch loss (mean over samples), the metric, and dLoss/d(output), by named code.

With `logits`, cross-entropies take scores and apply sigmoid/softmax inside (numerically stable).
A classification loss reports its own accuracy; a regression loss reports the mean absolute error,
or the accuracy of its outputs read as classes when the metric code says so (refmath.metric).
"""

from __future__ import annotations

import math

from numba import njit

from ... import vocabulary
from . import codes
from .activations import sigmoid

(
    SQUARED_ERROR,
    SUM_SQUARED_ERROR,
    MSE,
    MAE,
    BINARY_CROSSENTROPY,
    CATEGORICAL_CROSSENTROPY,
    SPARSE_CATEGORICAL_CROSSENTROPY,
    HINGE,
    MULTICLASS_HINGE,
    VALUE,
) = range(10)
codes.check(
    globals(),
    vocabulary,
    "SQUARED_ERROR SUM_SQUARED_ERROR MSE MAE BINARY_CROSSENTROPY "
    "CATEGORICAL_CROSSENTROPY SPARSE_CATEGORICAL_CROSSENTROPY HINGE MULTICLASS_HINGE VALUE",
)

NO_METRIC, ACCURACY, MEAN_ABSOLUTE_ERROR = range(3)
codes.check(globals(), vocabulary, "NO_METRIC ACCURACY MEAN_ABSOLUTE_ERROR")

# Probabilities are clipped to [EPS, 1 - EPS] before the logarithm (Keras's epsilon).
EPS = 1e-7


@njit(cache=True, nogil=True)
def class_hit(v, y, s, n):
    """Whether sample s's outputs name its class: one output against 0.5, several by their largest (one-hot targets)."""
    if n == 1:
        return (v[s, 0] > 0.5) == (y[s, 0] > 0.5)
    best = 0
    cls = 0
    for j in range(n):
        if v[s, j] > v[s, best]:
            best = j
        if y[s, j] > y[s, cls]:
            cls = j
    return best == cls


@njit(cache=True, nogil=True)
def loss_and_grad(code, metric, logits, v, y, g, assign):
    """Batch loss (mean over samples) and metric; writes dLoss/dv into g. v, g: (b, n); y: (b, k)."""
    b, n = v.shape
    loss = 0.0
    hits = 0.0
    for s in range(b):
        if code == CATEGORICAL_CROSSENTROPY or code == SPARSE_CATEGORICAL_CROSSENTROPY:
            if code == SPARSE_CATEGORICAL_CROSSENTROPY:
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
                    t = y[s, j] if code == CATEGORICAL_CROSSENTROPY else (1.0 if j == cls else 0.0)
                    tsum += t
                    loss -= t * (v[s, j] - lse)
                for j in range(n):
                    t = y[s, j] if code == CATEGORICAL_CROSSENTROPY else (1.0 if j == cls else 0.0)
                    d = (math.exp(v[s, j] - lse) * tsum - t) / b
                    if assign:
                        g[s, j] = d
                    else:
                        g[s, j] += d
            else:
                for j in range(n):
                    t = y[s, j] if code == CATEGORICAL_CROSSENTROPY else (1.0 if j == cls else 0.0)
                    p = min(max(v[s, j], EPS), 1.0 - EPS)
                    loss -= t * math.log(p)
                    d = -t / p / b if EPS < v[s, j] < 1.0 - EPS else 0.0
                    if assign:
                        g[s, j] = d
                    else:
                        g[s, j] += d
        elif code == MULTICLASS_HINGE:
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
                if code == VALUE:
                    loss += vv
                    d = 1.0 / b
                else:
                    yy = y[s, j]
                    diff = vv - yy
                    if code == SQUARED_ERROR:
                        loss += 0.5 * diff * diff
                        d = diff / b
                    elif code == SUM_SQUARED_ERROR:
                        loss += diff * diff
                        d = 2.0 * diff / b
                    elif code == MSE:
                        loss += diff * diff / n
                        d = 2.0 * diff / (b * n)
                    elif code == MAE:
                        loss += abs(diff) / n
                        d = (1.0 if diff > 0 else (-1.0 if diff < 0 else 0.0)) / (b * n)
                    elif code == BINARY_CROSSENTROPY:
                        if logits:
                            loss += (max(vv, 0.0) - vv * yy + math.log1p(math.exp(-abs(vv)))) / n
                            d = (sigmoid(vv) - yy) / (b * n)
                            hits += 1.0 if (vv > 0) == (yy > 0.5) else 0.0
                        else:
                            p = min(max(vv, EPS), 1.0 - EPS)
                            loss -= (yy * math.log(p) + (1.0 - yy) * math.log(1.0 - p)) / n
                            d = (p - yy) / (p * (1.0 - p)) / (b * n) if EPS < vv < 1.0 - EPS else 0.0
                            hits += 1.0 if (vv > 0.5) == (yy > 0.5) else 0.0
                    else:  # HINGE
                        t = 1.0 if yy > 0 else -1.0
                        mg = 1.0 - t * vv
                        loss += max(mg, 0.0) / n
                        d = -t / (b * n) if mg > 0 else 0.0
                        hits += 1.0 if (vv > 0) == (yy > 0) else 0.0
                    if code <= MAE and metric == MEAN_ABSOLUTE_ERROR:
                        hits += abs(diff)
                if assign:
                    g[s, j] = d
                else:
                    g[s, j] += d
            if code <= MAE and metric == ACCURACY:
                hits += 1.0 if class_hit(v, y, s, n) else 0.0
    if code == BINARY_CROSSENTROPY or code == HINGE or (code <= MAE and metric == MEAN_ABSOLUTE_ERROR):
        return loss / b, hits / (b * n)
    if code == VALUE:
        return loss / b, 0.0
    return loss / b, hits / b
