"""Extra input features for 2-D sets, as in the TensorFlow Playground (x1², x1·x2, sin x1, ...)."""

from __future__ import annotations

import numpy as np

from .errors import DataError

FEATURES = {
    "x1": ("x1", lambda a, b: a),
    "x2": ("x2", lambda a, b: b),
    "x1sq": ("x1²", lambda a, b: a * a),
    "x2sq": ("x2²", lambda a, b: b * b),
    "x1x2": ("x1·x2", lambda a, b: a * b),
    "sinx1": ("sin x1", lambda a, b: np.sin(a)),
    "sinx2": ("sin x2", lambda a, b: np.sin(b)),
}


def parse_features(text: str) -> list[str]:
    names = [t.strip().lower() for t in text.split(",") if t.strip()]
    if not names:
        raise DataError("features= is empty; choose from " + ", ".join(FEATURES))
    for name in names:
        if name not in FEATURES:
            raise DataError(f"unknown feature {name!r}; choose from {', '.join(FEATURES)}")
    if len(set(names)) != len(names):
        raise DataError("features= lists a feature twice")
    return names


def expand_features(x: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """Columns computed from the two inputs of a 2-D set, in the order given."""
    if x.ndim != 2 or x.shape[1] != 2:
        raise DataError(f"features= needs a 2-D data set (2 inputs); this one has samples of shape {x.shape[1:]}")
    a, b = x[:, 0], x[:, 1]
    cols = [FEATURES[n][1](a, b) for n in names]
    return np.stack(cols, axis=1).astype(np.float32), [FEATURES[n][0] for n in names]
