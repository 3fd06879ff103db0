"""Matrix products for the compiled kernels, through NumPy's own OpenBLAS when it has one.

Numba's `np.dot` calls the OpenBLAS bundled with SciPy. NumPy's wheels bundle a newer
build that is much faster on the small products of a training step (figures in
docs/benchmarks.md, "Engine").

The kernels call two C symbols, `neuroedit_sgemm` and `neuroedit_dgemm`, with the CBLAS
signature (row-major, 64-bit sizes). At import they are bound to NumPy's ILP64 CBLAS when
its library exports it, and otherwise to compiled fallbacks with the same signature that
use `np.dot`. Kernels refer to the symbols by name, so kernels cached on disk stay valid
whichever one is bound. `NEUROEDIT_GEMM=numpy-dot` forces the fallbacks.
"""

from __future__ import annotations

import ctypes
import os

import llvmlite.binding as llvm
import numpy as np
from numba import carray, cfunc, njit, types
from threadpoolctl import threadpool_info

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112
_NAMES = {"s": ("scipy_cblas_sgemm64_", "cblas_sgemm64_"), "d": ("scipy_cblas_dgemm64_", "cblas_dgemm64_")}


def _signature(real):
    i32, i64, ptr = types.int32, types.int64, types.CPointer(real)
    return types.void(i32, i32, i32, i64, i64, i64, real, ptr, i64, ptr, i64, real, ptr, i64)


def _external(name: str, real) -> types.ExternalFunction:
    """The kernels' view of a gemm: pointers are passed as integers (`array.ctypes.data`)."""
    i32, i64, p = types.int32, types.int64, types.intp
    return types.ExternalFunction(name, types.void(i32, i32, i32, i64, i64, i64, real, p, i64, p, i64, real, p, i64))


@njit(cache=True)
def _product(ta, tb, m, n, k, a, b):
    """op(A) @ op(B) for packed row-major operands (leading dimension = row length)."""
    if ta == NO_TRANS and tb == NO_TRANS:
        return np.dot(carray(a, (m, k)), carray(b, (k, n)))
    if ta == NO_TRANS:
        return np.dot(carray(a, (m, k)), carray(b, (n, k)).T)
    if tb == NO_TRANS:
        return np.dot(carray(a, (k, m)).T, carray(b, (k, n)))
    return np.dot(carray(a, (k, m)).T, carray(b, (n, k)).T)


def _fallback(real):
    def gemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc):
        out = carray(c, (m, n))
        p = _product(ta, tb, m, n, k, a, b)
        if beta == 0:
            out[:, :] = alpha * p
        else:
            out[:, :] = alpha * p + beta * out

    return cfunc(_signature(real), cache=True)(gemm)


def _numpy_cblas(kind: str) -> tuple[int, str] | None:
    """Address and library of NumPy's ILP64 CBLAS gemm for 's' or 'd', if NumPy's OpenBLAS exports one."""
    for info in threadpool_info():
        if info.get("internal_api") != "openblas":
            continue
        try:
            lib = ctypes.CDLL(info["filepath"])
        except OSError:
            continue
        for name in _NAMES[kind]:
            fn = getattr(lib, name, None)
            address = ctypes.cast(fn, ctypes.c_void_p).value if fn is not None else None
            if address is not None:
                return address, f"{os.path.basename(info['filepath'])} (OpenBLAS {info.get('version')})"
    return None


def _bind() -> str:
    forced = os.environ.get("NEUROEDIT_GEMM", "").strip().lower() == "numpy-dot"
    found = {kind: None if forced else _numpy_cblas(kind) for kind in "sd"}
    used = []
    for kind, real in (("s", types.float32), ("d", types.float64)):
        cblas = found[kind]
        if cblas is not None:
            address, where = cblas
            used.append(where)
        else:
            address = _fallback(real).address
            used.append("np.dot (SciPy's BLAS)")
        llvm.add_symbol(f"neuroedit_{kind}gemm", address)
    return used[0] if used[0] == used[1] else f"float32: {used[0]}; float64: {used[1]}"


IMPLEMENTATION = _bind()  # where the products go, for `neuroedit info` and the tests
sgemm = _external("neuroedit_sgemm", types.float32)
dgemm = _external("neuroedit_dgemm", types.float64)
