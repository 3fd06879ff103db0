"""Every loss with its gradient (softmax + cross-entropy fused on logits), then the batch's mean and metric.

`loss_rows` gives each sample one thread (its loss, its hit count and its row of
dLoss/dv); `finish_loss` sums them in one block into the step's loss and metric.
"""

from __future__ import annotations

import math

from numba import cuda, float64

from ... import vocabulary
from ..kernels import codes
from .device_math import sigmoid
from .launch import REDUCE_THREADS

EPS = 1e-7
# A regression loss reports MAE or, on classes, accuracy (engine/refmath.py::metric).
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
NO_METRIC, ACCURACY, MEAN_ABSOLUTE_ERROR = range(3)
codes.check(
    globals(),
    vocabulary,
    "SQUARED_ERROR SUM_SQUARED_ERROR MSE MAE BINARY_CROSSENTROPY CATEGORICAL_CROSSENTROPY "
    "SPARSE_CATEGORICAL_CROSSENTROPY HINGE MULTICLASS_HINGE VALUE NO_METRIC ACCURACY MEAN_ABSOLUTE_ERROR",
)


@cuda.jit(device=True)
def _put(g, i, d, assign):
    if assign:
        g[i] = d
    else:
        g[i] += d


@cuda.jit(device=True)
def _class_hit(v, base, Y, row, n):
    """Whether the outputs name the sample's class: one output against 0.5, several by their largest."""
    if n == 1:
        return (v[base] > 0.5) == (Y[row, 0] > 0.5)
    best = 0
    cls = 0
    for j in range(n):
        if v[base + j] > v[base + best]:
            best = j
        if Y[row, j] > Y[row, cls]:
            cls = j
    return best == cls


@cuda.jit(cache=True)
def loss_rows(b, n, code, metric, logits, v, ov, Y, order, s0, g, og, assign, lrow, hrow, failed):
    """Sample s's loss into lrow[s], its hits into hrow[s], dLoss/dv (already divided by b) into g."""
    s = cuda.grid(1)
    if failed[0] >= 0 or s >= b:
        return
    row = order[s0 + s]
    base = ov + s * n
    gb = og + s * n
    loss = 0.0
    hits = 0.0
    if code == CATEGORICAL_CROSSENTROPY or code == SPARSE_CATEGORICAL_CROSSENTROPY:
        cls = 0
        if code == SPARSE_CATEGORICAL_CROSSENTROPY:
            cls = int(Y[row, 0])
        else:
            for j in range(n):
                if Y[row, j] > Y[row, cls]:
                    cls = j
        best = 0
        for j in range(n):
            if v[base + j] > v[base + best]:
                best = j
        hits = 1.0 if best == cls else 0.0
        if logits:
            mx = v[base]
            for j in range(n):
                mx = max(mx, v[base + j])
            tot = 0.0
            for j in range(n):
                tot += math.exp(v[base + j] - mx)
            lse = mx + math.log(tot)
            tsum = 0.0
            for j in range(n):
                t = Y[row, j] if code == CATEGORICAL_CROSSENTROPY else (1.0 if j == cls else 0.0)
                tsum += t
                loss -= t * (v[base + j] - lse)
            for j in range(n):
                t = Y[row, j] if code == CATEGORICAL_CROSSENTROPY else (1.0 if j == cls else 0.0)
                _put(g, gb + j, (math.exp(v[base + j] - lse) * tsum - t) / b, assign)
        else:
            for j in range(n):
                t = Y[row, j] if code == CATEGORICAL_CROSSENTROPY else (1.0 if j == cls else 0.0)
                vv = v[base + j]
                p = min(max(vv, EPS), 1.0 - EPS)
                loss -= t * math.log(p)
                _put(g, gb + j, -t / p / b if EPS < vv < 1.0 - EPS else 0.0, assign)
    elif code == MULTICLASS_HINGE:
        cls = int(Y[row, 0])
        best = 0
        for j in range(n):
            if v[base + j] > v[base + best]:
                best = j
        hits = 1.0 if best == cls else 0.0
        active = 0.0
        for j in range(n):
            d = 0.0
            if j != cls:
                mg = v[base + j] - v[base + cls] + 1.0
                if mg > 0:
                    loss += mg
                    active += 1.0
                    d = 1.0 / b
            _put(g, gb + j, d, assign)
        g[gb + cls] -= active / b
    else:
        for j in range(n):
            vv = v[base + j]
            d = 0.0
            if code == VALUE:
                loss += vv
                d = 1.0 / b
            else:
                yy = Y[row, j]
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
                if code <= MAE and metric == MEAN_ABSOLUTE_ERROR:  # the regression losses
                    hits += abs(diff)
            _put(g, gb + j, d, assign)
        if code <= MAE and metric == ACCURACY:
            hits = 1.0 if _class_hit(v, base, Y, row, n) else 0.0
    lrow[s] = loss
    hrow[s] = hits


def metric_scale(code: int, metric: int, b: int, n: int) -> float:
    """What the summed hits are divided by: elements for per-output metrics, samples for per-sample ones."""
    if code == VALUE:
        return 0.0
    if code == BINARY_CROSSENTROPY or code == HINGE or (code <= MAE and metric == MEAN_ABSOLUTE_ERROR):
        return 1.0 / (b * n)
    return 1.0 / b


@cuda.jit(cache=True)
def finish_loss(b, lrow, hrow, lscale, hscale, losses, metrics, k, failed):
    """One block: losses[k] = lscale * sum(lrow[:b]), metrics[k] = hscale * sum(hrow[:b])."""
    if failed[0] >= 0:
        return
    sl = cuda.shared.array(REDUCE_THREADS, float64)
    sh = cuda.shared.array(REDUCE_THREADS, float64)
    i = cuda.threadIdx.x
    al = 0.0
    ah = 0.0
    for s in range(i, b, REDUCE_THREADS):
        al += lrow[s]
        ah += hrow[s]
    sl[i] = al
    sh[i] = ah
    cuda.syncthreads()
    step = REDUCE_THREADS // 2
    while step > 0:
        if i < step:
            sl[i] += sl[i + step]
            sh[i] += sh[i + step]
        cuda.syncthreads()
        step //= 2
    if i == 0:
        losses[k] = sl[0] * lscale
        metrics[k] = sh[0] * hscale
