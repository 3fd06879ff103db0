"""The functional API builds the same documents as the editor, and they behave like any other network."""

from __future__ import annotations

import numpy as np
import pytest

import neuroedit as ne
from neuroedit.model.samples import compute_graph


def graph_of(doc):
    nodes = {i: (n.type, n.params) for i, n in doc.nodes.items()}
    return nodes, {(e.src, e.dst, e.src_port, e.dst_port) for e in doc.edges}


def test_the_computation_graph_equals_the_sample_built_in_the_editor():
    x, y, z, w = (ne.Input(1, name=n) for n in "xyzw")
    f = ne.square(ne.add(ne.multiply(x, y, name="p"), ne.maximum(z, w, name="q"), name="m"), name="f")
    net = ne.Model([x, y, z, w], f, loss="value")
    assert graph_of(net.document) == graph_of(compute_graph())
    # f = (x·y + max(z, w))² at x=4, y=-2, z=5, w=-1 is 9, as the lecture computes it
    assert net.predict({"x": [[4.0]], "y": [[-2.0]], "z": [[5.0]], "w": [[-1.0]]})[0, 0] == pytest.approx(9.0)


def test_an_mlp_equals_the_same_sequential_network():
    inp = ne.Input((28, 28), name="pixels")
    h = ne.Dense(30, activation="relu", name="hidden")(ne.Flatten(name="flat")(inp))
    out = ne.Dense(10, activation="softmax", name="out")(h)
    functional = ne.Model(inp, out, loss="sparse_categorical_crossentropy", seed=3)
    sequential = ne.Sequential(
        [
            ne.Input((28, 28), name="pixels"),
            ne.Flatten(name="flat"),
            ne.Dense(30, activation="relu", name="hidden"),
            ne.Dense(10, activation="softmax", name="out"),
        ],
        loss="sparse_categorical_crossentropy",
        seed=3,
    )
    assert graph_of(functional.document) == graph_of(sequential.document)
    for key, value in sequential.get_weights().items():
        np.testing.assert_array_equal(functional.get_weights()[key], value)


def test_branches_merges_and_operators_give_a_normal_document(tmp_path):
    a, b = ne.Input(3, name="a"), ne.Input(2, name="b")
    ha = ne.Dense(4, activation="tanh")(a)
    hb = ne.Dense(4, activation="relu")(b)
    joined = ne.Concatenate()([ha, hb])
    residual = ne.Add()([ne.Dense(4)(joined), ha, hb])
    mixed = residual * ha - ne.Maximum()([ha, hb]) + (hb**2)
    net = ne.Model([a, b], ne.Dense(1, activation="sigmoid")(mixed), loss="binary_crossentropy")
    doc = net.document
    assert doc.nodes["add_1"].params["num_inputs"] == 3
    assert {n.type for n in doc.nodes.values()} >= {
        "Concatenate",
        "Add",
        "OpMultiply",
        "OpSubtract",
        "OpAdd",
        "OpMax",
        "OpSquare",
        "Loss",
    }
    assert len({n.pos for n in doc.nodes.values()}) == len(doc.nodes), "laid out"
    assert not doc.history.can_undo()
    xa = np.random.default_rng(0).normal(size=(5, 3))
    xb = np.random.default_rng(1).normal(size=(5, 2))
    expected = net.predict([xa, xb])
    net.save(tmp_path / "f.nedit")
    np.testing.assert_allclose(ne.load(tmp_path / "f.nedit").predict([xa, xb]), expected, atol=1e-6)
    history = net.fit([xa, xb], (xa[:, :1] > 0).astype(float), epochs=2, batch_size=5, verbose=0)
    assert len(history.history["loss"]) == 2


def test_mistakes_are_explained():
    inp = ne.Input(2)
    dense = ne.Dense(3)
    h = dense(inp)
    with pytest.raises(ValueError, match="called twice"):
        ne.Model(inp, ne.Add()([h, dense(h)]))
    with pytest.raises(ValueError, match="not in Model's inputs"):
        ne.Model(inp, ne.add(h, ne.Dense(3)(ne.Input(2))))
    with pytest.raises(TypeError, match="an Input is not called"):
        ne.Input(2)(inp)
    with pytest.raises(ValueError, match="list of 2 to 8 tensors"):
        ne.Add()(h)
    with pytest.raises(TypeError, match="is not a tensor"):
        ne.Dense(2)("x")


def test_export_and_import_through_the_api(tmp_path):
    pytest.importorskip("onnx")
    inp = ne.Input(3)
    net = ne.Model(
        inp,
        ne.Dense(2, activation="softmax")(ne.Dense(4, activation="selu")(inp)),
        loss="sparse_categorical_crossentropy",
    )
    written = net.export(tmp_path / "n.onnx", format="onnx")
    assert written == [str(tmp_path / "n.onnx")]
    back = ne.import_onnx(tmp_path / "n.onnx")
    x = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_allclose(back.predict(x), net.predict(x), atol=1e-6)
    assert graph_of(back.document)[1] == graph_of(net.document)[1]


def test_interop_imports_its_optional_packages_only_when_used():
    import subprocess
    import sys

    code = (
        "import sys, neuroedit.interop, neuroedit.api\n"
        "print(','.join(m for m in ('onnx', 'onnxruntime', 'torch', 'keras') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_inputs_take_operators_like_tensors():
    x, y, z, w = (ne.Input(1, name=n) for n in "xyzw")
    f = ne.Model([x, y, z, w], ne.square(x * y + ne.maximum(z, w)), loss="value")
    assert f.predict({"x": [[4.0]], "y": [[-2.0]], "z": [[5.0]], "w": [[-1.0]]})[0, 0] == pytest.approx(9.0)
    g = ne.Model([x, y], (x - y) ** 2)
    assert g.predict({"x": [[4.0]], "y": [[1.0]]})[0, 0] == pytest.approx(9.0)
