"""The engine's use of the course's names (neuroedit/vocabulary.py defines them and their codes)."""

from collections.abc import Mapping
from typing import Any

from ..vocabulary import (
    ACTIVATIONS,
    BINARY_LOSSES,
    CLASS_INDEX_LOSSES,
    CLASSIFICATION_LOSSES,
    INITIALIZERS,
    LOSSES,
    METRICS,
    ONE_HOT_LOSSES,
    OPTIMIZERS,
    SCHEDULES,
)

__all__ = [
    "ACTIVATIONS",
    "BINARY_LOSSES",
    "CLASSIFICATION_LOSSES",
    "CLASS_INDEX_LOSSES",
    "INITIALIZERS",
    "LOSSES",
    "METRICS",
    "ONE_HOT_LOSSES",
    "OPTIMIZERS",
    "SCHEDULES",
    "activation_alpha",
    "check_metric",
    "metric_name",
]


def activation_alpha(params: Mapping[str, Any]) -> float:
    """The α an activation uses: leaky_relu's negative slope, elu's α or linear's slope.

    Dense layers carry no such parameters and get the Keras defaults.
    """
    act = params.get("activation")
    if act == "leaky_relu":
        return float(params.get("negative_slope", 0.01))
    if act == "elu":
        return float(params.get("elu_alpha", 1.0))
    if act == "linear":
        return float(params.get("slope", 1.0))
    return 1.0


def metric_name(loss: str, task: str | None = None) -> str | None:
    """What a run reports beside the loss: `accuracy` for a classification loss, or for any loss on
    a classification data set (`task`, as neuroedit.data names it), `mae` for other regression,
    None for the `value` objective."""
    if loss == "value":
        return None
    if loss in CLASSIFICATION_LOSSES or task == "classification":
        return "accuracy"
    return "mae"


def check_metric(loss: str, metric: str | None) -> str | None:
    """Why `metric` cannot be reported with `loss` (None when it can).

    A classification loss defines its own accuracy; a regression loss reports accuracy (its
    outputs read as classes) or MAE; the `value` objective has no targets to compare with."""
    if metric is not None and metric not in METRICS[1:]:
        return f"unknown metric {metric!r}; known: {', '.join(METRICS[1:])}"
    if loss == "value":
        return None if metric is None else f"the value objective has no targets, so no {metric}"
    if metric is None:
        return f"the loss {loss} needs a metric ({', '.join(METRICS[1:])})"
    if loss in CLASSIFICATION_LOSSES and metric != "accuracy":
        return f"the loss {loss} is a classification loss: its metric is accuracy, not {metric}"
    return None
