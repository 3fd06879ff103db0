"""Backpropagation agrees with central finite differences for every node type and loss (float64)."""

from __future__ import annotations

import numpy as np
import pytest
from cases import CUDA_GRADCHECK_CASES, all_cases, reduced_for_cuda, spec

from neuroedit.engine import make_backend

CASES = all_cases()


def _numeric_gradient(b, X, Y, coords, h=1e-6):
    g = np.zeros(len(coords))
    for k, i in enumerate(coords):
        old = b.theta[i]
        b.theta[i] = old + h
        up = b.gradients(X, Y)[0]
        b.theta[i] = old - h
        down = b.gradients(X, Y)[0]
        b.theta[i] = old
        g[k] = (up - down) / (2 * h)
    return g


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_gradients_match_finite_differences(case, backend):
    name, doc, x, y = case
    reduced_for_cuda(name, backend, CUDA_GRADCHECK_CASES)
    b = make_backend(backend, spec(doc), "float64", seed=3)
    X, Y = b.pack_inputs(x), b.pack_targets(y, len(b.pack_inputs(x)))
    # every weight; on the CUDA simulator (two passes per weight, slow) every third one
    coords = np.arange(0, b.theta.size, 3 if backend == "cuda" else 1)
    full = b.gradients(X, Y)[1]
    analytic = full[coords]
    numeric = _numeric_gradient(b, X, Y, coords)
    err = np.linalg.norm(analytic - numeric) / max(np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-12)
    if name in ("dense-step", "dense-sign"):
        # zero gradient almost everywhere: only the output layer learns
        assert np.linalg.norm(full[: spec(doc).op("h").weights["kernel"][0][0] * 3]) == 0
    assert err < 1e-6, f"{name}: relative error {err:.2e}"
