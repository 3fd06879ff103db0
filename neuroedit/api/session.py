"""One training run of a Document: the shared code path of the GUI, the CLI and the Python API.

It turns the document into a GraphSpec and a backend (weights and optimizer state
from the document where they fit), drives a Trainer, and writes the results back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..engine import Backend, make_backend
from ..engine.devices import resolve_device
from ..engine.initializers import initial_weights
from ..engine.spec import AUTO_METRIC, GraphSpec
from ..engine.trainer import TrainConfig, Trainer
from ..model import fitting_weights as model_fitting_weights
from .bridge import graph_spec

DEFAULT_BACKEND = os.environ.get("NEUROEDIT_BACKEND", "numba")


def fitting_weights(doc, graph: GraphSpec) -> dict[str, dict[str, np.ndarray]]:
    """The document's stored weights that still fit, for the ops `graph` runs (side branches are not run)."""
    fit = model_fitting_weights(doc)
    return {op.id: {k: np.asarray(a) for k, a in fit[op.id].items()} for op in graph.ops if op.id in fit}


def ensure_weights(doc, graph: GraphSpec | None = None, seed: int | None = None) -> None:
    """Give every weight the document lacks (or whose shape changed) a fresh initial value."""
    graph = graph or graph_spec(doc)
    seed = int(doc.settings.get("seed", 0)) if seed is None else seed
    have = fitting_weights(doc, graph)
    fresh = initial_weights(graph, seed)
    merged = {op: {**fresh[op], **have.get(op, {})} for op in fresh}
    missing = any(name not in have.get(op, {}) for op, arrays in fresh.items() for name in arrays)
    if missing or set(doc.weights) - set(merged):
        doc.replace_weights(
            {
                op: {
                    k: np.asarray(v, np.float32 if doc.settings.get("dtype") != "float64" else np.float64)
                    for k, v in arrays.items()
                }
                for op, arrays in merged.items()
            }
        )


def reset_weights(doc, seed: int | None = None) -> None:
    """Fresh initial weights from the seed; the optimizer state and training history start over (Reset)."""
    doc.replace_weights({})
    doc.replace_training_results({}, {})
    ensure_weights(doc, seed=seed)


def backend_on(device: str) -> str:
    """The backend for a device request (cpu, cuda, auto): the CPU one is DEFAULT_BACKEND (NEUROEDIT_BACKEND).

    `cuda` asked explicitly under the simulator (NUMBA_ENABLE_CUDASIM=1) runs there: it is how the
    tests exercise the whole path without a GPU; `auto` never picks the simulator."""
    if resolve_device(device) == "cuda":
        return "cuda"
    return DEFAULT_BACKEND if DEFAULT_BACKEND != "cuda" else "numba"


def backend_for(doc, kind: str | None = None, graph: GraphSpec | None = None, device: str | None = None) -> Backend:
    """A backend with the document's weights (fresh ones from the seed where it has none); `device`
    (cpu, cuda or auto) picks the backend when `kind` is not given."""
    graph = graph or graph_spec(doc)
    if kind is None and device is not None:
        kind = backend_on(device)
    s = doc.settings
    return make_backend(
        kind or DEFAULT_BACKEND,
        graph,
        str(s.get("dtype", "float32")),
        int(s.get("seed", 0)),
        fitting_weights(doc, graph),
    )


def split_inputs(graph: GraphSpec, x: Any) -> Any:
    """A single (n, features) array for a graph with several Inputs is split column-wise, in input order."""
    if len(graph.input_ids) < 2 or isinstance(x, (list, tuple, Mapping)):
        return x
    a = np.asarray(x).reshape(len(x), -1)
    sizes = [graph.op(i).size for i in graph.input_ids]
    if a.shape[1] != sum(sizes):
        return x
    cuts = np.cumsum(sizes)[:-1]
    return {
        i: part.reshape((len(a), *graph.op(i).output_shape))
        for i, part in zip(graph.input_ids, np.split(a, cuts, axis=1))
    }


class TrainingSession:
    """Build once, then drive `trainer` (directly or via run_iter), then `commit()` the results."""

    def __init__(
        self,
        doc,
        x: Any,
        y: Any,
        validation: tuple[Any, Any] | None = None,
        overrides: Mapping[str, Any] | None = None,
        backend: str | None = None,
        config: TrainConfig | None = None,
        continue_history: bool = True,
        device: str | None = None,
        task: str | None = None,
        metric: str | None = AUTO_METRIC,
    ) -> None:
        """`task` is the data set's (classification data always report accuracy); `metric` chooses
        "accuracy" or "mae" for a regression loss instead (bridge.graph_spec)."""
        self.doc = doc
        if backend is None and device is not None:
            backend = backend_on(device)  # before any work: an unusable cuda is an EngineError
        self.graph = graph_spec(doc, task, metric)
        self.settings = {**doc.settings, **(overrides or {})}
        self.config = config or TrainConfig.from_settings(self.settings)
        self.backend = make_backend(
            backend or DEFAULT_BACKEND,
            self.graph,
            str(self.settings.get("dtype", "float32")),
            int(self.settings.get("seed", 0)),
            fitting_weights(doc, self.graph),
        )
        self.backend.set_optimizer(self.config.optimizer)
        if doc.optimizer_state:
            self.backend.import_optimizer_state(doc.optimizer_state)
        history = doc.training_history if continue_history and isinstance(doc.training_history, dict) else None
        if validation is not None:
            validation = (split_inputs(self.graph, validation[0]), validation[1])
        self.trainer = Trainer(
            self.backend, split_inputs(self.graph, x), y, self.config, validation, history=_history_lists(history)
        )

    def commit(self) -> None:
        """Write weights, optimizer state and history into the document (not undoable: results, not edits)."""
        dtype = np.float64 if self.backend.dtype == np.float64 else np.float32
        self.doc.replace_weights(
            {op: {k: v.astype(dtype) for k, v in arrays.items()} for op, arrays in self.backend.get_weights().items()}
        )
        self.doc.replace_training_results(
            self.backend.export_optimizer_state(), {k: list(v) for k, v in self.trainer.history.items()}
        )


def _history_lists(history: Mapping[str, Any] | None) -> dict[str, list] | None:
    if not history:
        return None
    return {k: list(v) for k, v in history.items() if isinstance(v, (list, tuple))}
