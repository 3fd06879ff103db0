"""ONNX export: every node type and every sample gives what `predict` gives (onnxruntime, 1e-5)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from interop_graphs import NODE_CASES, predict, random_graph, sample_inputs

from neuroedit.api.session import ensure_weights
from neuroedit.interop import InteropError, onnx_export
from neuroedit.interop.graph import exported_graph
from neuroedit.io import load

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"
SAMPLE_FILES = sorted(p.name for p in SAMPLES_DIR.glob("*.nedit"))


def run_onnx(model, xs: dict[str, np.ndarray]) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, xs)[0]


def check_parity(doc, batch: int = 7) -> None:
    model = onnx_export.to_onnx(exported_graph(doc))
    assert model.opset_import[0].version >= 17
    xs = sample_inputs(doc, batch)
    expected = predict(doc, xs)
    got = run_onnx(model, xs)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("case", sorted(NODE_CASES))
def test_every_node_type_matches_predict(case):
    check_parity(NODE_CASES[case]())


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_every_sample_matches_predict(name):
    doc = load(SAMPLES_DIR / name)  # the files in samples/, as users open them
    ensure_weights(doc)
    check_parity(doc)


@pytest.mark.parametrize("seed", range(6))
def test_random_graphs_match_predict(seed):
    check_parity(random_graph(seed))


def test_batch_axis_is_dynamic_and_names_come_from_the_document():
    doc = load(SAMPLES_DIR / "fashion_mnist_mlp.nedit")
    ensure_weights(doc)
    model = onnx_export.to_onnx(exported_graph(doc))
    (inp,), (out,) = model.graph.input, model.graph.output
    assert inp.name == "input_1" and out.name == "dense_2"
    assert inp.type.tensor_type.shape.dim[0].dim_param == "batch"
    assert [d.dim_value for d in inp.type.tensor_type.shape.dim[1:]] == [28, 28]
    assert {n.name for n in model.graph.node} >= {"flatten_1", "dense_1", "dense_2"}
    assert {p.key: p.value for p in model.metadata_props}["neuroedit.loss"] == "sparse_categorical_crossentropy"
    for batch in (1, 33):
        check_parity(doc, batch)


def test_dropout_is_the_identity_and_keeps_its_rate():
    doc = NODE_CASES["dropout"]()
    model = onnx_export.to_onnx(exported_graph(doc))
    drop = next(n for n in model.graph.node if n.op_type == "Dropout")
    ratio = next(t for t in model.graph.initializer if t.name == drop.input[1])
    assert onnx.numpy_helper.to_array(ratio) == pytest.approx(0.4)


def test_a_node_without_an_onnx_form_is_named(monkeypatch):
    monkeypatch.delitem(onnx_export._CONVERTERS, "PReLU")
    with pytest.raises(InteropError, match=r"node prelu_1 \(PReLU\) cannot be exported to ONNX"):
        onnx_export.to_onnx(exported_graph(NODE_CASES["prelu"]()))


def test_an_invalid_network_is_refused_with_its_problems():
    from neuroedit.model import Document

    doc = Document()
    doc.add_node("Dense")
    with pytest.raises(InteropError, match="cannot be exported until it is valid"):
        exported_graph(doc)
