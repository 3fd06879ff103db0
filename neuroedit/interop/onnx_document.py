"""The second half of ONNX import: converted nodes folded, laid out and made into a Document.

`PendingNode` is a node before it enters the document, so folding patterns
(Dense + activation) stays a matter of editing plain records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..model import LOSSES, REGISTRY, SETTINGS_BY_NAME, Document, EditError, analyze
from ..model.layout import STEP_X, layered_positions
from .errors import InteropError
from .onnx_export import META_LOGITS, META_LOSS, META_SETTINGS


@dataclass
class PendingNode:
    id: str
    type: str
    params: dict[str, Any]
    inputs: list[str]
    shape: tuple[int, ...]
    weights: dict[str, np.ndarray] = field(default_factory=dict)


def fuse_activations(nodes: dict[str, PendingNode], output_id: str) -> str:
    """Dense(linear) → Activation becomes one Dense (keeping the Dense's id) when nothing else reads the
    Dense output; returns the output's id afterwards."""
    for act in list(nodes.values()):
        if act.type != "Activation" or act.id not in nodes:
            continue
        src = nodes[act.inputs[0]]
        readers = [n for n in nodes.values() if src.id in n.inputs]
        if src.type != "Dense" or src.params["activation"] != "linear" or len(readers) != 1 or src.id == output_id:
            continue
        name = act.params["activation"]
        if (
            (name == "leaky_relu" and not np.isclose(act.params["negative_slope"], 0.01))
            or (name == "elu" and act.params["elu_alpha"] != 1.0)
            or name == "linear"
        ):
            continue
        src.params["activation"] = name
        del nodes[act.id]
        for reader in nodes.values():
            reader.inputs = [src.id if i == act.id else i for i in reader.inputs]
        output_id = src.id if output_id == act.id else output_id
    return output_id


def assemble(nodes: dict[str, PendingNode], output_id: str, model: Any, where: str) -> Document:
    """The Document of the converted nodes: laid out, a Loss node on the output, the weights and settings."""
    meta = {p.key: p.value for p in model.metadata_props}
    out = nodes[output_id]
    act = out.params.get("activation")
    loss = (
        meta.get(META_LOSS)
        if meta.get(META_LOSS) in LOSSES
        else (
            "sparse_categorical_crossentropy"
            if act == "softmax" and out.shape[-1] > 1 and len(out.shape) == 1
            else "binary_crossentropy"
            if act == "sigmoid" and out.shape == (1,)
            else "mse"
        )
    )
    doc = Document()
    pos = layered_positions({n.id: n.inputs for n in nodes.values()})
    for n in nodes.values():
        doc.add_node(n.type, n.params, pos[n.id], n.id)
    for n in nodes.values():
        ports = [p.name for p in REGISTRY[n.type].ports_in(n.params)]
        for port, src in zip(ports, n.inputs):
            doc.connect(src, n.id, dst_port=port)
    loss_params: dict[str, Any] = {"loss": loss}
    if meta.get(META_LOGITS) == "true":
        loss_params["from_logits"] = True
    loss_id = doc.add_node("Loss", loss_params, (max(x for x, _ in pos.values()) + STEP_X, pos[output_id][1]))
    doc.connect(output_id, loss_id)
    a = analyze(doc)
    if not a.ok:
        raise InteropError(f"{where}: the imported network is not valid: " + "; ".join(str(p) for p in a.errors))
    doc.replace_weights({n.id: dict(n.weights) for n in nodes.values() if n.weights})
    _restore_settings(doc, meta.get(META_SETTINGS, ""))
    doc.description = model.doc_string or model.graph.doc_string or ""
    doc.history.clear()
    return doc


def _restore_settings(doc: Document, text: str) -> None:
    """The training settings a NeuroEdit export carried; anything unknown or invalid is left at its default."""
    try:
        settings = json.loads(text) if 0 < len(text) < 100_000 else {}
    except ValueError:
        return
    if isinstance(settings, dict):
        for name, value in settings.items():
            if name in SETTINGS_BY_NAME:
                try:
                    doc.set_setting(name, value)
                except EditError:
                    pass
