"""A corpus of broken `.nedit` files: each is rejected with its own clear message, never a crash."""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest
from nedit_helpers import edit_json, good_bytes, members_of, npz_of, with_members, zip_of

from neuroedit.io import LoadError, from_bytes, load


def error_of(data: bytes) -> str:
    with pytest.raises(LoadError) as info:
        from_bytes(data)
    return str(info.value)


@pytest.fixture(scope="module")
def good() -> bytes:
    return good_bytes()


def graph_edit(good: bytes, edit) -> str:
    return error_of(edit_json(good, "graph.json", edit))


# --------------------------------------------------------------------------- the container


def test_not_a_zip():
    assert error_of(b"hello, world") == "not a NeuroEdit file: it is not a zip archive"
    assert error_of(b"") == "not a NeuroEdit file: it is not a zip archive"


def test_truncated_zip(good):
    for cut in (len(good) // 2, len(good) - 10, 30):
        assert error_of(good[:cut]).startswith("the zip archive is truncated or damaged")


def test_damaged_member_data(good):
    data = bytearray(good)
    info = zipfile.ZipFile(io.BytesIO(good)).getinfo("manifest.json")
    offset = info.header_offset + 30 + len(info.filename.encode())
    data[offset : offset + 8] = b"\xff" * 8
    assert error_of(bytes(data)).startswith("manifest.json: member is damaged (zlib.error: ")


def test_missing_graph(good):
    assert error_of(with_members(good, graph_json=None)).startswith(
        "missing member graph.json (a .nedit file holds manifest.json, graph.json, weights.npz"
    )


def test_missing_manifest(good):
    assert error_of(with_members(good, manifest_json=None)).startswith("missing member manifest.json")


def test_missing_weights(good):
    assert error_of(with_members(good, weights_npz=None)).startswith("missing member weights.npz")


def test_unexpected_member(good):
    members = members_of(good)
    members["notes.txt"] = b"hi"
    assert error_of(zip_of(members)).startswith("unexpected member 'notes.txt'; a .nedit file holds manifest.json")


@pytest.mark.parametrize(
    "name, why",
    [
        ("../evil.json", "points outside the archive (..)"),
        ("a/../../evil.json", "points outside the archive (..)"),
        ("/etc/passwd", "is an absolute path"),
        ("C:/evil.json", "is an absolute path"),
        ("a\\..\\evil.json", "holds a backslash"),
    ],
)
def test_path_traversal_names(good, name, why):
    members = members_of(good)
    members[name] = b"{}"
    assert error_of(zip_of(members)) == f"member name {name!r} {why}"


def test_duplicate_member(good):
    members = members_of(good)
    out = io.BytesIO()
    with pytest.warns(UserWarning), zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.writestr("graph.json", b"{}")
    assert error_of(out.getvalue()) == "member 'graph.json' appears twice"


def test_too_many_members(good):
    members = members_of(good)
    for i in range(40):
        members[f"extra_{i}.json"] = b"{}"
    assert error_of(zip_of(members)) == f"the file holds {len(members)} members; the limit is 32"


def test_zip_bomb_ratio(good):
    bomb = zip_of({"dense_1/kernel.npy": b"\0" * (8 * 1024 * 1024)})  # deflates about 1000:1
    message = error_of(with_members(good, weights_npz=bomb))
    assert message.startswith("weights.npz: member 'dense_1/kernel.npy' is compressed 1,0")
    assert message.endswith(":1 (limit 200:1 for members over 1 MiB); refusing a possible zip bomb")


def test_zip_bomb_in_outer_member(good):
    members = members_of(good)
    members["history.json"] = b"[" + b" " * (4 * 1024 * 1024) + b"]"
    assert "refusing a possible zip bomb" in error_of(zip_of(members))


def test_json_member_too_large(good):
    members = members_of(good)
    members["graph.json"] = b" " * (17 * 1024 * 1024)
    message = error_of(zip_of(members, zipfile.ZIP_STORED))
    assert message == "graph.json: unpacks to 17,825,792 bytes; the limit is 16,777,216"


def central_record(data: bytes, name: str) -> int:
    """Offset of `name`'s record in the outer zip's central directory."""
    pos = zipfile.ZipFile(io.BytesIO(data)).start_dir
    while True:
        assert data[pos : pos + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        if data[pos + 46 : pos + 46 + name_len] == name.encode():
            return pos
        pos += 46 + name_len + extra_len + comment_len


def test_member_larger_than_its_header_says(good):
    """A central directory that understates a member's size: reading stops and reports damage."""
    data = bytearray(good)
    struct.pack_into("<I", data, central_record(good, "graph.json") + 24, 10)
    message = error_of(bytes(data))
    assert message.startswith("graph.json: member is damaged (BadZipFile: Bad CRC-32")


def test_encrypted_flag(good):
    data = bytearray(good)
    pos = central_record(good, "graph.json")
    flags = struct.unpack_from("<H", data, pos + 8)[0]
    struct.pack_into("<H", data, pos + 8, flags | 1)
    assert error_of(bytes(data)) == "member 'graph.json' is encrypted"


# --------------------------------------------------------------------------- manifest and versions


def test_newer_format_version(good):
    message = error_of(edit_json(good, "manifest.json", lambda m: m.update(format_version=2)))
    assert (
        message == "manifest.json: format_version: written by a newer NeuroEdit (format 2); this version reads up to 1"
    )


def test_newer_version_wins_over_unknown_members(good):
    members = members_of(good)
    members["layers.bin"] = b"future"
    manifest = json.loads(members["manifest.json"])
    manifest["format_version"] = 7
    members["manifest.json"] = json.dumps(manifest).encode()
    assert "written by a newer NeuroEdit (format 7)" in error_of(zip_of(members))


def test_wrong_format_name(good):
    message = error_of(edit_json(good, "manifest.json", lambda m: m.update(format="keras")))
    assert message == "manifest.json: format: not a NeuroEdit network: expected 'neuroedit-network', got 'keras'"


@pytest.mark.parametrize("version", ["1", -1, 1.5, True, None])
def test_bad_format_version(good, version):
    message = error_of(edit_json(good, "manifest.json", lambda m: m.update(format_version=version)))
    assert message.startswith("manifest.json: format_version: expected a non-negative integer, got ")


def test_manifest_missing_key(good):
    message = error_of(edit_json(good, "manifest.json", lambda m: m.__delitem__("saved_at")))
    assert message == "manifest.json: missing key 'saved_at'"


def test_manifest_not_an_object(good):
    assert error_of(with_members(good, manifest_json=b"[1, 2]")) == "manifest.json: expected an object, got a list"


# --------------------------------------------------------------------------- JSON syntax and types


def test_json_syntax_error_has_line_and_column(good):
    message = error_of(with_members(good, graph_json=b'{\n "nodes": [\n  {"id": "a",,}\n ]\n}'))
    assert message == "graph.json: invalid JSON at line 3, column 14: Expecting property name enclosed in double quotes"


@pytest.mark.parametrize(
    "text, problem",
    [
        (b'{"nodes": [], "edges": [], "view": {"zoom": NaN}}', "NaN is not allowed: numbers must be finite"),
        (
            b'{"nodes": [], "edges": [], "view": {"zoom": -Infinity}}',
            "-Infinity is not allowed: numbers must be finite",
        ),
        (b'{"nodes": [], "edges": [], "view": {"zoom": 1e999}}', "the number 1e999 is too large"),
        (b'{"nodes": [], "edges": [], "nodes": []}', "the key 'nodes' appears twice in one object"),
    ],
)
def test_json_rejected_constructs(good, text, problem):
    assert error_of(with_members(good, graph_json=text)) == f"graph.json: invalid JSON: {problem}"


def test_json_not_utf8(good):
    assert (
        error_of(with_members(good, graph_json=b'{"description": "\xff"}'))
        == "graph.json: not UTF-8 text (bad byte at offset 17)"
    )


def test_units_negative(good):
    def edit(g):
        g["nodes"][3]["params"]["units"] = -4

    assert graph_edit(good, edit) == "graph.json: nodes[3].params.units: expected a positive integer, got -4"


def test_units_as_string(good):
    def edit(g):
        g["nodes"][3]["params"]["units"] = "-4"

    assert graph_edit(good, edit) == "graph.json: nodes[3].params.units: expected an integer, got '-4'"


@pytest.mark.parametrize(
    "path, value, message",
    [
        ((), [], "graph.json: expected an object, got a list"),
        (("nodes",), {}, "graph.json: nodes: expected a list, got an object"),
        (("edges",), "none", 'graph.json: edges: expected a list, got "none"'),
        (("nodes", 1), 7, "graph.json: nodes[1]: expected an object, got 7"),
        (("nodes", 1, "id"), 5, "graph.json: nodes[1].id: expected a string, got 5"),
        (("nodes", 1, "type"), None, "graph.json: nodes[1].type: expected a string, got null"),
        (("nodes", 1, "params"), [], "graph.json: nodes[1].params: expected an object, got a list"),
        (("nodes", 1, "pos"), {"x": 1, "y": 2}, "graph.json: nodes[1].pos: expected a list [x, y], got an object"),
        (("nodes", 1, "pos"), [1, "2"], 'graph.json: nodes[1].pos[1]: expected a finite number, got "2"'),
        (
            ("nodes", 1, "pos"),
            [10**400, 0],
            "graph.json: nodes[1].pos[0]: expected a finite number, got 1000000000000000000000000000000000000...",
        ),
        (
            ("nodes", 1, "params", "activation"),
            "relu6",
            "graph.json: nodes[1].params.activation: expected one of "
            "linear, step, sign, sigmoid, tanh, relu, leaky_relu, elu, selu, swish, softplus, softmax; got 'relu6'",
        ),
        (("nodes", 1, "params", "use_bias"), 1, "graph.json: nodes[1].params.use_bias: expected true or false, got 1"),
        (
            ("nodes", 0, "params", "shape"),
            [28, 0],
            "graph.json: nodes[0].params.shape: expected a shape such as [2] "
            "or [28, 28] (positive integers), got [28, 0]",
        ),
        (
            ("nodes", 4, "params", "loss"),
            3,
            "graph.json: nodes[4].params.loss: expected one of squared_error, "
            "sum_squared_error, mse, mae, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy, "
            "hinge, multiclass_hinge, value; got 3",
        ),
        (("edges", 0, "src"), ["input_1"], "graph.json: edges[0].src: expected a string, got a list"),
        (("description",), 3, "graph.json: description: expected a string, got 3"),
        (("dataset",), "xor", 'graph.json: dataset: expected an object, got "xor"'),
        (("view",), None, "graph.json: view: expected an object, got null"),
        (("settings",), [], "graph.json: settings: expected an object, got a list"),
        (("settings", "learning_rate"), -1, "graph.json: settings.learning_rate: expected a number > 0, got -1.0"),
        (("settings", "batch_size"), 0, "graph.json: settings.batch_size: expected a positive integer, got 0"),
        (
            ("settings", "optimizer"),
            "lbfgs",
            "graph.json: settings.optimizer: expected one of sgd, momentum, nesterov, "
            "adagrad, rmsprop, adadelta, adam, adamw, nadam, vario_eta; got 'lbfgs'",
        ),
    ],
)
def test_wrong_json_types(good, path, value, message):
    def edit(g):
        if not path:
            return value
        target = g
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    assert graph_edit(good, edit) == message


def test_huge_integer_for_a_float_param(good):
    def edit(g):
        g["nodes"][1]["params"]["l2"] = 10**400

    assert graph_edit(good, edit).startswith("graph.json: nodes[1].params.l2: ")


def test_unknown_top_level_key(good):
    assert (
        graph_edit(good, lambda g: g.update(layers=[]))
        == "graph.json: unknown key 'layers' (allowed: nodes, edges, settings, dataset, view, description)"
    )


def test_missing_nodes(good):
    assert graph_edit(good, lambda g: g.__delitem__("nodes")) == "graph.json: missing key 'nodes'"


# --------------------------------------------------------------------------- graph content


def test_unknown_node_type(good):
    def edit(g):
        g["nodes"][1]["type"] = "Conv2D"

    assert graph_edit(good, edit) == (
        "graph.json: nodes[1].type: unknown node type 'Conv2D'; known types: Input, "
        "Dense, Dropout, BatchNorm, Flatten, Activation, PReLU, Add, Concatenate, "
        "OpAdd, OpSubtract, OpMultiply, OpMax, OpSquare, Loss"
    )


def test_unknown_param(good):
    def edit(g):
        g["nodes"][2]["params"]["filters"] = 3

    assert graph_edit(good, edit).startswith(
        "graph.json: nodes[2].params: Dense has no parameter 'filters' (its parameters: units, activation, use_bias"
    )


def test_missing_params_take_defaults(good):
    def edit(g):
        del g["nodes"][2]["params"]["kernel_initializer"]
        del g["nodes"][2]["params"]["l2"]

    doc = from_bytes(edit_json(good, "graph.json", edit))
    assert doc.nodes["dense_2"].params["kernel_initializer"] == "glorot_uniform"
    assert doc.nodes["dense_2"].params["l2"] == 0.0
    assert doc.nodes["dense_2"].params["activation"] == "tanh"


def test_missing_settings_take_defaults(good):
    def edit(g):
        g["settings"] = {"learning_rate": 0.5}

    doc = from_bytes(edit_json(good, "graph.json", edit))
    assert doc.settings["learning_rate"] == 0.5
    assert doc.settings["optimizer"] == "adam"


def test_unknown_setting(good):
    def edit(g):
        g["settings"]["warp_speed"] = 9

    assert graph_edit(good, edit).startswith("graph.json: settings: unknown setting 'warp_speed' (known: optimizer, ")


@pytest.mark.parametrize("bad_id", ["1dense", "dense-1", "", "x" * 65, "dense 1", "dense_1\n"])
def test_invalid_node_id(good, bad_id):
    def edit(g):
        g["nodes"][1]["id"] = bad_id

    assert graph_edit(good, edit).startswith(f"graph.json: nodes[1].id: {bad_id!r} is not a valid node id")


def test_duplicate_node_id(good):
    def edit(g):
        g["nodes"][2]["id"] = "dense_1"

    assert graph_edit(good, edit) == "graph.json: nodes[2].id: the id 'dense_1' is used by two nodes"


def test_dangling_edge_unknown_node(good):
    def edit(g):
        g["edges"][2]["dst"] = "ghost"

    assert graph_edit(good, edit) == "graph.json: edges[2].dst: there is no node 'ghost'"


def test_dangling_edge_unknown_port(good):
    def edit(g):
        g["edges"][1]["dst_port"] = "x"

    assert graph_edit(good, edit) == "graph.json: edges[1].dst_port: dense_2 (Dense) has no input port 'x' (it has in)"


def test_edge_from_a_loss(good):
    def edit(g):
        g["edges"].append({"src": "loss_1", "src_port": "out", "dst": "dense_1", "dst_port": "in"})

    assert graph_edit(good, edit) == (
        "graph.json: edges[4].src_port: loss_1 (Loss) has no output port 'out' (it has no outputs)"
    )


def test_edge_into_an_input(good):
    def edit(g):
        g["edges"].append({"src": "dense_1", "dst": "input_1"})

    assert graph_edit(good, edit) == (
        "graph.json: edges[4].dst_port: input_1 (Input) has no input port 'in' (it takes no inputs)"
    )


def test_port_fed_twice(good):
    def edit(g):
        g["edges"].append({"src": "input_1", "dst": "dense_2"})

    assert graph_edit(good, edit) == (
        "graph.json: edges[4]: input_1.out -> dense_2.in: input dense_2.in is already "
        "fed by edges[1] (dense_1.out -> dense_2.in)"
    )


def test_cycle(good):
    def edit(g):
        g["edges"][0] = {"src": "dense_3", "dst": "dense_1"}

    assert graph_edit(good, edit) == "graph.json: edges[2]: dense_2.out -> dense_3.in would make a cycle"


def test_self_loop(good):
    def edit(g):
        g["edges"][0] = {"src": "dense_1", "dst": "dense_1"}

    assert graph_edit(good, edit) == "graph.json: edges[0]: dense_1.out -> dense_1.in: a node cannot feed itself"


def test_history_must_be_an_object(good):
    assert error_of(with_members(good, history_json=b"[1, 2]")) == "history.json: expected an object, got a list"


# --------------------------------------------------------------------------- arrays


def weights_error(good: bytes, arrays: dict, allow_pickle: bool = False) -> str:
    return error_of(with_members(good, weights_npz=npz_of(arrays, allow_pickle)))


def test_nan_weights(good):
    kernel = np.ones((2, 2), np.float32)
    kernel[1, 0] = np.nan
    assert (
        weights_error(good, {"dense_1/kernel": kernel})
        == "weights.npz: dense_1/kernel: holds NaN at index (1, 0); arrays must hold finite numbers"
    )


def test_infinite_weights(good):
    assert (
        weights_error(good, {"dense_1/bias": np.array([0.0, -np.inf])})
        == "weights.npz: dense_1/bias: holds -Infinity at index (1,); arrays must hold finite numbers"
    )


def test_wrong_weight_shape(good):
    assert (
        weights_error(good, {"dense_1/kernel": np.zeros((2, 3))})
        == "weights.npz: dense_1/kernel: expected shape (2, 2), got (2, 3)"
    )


def test_transposed_kernel(good):
    assert (
        weights_error(good, {"dense_3/kernel": np.zeros((1, 2))})
        == "weights.npz: dense_3/kernel: expected shape (2, 1), got (1, 2)"
    )


def test_weight_for_unknown_node(good):
    assert (
        weights_error(good, {"dense_9/kernel": np.zeros(2)})
        == "weights.npz: dense_9/kernel: there is no node 'dense_9' in graph.json"
    )


def test_weight_name_unknown_for_node(good):
    assert (
        weights_error(good, {"dense_1/gamma": np.zeros(2)})
        == "weights.npz: dense_1/gamma: dense_1 (Dense) has no weight 'gamma'; its weights are kernel, bias"
    )
    assert (
        weights_error(good, {"input_1/kernel": np.zeros(2)})
        == "weights.npz: input_1/kernel: input_1 (Input) has no weight 'kernel'; it has no weights"
    )


def test_weight_key_without_slash(good):
    assert (
        weights_error(good, {"kernel": np.zeros(2)})
        == "weights.npz: kernel: array names must be node_id/param_name, e.g. dense_1/kernel"
    )
    assert (
        weights_error(good, {"dense_1/bias\n": np.zeros(2)})
        == "weights.npz: dense_1/bias\n: array names must be node_id/param_name, e.g. dense_1/kernel"
    )


@pytest.mark.parametrize(
    "array, dtype",
    [
        (np.array(["a", "b"]), "<U1"),
        (np.array([1, 2]), "int64"),
        (np.array([1 + 2j, 0]), "complex128"),
    ],
)
def test_weights_must_be_float(good, array, dtype):
    assert (
        weights_error(good, {"dense_1/bias": array})
        == f"weights.npz: dense_1/bias: has dtype {dtype}; arrays must be floating-point (float16, float32 or float64)"
    )


class _Exploit:
    """Unpickling this would create a folder: the test checks that it never happens."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.makedirs, (self.path,))


def test_pickled_object_array_is_never_unpickled(good, tmp_path):
    marker = tmp_path / "pwned"
    array = np.array([_Exploit(str(marker)), 1.0], dtype=object)
    assert weights_error(good, {"dense_1/bias": array}, allow_pickle=True) == (
        "weights.npz: dense_1/bias: holds Python objects (a pickled array); only plain arrays are allowed, "
        "and nothing in a file is ever unpickled"
    )
    assert not marker.exists()
    pickle.loads(pickle.dumps(_Exploit(str(marker))))  # the payload is real: unpickling does run it
    assert marker.exists()


def test_npy_header_lies_about_shape(good):
    header = np.lib.format.header_data_from_array_1_0(np.zeros(2))
    header["shape"] = (10**12,)
    fake = io.BytesIO()
    np.lib.format.write_array_header_1_0(fake, header)
    raw = fake.getvalue() + np.zeros(2).tobytes()
    npz = zip_of({"dense_1/bias.npy": raw}, zipfile.ZIP_STORED)
    assert error_of(with_members(good, weights_npz=npz)) == (
        "weights.npz: dense_1/bias: header says shape (1000000000000,) of float64 (8,000,000,000,000 bytes) "
        "but 16 bytes follow"
    )


def test_not_an_npy_member(good):
    npz = zip_of({"dense_1/bias.npy": b"not an array"}, zipfile.ZIP_STORED)
    assert error_of(with_members(good, weights_npz=npz)).startswith(
        "weights.npz: dense_1/bias: the .npy header is damaged"
    )
    npz = zip_of({"dense_1/bias.txt": b"0 0"}, zipfile.ZIP_STORED)
    assert error_of(with_members(good, weights_npz=npz)) == "weights.npz: member 'dense_1/bias.txt' is not a .npy array"


def test_weights_not_a_zip(good):
    assert (
        error_of(with_members(good, weights_npz=b"\x93NUMPY"))
        == "weights.npz: not a zip archive (.npz files are zips of .npy arrays)"
    )


def test_optimizer_state_rejects_strings(good):
    npz = npz_of({"step": np.array(["x"])})
    assert (
        error_of(with_members(good, optimizer_npz=npz))
        == "optimizer.npz: step: has dtype <U1; arrays must be numeric (float, int, uint or bool)"
    )


def test_optimizer_state_rejects_nan(good):
    npz = npz_of({"m/dense_1/kernel": np.full((2, 2), np.nan)})
    assert (
        error_of(with_members(good, optimizer_npz=npz))
        == "optimizer.npz: m/dense_1/kernel: holds NaN at index (0, 0); arrays must hold finite numbers"
    )


# --------------------------------------------------------------------------- load() on paths


def test_load_sets_source(tmp_path):
    path = tmp_path / "broken.nedit"
    path.write_bytes(b"nope")
    with pytest.raises(LoadError) as info:
        load(path)
    assert info.value.source == str(path)
    assert str(info.value) == "not a NeuroEdit file: it is not a zip archive"


def test_load_missing_file_is_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "absent.nedit")
