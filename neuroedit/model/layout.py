"""Left-to-right positions for a graph built without the canvas (ONNX import, the functional API)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

STEP_X, STEP_Y = 220.0, 150.0


def layered_positions(inputs: Mapping[str, Sequence[str]]) -> dict[str, tuple[float, float]]:
    """Each node in the column of its longest path from a source, the nodes of a column centred on y = 0.

    `inputs` maps every node to the nodes feeding it and lists the nodes in topological order.
    """
    depth: dict[str, int] = {}
    for node, sources in inputs.items():
        depth[node] = 1 + max((depth[s] for s in sources), default=-1)
    columns: dict[int, list[str]] = {}
    for node, d in depth.items():
        columns.setdefault(d, []).append(node)
    return {
        node: (d * STEP_X, (row - (len(nodes) - 1) / 2) * STEP_Y)
        for d, nodes in columns.items()
        for row, node in enumerate(nodes)
    }
