"""Hostile `.nedit` files found by a hostile-input run (issue 17): each ends as one LoadError line, quickly."""

from __future__ import annotations

import io
import os
import struct
import threading
import time
import zipfile

import numpy as np
import pytest
from nedit_helpers import (
    edit_json,
    good_bytes,
    members_of,
    small_network,
    with_members,
    zip_of,
)

import neuroedit.io.arrays as arrays_module
from neuroedit.io import LoadError, SaveError, from_bytes, load, save, to_bytes
from neuroedit.io.atomic import STALE_AFTER_S, remove_stale_temporaries
from neuroedit.io.container import JSON_MEMBER_BYTES
from neuroedit.untrusted import Archive

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # item 11: no warning before the error


def error_of(data: bytes) -> str:
    with pytest.raises(LoadError) as info:
        from_bytes(data)
    message = str(info.value)
    assert "\n" not in message and len(message) < 1200
    return message


@pytest.fixture(scope="module")
def good() -> bytes:
    return good_bytes()


def npy_with_header(shape_text: str, descr: str = "<f8", body: bytes = b"") -> bytes:
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}".ljust(117) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + body


def stored_npz(members: dict[str, bytes]) -> bytes:
    return zip_of(members, zipfile.ZIP_STORED)


def central_records(data: bytes) -> list[int]:
    """Offsets of the central-directory records of a zip."""
    (count,) = struct.unpack_from("<H", data, len(data) - 22 + 10)
    (at,) = struct.unpack_from("<I", data, len(data) - 22 + 16)
    found = []
    for _ in range(count):
        found.append(at)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        at += 46 + name_len + extra_len + comment_len
    return found


def with_directory_offset(data: bytes, delta: int) -> bytes:
    out = bytearray(data)
    (offset,) = struct.unpack_from("<I", out, len(out) - 22 + 16)
    struct.pack_into("<I", out, len(out) - 22 + 16, offset + delta)
    return bytes(out)


def with_extract_version(data: bytes, version: int) -> bytes:
    out = bytearray(data)
    for at in central_records(data):
        struct.pack_into("<H", out, at + 6, version)
    return bytes(out)


# ------------------------------------------------------------------ 1. npy shape (0, 2**64)


def test_1_npy_shape_beyond_any_array_size(good):
    npz = stored_npz({"dense_1/bias.npy": npy_with_header("(0, 18446744073709551616)")})
    assert error_of(with_members(good, weights_npz=npz)) == (
        "weights.npz: dense_1/bias: the header declares the impossible shape (0, 18446744073709551616)"
    )


def test_1_npy_negative_dimension(good):
    npz = stored_npz({"dense_1/bias.npy": npy_with_header("(-1,)")})
    assert "impossible shape (-1,)" in error_of(with_members(good, weights_npz=npz))


# ------------------------------------------------------------------ 2. lone surrogates


@pytest.mark.parametrize("field, expected_where", [("description", "description"), ("dataset", "dataset.name")])
def test_2_lone_surrogate_is_refused_on_load(good, field, expected_where):
    value = "PLACEHOLDER" if field == "description" else {"name": "PLACEHOLDER"}
    data = edit_json(good, "graph.json", lambda g: g.update({field: value}))
    members = members_of(data)
    members["graph.json"] = members["graph.json"].replace(b'"PLACEHOLDER"', b'"bad \\ud800 text"')
    assert error_of(zip_of(members)) == (
        f"graph.json: {expected_where}: text holds a lone surrogate escape "
        "(\\uD800-\\uDFFF without its pair), which is not valid Unicode"
    )


def test_2_surrogate_pairs_are_fine(good):
    data = edit_json(good, "graph.json", lambda g: g.update(description="smile \U0001f600"))
    assert from_bytes(data).description == "smile \U0001f600"


# ------------------------------------------------------------------ 3. zip structures zipfile rejects


@pytest.mark.parametrize("delta", [1, -1])
def test_3_directory_offset_off_by_one_in_the_file(good, delta):
    message = error_of(with_directory_offset(good, delta))  # zipfile: "negative seek value -1" or "Bad magic number"
    assert message.startswith("manifest.json: member is damaged (")


@pytest.mark.parametrize("delta", [1, -1])
def test_3_directory_offset_off_by_one_in_weights(good, delta):
    npz = with_directory_offset(members_of(good)["weights.npz"], delta)
    assert error_of(with_members(good, weights_npz=npz)).startswith(
        "weights.npz: dense_1/kernel.npy: member is damaged ("
    )


def test_3_zip_version_8_4(good):
    message = error_of(with_extract_version(good, 84))
    assert message == (
        "the zip archive uses a zip feature that cannot be read (NotImplementedError: zip file version 8.4)"
    )
    npz = with_extract_version(members_of(good)["weights.npz"], 84)
    assert error_of(with_members(good, weights_npz=npz)).startswith("weights.npz: the zip archive uses a zip feature")


def test_3_unsupported_compression_method(good):
    out = bytearray(good)
    for at in central_records(good):
        struct.pack_into("<H", out, at + 10, 99)  # compression method 99 (AES), unknown to zipfile
    message = error_of(bytes(out))
    assert "cannot be read" in message and "NotImplementedError" in message


def test_3_corrupt_deflate_in_weights(good):
    members = members_of(good)
    npz = bytearray(zip_of(members_of(members["weights.npz"]), zipfile.ZIP_DEFLATED))
    first = central_records(bytes(npz))[0]
    (local,) = struct.unpack_from("<I", npz, first + 42)
    name_len, extra_len = struct.unpack_from("<HH", npz, local + 26)
    data_at = local + 30 + name_len + extra_len
    npz[data_at : data_at + 4] = b"\xff\xff\xff\xff"
    assert "weights.npz: " in error_of(with_members(good, weights_npz=bytes(npz)))


# ------------------------------------------------------------------ 4. sizes checked against the graph first


def test_4_weights_member_larger_than_the_graph_can_need_is_refused_unread(good, monkeypatch):
    npz = stored_npz(
        {
            "dense_1/kernel.npy": npy_with_header("(2, 2)", body=bytes(32)),
            "padding.npy": npy_with_header("(300000,)", body=bytes(2_400_000)),
        }
    )
    members = members_of(good)
    members["weights.npz"] = npz
    data = zip_of(members, zipfile.ZIP_STORED)
    reads = []
    real_read = Archive.read
    monkeypatch.setattr(
        Archive, "read", lambda self, name, max_bytes=None: reads.append(name) or real_read(self, name, max_bytes)
    )
    message = error_of(data)
    assert message.startswith("weights.npz: unpacks to 2,400,")
    assert "this network's arrays can take" in message
    assert "weights.npz" not in reads


def test_4_array_shape_is_checked_from_its_header_before_inflating(good, monkeypatch):
    kernel = io.BytesIO()
    np.lib.format.write_array(kernel, np.zeros((60, 60)))
    npz = zip_of({"dense_1/kernel.npy": kernel.getvalue()}, zipfile.ZIP_DEFLATED)

    def must_not_inflate(*args, **kwargs):
        raise AssertionError("the array was decompressed before its shape was checked")

    monkeypatch.setattr(arrays_module, "read_array", must_not_inflate)
    assert (
        error_of(with_members(good, weights_npz=npz))
        == "weights.npz: dense_1/kernel: expected shape (2, 2), got (60, 60)"
    )


@pytest.mark.parametrize("descr", ["<f16", "<c16", "<M8[s]"])
def test_4_weights_wider_than_float64_are_refused(good, descr):
    npz = stored_npz({"dense_1/bias.npy": npy_with_header("(2,)", descr, bytes(2 * np.dtype(descr).itemsize))})
    assert error_of(with_members(good, weights_npz=npz)).startswith("weights.npz: dense_1/bias: has dtype ")


# ------------------------------------------------------------------ 6. non-regular files


def test_6_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "x.nedit"
    os.mkfifo(fifo)
    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(_load_message(fifo)), daemon=True)
    worker.start()
    worker.join(5)
    if not outcome:  # unblock the reader so the test run can go on, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("loading a FIFO blocked")
    assert outcome == ["is a named pipe (FIFO), not a regular file"]


def test_6_devices_and_folders_are_refused(tmp_path):
    assert _load_message("/dev/zero") == "is a character device, not a regular file"
    assert _load_message(tmp_path) == "is a folder, not a regular file"


def test_6_bytes_read_are_capped(tmp_path, monkeypatch):
    from neuroedit.io import nedit

    path = tmp_path / "big.nedit"
    path.write_bytes(good_bytes())
    monkeypatch.setattr(nedit, "NEDIT_LIMITS", nedit.NEDIT_LIMITS.__class__(32, 100, max_total_bytes=100))
    assert _load_message(path).startswith("the file is ")


def _load_message(path) -> str:
    started = time.monotonic()
    with pytest.raises(LoadError) as info:
        load(path)
    assert time.monotonic() - started < 5
    assert info.value.source == os.fspath(path)
    return str(info.value)


# ------------------------------------------------------------------ 8. values shortened in messages


def test_8_a_megabyte_node_id_gives_a_short_message(good):
    huge = "n" * 1_000_000
    message = error_of(edit_json(good, "graph.json", lambda g: g["nodes"][0].update(id=huge)))
    assert message.startswith("graph.json: nodes[0].id: 'nnnn") and " ... " in message
    assert len(message) < 300


def test_8_a_megabyte_edge_target_and_member_name(good):
    huge = "x" * 1_000_000
    message = error_of(edit_json(good, "graph.json", lambda g: g["edges"][0].update(dst=huge)))
    assert len(message) < 300 and message.startswith("graph.json: edges[0].dst: there is no node 'xxx")
    members = members_of(good)
    members["m" * 60_000] = b""
    assert len(error_of(zip_of(members))) < 300


# ------------------------------------------------------------------ 9. save and load agree


def test_9_a_highly_compressible_description_saves_and_loads():
    doc = small_network()
    doc.description = "a" * 2_000_000  # deflates about 1000:1, past the reader's 200:1 zip-bomb rule
    assert from_bytes(to_bytes(doc)).description == doc.description


def test_9_what_load_would_refuse_save_refuses():
    doc = small_network()
    doc.description = "a" * (JSON_MEMBER_BYTES + 1)
    with pytest.raises(SaveError, match=r"^graph.json would be [\d,]+ bytes; the limit is 16,777,216"):
        to_bytes(doc)


def test_9_a_graph_too_large_for_indented_json_is_saved_compact(monkeypatch):
    from neuroedit.io import nedit

    doc = small_network()
    indented = len(members_of(to_bytes(doc))["graph.json"])
    monkeypatch.setattr(nedit, "JSON_MEMBER_BYTES", indented - 1)
    data = to_bytes(doc)
    assert len(members_of(data)["graph.json"]) < indented and b"\n  " not in members_of(data)["graph.json"]
    monkeypatch.undo()
    assert from_bytes(data).nodes == doc.nodes


def test_9_oversized_weights_of_unshaped_nodes_are_refused_by_save(monkeypatch):
    from neuroedit.io import budget

    monkeypatch.setattr(budget, "UNSHAPED_WEIGHT_BYTES", 1000)
    doc = small_network()
    doc.edges.clear()  # no shapes can be inferred: stale weights are kept, within the allowance
    doc._analysis_cache = None
    doc.weights["dense_2"] = {"kernel": np.zeros((200, 200), np.float32)}
    with pytest.raises(SaveError, match="cannot be inferred take more than"):
        to_bytes(doc)


@pytest.mark.parametrize("member", ["graph.json", "history.json"])
def test_9_deeply_nested_free_form_json_is_refused_on_load(good, member):
    """600 levels parse, but saving them again would exhaust Python's recursion limit."""
    nested = '{"a": ' * 600 + "{}" + "}" * 600
    members = members_of(good)
    if member == "graph.json":
        members[member] = members[member].replace(b'"view": {}', b'"view": {"deep": ' + nested.encode() + b"}", 1)
        where = "graph.json: view"
    else:
        members[member] = ('{"loss": [0.5], "deep": ' + nested + "}").encode()
        where = "history.json"
    assert error_of(zip_of(members)) == f"{where}: nested more than 64 levels deep"


def test_9_deeply_nested_history_is_refused_by_save():
    doc = small_network()
    deep: dict = {}
    for _ in range(100):
        deep = {"a": deep}
    doc.training_history = {"deep": deep}
    with pytest.raises(SaveError, match=r"history\.json: nested more than 64 levels deep"):
        to_bytes(doc)


# ------------------------------------------------------------------ 10. temporaries of killed saves


def test_10_stale_temporaries_are_removed_by_the_next_save(tmp_path):
    old = time.time() - STALE_AFTER_S - 60
    stale = tmp_path / ".net.nedit.0123456789ab.tmp"
    fresh = tmp_path / ".net.nedit.ba9876543210.tmp"  # maybe a save running right now: kept
    other = tmp_path / ".notes.tmp"  # not ours: kept
    for p in (stale, fresh, other):
        p.write_bytes(b"partial")
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    save(small_network(), tmp_path / "net.nedit")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".net.nedit.ba9876543210.tmp", ".notes.tmp", "net.nedit"]


def test_10_only_regular_files_are_removed(tmp_path):
    folder = tmp_path / ".x.nedit.0123456789ab.tmp"
    folder.mkdir()
    old = time.time() - STALE_AFTER_S - 60
    os.utime(folder, (old, old))
    assert remove_stale_temporaries(tmp_path) == [] and folder.is_dir()
