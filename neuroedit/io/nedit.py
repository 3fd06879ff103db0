"""Document <-> `.nedit` bytes: the manifest, the members and the checks that tie them together."""

from __future__ import annotations

import io
import os
import re
from datetime import datetime, timezone
from typing import IO, Any

import numpy as np

from .._version import __version__
from ..model.analysis import analyze
from ..model.document import Document
from .arrays import FLOAT_KINDS, NUMERIC_KINDS, read_npz, write_npz
from .container import JSON_MEMBER_BYTES, NEDIT_LIMITS, Archive, write_archive
from .errors import LoadError, SaveError
from .jsontext import dump_json, parse_json, to_plain
from .migrations import FORMAT_NAME, FORMAT_VERSION, migrate
from .runs_json import RUNS, runs_from_json, runs_to_json
from .schema import check_keys, expect_object, graph_from_json, graph_to_json

MANIFEST, GRAPH, WEIGHTS, OPTIMIZER, HISTORY = (
    "manifest.json", "graph.json", "weights.npz", "optimizer.npz", "history.json")
REQUIRED = (MANIFEST, GRAPH, WEIGHTS)
OPTIONAL = (OPTIMIZER, HISTORY, RUNS)
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")  # used with fullmatch


# --------------------------------------------------------------------------- writing


def to_bytes(doc: Document) -> bytes:
    """The `.nedit` file for `doc`; raises SaveError for content the format cannot hold."""
    manifest = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "app_version": __version__,
                "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    graph = dump_json(graph_to_json(doc))
    try:  # edits keep a document valid, but code may build one directly: never write a file that will not load
        graph_from_json(parse_json(graph, GRAPH))
    except LoadError as e:
        raise SaveError(f"cannot save, the file would not load: {e}") from None
    weights = {f"{node_id}/{name}": array for (node_id, name), array in _fitting_weights(doc).items()}
    members: dict[str, tuple[bytes, bool]] = {
        MANIFEST: (dump_json(manifest), True),
        GRAPH: (graph, True),
        WEIGHTS: (write_npz(weights, WEIGHTS, FLOAT_KINDS), False),
    }
    if doc.optimizer_state:
        for key in doc.optimizer_state:
            if not isinstance(key, str) or not key or "\x00" in key or not _utf8(key):
                raise SaveError(f"{OPTIMIZER}: key {key!r} must be a non-empty string of valid Unicode")
        members[OPTIMIZER] = (write_npz(doc.optimizer_state, OPTIMIZER, NUMERIC_KINDS), False)
    if doc.training_history:
        members[HISTORY] = (dump_json(to_plain(doc.training_history, "training_history")), True)
    if doc.runs:
        members[RUNS] = (dump_json(runs_to_json(doc.runs)), True)
    return write_archive(members)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _fitting_weights(doc: Document) -> dict[tuple[str, str], np.ndarray]:
    """The weight arrays that still fit the graph: a structural edit (e.g. more units) leaves stale arrays
    behind until the network is re-initialised; they are left out so that every saved file loads."""
    specs = analyze(doc).weights
    out = {}
    for node_id, arrays in doc.weights.items():
        if node_id not in doc.nodes:
            continue
        known = specs.get(node_id)
        for name, array in arrays.items():
            if known is None or (name in known and np.shape(array) == tuple(known[name].shape)):
                out[node_id, name] = array
    return out


# --------------------------------------------------------------------------- reading


def from_bytes(data: bytes, source: str = "<bytes>") -> Document:
    """The Document stored in `data`; LoadError (with `source` set) if anything in it is wrong."""
    return read_document(io.BytesIO(data), source)


def read_document(fileobj: IO[bytes], source: str) -> Document:
    try:
        return _read(fileobj)
    except LoadError as e:
        e.source = source
        raise


def load_path(path: str | os.PathLike[str]) -> Document:
    size = os.path.getsize(path)
    if size > NEDIT_LIMITS.max_total_bytes:
        raise LoadError(f"the file is {size:,} bytes; the limit is {NEDIT_LIMITS.max_total_bytes:,}",
                        source=os.fspath(path))
    with open(path, "rb") as f:
        return read_document(f, os.fspath(path))


def _read(fileobj: IO[bytes]) -> Document:
    archive = Archive(fileobj, NEDIT_LIMITS)
    version = _manifest(_json(archive, MANIFEST))
    for name in archive.names:
        if name not in REQUIRED + OPTIONAL:
            raise LoadError(f"unexpected member {name!r}; a .nedit file holds {', '.join(REQUIRED + OPTIONAL)}")
    g = graph_from_json(migrate(_json(archive, GRAPH), version))
    doc = Document(nodes=g.nodes, edges=g.edges, settings=g.settings, dataset=g.dataset, view=g.view,
                   description=g.description)
    doc.weights = _weights(doc, read_npz(_member(archive, WEIGHTS), WEIGHTS, FLOAT_KINDS))
    if OPTIMIZER in archive.infos:
        doc.optimizer_state = read_npz(archive.read(OPTIMIZER), OPTIMIZER, NUMERIC_KINDS)
    if HISTORY in archive.infos:
        doc.training_history = expect_object(_json(archive, HISTORY), "", HISTORY)
    if RUNS in archive.infos:
        doc.runs = runs_from_json(_json(archive, RUNS))
    return doc


def _member(archive: Archive, name: str, max_bytes: int | None = None) -> bytes:
    if name not in archive.infos:
        raise LoadError(f"missing member {name} (a .nedit file holds {', '.join(REQUIRED)}"
                        f" and optionally {', '.join(OPTIONAL)})")
    return archive.read(name, max_bytes)


def _json(archive: Archive, name: str) -> Any:
    return parse_json(_member(archive, name, JSON_MEMBER_BYTES), name)


def _manifest(data: Any) -> int:
    """The file's format version, after checking that this is a NeuroEdit network at all."""
    m = expect_object(data, "", MANIFEST)
    fmt = m.get("format")
    if fmt != FORMAT_NAME:
        raise LoadError(f"not a NeuroEdit network: expected {FORMAT_NAME!r}, got "
                        f"{'nothing' if fmt is None else repr(fmt)}", MANIFEST, "format")
    version = m.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise LoadError(f"expected a non-negative integer, got {version!r}", MANIFEST, "format_version")
    if version > FORMAT_VERSION:
        migrate({}, version)  # raises the "written by a newer NeuroEdit" error
    keys = ("format", "format_version", "app_version", "saved_at")
    check_keys(m, keys, keys, "", MANIFEST)
    for key in ("app_version", "saved_at"):
        if not isinstance(m[key], str):
            raise LoadError(f"expected a string, got {m[key]!r}", MANIFEST, key)
    return version


def _weights(doc: Document, flat: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """Group `node/param` arrays by node, checking names and, where the analysis knows them, shapes."""
    specs = analyze(doc).weights if flat else {}
    out: dict[str, dict[str, np.ndarray]] = {}
    for key, array in flat.items():
        node_id, slash, name = key.partition("/")
        if not slash or not _PARAM_NAME.fullmatch(name):
            raise LoadError("array names must be node_id/param_name, e.g. dense_1/kernel", WEIGHTS, key)
        if node_id not in doc.nodes:
            raise LoadError(f"there is no node {node_id!r} in graph.json", WEIGHTS, key)
        known = specs.get(node_id)
        if known is not None:
            if name not in known:
                has = f"its weights are {', '.join(known)}" if known else "it has no weights"
                raise LoadError(f"{node_id} ({doc.nodes[node_id].type}) has no weight {name!r}; {has}", WEIGHTS, key)
            if array.shape != tuple(known[name].shape):
                raise LoadError(f"expected shape {tuple(known[name].shape)}, got {array.shape}", WEIGHTS, key)
        out.setdefault(node_id, {})[name] = array
    return out
