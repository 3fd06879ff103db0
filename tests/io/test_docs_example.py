"""The examples in docs/file-format.md are real: the sample graph.json loads, plain NumPy reads the weights."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
from nedit_helpers import small_network, zip_of

from neuroedit.io import FORMAT_VERSION, from_bytes, to_bytes

DOC = Path(__file__).resolve().parents[2] / "docs" / "file-format.md"


def json_blocks() -> list[str]:
    return re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_documented_graph_loads():
    manifest, node, edge, graph, _ = json_blocks()
    members = {
        "manifest.json": manifest.encode(),
        "graph.json": graph.encode(),
        "weights.npz": zip_of({}),
    }
    doc = from_bytes(zip_of(members))
    assert list(doc.nodes) == ["input_1", "dense_1", "loss_1"]
    assert doc.settings["learning_rate"] == 0.5 and doc.settings["optimizer"] == "sgd"
    assert json.loads(manifest)["format_version"] == FORMAT_VERSION
    assert json.loads(node)["params"] == {**doc.nodes["dense_1"].params, "units": 2}
    assert json.loads(edge) == {"src": "input_1", "src_port": "out", "dst": "dense_1", "dst_port": "in"}


def test_documented_run_loads():
    manifest, _, _, graph, run = json_blocks()
    members = {
        "manifest.json": manifest.encode(),
        "graph.json": graph.encode(),
        "weights.npz": zip_of({}),
        "runs.json": json.dumps({"runs": [json.loads(run)]}).encode(),
    }
    (loaded,) = from_bytes(zip_of(members)).runs
    assert loaded["label"] == "compare: adam" and loaded["changed"] == {"optimizer": ["momentum", "adam"]}
    assert loaded["history"]["loss"] == [0.66, 0.61] and np.isnan(loaded["history"]["val_loss"][1])


def test_plain_numpy_reads_the_weights():
    doc = small_network()
    with zipfile.ZipFile(io.BytesIO(to_bytes(doc))) as z:
        weights = np.load(io.BytesIO(z.read("weights.npz")), allow_pickle=False)
        assert sorted(weights.keys()) == ["dense_1/bias", "dense_1/kernel", "dense_3/bias", "dense_3/kernel"]
        assert weights["dense_3/kernel"].shape == (2, 1)  # inputs x units
        assert np.array_equal(weights["dense_1/kernel"], doc.weights["dense_1"]["kernel"])


def test_weights_written_with_plain_numpy_load():
    """As the docs say: a weights.npz made by np.savez (or savez_compressed) is accepted."""
    from nedit_helpers import good_bytes, members_of

    for writer in (np.savez, np.savez_compressed):
        buf = io.BytesIO()
        writer(buf, **{"dense_1/kernel": np.full((2, 2), 0.5, np.float32), "dense_1/bias": np.zeros(2)})
        members = members_of(good_bytes())
        members["weights.npz"] = buf.getvalue()
        doc = from_bytes(zip_of(members))
        assert doc.weights["dense_1"]["kernel"].tolist() == [[0.5, 0.5], [0.5, 0.5]]
        assert doc.weights["dense_1"]["bias"].dtype == np.float64
