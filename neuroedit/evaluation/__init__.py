"""Evaluating a trained network like the course does: confusion matrix, precision/recall/F1, ROC and PR
curves with AUC, regression errors, per-sample predictions, and reports in text, Markdown, JSON and HTML.

Qt-free. The metrics are scikit-learn's (`sklearn.metrics`, imported only when a metric is computed,
so that starting the editor or the CLI stays fast).
"""

from .metrics import (
    ClassificationMetrics,
    RegressionMetrics,
    classification_metrics,
    regression_metrics,
)
from .predictions import EvaluationProblem, Predictions, predict_split

__all__ = [
    "ClassificationMetrics",
    "EvaluationProblem",
    "Predictions",
    "RegressionMetrics",
    "classification_metrics",
    "predict_split",
    "regression_metrics",
]
