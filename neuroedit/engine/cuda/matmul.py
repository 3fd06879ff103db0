"""Tiled shared-memory matrix product with the transposed variants backward needs and a fused epilogue.

Each block stages K_TILE-deep slices of A and B in shared memory; each thread keeps a
PER_THREAD x PER_THREAD block of C in registers (register blocking: one shared-memory
read feeds PER_THREAD multiply-adds).

All matrices are row-major inside flat device arrays, addressed by an offset, so the
step launcher passes the whole value buffer and no views are built per launch:

    C = alpha * op(A) @ op(B) + beta * C        op(A): m x k, op(B): k x n
    ta: A is stored k x m (A^T @ B, the weight gradient); tb: B is stored n x k (A @ B^T, the input gradient)
    sq: square A's and B's elements on load (vario_eta's per-pattern squared gradients)
    ones: op(A)'s last row is all ones, so C's last row is B's column sums (a Dense layer's
          weight and bias gradients in one launch: the bias follows the kernel in theta)
    obias >= 0: add bias[obias + j]; act >= 0: also write act(C) at `oout` (Dense + activation)
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numba import cuda, from_dtype

from .device_math import act_value
from .launch import BLOCK, K_TILE, PER_THREAD, TILE, tiles


@cache
def gemm_kernel(dtype: str):
    """The kernel for one float dtype (the tiles and the accumulators are in that dtype, like BLAS)."""
    nbtype = from_dtype(np.dtype(dtype))
    zero = np.dtype(dtype).type(0)
    one = np.dtype(dtype).type(1)

    @cuda.jit
    def gemm(
        ta, tb, sq, ones, m, n, k, a, oa, b, ob, alpha, beta, c, oc, bias, obias, act, act_alpha, out, oout, failed
    ):
        if failed[0] >= 0:
            return
        sa = cuda.shared.array((K_TILE, TILE), nbtype)  # A's slice, transposed: sa[q, i] = A[i0 + i, p0 + q]
        sb = cuda.shared.array((K_TILE, TILE), nbtype)  # sb[q, j] = B[p0 + q, j0 + j]
        acc = cuda.local.array((PER_THREAD, PER_THREAD), nbtype)
        ra = cuda.local.array(PER_THREAD, nbtype)
        rb = cuda.local.array(PER_THREAD, nbtype)
        tx = cuda.threadIdx.x
        ty = cuda.threadIdx.y
        tid = ty * BLOCK + tx
        i0 = cuda.blockIdx.y * TILE
        j0 = cuda.blockIdx.x * TILE
        for r in range(PER_THREAD):
            for s in range(PER_THREAD):
                acc[r, s] = zero
        lda = m - 1 if ones else m  # the stored A lacks the ones row
        for p0 in range(0, k, K_TILE):
            for e in range(tid, K_TILE * TILE, BLOCK * BLOCK):
                # consecutive threads read consecutive addresses: along k, or along m when A is stored k x m
                if ta:
                    q = e // TILE
                    i = e - q * TILE
                else:
                    i = e // K_TILE
                    q = e - i * K_TILE
                row = i0 + i
                p = p0 + q
                v = zero
                if row < m and p < k:
                    if ones and row == m - 1:
                        v = one
                    else:
                        v = a[oa + p * lda + row] if ta else a[oa + row * k + p]
                        if sq:
                            v = v * v
                sa[q, i] = v
                if tb:  # B stored n x k: along k; otherwise along n
                    j = e // K_TILE
                    q = e - j * K_TILE
                else:
                    q = e // TILE
                    j = e - q * TILE
                col = j0 + j
                p = p0 + q
                v = zero
                if col < n and p < k:
                    v = b[ob + col * k + p] if tb else b[ob + p * n + col]
                    if sq:
                        v = v * v
                sb[q, j] = v
            cuda.syncthreads()
            for q in range(K_TILE):
                for r in range(PER_THREAD):
                    ra[r] = sa[q, ty * PER_THREAD + r]
                    rb[r] = sb[q, tx * PER_THREAD + r]
                for r in range(PER_THREAD):
                    for s in range(PER_THREAD):
                        acc[r, s] += ra[r] * rb[s]
            cuda.syncthreads()
        for r in range(PER_THREAD):
            row = i0 + ty * PER_THREAD + r
            for s in range(PER_THREAD):
                col = j0 + tx * PER_THREAD + s
                if row < m and col < n:
                    i = oc + row * n + col
                    v2 = alpha * acc[r, s]
                    if beta != 0:
                        v2 += beta * c[i]
                    if obias >= 0:
                        v2 += bias[obias + col]
                    c[i] = v2
                    if act >= 0:
                        out[oout + row * n + col] = act_value(act, act_alpha, c[i])

    return gemm


def launch_gemm(
    ta: bool,
    tb: bool,
    m: int,
    n: int,
    k: int,
    a,
    oa: int,
    b,
    ob: int,
    c,
    oc: int,
    failed,
    alpha: float = 1.0,
    beta: float = 0.0,
    sq: bool = False,
    ones: bool = False,
    bias=None,
    obias: int = -1,
    act: int = -1,
    act_alpha: float = 1.0,
    out=None,
    oout: int = 0,
) -> None:
    """Queue C = alpha * op(A) @ op(B) + beta * C (+ bias, + activation into `out`) on the default stream."""
    blocks, threads = tiles(m, n)
    gemm_kernel(c.dtype.name)[blocks, threads](
        ta,
        tb,
        sq,
        ones,
        m,
        n,
        k,
        a,
        oa,
        b,
        ob,
        alpha,
        beta,
        c,
        oc,
        c if bias is None else bias,
        obias,
        act,
        act_alpha,
        c if out is None else out,
        oout,
        failed,
    )
