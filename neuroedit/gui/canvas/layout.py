"""Auto-layout: columns by topological depth, left to right, rows ordered to keep wires short."""

from __future__ import annotations

from ...model import Document, analyze

COLUMN = 240.0
ROW = 150.0


def auto_layout(doc: Document) -> dict[str, tuple[float, float]]:
    """New positions for every node: depth = longest path from a source; each column centred on y = 0."""
    order = analyze(doc).order
    placed = set(order)
    order += [n for n in doc.nodes if n not in placed]
    preds: dict[str, list[str]] = {n: [] for n in doc.nodes}
    for e in doc.edges:
        if e.src in preds and e.dst in preds:
            preds[e.dst].append(e.src)
    depth: dict[str, int] = {}
    for n in order:
        depth[n] = 1 + max((depth[p] for p in preds[n] if p in depth), default=-1)
    columns: dict[int, list[str]] = {}
    for n in order:
        columns.setdefault(depth[n], []).append(n)
    y: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    for d in sorted(columns):
        nodes = columns[d]
        # barycentre of the predecessors' rows, then the old vertical order, breaks ties
        nodes.sort(
            key=lambda n: (
                sum(y[p] for p in preds[n] if p in y) / max(1, len([p for p in preds[n] if p in y]))
                if any(p in y for p in preds[n])
                else doc.nodes[n].pos[1],
                doc.nodes[n].pos[1],
            )
        )
        top = -(len(nodes) - 1) * ROW / 2
        for i, n in enumerate(nodes):
            y[n] = top + i * ROW
            positions[n] = (d * COLUMN, y[n])
    return positions
