"""One evaluation of a document's network on one split: predictions plus metrics (shared by CLI and editor)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..api.bridge import GraphProblem, graph_spec
from ..api.data import DataProblem, document_spec, load_training_data
from ..api.network import Network
from .metrics import (
    ClassificationMetrics,
    RegressionMetrics,
    classification_metrics,
    regression_metrics,
)
from .predictions import EvaluationProblem, Predictions, predict_split


@dataclass
class Evaluation:
    predictions: Predictions
    metrics: ClassificationMetrics | RegressionMetrics
    seconds: float  # prediction and metrics, data loading excluded

    @property
    def classification(self) -> bool:
        return isinstance(self.metrics, ClassificationMetrics)


def evaluate_document(
    doc,
    data_spec: str | None = None,
    split: str = "test",
    base_dir: str | None = None,
    threshold: float | None = None,
    device: str = "cpu",
) -> Evaluation:
    """Load the document's data set (or `data_spec`) and evaluate its network; one-line errors as
    EvaluationProblem. The network gets fresh initial weights where the document has none."""
    try:
        graph = graph_spec(doc)
        data = load_training_data(graph, document_spec(doc, data_spec), base_dir)
    except (GraphProblem, DataProblem) as e:
        raise EvaluationProblem(str(e)) from None
    network = Network(doc)
    network.device = device
    return evaluate_data(network, graph, data, split, threshold)


def evaluate_data(
    network: Network,
    graph,
    data,
    split: str = "test",
    threshold: float | None = None,
    first_look: Callable[[Evaluation], None] | None = None,
) -> Evaluation:
    """Predict and compute every metric. A classifier's matrix and per-class table are ready well before
    its ROC and PR curves: `first_look` receives them first (the editor shows them at once)."""
    started = time.perf_counter()
    try:
        pred = predict_split(network, graph, data, split)
    except ValueError as e:  # EngineError and friends: shapes that do not fit
        if isinstance(e, EvaluationProblem):
            raise
        raise EvaluationProblem(str(e)) from None
    if first_look is not None and pred.task == "classification":
        first_look(Evaluation(pred, metrics_of(pred, threshold, curves=False), time.perf_counter() - started))
    return Evaluation(pred, metrics_of(pred, threshold), time.perf_counter() - started)


def metrics_of(
    pred: Predictions, threshold: float | None = None, curves: bool = True
) -> ClassificationMetrics | RegressionMetrics:
    if pred.task == "classification":
        assert pred.proba is not None
        return classification_metrics(pred.y_true, pred.proba, pred.class_names, threshold, curves)
    return regression_metrics(pred.y_true, pred.outputs, pred.output_names)
