"""ONNX import: files from torch.onnx.export and onnx.helper, round trips, and hostile files."""

from __future__ import annotations

import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from interop_graphs import NODE_CASES, predict, random_graph, sample_inputs
from onnx import TensorProto, helper, numpy_helper

from neuroedit.interop import InteropError
from neuroedit.interop.graph import exported_graph
from neuroedit.interop.onnx_export import save_onnx, to_onnx
from neuroedit.interop.onnx_import import import_onnx


def run_file(path, xs):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, xs)[0]


def structure(model):
    return (
        [
            (n.op_type, sorted((a.name, str(helper.get_attribute_value(a))) for a in n.attribute))
            for n in model.graph.node
        ],
        sorted((t.name, numpy_helper.to_array(t).tobytes()) for t in model.graph.initializer),
    )


def mlp_model(hidden_act: str = "Relu", with_metadata: bool = False) -> onnx.ModelProto:
    """What Keras-style converters write: MatMul + Add, an activation, then Gemm with transB."""
    rng = np.random.default_rng(3)
    w1, b1 = rng.normal(size=(4, 6)).astype(np.float32), rng.normal(size=(6,)).astype(np.float32)
    w2, b2 = rng.normal(size=(3, 6)).astype(np.float32), rng.normal(size=(3,)).astype(np.float32)
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h0"], name="dense/matmul"),
        helper.make_node("Add", ["h0", "b1"], ["h1"], name="dense/add"),
        helper.make_node(hidden_act, ["h1"], ["h2"], name="act"),
        helper.make_node("Gemm", ["h2", "w2", "b2"], ["z"], name="out", transB=1),
        helper.make_node("Softmax", ["z"], ["y"], name="probs", axis=-1),
    ]
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
        [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2"))],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_onnx_helper_mlp_imports_as_dense_layers_with_weights(tmp_path):
    path = tmp_path / "mlp.onnx"
    onnx.save(mlp_model(), path)
    doc = import_onnx(path)
    types = [(n.type, n.params.get("activation")) for n in doc.nodes.values()]
    assert types == [("Input", None), ("Dense", "relu"), ("Dense", "softmax"), ("Loss", None)]
    assert (
        doc.nodes["Loss" if "Loss" in doc.nodes else list(doc.nodes)[-1]].params["loss"]
        == "sparse_categorical_crossentropy"
    )
    xs = {"x": np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)}
    np.testing.assert_allclose(predict(doc, xs), run_file(path, xs), atol=1e-5)
    xs_pos = [n.pos for n in doc.nodes.values()]
    assert len(set(xs_pos)) == len(xs_pos), "nodes are laid out, not stacked"


def test_swish_and_flatten_reshape_patterns(tmp_path):
    rng = np.random.default_rng(1)
    w = rng.normal(size=(6, 2)).astype(np.float32)
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
        helper.make_node("Unsqueeze", ["n", "zero_1d"], ["n1"]),
        helper.make_node("Concat", ["n1", "minus_one"], ["target"], axis=0),
        helper.make_node("Reshape", ["x", "target"], ["flat"]),
        helper.make_node("Sigmoid", ["flat"], ["sig"]),
        helper.make_node("Mul", ["flat", "sig"], ["sw"]),
        helper.make_node("MatMul", ["sw", "w"], ["y"]),
    ]
    inits = [
        numpy_helper.from_array(np.array(0, np.int64), "zero"),
        numpy_helper.from_array(np.array([0], np.int64), "zero_1d"),
        numpy_helper.from_array(np.array([-1], np.int64), "minus_one"),
        numpy_helper.from_array(w, "w"),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])],
        inits,
    )
    path = tmp_path / "swish.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    doc = import_onnx(path)
    assert [n.type for n in doc.nodes.values()] == ["Input", "Flatten", "Activation", "Dense", "Loss"]
    xs = {"x": rng.normal(size=(4, 2, 3)).astype(np.float32)}
    np.testing.assert_allclose(predict(doc, xs), run_file(path, xs), atol=1e-5)


@pytest.mark.parametrize(
    "case",
    [
        "dense_swish",
        "dense_step",
        "activation_linear",
        "batchnorm",
        "batchnorm_3d",
        "prelu",
        "add",
        "concatenate",
        "square",
        "op_broadcast",
        "dropout",
        "activation_leaky_relu",
        "activation_elu",
        "dense_selu",
    ],
)
def test_export_import_export_is_stable(tmp_path, case):
    doc = NODE_CASES[case]()
    first = tmp_path / "first.onnx"
    save_onnx(exported_graph(doc), first)
    back = import_onnx(first)
    assert structure(to_onnx(exported_graph(back))) == structure(onnx.load(first))
    xs = sample_inputs(doc)
    np.testing.assert_allclose(predict(back, xs), predict(doc, xs), atol=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_random_graphs_round_trip(tmp_path, seed):
    doc = random_graph(seed)
    path = tmp_path / "g.onnx"
    save_onnx(exported_graph(doc), path)
    back = import_onnx(path)
    xs = sample_inputs(doc)
    np.testing.assert_allclose(predict(back, xs), predict(doc, xs), atol=1e-5)
    assert structure(to_onnx(exported_graph(back)))[0] == structure(onnx.load(path))[0]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_files_written_by_torch_onnx_export(tmp_path):
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(12, 5), nn.Linear(12, 5)
            self.head = nn.Linear(10, 3)
            self.bn = nn.BatchNorm1d(5)

        def forward(self, x):
            x = x.view(x.size(0), -1)  # Shape/Gather/Concat/Reshape
            h = torch.relu(self.a(x))
            k = torch.nn.functional.leaky_relu(self.bn(self.b(x)), 0.2)
            return self.head(torch.cat([h + k, h * k], dim=1))

    torch.manual_seed(0)
    activations = nn.Sequential(
        nn.Linear(4, 6),
        nn.PReLU(),
        nn.Linear(6, 6),
        nn.SiLU(),
        nn.Linear(6, 6),
        nn.ELU(0.5),
        nn.Linear(6, 6),
        nn.SELU(),
        nn.Linear(6, 6),
        nn.Softplus(),
        nn.Dropout(0.3),
        nn.Linear(6, 3),
        nn.Softmax(dim=1),
    )
    for module, shape in (
        (nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.Tanh(), nn.Linear(8, 2), nn.Sigmoid()), (3, 4)),
        (Branchy(), (3, 4)),
        (activations, (4,)),
    ):
        module.eval()
        with torch.no_grad():
            for p in module.parameters():
                p.add_(torch.randn_like(p) * 0.1)
        path = tmp_path / "torch.onnx"
        # The dynamo exporter needs onnxscript; the TorchScript exporter is what most files out there come from.
        torch.onnx.export(
            module,
            (torch.randn(2, *shape),),
            str(path),
            input_names=["x"],
            output_names=["y"],
            dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        doc = import_onnx(path)
        x = np.random.default_rng(2).normal(size=(6, *shape)).astype(np.float32)
        with torch.no_grad():
            expected = module(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(predict(doc, {"x": x}), expected, atol=1e-5)


def test_unsupported_ops_are_listed_in_one_message(tmp_path):
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv1"),
        helper.make_node("Relu", ["c"], ["r"], name="relu1"),
        helper.make_node("MaxPool", ["r"], ["y"], name="pool1", kernel_shape=[2, 2]),
        helper.make_node("Custom", ["y"], ["z"], name="mystery", domain="my.ops"),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 4, 4])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["N", 1, 1, 1])],
        [numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("my.ops", 1)])
    path = tmp_path / "conv.onnx"
    path.write_bytes(model.SerializeToString())
    with pytest.raises(InteropError) as e:
        import_onnx(path)
    msg = str(e.value)
    assert "\n" not in msg
    assert "Conv (conv1)" in msg and "MaxPool (pool1)" in msg and "my.ops.Custom (mystery)" in msg
    assert "relu1" not in msg


def _hostile_external(tmp_path, location: str) -> os.PathLike[str]:
    tensor = numpy_helper.from_array(np.ones((2, 2), np.float32), "w")
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", "0"), ("length", "16")):
        entry = tensor.external_data.add()
        entry.key, entry.value = k, v
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])],
        [tensor],
    )
    folder = tmp_path / "model"
    folder.mkdir(exist_ok=True)
    path = folder / f"ext_{len(list(folder.glob('*.onnx')))}.onnx"
    path.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString())
    return path


def hostile_cases(tmp_path):
    rng = np.random.default_rng(0)
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.arange(4, dtype=np.float32).tobytes())
    (tmp_path / "model").mkdir()
    os.symlink(secret, tmp_path / "model" / "link.bin")
    yield "random bytes", "not an ONNX model", _write(tmp_path / "r.onnx", rng.bytes(5000))
    yield "empty", "not an ONNX model", _write(tmp_path / "e.onnx", b"")
    yield "text", "not an ONNX model", _write(tmp_path / "t.onnx", b"hello, I am not a model\n" * 20)
    yield "outside path", "outside the model's folder", _hostile_external(tmp_path, "../secret.bin")
    yield "absolute path", "outside the model's folder", _hostile_external(tmp_path, str(secret))
    yield "symlink out", "outside the model's folder", _hostile_external(tmp_path, "link.bin")
    yield "missing file", "not found", _hostile_external(tmp_path, "nothing.bin")
    huge = numpy_helper.from_array(np.ones((2, 2), np.float32), "w")
    del huge.dims[:]
    huge.dims.extend([100_000, 100_000])
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 100_000])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 100_000])],
        [huge],
    )
    yield (
        "huge tensor",
        "more than the limit",
        _write(
            tmp_path / "h.onnx",
            helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString(),
        ),
    )
    bad = mlp_model()
    w1 = bad.graph.initializer[0]
    w1.CopyFrom(numpy_helper.from_array(np.ones((5, 6), np.float32), "w1"))
    yield "wrong shapes", "do not fit an input of shape", _write(tmp_path / "w.onnx", bad.SerializeToString())
    lying = mlp_model()
    lying.graph.initializer[0].dims[0] = 40  # header says 40×6, data holds 4×6
    yield "lying tensor", "ONNX", _write(tmp_path / "l.onnx", lying.SerializeToString())
    two = mlp_model()
    two.graph.output.append(helper.make_tensor_value_info("h1", TensorProto.FLOAT, ["N", 6]))
    yield "two outputs", "2 outputs", _write(tmp_path / "o.onnx", two.SerializeToString())
    trunc = mlp_model().SerializeToString()
    yield "truncated", "ONNX model", _write(tmp_path / "c.onnx", trunc[: len(trunc) // 2])


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_hostile_files_give_one_line_errors_and_read_nothing_outside(tmp_path, monkeypatch):
    import builtins

    opened: list[str] = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        opened.append(os.path.realpath(file) if isinstance(file, (str, os.PathLike)) else str(file))
        return real_open(file, *args, **kwargs)

    cases = list(hostile_cases(tmp_path))
    monkeypatch.setattr(builtins, "open", spy)
    for label, expected, path in cases:
        with pytest.raises(InteropError) as e:
            import_onnx(path)
        msg = str(e.value)
        assert expected in msg, f"{label}: {msg}"
        assert "\n" not in msg and "Traceback" not in msg, label
    assert str((tmp_path / "secret.bin").resolve()) not in opened


def test_cli_import_of_a_hostile_file_prints_one_line(tmp_path, capsys):
    from neuroedit.cli import main

    bad = _write(tmp_path / "bad.onnx", os.urandom(300))
    assert main(["import", str(bad), "-o", str(tmp_path / "out.nedit")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("neuroedit: error:") and "\n" not in err
    assert not (tmp_path / "out.nedit").exists()


def test_corrupted_exports_never_escape_as_other_errors(tmp_path):
    """Bytes flipped at random in a valid file: it imports, or fails with one line; nothing else."""
    good = to_onnx(exported_graph(random_graph(2))).SerializeToString()
    rng = np.random.default_rng(0)
    path = tmp_path / "flipped.onnx"
    outcomes = set()
    for _ in range(150):
        data = bytearray(good)
        for _ in range(int(rng.integers(1, 6))):
            data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        path.write_bytes(bytes(data))
        try:
            import_onnx(path)
            outcomes.add("imported")
        except InteropError as e:
            assert "\n" not in str(e)
            outcomes.add("refused")
    assert outcomes == {"imported", "refused"}
