"""Metric values: a hand-worked 2x2 example (as in the lecture), scikit-learn agreement, PNG output."""

from __future__ import annotations

import math
import struct
import zlib

import numpy as np
import pytest
from sklearn import metrics as skm

from neuroedit.evaluation import classification_metrics, regression_metrics
from neuroedit.evaluation.metrics import binary_counts, rates
from neuroedit.evaluation.png import encode_png, heatmap, line_chart

# Four positives and six negatives; at threshold 0.5: TP 3, FN 1, FP 2, TN 4.
POS = [0.9, 0.8, 0.7, 0.3]
NEG = [0.6, 0.55, 0.4, 0.2, 0.1, 0.05]
Y = np.array([1] * 4 + [0] * 6)
P1 = np.array(POS + NEG)


def proba(p1: np.ndarray) -> np.ndarray:
    return np.stack([1 - p1, p1], axis=1)


def test_the_hand_worked_two_by_two_example():
    m = classification_metrics(Y, proba(P1), ["negative", "positive"])
    assert m.confusion.tolist() == [[4, 2], [1, 3]]  # [[TN, FP], [FN, TP]]
    assert m.accuracy == pytest.approx(7 / 10)
    pos = m.per_class["positive"]
    assert pos["precision"] == pytest.approx(3 / 5)  # TP / (TP + FP)
    assert pos["recall"] == pytest.approx(3 / 4)  # TP / (TP + FN), the true-positive rate
    assert pos["f1"] == pytest.approx(2 * 0.6 * 0.75 / (0.6 + 0.75))
    assert pos["support"] == 4
    assert rates(m.confusion)["fpr"] == pytest.approx(2 / 6)  # FP / (FP + TN)
    # AUC = share of (positive, negative) pairs ranked right: 6 + 6 + 6 + 3 of 24
    assert m.roc_auc == pytest.approx(21 / 24)
    fpr, tpr, _ = m.roc["positive"]
    assert fpr[0] == 0 and tpr[-1] == 1 and np.all(np.diff(fpr) >= 0)


def test_moving_the_threshold_moves_the_operating_point():
    strict = binary_counts(Y, P1, 0.75)
    assert strict.tolist() == [[6, 0], [2, 2]]
    assert rates(strict)["fpr"] == 0 and rates(strict)["recall"] == 0.5
    loose = classification_metrics(Y, proba(P1), ["n", "p"], threshold=0.25)
    assert loose.confusion.tolist() == [[3, 3], [0, 4]]
    assert loose.threshold == 0.25


def test_multiclass_agrees_with_scikit_learn():
    rng = np.random.default_rng(3)
    k, n = 4, 300
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    names = ["a", "b", "c", "d"]
    m = classification_metrics(y, p, names)
    pred = p.argmax(axis=1)
    assert np.array_equal(m.confusion, skm.confusion_matrix(y, pred))
    assert m.accuracy == pytest.approx(skm.accuracy_score(y, pred))
    f1 = skm.f1_score(y, pred, average=None)
    assert [m.per_class[c]["f1"] for c in names] == pytest.approx(f1)
    assert m.macro_avg["f1"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert m.weighted_avg["precision"] == pytest.approx(skm.precision_score(y, pred, average="weighted"))
    assert m.roc_auc["macro"] == pytest.approx(skm.roc_auc_score(y, p, multi_class="ovr", average="macro"))
    assert m.log_loss == pytest.approx(skm.log_loss(y, p))
    assert m.top_k_accuracy[3] == pytest.approx(skm.top_k_accuracy_score(y, p, k=3))
    assert m.average_precision["b"] == pytest.approx(skm.average_precision_score(y == 1, p[:, 1]))


def test_a_class_missing_from_the_split_has_no_auc_and_does_not_fail():
    y = np.array([0, 0, 1, 1])
    p = np.array([[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4]])
    m = classification_metrics(y, p, ["x", "y", "z"])
    assert math.isnan(m.roc_auc_per_class["z"])
    # x ranks all 4 pairs right; y 3 of 4 plus a tie counted half: 3.5 / 4
    assert m.roc_auc["macro"] == pytest.approx((1.0 + 0.875) / 2)
    assert m.per_class["z"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}


def test_regression_metrics():
    t = np.array([[1.0], [2.0], [3.0], [4.0]])
    p = np.array([[1.5], [2.0], [2.0], [4.0]])
    r = regression_metrics(t, p)
    assert r.mae == pytest.approx(1.5 / 4)
    assert r.mse == pytest.approx(1.25 / 4)
    assert r.rmse == pytest.approx(math.sqrt(1.25 / 4))
    assert r.r2 == pytest.approx(skm.r2_score(t, p))
    assert r.residuals[:, 0].tolist() == [0.5, 0.0, -1.0, 0.0]


def _decode_png(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    w, h = size
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + 3 * w)
    return rows[:, 1:].reshape(h, w, 3)


def test_png_round_trip_and_plots_draw_something():
    img = np.random.default_rng(0).integers(0, 255, (7, 5, 3), dtype=np.uint8)
    assert np.array_equal(_decode_png(encode_png(img)), img)
    hm = heatmap(np.array([[4, 2], [1, 3]]))
    assert hm.shape[0] == hm.shape[1] and (hm != 255).any()
    chart = line_chart([(np.array([0, 0.5, 1]), np.array([0, 0.9, 1]))], [(255, 0, 0)], diagonal=True)
    assert ((chart == (255, 0, 0)).all(axis=2)).sum() > 100


@pytest.mark.parametrize(
    "loss, activation, spec",
    [
        ("sparse_categorical_crossentropy", "softmax", "spiral_multi:n=120"),
        ("binary_crossentropy", "sigmoid", "moons:n=120"),
        ("mse", "sigmoid", "moons:n=120"),
        ("hinge", "tanh", "moons:n=120"),
    ],
)
def test_the_evaluation_loss_is_the_loss_training_reports(loss, activation, spec):
    """One forward pass: the mean per-sample loss plus the L1/L2 penalty equals Network.evaluate's loss."""
    import neuroedit.api as ne
    from neuroedit.api.bridge import graph_spec
    from neuroedit.api.data import load_training_data
    from neuroedit.evaluation.evaluate import evaluate_data

    data = load_training_data(graph_spec(ne.Sequential([ne.Input((2,)), ne.Dense(1)], loss="mse").document), spec)
    classes = data.dataset.num_classes
    units = classes if loss.startswith("sparse") else 1
    net = ne.Sequential(
        [ne.Input((2,)), ne.Dense(6, activation="tanh", l2=0.01), ne.Dense(units, activation=activation)],
        loss=loss,
        seed=2,
    )
    net.document.set_dataset({"spec": spec})
    graph = graph_spec(net.document)
    data = load_training_data(graph, spec)
    net.fit(*data.train, epochs=3, verbose=0)
    ev = evaluate_data(net, graph, data, "train")
    expected = net.evaluate(*data.train)[0]
    assert ev.predictions.loss == pytest.approx(expected, rel=1e-4)
    assert ev.predictions.loss_penalty > 0
