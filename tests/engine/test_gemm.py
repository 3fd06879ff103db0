"""The kernels' matrix products (engine/gemm.py): NumPy's OpenBLAS when it exports CBLAS, np.dot otherwise.

Both bindings must give NumPy's products in every layout the kernels use, including the
accumulating one (out += a @ b.T) and the leading dimensions of transposed operands.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from neuroedit.engine import gemm
from neuroedit.engine.kernels.matmul import SMALL_MATMUL
from neuroedit.engine.kernels.matmul import matmul as _matmul
from neuroedit.engine.kernels.matmul import matmul_nt as _matmul_nt
from neuroedit.engine.kernels.matmul import matmul_tn as _matmul_tn

SHAPES = [(3, 40, 50), (32, 784, 30), (17, 33, 29), (1, 300, 20)]  # m, k, n; all above SMALL_MATMUL
TOLERANCE = {np.float32: 2e-5, np.float64: 1e-12}


def products(dtype, m: int, k: int, n: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(kernel result, NumPy float64 reference) for each layout."""
    rng = np.random.default_rng(m * 1000 + k + n)
    a = rng.normal(size=(m, k)).astype(dtype)
    b = rng.normal(size=(k, n)).astype(dtype)
    c = rng.normal(size=(m, n)).astype(dtype)
    out = {}
    z = np.full((m, n), np.nan, dtype)
    _matmul(a, b, z)
    out["a @ b"] = (z, a.astype(float) @ b.astype(float))
    g = np.full((k, n), np.nan, dtype)
    _matmul_tn(a, c, g)
    out["a.T @ c"] = (g, a.astype(float).T @ c.astype(float))
    x = np.full((m, k), np.nan, dtype)
    _matmul_nt(c, b, x, True)
    out["c @ b.T"] = (x, c.astype(float) @ b.astype(float).T)
    acc = a.copy()
    _matmul_nt(c, b, acc, False)
    out["a + c @ b.T"] = (acc, a.astype(float) + c.astype(float) @ b.astype(float).T)
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m,k,n", SHAPES)
def test_products_match_numpy(dtype, m, k, n):
    assert m * k * n > SMALL_MATMUL
    for layout, (got, want) in products(dtype, m, k, n).items():
        scale = max(1.0, float(np.abs(want).max()))
        assert np.all(np.isfinite(got)), layout
        np.testing.assert_allclose(got, want, atol=TOLERANCE[dtype] * scale * k, rtol=0, err_msg=layout)


def numpy_exports_cblas() -> bool:
    for info in threadpool_info():
        if info.get("internal_api") == "openblas":
            lib = ctypes.CDLL(info["filepath"])
            if any(hasattr(lib, name) for name in gemm._NAMES["s"]):
                return True
    return False


def test_binding_uses_numpys_openblas_when_it_exports_cblas():
    if numpy_exports_cblas():
        assert "OpenBLAS" in gemm.IMPLEMENTATION
    else:
        assert "np.dot" in gemm.IMPLEMENTATION


FALLBACK_SCRIPT = """
import json, sys
import numpy as np
sys.path.insert(0, {tests!r})
from engine.test_gemm import products, SHAPES
from neuroedit.engine import gemm
worst = 0.0
for dtype in (np.float32, np.float64):
    for m, k, n in SHAPES:
        for got, want in products(dtype, m, k, n).values():
            worst = max(worst, float(np.abs(got - want).max() / max(1.0, np.abs(want).max()) / k))
print(json.dumps({{"implementation": gemm.IMPLEMENTATION, "worst": worst}}))
"""


@pytest.mark.slow
def test_fallback_binding_gives_the_same_products():
    """NEUROEDIT_GEMM=numpy-dot binds the compiled np.dot fallbacks (as on a NumPy without OpenBLAS)."""
    tests = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, NEUROEDIT_GEMM="numpy-dot")
    done = subprocess.run(
        [sys.executable, "-c", FALLBACK_SCRIPT.format(tests=tests)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["implementation"] == "np.dot (SciPy's BLAS)"
    assert result["worst"] < TOLERANCE[np.float32]
