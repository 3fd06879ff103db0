"""Which loss fits a data set and the network's output: what a newly dropped Loss node starts with.

Binary cross-entropy for two classes and one output unit, sparse categorical cross-entropy
for K classes, mean squared error for regression. An output that is not a probability
(no sigmoid/softmax) is compared "from logits", so the loss applies the squashing itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .analysis import analyze
from .document import Document


@dataclass(frozen=True)
class LossChoice:
    loss: str
    from_logits: bool
    reason: str  # e.g. "2 classes and one sigmoid output unit"

    def params(self) -> dict[str, Any]:
        return {"loss": self.loss, "from_logits": self.from_logits}


def choose_loss(
    task: str | None, num_classes: int, units: int | None = None, activation: str | None = None
) -> LossChoice | None:
    """The loss for a data set (`task`, `num_classes`) and the layer feeding the Loss (None when not connected yet).

    None when nothing is known about the data (the node keeps its declared default).
    """
    if task == "regression":
        return LossChoice("mse", False, "regression targets")
    if task != "classification":
        return None
    k = max(2, int(num_classes))
    if k == 2 and units in (None, 1):
        if activation in (None, "sigmoid"):
            unit = " and one sigmoid output unit" if activation else ""
            return LossChoice("binary_crossentropy", False, f"2 classes{unit}")
        return LossChoice(
            "binary_crossentropy", True, f"2 classes and one {activation} output unit, read as a score (from logits)"
        )
    if activation in (None, "softmax"):
        unit = f" and {units} softmax output units" if activation else ""
        return LossChoice("sparse_categorical_crossentropy", False, f"{k} classes{unit}")
    return LossChoice(
        "sparse_categorical_crossentropy",
        True,
        f"{k} classes and {units} {activation} output units, read as scores (from logits)",
    )


def loss_input(doc: Document, loss_id: str) -> tuple[int | None, str | None]:
    """(units, activation) of the node feeding `loss_id`, or (None, None) when nothing is connected."""
    edge = doc.incoming(loss_id).get("in")
    if edge is None or edge.src not in doc.nodes:
        return None, None
    shape = analyze(doc).shapes.get(edge.src)
    units = int(shape[-1]) if shape else None
    activation = doc.nodes[edge.src].params.get("activation", "linear")
    return units, str(activation)
