"""Where every parameter array lives in the flat parameter vectors both backends update.

Trainable arrays are packed into one vector `theta` (the optimizer works on it in one
sweep); non-trainable ones (BatchNorm running statistics) into `frozen`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .spec import GraphSpec, Shape, size_of


@dataclass(frozen=True)
class Segment:
    op_id: str
    name: str
    shape: Shape
    start: int
    stop: int


class ParamLayout:
    def __init__(self, graph: GraphSpec) -> None:
        self.trainable = self._pack(graph.trainable())
        self.frozen = self._pack(graph.frozen())
        self.n_trainable = self.trainable[-1].stop if self.trainable else 0
        self.n_frozen = self.frozen[-1].stop if self.frozen else 0
        self._by_key = {(s.op_id, s.name): (True, s) for s in self.trainable}
        self._by_key.update({(s.op_id, s.name): (False, s) for s in self.frozen})

    @staticmethod
    def _pack(items: list[tuple[str, str, Shape]]) -> list[Segment]:
        out, pos = [], 0
        for op_id, name, shape in items:
            n = size_of(shape)
            out.append(Segment(op_id, name, shape, pos, pos + n))
            pos += n
        return out

    def find(self, op_id: str, name: str) -> tuple[bool, Segment]:
        """(is_trainable, segment) of one array; KeyError if the op has no such weight."""
        return self._by_key[(op_id, name)]

    def keys(self) -> list[tuple[str, str]]:
        return list(self._by_key)

    def unpack(self, theta: np.ndarray, frozen: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
        """Copies of every array, as {op_id: {name: array}}."""
        out: dict[str, dict[str, np.ndarray]] = {}
        for flat, segs in ((theta, self.trainable), (frozen, self.frozen)):
            for s in segs:
                out.setdefault(s.op_id, {})[s.name] = flat[s.start : s.stop].reshape(s.shape).copy()
        return out

    def unpack_vector(self, flat: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
        """A trainable-sized vector (gradients, updates) as {op_id: {name: array}}."""
        out: dict[str, dict[str, np.ndarray]] = {}
        for s in self.trainable:
            out.setdefault(s.op_id, {})[s.name] = flat[s.start : s.stop].reshape(s.shape).copy()
        return out
