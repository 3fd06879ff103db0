"""The sample networks: each loads, validates clean, has the course's parameter count and is up to date."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neuroedit.io import load
from neuroedit.model import analyze

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

PARAMS = {
    "xor.nedit": 9,
    "xor_single_neuron.nedit": 3,
    "weather.nedit": 33,
    "compute_graph.nedit": 0,
    "fashion_mnist_mlp.nedit": 238_510,
    "fashion_mnist_binary.nedit": 785,
    "xor_2_3_1.nedit": 13,
    "xor_2_2_2_1.nedit": 15,
    "weather_5_inputs.nedit": 57,
    "fashion_mnist_dropout.nedit": 266_610,
    "fashion_mnist_linear.nedit": 235_801,
    "fashion_mnist_relu.nedit": 235_801,
    "spiral.nedit": 105,
    "race_ravine.nedit": 0,
    "race_rosenbrock.nedit": 0,
    "race_beale.nedit": 0,
    "race_saddle.nedit": 0,
}


def _make_samples():
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "tools" / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _state(doc):
    return {
        "nodes": [(n.id, n.type, dict(n.params), n.pos) for n in doc.nodes.values()],
        "edges": list(doc.edges),
        "settings": doc.settings,
        "dataset": doc.dataset,
        "description": doc.description,
        "weights": {k: {name: (a.dtype.str, a.tolist()) for name, a in v.items()} for k, v in doc.weights.items()},
    }


def test_every_sample_is_listed():
    assert sorted(p.name for p in SAMPLES.glob("*.nedit")) == sorted(PARAMS)
    assert sorted(_make_samples().SAMPLES) == sorted(PARAMS)


@pytest.mark.parametrize("name,total", sorted(PARAMS.items()))
def test_sample_loads_validates_clean_and_counts(name, total):
    doc = load(SAMPLES / name)
    a = analyze(doc)
    assert a.problems == [], [str(p) for p in a.problems]
    assert sum(a.totals()) == total
    assert a.totals()[1] == 0
    assert doc.description and doc.dataset.get("spec")
    assert sum(1 for n in doc.nodes.values() if n.type == "Loss") == 1


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_sample_file_matches_its_builder(name):
    built = _make_samples().SAMPLES[name]()
    assert _state(load(SAMPLES / name)) == _state(built), f"run `python tools/make_samples.py` to refresh {name}"


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_nodes_are_laid_out_left_to_right(name):
    doc = load(SAMPLES / name)
    a = analyze(doc)
    xs = {n: doc.nodes[n].pos[0] for n in a.order}
    for e in doc.edges:
        assert xs[e.src] < xs[e.dst], f"{e} points backwards on the canvas"
    assert len({doc.nodes[n].pos for n in doc.nodes}) == len(doc.nodes), "no two nodes on the same spot"


def test_xor_settings():
    doc = load(SAMPLES / "xor.nedit")
    s = doc.settings
    assert (s["optimizer"], s["learning_rate"], s["batch_mode"], s["epochs"]) == ("sgd", 0.5, "full", 2000)
    assert doc.dataset == {"spec": "xor"}
    assert [n.params.get("activation") for n in doc.nodes.values() if n.type == "Dense"] == ["sigmoid", "sigmoid"]
    assert [n.params["loss"] for n in doc.nodes.values() if n.type == "Loss"] == ["binary_crossentropy"]


def test_single_neuron_has_the_lecture_weights():
    doc = load(SAMPLES / "xor_single_neuron.nedit")
    (dense,) = [n.id for n in doc.nodes.values() if n.type == "Dense"]
    w = doc.weights[dense]
    assert w["kernel"].dtype == np.float32 and w["kernel"].shape == (2, 1)
    np.testing.assert_array_equal(w["kernel"], np.array([[0.75], [0.5]], np.float32))
    np.testing.assert_array_equal(w["bias"], np.array([-0.1], np.float32))
    s = doc.settings
    assert (s["learning_rate"], s["batch_mode"], s["shuffle"]) == (0.5, "stochastic", False)
    # SEEDS.md example 1: z = -0.1 at x = (0, 0), so ŷ = σ(-0.1) = 0.475
    z = np.array([0.0, 0.0], np.float32) @ w["kernel"] + w["bias"]
    assert round(float(1 / (1 + np.exp(-z[0]))), 3) == 0.475


def test_compute_graph_ids_and_wiring():
    doc = load(SAMPLES / "compute_graph.nedit")
    types = {i: n.type for i, n in doc.nodes.items()}
    assert {k: types[k] for k in "xyzwpqmf"} == {
        "x": "Input",
        "y": "Input",
        "z": "Input",
        "w": "Input",
        "p": "OpMultiply",
        "q": "OpMax",
        "m": "OpAdd",
        "f": "OpSquare",
    }
    wires = {(e.src, e.dst, e.dst_port) for e in doc.edges}
    assert {
        ("x", "p", "x"),
        ("y", "p", "y"),
        ("z", "q", "x"),
        ("w", "q", "y"),
        ("p", "m", "x"),
        ("q", "m", "y"),
        ("m", "f", "in"),
    } <= wires
    (loss,) = [n for n in doc.nodes.values() if n.type == "Loss"]
    assert loss.params["loss"] == "value" and ("f", loss.id, "in") in wires
    assert doc.dataset["spec"].startswith("values:") and "x=4" in doc.dataset["spec"]


def test_fashion_mnist_mlp_settings():
    doc = load(SAMPLES / "fashion_mnist_mlp.nedit")
    assert (doc.settings["optimizer"], doc.settings["batch_mode"], doc.settings["batch_size"]) == (
        "sgd",
        "minibatch",
        32,
    )
    assert isinstance(doc.dataset["spec"], str)


def test_info_prints_the_keras_summary():
    done = subprocess.run(
        [sys.executable, "-m", "neuroedit", "info", "samples/fashion_mnist_mlp.nedit"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = [" ".join(line.split()) for line in done.stdout.splitlines()]
    for row in (
        "input_1 (Input) (None, 28, 28) 0",
        "flatten_1 (Flatten) (None, 784) 0",
        "dense_1 (Dense) (None, 300) 235,500",
        "dense_2 (Dense) (None, 10) 3,010",
        "loss_1 (Loss) scalar 0",
    ):
        assert row in lines
    assert "Total params: 238,510" in lines
    assert "Trainable params: 238,510" in lines
    assert "Non-trainable params: 0" in lines


def test_make_samples_writes_loadable_files(tmp_path):
    assert _make_samples().main([str(tmp_path)]) == 0
    for name, total in PARAMS.items():
        assert sum(analyze(load(tmp_path / name)).totals()) == total
