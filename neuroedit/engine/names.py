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
    "ONE_HOT_LOSSES",
    "OPTIMIZERS",
    "SCHEDULES",
    "activation_alpha",
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


def metric_name(loss: str) -> str | None:
    """`accuracy` for classification losses, `mae` for regression, None for the `value` objective."""
    if loss in CLASSIFICATION_LOSSES:
        return "accuracy"
    if loss == "value":
        return None
    return "mae"
