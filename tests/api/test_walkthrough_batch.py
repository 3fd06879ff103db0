"""Mini-batches: sample by sample forward and backward, the batch-mean loss, gradients summed over the batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_walkthrough_graphs import evaluate

from neuroedit.api.bridge import graph_spec
from neuroedit.api.session import fitting_weights
from neuroedit.api.walkthrough import WalkthroughError, walkthrough
from neuroedit.engine import make_backend
from neuroedit.io import load

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _consistent(w) -> int:
    checked = 0
    for step in w.steps:
        for f in step.formulas:
            for side in f.sides[:-1]:
                v = evaluate(side)
                if v is not None:
                    assert v == pytest.approx(f.value, rel=1e-9, abs=1e-12), (step.title, f.text())
                    checked += 1
    return checked


@pytest.mark.parametrize(
    "name, indices", [("xor", [0, 1, 2, 3]), ("weather", [4, 0, 7]), ("xor_single_neuron", [3, 1])]
)
def test_batch_step_matches_one_engine_training_step(name, indices):
    doc = load(SAMPLES / f"{name}.nedit")
    w = walkthrough(doc, sample=indices)
    assert w.batch == len(indices) and _consistent(w) > 0
    # independent check: the reference backend trains one step on the same batch
    graph = graph_spec(doc)
    b = make_backend("reference", graph, "float64", int(doc.settings["seed"]), fitting_weights(doc, graph))
    X = b.pack_inputs(w.inputs["input_1"])
    Y = b.pack_targets(w.target, len(X))
    r = b.train(X, Y, np.arange(len(X)), np.array([0, len(X)]), np.array([w.learning_rate]))
    assert r.losses[0] == pytest.approx(w.loss)
    for node, arrays in b.get_weights().items():
        for k, v in arrays.items():
            np.testing.assert_allclose(w.nodes[node].params[k].new, v, rtol=1e-12)


def test_batch_structure_xor():
    w = walkthrough(load(SAMPLES / "xor.nedit"), sample=[0, 1, 2, 3])
    forward = w.phase("forward")
    samples = [s.sample for s in forward]
    assert samples == sorted(samples) and set(samples) == {0, 1, 2, 3}
    assert forward[4].title.startswith("sample 2: ")
    loss = w.phase("loss")
    assert [s.sample for s in loss] == [0, 1, 2, 3, None]
    assert loss[-1].formulas[0].text().startswith("L = (ℓ₁ + ℓ₂ + ℓ₃ + ℓ₄)/4 = (")
    assert loss[-1].formulas[0].value == pytest.approx(w.loss)
    sums = [s for s in w.phase("backward") if s.sample is None]
    assert [s.node for s in sums] == ["dense_2", "dense_1", "dense_1"]
    for s in sums:
        for f in s.formulas:
            name = f.quantity()
            node = w.nodes[s.node].params
            key = "bias" if name.startswith("dL/db") else "kernel"
            assert f.value in node[key].grad.ravel().tolist()
    # each sample's share of dL/dw of dense_2 adds up to the batch gradient
    shares = [
        f.value
        for s in w.phase("backward")
        if s.node == "dense_2" and s.sample is not None
        for f in s.formulas
        if f.quantity() == "dL/dw₁"
    ]
    assert len(shares) == 4 and sum(shares) == pytest.approx(float(w.nodes["dense_2"].params["kernel"].grad[0, 0]))
    assert all(s.sample is None for s in w.phase("update"))
    # hover per sample
    assert "z₁ = 0.955·1 + 0.737·1 + 0 = 1.692" in w.neuron_hover("dense_1", 0, sample=3)
    assert w.nodes_for(3)["input_1"].value.tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sample": []}, "mini-batch is empty"),
        ({"sample": [0, 9]}, "sample 9 does not exist"),
        ({"sample": [0, 1], "target": 1}, "fits one sample"),
    ],
)
def test_batch_errors(kwargs, message):
    with pytest.raises(WalkthroughError, match=message):
        walkthrough(load(SAMPLES / "xor.nedit"), **kwargs)


def test_batch_through_the_cli(capsys):
    from neuroedit.cli import main

    assert main(["trace", str(SAMPLES / "xor.nedit"), "--sample", "0,1,2,3", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "mini-batch of samples 0, 1, 2, 3" in out and "(ℓ₁ + ℓ₂ + ℓ₃ + ℓ₄)/4" in out
    assert "weight gradients summed over the batch" in out
