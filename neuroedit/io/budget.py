"""How many bytes of arrays a document can need: the bound on `weights.npz` and `optimizer.npz`.

Load refuses a member declaring more before decompressing it; save applies the same bound, so
every file that saves also loads. Nodes whose shapes cannot be inferred (a graph being edited)
may keep weights of any shape, up to a fixed allowance.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.analysis import analyze
from ..model.document import Document
from ..untrusted.zips import MiB

UNSHAPED_WEIGHT_BYTES = 64 * MiB
_ITEM_BYTES = 8  # float64, the widest dtype a weight or an optimizer counter may have
_ARRAY_OVERHEAD = 1024  # a .npy header and its zip records, with a generous name
_FIXED_OVERHEAD = 64 * 1024
_OPTIMIZER_SLOTS = 2  # the most state vectors an optimizer keeps per weight (Adam: m and v)


@dataclass(frozen=True)
class ArrayBudget:
    """Upper bounds, in bytes, on the two array members of a document's file."""

    weights: int
    optimizer: int


def array_budget(doc: Document) -> ArrayBudget:
    a = analyze(doc)
    elements = sum(w.size for specs in a.weights.values() for w in specs.values())
    arrays = sum(len(specs) for specs in a.weights.values())
    unshaped = UNSHAPED_WEIGHT_BYTES if any(node_id not in a.weights for node_id in doc.nodes) else 0
    weights = elements * _ITEM_BYTES + arrays * _ARRAY_OVERHEAD + unshaped
    return ArrayBudget(weights + _FIXED_OVERHEAD, _OPTIMIZER_SLOTS * weights + _FIXED_OVERHEAD)
