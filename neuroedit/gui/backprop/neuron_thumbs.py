"""Which neuron of the neuron view shows which heat map over the 2-D input plane (the TensorFlow Playground look).

Training probes the network on a grid over the input plane (`probes.Boundary`): every small
layer's units, and the output. Here those maps become one picture per neuron circle: the inputs
show x₁ and x₂ themselves, hidden units their activation, a single output unit the network's answer,
the units of a small multi-unit output (softmax) their class's probability (or score).
Every map is a value in [0, 1] per grid point for the shared diverging colour map.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QPixmap

from ..heatmap import diverging, signed_unit, to_pixmap
from .neuron_layout import NeuronLayout

HEAT_LEGEND = (
    "The picture: this neuron's output over the input plane (x₁ to the right, x₂ up) at the latest\n"
    "training update: orange < 0 < blue, white 0, scaled to its largest |value|\n"
    "(the single output of a classifier: its probability of class 1, white at 0.5)."
)


def unit_maps(doc, layout: NeuronLayout, plane, boundary) -> dict[tuple[str, int], np.ndarray]:
    """(node, unit) -> a (GRID, GRID) map in [0, 1], row 0 at the bottom of the plane, for every drawn neuron that has one.

    `plane` is a probes.Plane (None: no 2-D input) and `boundary` the latest probes.Boundary (None: nothing
    probed yet, e.g. before training or after Reset); without both, no neuron gets a map.
    """
    if plane is None or boundary is None:
        return {}
    out: dict[tuple[str, int], np.ndarray] = {}
    inputs = [g for g in layout.nodes.values() if g.type == "Input" and g.size == 2]
    if len(inputs) == 1:
        grid = plane.grid()
        side = round(np.sqrt(len(grid)))
        for unit in inputs[0].shown:
            out[(inputs[0].node, unit)] = signed_unit(grid[:, unit].reshape(side, side))
    for node, maps in boundary.neurons.items():
        g = layout.nodes.get(node)
        if g is not None and g.size == len(maps):
            out.update({(node, unit): signed_unit(maps[unit]) for unit in g.shown})
    output = _output_node(doc)
    g = layout.nodes.get(output) if output is not None else None
    if g is not None and g.size == 1 and boundary.classes is None and output not in boundary.neurons:
        value = np.asarray(boundary.value, float)
        out[(output, 0)] = np.clip(value, 0.0, 1.0) if plane.task == "classification" else signed_unit(value)
    return out


def thumbnail(t: np.ndarray) -> QPixmap:
    """One pixel per grid point; the neuron item scales it smoothly to its circle."""
    return to_pixmap(diverging(t))


def _output_node(doc) -> str | None:
    """The node that feeds the loss: its value is what `Boundary.value` maps."""
    return next((e.src for e in doc.edges if e.dst in doc.nodes and doc.nodes[e.dst].type == "Loss"), None)
