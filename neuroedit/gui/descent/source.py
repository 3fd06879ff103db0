"""What a background computation needs, taken from the document in the GUI thread, and a data cache.

The document may change while a computation runs, so the GUI thread takes a snapshot
(graph, data-set spec, weights) and the worker builds the Landscape from it. Loading a
data set (an IDX file, a CSV) is the slow part; the last one loaded is kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...api.bridge import graph_spec
from ...api.data import document_spec, load_training_data
from ...api.landscape import Landscape
from ...api.session import fitting_weights, split_inputs
from ...engine.spec import GraphSpec
from .live import base_dir, live_weights

MAX_SAMPLES = 512  # curves and surfaces use a fixed random subset of the training data this large


@dataclass(frozen=True)
class Snapshot:
    graph: GraphSpec
    spec: str
    base_dir: str | None
    weights: dict[str, dict[str, np.ndarray]]
    seed: int


def snapshot(window) -> Snapshot:
    """Raises GraphProblem or DataProblem (one-line reasons) when the network cannot be evaluated."""
    doc = window.doc
    graph = graph_spec(doc)
    weights = (
        fitting_weights(doc, graph)
        if getattr(getattr(window, "training", None), "session", None) is None
        else live_weights(window)
    )
    return Snapshot(graph, document_spec(doc), base_dir(window), weights, int(doc.settings.get("seed", 0)))


class DataCache:
    """The training samples of the last data set used, subset to MAX_SAMPLES (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: Any = None
        self._data: tuple[Any, Any] | None = None

    def landscape(self, snap: Snapshot, weights: dict[str, dict[str, np.ndarray]] | None = None) -> Landscape:
        g = snap.graph
        key = (snap.spec, snap.base_dir, g.loss_name, tuple((i, g.op(i).output_shape) for i in g.input_ids))
        with self._lock:
            if key != self._key or self._data is None:
                x, y = load_training_data(g, snap.spec, snap.base_dir).train
                if len(x) > MAX_SAMPLES:
                    rows = np.sort(np.random.default_rng(0).choice(len(x), MAX_SAMPLES, replace=False))
                    x, y = x[rows], (None if y is None else y[rows])
                self._key, self._data = key, (x, y)
            x, y = self._data
        return Landscape(g, weights if weights is not None else snap.weights, split_inputs(g, x), y, snap.seed)
