"""The weights the views should show: the running training session's, else the document's."""

from __future__ import annotations

import numpy as np


def live_weights(window) -> dict[str, dict[str, np.ndarray]]:
    """A copy of the current weights: live while training runs (read between steps), else the document's."""
    training = getattr(window, "training", None)
    session = getattr(training, "session", None) if training is not None else None
    if session is not None:
        return session.backend.get_weights()
    return {op: {k: np.array(v, np.float64) for k, v in arrays.items()} for op, arrays in window.doc.weights.items()}


def base_dir(window) -> str | None:
    from pathlib import Path

    path = getattr(window.files, "path", None)
    return str(Path(path).resolve().parent) if path else None
