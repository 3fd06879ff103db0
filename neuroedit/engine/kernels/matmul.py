"""Matrix products of the kernels: plain loops for tiny layers, BLAS (gemm.py) for the rest."""

from __future__ import annotations

import numpy as np
from numba import njit

from ..gemm import NO_TRANS, ROW_MAJOR, TRANS, dgemm, sgemm

# Below this many multiply-adds a plain loop beats a BLAS call (its fixed cost dominates tiny layers).
SMALL_MATMUL = 4096


@njit(cache=True, nogil=True)
def gemm(ta, tb, m, n, k, a, b, beta, out):
    """out = op(a) @ op(b) + beta * out for packed row-major arrays, via gemm.py's BLAS binding."""
    lda = m if ta == TRANS else k
    ldb = k if tb == TRANS else n
    if out.itemsize == 4:
        sgemm(
            ROW_MAJOR,
            ta,
            tb,
            m,
            n,
            k,
            np.float32(1.0),
            a.ctypes.data,
            lda,
            b.ctypes.data,
            ldb,
            np.float32(beta),
            out.ctypes.data,
            n,
        )
    else:
        dgemm(ROW_MAJOR, ta, tb, m, n, k, 1.0, a.ctypes.data, lda, b.ctypes.data, ldb, beta, out.ctypes.data, n)


@njit(cache=True, nogil=True)
def matmul(a, b, out):
    """out = a @ b (a: m x k, b: k x n)."""
    m, k = a.shape
    n = b.shape[1]
    if m * k * n <= SMALL_MATMUL:
        for i in range(m):
            for j in range(n):
                out[i, j] = 0.0
            for p in range(k):
                av = a[i, p]
                for j in range(n):
                    out[i, j] += av * b[p, j]
    else:
        gemm(NO_TRANS, NO_TRANS, m, n, k, a, b, 0.0, out)


@njit(cache=True, nogil=True)
def matmul_tn(a, b, out):
    """out = a.T @ b (a: m x k, b: m x n)."""
    m, k = a.shape
    n = b.shape[1]
    if m * k * n <= SMALL_MATMUL:
        for p in range(k):
            for j in range(n):
                out[p, j] = 0.0
        for i in range(m):
            for p in range(k):
                av = a[i, p]
                for j in range(n):
                    out[p, j] += av * b[i, j]
    else:
        gemm(TRANS, NO_TRANS, k, n, m, a, b, 0.0, out)


@njit(cache=True, nogil=True)
def matmul_nt(a, b, out, assign):
    """out (=|+=) a @ b.T (a: m x n, b: k x n)."""
    m, n = a.shape
    k = b.shape[0]
    if m * k * n <= SMALL_MATMUL:
        for i in range(m):
            for p in range(k):
                acc = 0.0
                for j in range(n):
                    acc += a[i, j] * b[p, j]
                if assign:
                    out[i, p] = acc
                else:
                    out[i, p] += acc
    else:
        gemm(NO_TRANS, TRANS, m, k, n, a, b, 0.0 if assign else 1.0, out)
