"""Where every neuron, bias and weight line of the neuron view goes: plain geometry, no Qt.

Nodes are placed in columns by depth (longest path from an input), each node a stack of
circles (one per output element). Layers wider than `MAX_SHOWN` show their first
`PREVIEW` neurons and a "… N more" glyph. Every Dense layer with a bias gets an always-on
"1" node in its input's column, so the bias reads as the weight w₀ of the slides.
`drawn_size` counts what a layout would draw without building it, so a graph too big to read
as neurons costs next to nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ...model import Document, analyze

MAX_SHOWN = 12
PREVIEW = 5
COLUMN_WIDTH = 250.0
NARROW_COLUMN = 150.0
ROW_HEIGHT = 62.0
NODE_GAP = 46.0
RADIUS = 20.0
LABEL_SPACE = 26.0  # room for a node's name above its first circle

# What a circle of a node type shows when it has no number yet (ops show their operation).
OP_SYMBOLS = {
    "OpAdd": "+",
    "OpSubtract": "−",
    "OpMultiply": "×",
    "OpMax": "max",
    "OpSquare": "x²",
    "Add": "+",
    "Concatenate": "‖",
    "Flatten": "⇉",
    "Dropout": "drop",
    "BatchNorm": "BN",
    "PReLU": "PReLU",
}
ACTIVATION_SYMBOLS = {
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "ReLU",
    "linear": "z",
    "softmax": "soft",
    "leaky_relu": "LReLU",
    "swish": "swish",
    "selu": "SELU",
    "step": "step",
    "sign": "sgn",
}


@dataclass
class NodeGlyphs:
    """One node of the graph as a stack of circles."""

    node: str
    type: str
    size: int  # output elements (1 for the loss)
    shown: list[int]  # flat element indices that get a circle
    hidden: int  # elements summarised by the "… N more" glyph
    x: float
    ys: list[float]  # one y per shown element
    more_y: float | None  # where the summary glyph sits
    symbol: str  # drawn inside a circle without a number

    @property
    def top(self) -> float:
        return min(self.ys) - RADIUS if self.ys else 0.0

    @property
    def bottom(self) -> float:
        return max([*self.ys, self.more_y or -1e9]) + RADIUS


@dataclass(frozen=True)
class Link:
    """A line from one element to another; `weight` names the weight element on it (None: a plain wire)."""

    src: str  # node id, or "bias:<layer>" for the always-on input
    src_unit: int
    dst: str
    dst_unit: int
    weight: tuple[str, tuple[int, ...]] | None = None


@dataclass
class NeuronLayout:
    nodes: dict[str, NodeGlyphs] = field(default_factory=dict)
    biases: dict[str, tuple[float, float]] = field(default_factory=dict)  # layer id -> position of its "1"
    links: list[Link] = field(default_factory=list)

    def position(self, node: str, unit: int) -> tuple[float, float] | None:
        if node.startswith("bias:"):
            return self.biases.get(node[5:])
        g = self.nodes.get(node)
        if g is None or unit not in g.shown:
            return None
        return (g.x, g.ys[g.shown.index(unit)])


def bias_id(layer: str) -> str:
    return f"bias:{layer}"


def neuron_layout(doc: Document, spread: float = 1.0) -> NeuronLayout:
    """The layout of `doc` (nodes whose shape is unknown get one circle marked "?").

    `spread` widens the gaps between columns, so a wide view is filled instead of showing a tall, narrow network.
    """
    a = analyze(doc)
    order = [n for n in a.order if n in doc.nodes] + [n for n in doc.nodes if n not in a.order]
    incoming: dict[str, dict[str, str]] = {n: {} for n in doc.nodes}
    for e in doc.edges:
        incoming[e.dst][e.dst_port] = e.src
    depth: dict[str, int] = {}
    for n in order:
        depth[n] = 1 + max((depth.get(s, 0) for s in incoming[n].values()), default=-1)

    out = NeuronLayout()
    columns: dict[int, list[str]] = {}
    for n in order:
        columns.setdefault(depth[n], []).append(n)
    x = 0.0
    for d, ids in sorted(columns.items()):
        if d:  # room for weight labels in front of Dense layers; op graphs stay compact
            x += spread * (COLUMN_WIDTH if any(doc.nodes[n].type == "Dense" for n in ids) else NARROW_COLUMN)
        glyphs = [_glyphs(doc, n, a.shapes.get(n), x) for n in ids]
        height = sum(_height(g) for g in glyphs) + NODE_GAP * (len(glyphs) - 1)
        y = -height / 2
        for g in glyphs:
            g.ys = [y + RADIUS + k * ROW_HEIGHT for k in range(len(g.shown))]
            g.more_y = y + RADIUS + len(g.shown) * ROW_HEIGHT if g.hidden else None
            y += _height(g) + NODE_GAP
            out.nodes[g.node] = g

    tops: dict[float, float] = {}
    for n in order:
        node = doc.nodes[n]
        src = incoming[n].get("in")
        if node.type == "Dense" and node.params.get("use_bias", True) and src in out.nodes:
            sx = out.nodes[src].x
            top = tops.get(sx, min(g.top for g in out.nodes.values() if g.x == sx) - LABEL_SPACE)
            out.biases[n] = (sx, top - ROW_HEIGHT + RADIUS)
            tops[sx] = top - ROW_HEIGHT - LABEL_SPACE / 2
        out.links += _links(doc, n, incoming[n], out)
    return out


def drawn_size(doc: Document) -> tuple[int, int]:
    """(circles, lines) that `neuron_layout(doc)` draws, counted from the (cached) analysis in O(nodes + edges)."""
    a = analyze(doc)
    shown = {n: _shown_count(_size(node, a.shapes.get(n))) for n, node in doc.nodes.items()}
    circles, lines = sum(shown.values()), 0
    for e in doc.edges:
        if e.src not in shown or e.dst not in shown:
            continue
        dst = doc.nodes[e.dst]
        if dst.type == "Dense":
            with_bias = bool(dst.params.get("use_bias", True))
            circles += with_bias
            lines += shown[e.src] * shown[e.dst] + with_bias * shown[e.dst]
        else:
            lines += shown[e.src] if dst.type == "Loss" else shown[e.dst]
    return circles, lines


def _size(node, shape) -> int:
    """Output elements of a node (the loss and nodes of unknown shape: one circle)."""
    return math.prod(int(d) for d in shape) if shape is not None and node.type != "Loss" else 1


def _shown_count(size: int) -> int:
    return size if size <= MAX_SHOWN else PREVIEW


def _height(g: NodeGlyphs) -> float:
    return (len(g.shown) + (1 if g.hidden else 0)) * ROW_HEIGHT - (ROW_HEIGHT - 2 * RADIUS)


def _glyphs(doc: Document, node_id: str, shape, x: float) -> NodeGlyphs:
    node = doc.nodes[node_id]
    size = _size(node, shape)
    symbol = "L" if node.type == "Loss" else _symbol(node) if shape is not None else "?"
    shown = list(range(_shown_count(size)))
    return NodeGlyphs(node_id, node.type, size, shown, size - len(shown), x, [], None, symbol)


def _symbol(node) -> str:
    if node.type in ("Dense", "Activation"):
        act = str(node.params.get("activation", "linear"))
        return ACTIVATION_SYMBOLS.get(act, act[:5])
    if node.type == "Input":
        return ""
    return OP_SYMBOLS.get(node.type, node.type[:4])


def _links(doc: Document, node_id: str, sources: dict[str, str], layout: NeuronLayout) -> list[Link]:
    """The lines into `node_id`: every weight of a Dense layer, element wires for everything else."""
    dst = layout.nodes[node_id]
    node = doc.nodes[node_id]
    out: list[Link] = []
    if node.type == "Dense":
        src = layout.nodes.get(sources.get("in", ""))
        if src is not None:
            out += [Link(src.node, i, node_id, j, ("kernel", (i, j))) for j in dst.shown for i in src.shown]
        if node_id in layout.biases:
            out += [Link(bias_id(node_id), 0, node_id, j, ("bias", (j,))) for j in dst.shown]
        return out
    if node.type == "Concatenate":
        offset = 0
        for port in sorted(sources, key=_port_number):
            src = layout.nodes.get(sources[port])
            if src is None:
                continue
            out += [Link(src.node, i, node_id, offset + i) for i in src.shown if offset + i in dst.shown]
            offset += src.size
        return out
    weights = {"PReLU": "alpha", "BatchNorm": "gamma"}.get(node.type)
    for port in sorted(sources, key=_port_number):
        src = layout.nodes.get(sources[port])
        if src is None:
            continue
        for j in dst.shown:
            i = j % src.size if node.type != "Loss" else None
            if node.type == "Loss":
                out += [Link(src.node, k, node_id, 0) for k in src.shown]
                break
            if i in src.shown:
                w = (weights, (j,)) if weights and _has_weight(doc, node_id, weights, j) else None
                out.append(Link(src.node, i, node_id, j, w))
    return out


def _has_weight(doc: Document, node_id: str, name: str, j: int) -> bool:
    a = doc.weights.get(node_id, {}).get(name)
    return a is not None and np.ndim(a) == 1 and j < np.shape(a)[0]


def _port_number(port: str) -> tuple[int, str]:
    """in_1 < in_2 < ... < in_10; x before y."""
    digits = "".join(c for c in port if c.isdigit())
    return (int(digits) if digits else 0, port)
