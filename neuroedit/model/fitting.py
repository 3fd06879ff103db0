"""Which stored weight arrays still fit the graph.

A structural edit (more units, another input size) leaves the old arrays in the document
until the network is re-initialised. They must not reach a backend, a training run's
result or a saved file, which would then fail to load.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .analysis import analyze

if TYPE_CHECKING:
    from .document import Document


def fitting_weights(
    doc: Document, weights: Mapping[str, Mapping[str, np.ndarray]] | None = None, keep_unshaped: bool = False
) -> dict[str, dict[str, np.ndarray]]:
    """The arrays of `weights` (default: the document's) whose node exists and declares a weight of that
    name and shape.

    keep_unshaped: also keep every array of a node whose shapes cannot be inferred while the network
    has errors, so that saving it loses nothing.
    """
    specs = analyze(doc).weights
    out: dict[str, dict[str, np.ndarray]] = {}
    for node_id, arrays in (doc.weights if weights is None else weights).items():
        if node_id not in doc.nodes:
            continue
        known = specs.get(node_id)
        for name, array in arrays.items():
            fits = keep_unshaped if known is None else (name in known and np.shape(array) == tuple(known[name].shape))
            if fits:
                out.setdefault(node_id, {})[name] = array
    return out
