"""The data a document trains on: load its data-set spec and shape the targets for its loss."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.spec import GraphSpec, size_of


class DataProblem(ValueError):
    """The data cannot feed this network; the message says why and how to fix it."""


@dataclass
class TrainingData:
    train: tuple[np.ndarray, Any]
    val: tuple[np.ndarray, Any] | None
    test: tuple[np.ndarray, Any] | None
    spec: str
    task: str
    dataset: Any


def document_spec(doc, override: str | None = None) -> str:
    spec = override or (doc.dataset.get("spec") if isinstance(doc.dataset, dict) else None)
    if not spec:
        raise DataProblem("the network has no data set: pass --data SPEC (e.g. --data xor)")
    return str(spec)


def load_training_data(graph: GraphSpec, spec: str, base_dir: str | None = None) -> TrainingData:
    """Load `spec` with neuroedit.data and format targets for the graph's loss."""
    from .. import data as nd

    try:
        ds = nd.load(spec, base_dir)
    except nd.DataError as e:
        raise DataProblem(str(e)) from None
    if len(graph.input_ids) == 1:
        problem = nd.check_input_shape(ds, graph.op(graph.input_ids[0]).output_shape)
        if problem:
            raise DataProblem(problem)
    else:
        want = sum(graph.op(i).size for i in graph.input_ids)
        if size_of(tuple(ds.input_shape)) != want:
            raise DataProblem(
                f"data samples have {size_of(tuple(ds.input_shape))} values but the network's "
                f"{len(graph.input_ids)} Input nodes take {want} together"
            )
    loss = graph.loss_name

    def split(pair):
        x, y = pair
        if len(x) == 0:
            return None
        try:
            return x, (None if loss == "value" else nd.targets_for_loss(y, loss, ds.num_classes))
        except nd.DataError as e:
            raise DataProblem(str(e)) from None

    train = split(ds.train)
    if train is None:
        raise DataProblem(f"the data set {spec} has no training samples")
    return TrainingData(
        train, split(ds.val), split(ds.test), ds.canonical if hasattr(ds, "canonical") else spec, ds.task, ds
    )
