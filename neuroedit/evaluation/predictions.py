"""A network's predictions on one split of its data: outputs, class probabilities, per-sample losses.

Predictions come from the public `Network.predict` (one forward pass; the loss is computed from its
outputs rather than by a second pass through `Network.evaluate`); what a classifier's outputs
mean as probabilities depends on its loss: fused softmax/sigmoid outputs already are probabilities,
raw scores (`from_logits`, hinge losses) go through softmax/sigmoid, and other outputs (e.g. a
sigmoid trained with squared error) are clipped to [0, 1] and normalised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..api.data import TrainingData
from ..api.network import Network
from ..engine.spec import GraphSpec

SPLITS = {"train": "train", "val": "val", "validation": "val", "test": "test"}
EPS = 1e-7


class EvaluationProblem(ValueError):
    """The network cannot be evaluated on this data; the message says why."""


@dataclass
class Predictions:
    task: str  # classification | regression
    split: str  # train | val | test
    x: np.ndarray  # the inputs as the network saw them
    y_true: np.ndarray  # class indices (n,) or target values (n, outputs)
    outputs: np.ndarray  # the network's outputs (n, outputs)
    sample_loss: np.ndarray  # the loss of each sample (n,), without the L1/L2 penalty
    loss_penalty: float  # the L1/L2 penalty of the weights
    class_names: list[str] = field(default_factory=list)
    proba: np.ndarray | None = None  # (n, K) class probabilities (classification)
    is_image: bool = False
    input_shape: tuple[int, ...] = ()
    feature_names: list[str] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)
    dataset: str = ""

    def __len__(self) -> int:
        return len(self.y_true)

    @property
    def loss(self) -> float:
        """The mean loss as training reports it: the samples' mean plus the L1/L2 penalty."""
        return float(self.sample_loss.mean() + self.loss_penalty) if len(self.sample_loss) else float("nan")

    @property
    def y_pred(self) -> np.ndarray:
        """Predicted class indices (argmax; class 1 at p >= 0.5 for two classes) or predicted values."""
        from .metrics import predicted_classes

        if self.proba is not None:
            return predicted_classes(self.proba)
        return self.outputs.reshape(len(self.outputs), -1)


def split_name(split: str) -> str:
    try:
        return SPLITS[split]
    except KeyError:
        raise EvaluationProblem(f"unknown split {split!r}; use train, validation or test") from None


def predict_split(
    network: Network, graph: GraphSpec, data: TrainingData, split: str = "test", batch_size: int = 1024
) -> Predictions:
    """Run `network` on one split of `data` (as `load_training_data` prepared it)."""
    split = split_name(split)
    part = {"train": data.train, "val": data.val, "test": data.test}[split]
    if part is None:
        raise EvaluationProblem(f"the data set {data.spec} has no {_split_label(split)} samples; choose another split")
    ds = data.dataset
    x, y_formatted = part
    raw_y = np.asarray(ds.splits[split][1])
    if data.task not in ("classification", "regression"):
        raise EvaluationProblem(f"the data set {data.spec} has no targets to evaluate against")
    outputs = np.asarray(network.predict(x, batch_size=batch_size), dtype=np.float64).reshape(len(x), -1)
    common: dict[str, Any] = {
        "split": split,
        "x": np.asarray(x),
        "outputs": outputs,
        "dataset": data.spec,
        "loss_penalty": penalty(network.document),
        "is_image": bool(getattr(ds, "is_image", False)),
        "input_shape": tuple(getattr(ds, "input_shape", ()) or ()),
        "feature_names": list(getattr(ds, "feature_names", []) or []),
    }
    if data.task == "classification" and int(ds.num_classes) >= 2:
        k = int(ds.num_classes)
        names = [str(c) for c in (ds.class_names or [])] or [str(i) for i in range(k)]
        y = raw_y.astype(np.int64).reshape(-1)
        proba = class_probabilities(outputs, graph, k)
        return Predictions(
            "classification",
            y_true=y,
            sample_loss=sample_losses(graph, outputs, y_formatted, proba, y),
            class_names=names[:k],
            proba=proba,
            **common,
        )
    values = raw_y.astype(np.float64).reshape(len(raw_y), -1)
    if values.shape[1] != outputs.shape[1]:
        raise EvaluationProblem(
            f"the network has {outputs.shape[1]} outputs but the targets have {values.shape[1]} values"
        )
    names = list(getattr(ds, "target_names", []) or []) or [f"y{i}" for i in range(values.shape[1])]
    return Predictions(
        "regression",
        y_true=values,
        sample_loss=sample_losses(graph, outputs, y_formatted, None, None),
        output_names=names,
        **common,
    )


def penalty(doc) -> float:
    """L1·Σ|w| + L2/2·Σw² over the kernels of layers with an l1/l2 parameter (what training adds to the loss)."""
    total = 0.0
    for node in doc.nodes.values():
        l1, l2 = float(node.params.get("l1", 0.0) or 0.0), float(node.params.get("l2", 0.0) or 0.0)
        kernel = doc.weights.get(node.id, {}).get("kernel")
        if kernel is not None and (l1 or l2):
            w = np.asarray(kernel, np.float64)
            total += l1 * np.abs(w).sum() + 0.5 * l2 * (w * w).sum()
    return total


def class_probabilities(outputs: np.ndarray, graph: GraphSpec, k: int) -> np.ndarray:
    """(n, K) probabilities from the network's outputs (see the module docstring)."""
    logits, fused = graph.loss_mode()
    raw_scores = (logits and not fused) or graph.loss_name in ("hinge", "multiclass_hinge")
    if outputs.shape[1] == 1:
        s = outputs[:, 0]
        p1 = 1.0 / (1.0 + np.exp(-s)) if raw_scores else np.clip(s, 0.0, 1.0)
        return np.stack([1.0 - p1, p1], axis=1)
    if outputs.shape[1] != k:
        raise EvaluationProblem(f"the network has {outputs.shape[1]} outputs but the data set has {k} classes")
    if raw_scores:
        z = outputs - outputs.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
    p = np.clip(outputs, 0.0, 1.0)
    total = p.sum(axis=1, keepdims=True)
    return np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / k)


def sample_losses(
    graph: GraphSpec, outputs: np.ndarray, y: Any, proba: np.ndarray | None, classes: np.ndarray | None
) -> np.ndarray:
    """Each sample's loss under the network's loss function (without the L1/L2 penalty)."""
    name = graph.loss_name
    n = len(outputs)
    if (
        name in ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy")
        and proba is not None
        and classes is not None
    ):
        return -np.log(np.clip(proba[np.arange(n), classes], EPS, 1.0))
    if name == "value" or y is None:
        return outputs.sum(axis=1)
    t = np.asarray(y, dtype=np.float64).reshape(n, -1)
    if name == "hinge":
        return np.maximum(1.0 - np.where(t > 0, 1.0, -1.0) * outputs, 0.0).mean(axis=1)
    if name == "multiclass_hinge":
        cls = t[:, 0].astype(np.int64)
        margins = outputs - outputs[np.arange(n), cls][:, None] + 1.0
        margins[np.arange(n), cls] = 0.0
        return np.maximum(margins, 0.0).sum(axis=1)
    d = outputs - t
    if name == "squared_error":
        return 0.5 * (d * d).sum(axis=1)
    if name == "sum_squared_error":
        return (d * d).sum(axis=1)
    if name == "mae":
        return np.abs(d).mean(axis=1)
    return (d * d).mean(axis=1)


def _split_label(split: str) -> str:
    return "validation" if split == "val" else split
