"""Gradient check: backprop agrees with central differences on every training sample; a wrong derivative is flagged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from api_docs import chain_doc

from neuroedit.api.gradcheck import ABS_FLOOR, gradient_check, relative_error
from neuroedit.engine import refmath
from neuroedit.io import load

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.mark.parametrize("name, params", [("xor_single_neuron", 3), ("xor", 9), ("weather", 33), ("compute_graph", 0)])
def test_every_training_sample_passes(name, params):
    r = gradient_check(load(SAMPLES / f"{name}.nedit"), sample=0)
    weight_rows = [row for row in r.rows if row.param != "input"]
    assert len(weight_rows) == params  # every parameter element, none sampled
    assert r.ok and r.max_rel_err < 1e-6, [row for row in r.rows if row.rel_err >= 1e-6]
    assert r.sampled_notes() == []


def test_computation_graph_input_gradients_are_seeds_example_2():
    r = gradient_check(load(SAMPLES / "compute_graph.nedit"), inputs={"x": 4, "y": -2, "z": 5, "w": -1})
    got = {row.node: (row.backprop, round(row.numeric, 6)) for row in r.rows}
    assert got == {"x": (12.0, 12.0), "y": (-24.0, -24.0), "z": (-6.0, -6.0), "w": (0.0, 0.0)}


def test_a_wrong_derivative_is_flagged(monkeypatch):
    right = refmath.activation_grad

    def wrong(name, z, a, g, alpha):
        out = right(name, z, a, g, alpha)
        return out * 1.5 if name == "sigmoid" else out

    monkeypatch.setattr(refmath, "activation_grad", wrong)
    r = gradient_check(load(SAMPLES / "xor.nedit"), sample=1)
    flagged = {(row.node, row.param) for row in r.flagged}
    assert ("dense_1", "kernel") in flagged and not r.ok
    assert all(row.rel_err > 1e-4 for row in r.flagged)


def test_large_arrays_are_checked_on_a_random_subset():
    d = chain_doc(
        ("x", "Input", {"shape": [30]}),
        ("h", "Dense", {"units": 20, "activation": "tanh"}),
        ("o", "Dense", {"units": 1, "activation": "sigmoid"}),
        ("L", "Loss", {"loss": "binary_crossentropy"}),
    )
    r = gradient_check(d, inputs={"x": np.linspace(-1, 1, 30)}, target=1, max_per_array=10)
    assert r.checked[("h", "kernel")] == (10, 600)
    assert r.checked[("o", "bias")] == (1, 1)
    assert "h.kernel: 10 of 600 elements checked (random subset)" in r.sampled_notes()
    assert len({row.index for row in r.rows if (row.node, row.param) == ("h", "kernel")}) == 10
    assert r.ok


def test_relative_error():
    assert relative_error(1.0, 1.0) == 0
    assert relative_error(2.0, 1.0) == 0.5
    assert relative_error(1e-12, 0.0) == pytest.approx(1e-12 / ABS_FLOOR)  # round-off is not flagged
