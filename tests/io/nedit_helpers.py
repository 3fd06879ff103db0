"""Shared builders for the file-format tests: a small valid network and ways to damage its file."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np

from neuroedit.io import from_bytes, to_bytes
from neuroedit.model import Document


def small_network() -> Document:
    """Input(2) -> Dense(2) -> Dense(2) -> Dense(1) -> Loss; nodes[3] is dense_3, as in the error examples."""
    doc = Document()
    doc.add_node("Input", {"shape": [2]}, (0, 0))
    doc.add_node("Dense", {"units": 2, "activation": "sigmoid"}, (100, 0))
    doc.add_node("Dense", {"units": 2, "activation": "tanh"}, (200, 0))
    doc.add_node("Dense", {"units": 1, "activation": "sigmoid"}, (300, 0))
    doc.add_node("Loss", {"loss": "binary_crossentropy"}, (400, 0))
    for a, b in [("input_1", "dense_1"), ("dense_1", "dense_2"), ("dense_2", "dense_3"), ("dense_3", "loss_1")]:
        doc.connect(a, b)
    rng = np.random.default_rng(0)
    doc.replace_weights(
        {
            "dense_1": {"kernel": rng.normal(size=(2, 2)).astype(np.float32), "bias": np.zeros(2, np.float32)},
            "dense_3": {"kernel": rng.normal(size=(2, 1)), "bias": np.array([0.5])},
        }
    )
    doc.set_dataset({"spec": "xor"})
    return doc


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def with_members(data: bytes, **changes: bytes | None) -> bytes:
    """The file with some members replaced (bytes) or removed (None); names use _ for '.' (graph_json)."""
    members = members_of(data)
    for key, value in changes.items():
        name = key.replace("_json", ".json").replace("_npz", ".npz")
        if value is None:
            members.pop(name, None)
        else:
            members[name] = value
    return zip_of(members)


def edit_json(data: bytes, member: str, edit: Callable[[Any], Any]) -> bytes:
    """The file with JSON member `member` passed through `edit` (which may mutate and return None)."""
    members = members_of(data)
    obj = json.loads(members[member])
    result = edit(obj)
    members[member] = json.dumps(obj if result is None else result).encode()
    return zip_of(members)


def npz_of(arrays: dict[str, np.ndarray], allow_pickle: bool = False) -> bytes:
    members = {}
    for key, value in arrays.items():
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.asarray(value), allow_pickle=allow_pickle)
        members[key + ".npy"] = buf.getvalue()
    return zip_of(members, zipfile.ZIP_STORED)


def good_bytes() -> bytes:
    return to_bytes(small_network())


def roundtrip(doc: Document) -> Document:
    return from_bytes(to_bytes(doc))


def assert_same_document(a: Document, b: Document) -> None:
    assert list(a.nodes) == list(b.nodes)
    assert a.nodes == b.nodes
    assert a.edges == b.edges
    assert a.settings == b.settings
    assert a.dataset == b.dataset
    assert a.view == b.view
    assert a.description == b.description
    assert a.training_history == b.training_history
    assert_same_arrays({k: v for k, v in a.weights.items() if v}, {k: v for k, v in b.weights.items() if v})
    assert_same_arrays({"": a.optimizer_state}, {"": b.optimizer_state})


def assert_same_arrays(a: dict[str, dict[str, np.ndarray]], b: dict[str, dict[str, np.ndarray]]) -> None:
    assert {k: sorted(v) for k, v in a.items()} == {k: sorted(v) for k, v in b.items()}
    for node_id, arrays in a.items():
        for name, array in arrays.items():
            other = b[node_id][name]
            assert other.dtype == np.asarray(array).dtype, (node_id, name)
            assert other.shape == np.shape(array), (node_id, name)
            assert np.array_equal(other, array), (node_id, name)
