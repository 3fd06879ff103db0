"""The training engine: NumPy reference math, a Numba tape interpreter, optimizers and the trainer.

Takes a plain `GraphSpec` (see spec.py), never the document. Importing this
package does not import Numba; `make_backend("numba", ...)` does.
"""

from __future__ import annotations

from .backend import Backend, EngineError, RunResult
from .spec import GraphError, GraphSpec, OpSpec

BACKENDS = ("reference", "numba", "cuda")


def make_backend(kind: str, graph: GraphSpec, dtype: str = "float32", seed: int = 0, weights=None) -> Backend:
    """A backend by name: "reference" (NumPy, op by op), "numba" (compiled tape) or "cuda" (the tape on a GPU)."""
    if kind == "reference":
        from .reference import ReferenceBackend

        return ReferenceBackend(graph, dtype, seed, weights)
    if kind == "numba":
        from .numba_backend import NumbaBackend

        return NumbaBackend(graph, dtype, seed, weights)
    if kind == "cuda":
        from .cuda.backend import CudaBackend

        return CudaBackend(graph, dtype, seed, weights)
    raise EngineError(f"unknown backend {kind!r}; choose one of {', '.join(BACKENDS)}")


__all__ = ["BACKENDS", "Backend", "EngineError", "GraphError", "GraphSpec", "OpSpec", "RunResult", "make_backend"]
