"""Classification and regression metrics on a network's predictions, computed with scikit-learn.

Rows of every confusion matrix are true classes, columns predicted ones (scikit-learn's and the
lectures' convention). A binary classifier's positive class is class 1; its `threshold` turns the
probability of class 1 into a prediction, and moving it moves the operating point along the ROC curve.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

Curve = tuple[np.ndarray, np.ndarray, np.ndarray]  # (x, y, thresholds)


@dataclass
class ClassificationMetrics:
    classes: list[str]
    confusion: np.ndarray  # (K, K) counts, rows = true class, columns = predicted
    accuracy: float
    per_class: dict[str, dict[str, float]]  # {name: {precision, recall, f1, support}}
    macro_avg: dict[str, float]  # {precision, recall, f1}
    weighted_avg: dict[str, float]
    roc: dict[str, Curve]  # {name: (fpr, tpr, thresholds)}; binary: the positive class only
    roc_auc_per_class: dict[str, float]
    pr: dict[str, Curve]  # {name: (recall, precision, thresholds)}
    average_precision: dict[str, float]
    log_loss: float
    top_k_accuracy: dict[int, float] = field(default_factory=dict)
    threshold: float | None = None  # binary classifiers only
    complete: bool = True  # False: curves, AUC, AP, log loss and top-k not computed yet

    @property
    def binary(self) -> bool:
        return len(self.classes) == 2

    @property
    def roc_auc(self) -> float | dict:
        """A number for a binary classifier; {macro, per_class} (one-vs-rest) otherwise."""
        if self.binary:
            return next(iter(self.roc_auc_per_class.values()))
        return {"macro": _nanmean(self.roc_auc_per_class.values()), "per_class": dict(self.roc_auc_per_class)}

    @property
    def macro_average_precision(self) -> float:
        return _nanmean(self.average_precision.values())


@dataclass
class RegressionMetrics:
    mae: float
    mse: float
    rmse: float
    r2: float
    residuals: np.ndarray  # predicted - true, shape (n, outputs)
    y_true: np.ndarray
    y_pred: np.ndarray
    output_names: list[str]


def binary_counts(y_true: np.ndarray, p1: np.ndarray, threshold: float) -> np.ndarray:
    """The 2x2 confusion matrix [[TN, FP], [FN, TP]] when p1 >= threshold predicts class 1."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(y_true, (p1 >= threshold).astype(np.int64), labels=[0, 1])


def rates(confusion: np.ndarray) -> dict[str, float]:
    """Precision, recall (TPR), F1 and false-positive rate of class 1 in a 2x2 matrix (0 where undefined,
    as scikit-learn's zero_division=0)."""
    (tn, fp), (fn, tp) = confusion.tolist()
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    fpr = fp / (fp + tn) if fp + tn else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "fpr": fpr}


def predicted_classes(proba: np.ndarray, threshold: float | None = None) -> np.ndarray:
    """argmax, or for two classes p(class 1) >= threshold (0.5 by default)."""
    if proba.shape[1] == 2:
        return (proba[:, 1] >= (0.5 if threshold is None else threshold)).astype(np.int64)
    return np.argmax(proba, axis=1).astype(np.int64)


def classification_metrics(
    y_true: np.ndarray, proba: np.ndarray, classes: list[str], threshold: float | None = None, curves: bool = True
) -> ClassificationMetrics:
    """Every classification metric of the course for class indices `y_true` and probabilities `proba` (n, K);
    with `curves=False` only the matrix and the per-class table (a quick first look)."""
    from sklearn import metrics as skm

    y_true = np.asarray(y_true, dtype=np.int64).reshape(-1)
    proba = np.asarray(proba, dtype=np.float64)
    k = len(classes)
    if proba.shape != (len(y_true), k):
        raise ValueError(f"probabilities of shape {proba.shape} do not fit {len(y_true)} samples of {k} classes")
    labels = list(range(k))
    binary = k == 2
    if binary and threshold is None:
        threshold = 0.5
    y_pred = predicted_classes(proba, threshold)
    confusion = skm.confusion_matrix(y_true, y_pred, labels=labels)
    p, r, f, s = skm.precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per_class = {
        name: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
        for i, name in enumerate(classes)
    }
    # scikit-learn's `average="macro"` and `"weighted"` are these means of the per-class values; one call
    # instead of three matters for 10,000 samples
    weights = s / s.sum() if s.sum() else np.zeros(k)
    averages = {
        "macro": {"precision": float(p.mean()), "recall": float(r.mean()), "f1": float(f.mean())},
        "weighted": {"precision": float(p @ weights), "recall": float(r @ weights), "f1": float(f @ weights)},
    }
    roc: dict[str, Curve] = {}
    pr: dict[str, Curve] = {}
    auc: dict[str, float] = {}
    avg_prec: dict[str, float] = {}
    accuracy = float(np.trace(confusion) / len(y_true)) if len(y_true) else math.nan
    if not curves:
        return ClassificationMetrics(
            list(classes),
            confusion,
            accuracy,
            per_class,
            averages["macro"],
            averages["weighted"],
            roc,
            auc,
            pr,
            avg_prec,
            math.nan,
            {},
            threshold if binary else None,
            complete=False,
        )
    for i in [1] if binary else labels:
        truth = (y_true == i).astype(np.int64)
        name = classes[i]
        if truth.min(initial=1) == truth.max(initial=0):  # one kind only: the curves are undefined
            auc[name] = avg_prec[name] = math.nan
            continue
        fpr, tpr, thr = skm.roc_curve(truth, proba[:, i])
        roc[name] = (fpr, tpr, thr)
        auc[name] = float(skm.auc(fpr, tpr))
        prec, rec, pthr = skm.precision_recall_curve(truth, proba[:, i])
        pr[name] = (rec, prec, pthr)
        # average_precision_score's own formula on the same curve (its step-wise sum), without recomputing it
        avg_prec[name] = float(-np.sum(np.diff(rec) * prec[:-1]))
    top_k = {
        kk: float(skm.top_k_accuracy_score(y_true, proba, k=kk, labels=labels)) for kk in (1, 3, 5) if k > 2 and kk < k
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rows not summing to 1 are normalised; that is what we want
        loss = float(skm.log_loss(y_true, np.clip(proba, 1e-15, 1.0), labels=labels)) if len(y_true) else math.nan
    return ClassificationMetrics(
        list(classes),
        confusion,
        accuracy,
        per_class,
        averages["macro"],
        averages["weighted"],
        roc,
        auc,
        pr,
        avg_prec,
        loss,
        top_k,
        threshold if binary else None,
    )


def regression_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, output_names: list[str] | None = None
) -> RegressionMetrics:
    from sklearn import metrics as skm

    t = np.asarray(y_true, dtype=np.float64).reshape(len(y_true), -1)
    p = np.asarray(y_pred, dtype=np.float64).reshape(len(y_pred), -1)
    mse = float(skm.mean_squared_error(t, p))
    r2 = float(skm.r2_score(t, p)) if len(t) >= 2 else math.nan
    names = list(output_names or []) or [f"y{i}" for i in range(t.shape[1])]
    return RegressionMetrics(float(skm.mean_absolute_error(t, p)), mse, math.sqrt(mse), r2, p - t, t, p, names)


def _nanmean(values) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(sum(finite) / len(finite)) if finite else math.nan
