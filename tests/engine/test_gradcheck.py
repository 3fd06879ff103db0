"""Backpropagation agrees with central finite differences for every node type and loss (float64)."""

from __future__ import annotations

import numpy as np
import pytest
from cases import CUDA_GRADCHECK_CASES, all_cases, reduced_for_cuda, spec

from neuroedit.engine import make_backend

CASES = all_cases()


def _numeric_gradient(b, X, Y, h=1e-6):
    g = np.zeros_like(b.theta)
    for i in range(b.theta.size):
        old = b.theta[i]
        b.theta[i] = old + h
        up = b.gradients(X, Y)[0]
        b.theta[i] = old - h
        down = b.gradients(X, Y)[0]
        b.theta[i] = old
        g[i] = (up - down) / (2 * h)
    return g


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_gradients_match_finite_differences(case, backend):
    name, doc, x, y = case
    reduced_for_cuda(name, backend, CUDA_GRADCHECK_CASES)
    b = make_backend(backend, spec(doc), "float64", seed=3)
    X, Y = b.pack_inputs(x), b.pack_targets(y, len(b.pack_inputs(x)))
    analytic = b.gradients(X, Y)[1]
    numeric = _numeric_gradient(b, X, Y)
    err = np.linalg.norm(analytic - numeric) / max(np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-12)
    if name in ("dense-step", "dense-sign"):
        # zero gradient almost everywhere: only the output layer learns
        assert np.linalg.norm(analytic[: spec(doc).op("h").weights["kernel"][0][0] * 3]) == 0
    assert err < 1e-6, f"{name}: relative error {err:.2e}"
