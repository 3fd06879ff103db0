"""Launch geometry shared by the kernels, sized for a real GPU or, under the simulator, for speed.

The simulator runs every GPU thread as a Python thread (about 0.2 ms each), so there
blocks hold exactly the threads needed and matrix tiles are small; the kernels are the same.
"""

from __future__ import annotations

from numba import config

SIMULATOR = bool(config.ENABLE_CUDASIM)  # type: ignore[attr-defined]
# Small grids are the point of many small layers (launches are queued without waiting): no warning per launch.
config.CUDA_LOW_OCCUPANCY_WARNINGS = False  # type: ignore[attr-defined]
# Edge of the square shared-memory tile of the matrix product (TILE x TILE threads per block).
TILE = 4 if SIMULATOR else 16
# Threads per block for element-wise and per-row kernels, and for one-block reductions.
THREADS = 32 if SIMULATOR else 256
REDUCE_THREADS = 4 if SIMULATOR else 256
# A warp: block sizes are rounded up to it on a GPU (partial warps waste the same lanes anyway).
_WARP = 1 if SIMULATOR else 32


def grid(n: int) -> tuple[int, int]:
    """(blocks, threads) covering n independent items with one thread each."""
    n = max(int(n), 1)
    threads = min(THREADS, -(-n // _WARP) * _WARP)
    return -(-n // threads), threads


def tiles(m: int, n: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """(blocks, threads) for an m x n matrix product: one thread per output element, TILE x TILE per block."""
    return (-(-max(n, 1) // TILE), -(-max(m, 1) // TILE)), (TILE, TILE)
