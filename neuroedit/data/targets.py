"""Targets in the form a loss expects, and the data-vs-Input-shape check.

`LOSS_TARGETS` comes from neuroedit/vocabulary.py, the leaf module the model reads too.
"""

from __future__ import annotations

import numpy as np

from ..vocabulary import LOSS_TARGETS
from .dataset import Dataset
from .errors import DataError


def targets_for_loss(y: np.ndarray, loss_name: str, num_classes: int) -> np.ndarray:
    """Convert stored targets (class indices, or float values) to what `loss_name` needs.

    one-hot rows for categorical_crossentropy; int64 class indices for the sparse and
    multi-class hinge losses; a 0/1 float column for binary losses (hinge maps to -1/+1
    itself); float32 columns for regression losses (one-hot for >2 classes, 0/1 for 2).
    """
    form = LOSS_TARGETS.get(loss_name)
    if form is None:
        raise DataError(f"unknown loss {loss_name!r}; known: {', '.join(LOSS_TARGETS)}")
    y = np.asarray(y)
    if form == "none":
        return y
    classes = _class_indices(y, num_classes)
    if form == "values":
        if classes is None:
            return y.astype(np.float32).reshape(y.shape[0], -1)
        if num_classes <= 2:
            return classes.astype(np.float32)[:, None]
        return _one_hot(classes, num_classes)
    if classes is None:
        raise DataError(
            f"the loss {loss_name} needs class labels, but the data set has continuous targets "
            "(regression); use squared_error, mse or mae, or a classification data set"
        )
    if form == "one_hot":
        return _one_hot(classes, max(num_classes, 2))
    if form == "class_index":
        return classes
    if num_classes > 2:
        raise DataError(
            f"the loss {loss_name} is for two classes, but the data set has {num_classes}; "
            "use sparse_categorical_crossentropy, or pick two classes with classes=A,B"
        )
    return classes.astype(np.float32)[:, None]


def _class_indices(y: np.ndarray, num_classes: int) -> np.ndarray | None:
    """Integer class indices from indices or one-hot rows; None for regression targets."""
    if num_classes <= 0:
        return None
    if y.ndim == 2 and y.shape[1] == num_classes and num_classes > 1:
        return np.argmax(y, axis=1).astype(np.int64)
    flat = y.reshape(y.shape[0]) if y.ndim == 2 and y.shape[1] == 1 else y
    if flat.ndim != 1:
        raise DataError(f"class targets of shape {y.shape} do not fit {num_classes} classes")
    return flat.astype(np.int64)


def _one_hot(classes: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((classes.shape[0], k), dtype=np.float32)
    out[np.arange(classes.shape[0]), classes] = 1.0
    return out


def format_shape(shape) -> str:
    shape = tuple(int(s) for s in shape)
    return "×".join(map(str, shape)) if len(shape) > 1 else f"({shape[0]},)" if shape else "()"


def check_input_shape(dataset: Dataset, input_shape) -> str | None:
    """None if samples fit the Input node, else a message with both shapes and how to fix it."""
    want = tuple(int(s) for s in input_shape)
    have = tuple(dataset.input_shape)
    if want == have:
        return None
    data_text = f"data samples are {format_shape(have)}"
    if len(have) == 1:
        data_text = f"data samples have {have[0]} input value{'s' if have[0] != 1 else ''}"
    head = f"{data_text} but the Input node expects {_tuple(want)}"
    flat = int(np.prod(have))
    if len(have) > 1 and int(np.prod(want)) == flat:
        return (
            f"{head}: set the Input shape to {list(have)} and add a Flatten node after it "
            f"(Flatten turns each {format_shape(have)} sample into {flat} values)"
        )
    fix = f"set the Input shape to {list(have)}"
    if len(have) > 1:
        fix += f" (and add a Flatten node before Dense layers, which then see {flat} values)"
    if dataset.feature_names and len(have) == 1:
        fix += f" (inputs: {', '.join(dataset.feature_names[:8])}{', ...' if len(dataset.feature_names) > 8 else ''})"
    return f"{head}: {fix}, or choose a data set with samples of shape {_tuple(want)}"


def _tuple(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
