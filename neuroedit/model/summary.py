"""The Keras-style summary table shared by `neuroedit info`, the Summary panel and `Network.summary()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .analysis import analyze
from .nodetypes import fmt_shape

if TYPE_CHECKING:
    from .document import Document


@dataclass(frozen=True)
class SummaryRow:
    name: str
    type: str
    output_shape: str
    params: int


def summary_rows(doc: Document) -> list[SummaryRow]:
    """One row per node in data-flow order (nodes that cannot be ordered come last)."""
    a = analyze(doc)
    placed = set(a.order)
    ordered = a.order + [n for n in doc.nodes if n not in placed]
    rows = []
    for node_id in ordered:
        node = doc.nodes[node_id]
        shape = a.shapes.get(node_id)
        if node.type == "Loss":
            shape_text = "scalar" if shape is not None else "?"
        else:
            shape_text = fmt_shape(shape)
        rows.append(SummaryRow(node_id, node.type, shape_text, sum(a.param_count(node_id))))
    return rows


def format_summary(doc: Document, title: str = "") -> str:
    """The table as Keras prints it, with thousands separators in the counts."""
    rows = summary_rows(doc)
    trainable, frozen = analyze(doc).totals()
    headers = ("Layer (type)", "Output Shape", "Param #")
    cells = [(f"{r.name} ({r.type})", r.output_shape, f"{r.params:,}") for r in rows]
    w0 = max([len(headers[0])] + [len(c[0]) for c in cells]) + 2
    w1 = max([len(headers[1])] + [len(c[1]) for c in cells]) + 2
    w2 = max([len(headers[2])] + [len(c[2]) for c in cells])
    width = w0 + w1 + w2
    lines = []
    if title:
        lines.append(f'Model: "{title}"')
    lines.append("━" * width)
    lines.append(f"{headers[0]:<{w0}}{headers[1]:<{w1}}{headers[2]:>{w2}}")
    lines.append("━" * width)
    for i, c in enumerate(cells):
        lines.append(f"{c[0]:<{w0}}{c[1]:<{w1}}{c[2]:>{w2}}")
        lines.append("─" * width if i < len(cells) - 1 else "━" * width)
    if not cells:
        lines.append("(empty network)")
        lines.append("━" * width)
    lines.append(f"Total params: {trainable + frozen:,}")
    lines.append(f"Trainable params: {trainable:,}")
    lines.append(f"Non-trainable params: {frozen:,}")
    return "\n".join(lines)
