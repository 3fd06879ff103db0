"""Document <-> `.nedit` bytes: the manifest, the members and the checks that tie them together."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

import numpy as np

from .._version import __version__
from ..model.analysis import analyze
from ..model.document import Document
from ..model.fitting import fitting_weights
from ..untrusted import NpyHeader, clip, open_regular, shorten
from .arrays import FLOAT_KINDS, NUMERIC_KINDS, read_npz, write_npz
from .budget import UNSHAPED_WEIGHT_BYTES, ArrayBudget, array_budget
from .container import (
    JSON_MEMBER_BYTES,
    NEDIT_LIMITS,
    Archive,
    as_load_error,
    write_archive,
)
from .errors import LoadError, SaveError
from .jsontext import check_depth, dump_json, is_valid_unicode, parse_json, to_plain
from .migrations import FORMAT_NAME, FORMAT_VERSION, migrate
from .runs_json import RUNS, runs_from_json, runs_to_json
from .schema import check_keys, expect_object, graph_from_json, graph_to_json

MANIFEST, GRAPH, WEIGHTS, OPTIMIZER, HISTORY = (
    "manifest.json",
    "graph.json",
    "weights.npz",
    "optimizer.npz",
    "history.json",
)
REQUIRED = (MANIFEST, GRAPH, WEIGHTS)
OPTIONAL = (OPTIMIZER, HISTORY, RUNS)
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")  # used with fullmatch


# --------------------------------------------------------------------------- writing


def to_bytes(doc: Document) -> bytes:
    """The `.nedit` file for `doc`; raises SaveError for content the format cannot hold."""
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "app_version": __version__,
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    graph = _json_member(GRAPH, graph_to_json(doc))
    try:  # edits keep a document valid, but code may build one directly: never write a file that will not load
        graph_from_json(parse_json(graph, GRAPH))
    except LoadError as e:
        raise SaveError(f"cannot save, the file would not load: {e}") from None
    budget = array_budget(doc)
    fit = fitting_weights(doc, keep_unshaped=True)
    weights = {f"{node_id}/{name}": array for node_id, arrays in fit.items() for name, array in arrays.items()}
    members: dict[str, tuple[bytes, bool]] = {
        MANIFEST: (dump_json(manifest), True),
        GRAPH: (graph, True),
        WEIGHTS: (write_npz(weights, WEIGHTS, FLOAT_KINDS), False),
    }
    if len(members[WEIGHTS][0]) > budget.weights:
        raise SaveError(
            f"{WEIGHTS}: the weights of nodes whose shapes cannot be inferred take more than "
            f"{UNSHAPED_WEIGHT_BYTES // 2**20} MiB; fix the network's errors or reset its weights"
        )
    if doc.optimizer_state:
        for key in doc.optimizer_state:
            if not isinstance(key, str) or not key or "\x00" in key or not is_valid_unicode(key):
                raise SaveError(f"{OPTIMIZER}: key {shorten(key)} must be a non-empty string of valid Unicode")
        state = write_npz(doc.optimizer_state, OPTIMIZER, NUMERIC_KINDS)
        if len(state) <= budget.optimizer:  # larger state belongs to an older, bigger graph: it could not resume
            members[OPTIMIZER] = (state, False)
    if doc.training_history:
        history = to_plain(doc.training_history, "training_history")
        try:
            check_depth(history, HISTORY, "")
        except LoadError as e:
            raise SaveError(f"cannot save, the file would not load: {e}") from None
        members[HISTORY] = (_json_member(HISTORY, history), True)
    if doc.runs:
        members[RUNS] = (_json_member(RUNS, runs_to_json(doc.runs)), True)
    return write_archive(members)


def _json_member(name: str, value: Any) -> bytes:
    """Indented JSON, or compact JSON when the indented form would pass the reader's limit."""
    data = dump_json(value)
    if len(data) > JSON_MEMBER_BYTES:
        data = dump_json(value, compact=True)
    if len(data) > JSON_MEMBER_BYTES:
        raise SaveError(
            f"{name} would be {len(data):,} bytes; the limit is {JSON_MEMBER_BYTES:,} "
            "even without indentation (is the description or the training history very long, "
            "or the network tens of thousands of nodes?)"
        )
    return data


# --------------------------------------------------------------------------- reading


def from_bytes(data: bytes, source: str = "<bytes>") -> Document:
    """The Document stored in `data`; LoadError (with `source` set) if anything in it is wrong."""
    return read_document(io.BytesIO(data), source)


def read_document(fileobj: IO[bytes], source: str) -> Document:
    try:
        with _collector_paused():
            return _read(fileobj)
    except LoadError as e:
        e.source = source
        raise


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file is read: a big graph is a million small objects
    without cycles, and each automatic collection would walk all of them again (a third of the time
    of loading 100,000 nodes). If something else paused it already, it is left paused."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_path(path: str | os.PathLike[str]) -> Document:
    """The Document in the regular file `path`; FIFOs, devices and oversized files are refused unread."""
    try:
        with as_load_error():
            f = open_regular(path, NEDIT_LIMITS.max_total_bytes)
    except LoadError as e:
        e.source = os.fspath(path)
        raise
    with f:
        return read_document(f, os.fspath(path))


def _read(fileobj: IO[bytes]) -> Document:
    archive = Archive(fileobj, NEDIT_LIMITS)
    version = _manifest(_json(archive, MANIFEST))
    for name in archive.names:
        if name not in REQUIRED + OPTIONAL:
            raise LoadError(f"unexpected member {shorten(name)}; a .nedit file holds {', '.join(REQUIRED + OPTIONAL)}")
    g = graph_from_json(migrate(_json(archive, GRAPH), version))
    doc = Document(
        nodes=g.nodes, edges=g.edges, settings=g.settings, dataset=g.dataset, view=g.view, description=g.description
    )
    budget = array_budget(doc)
    expected = _WeightCheck(doc)
    doc.weights = expected.grouped(read_npz(_arrays_member(archive, WEIGHTS, budget), WEIGHTS, FLOAT_KINDS, expected))
    if OPTIMIZER in archive.infos:
        doc.optimizer_state = read_npz(_arrays_member(archive, OPTIMIZER, budget), OPTIMIZER, NUMERIC_KINDS)
    if HISTORY in archive.infos:
        doc.training_history = check_depth(expect_object(_json(archive, HISTORY), "", HISTORY), HISTORY, "")
    if RUNS in archive.infos:
        doc.runs = runs_from_json(_json(archive, RUNS))
    return doc


def _member(archive: Archive, name: str, max_bytes: int | None = None) -> bytes:
    if name not in archive.infos:
        raise LoadError(
            f"missing member {name} (a .nedit file holds {', '.join(REQUIRED)} and optionally {', '.join(OPTIONAL)})"
        )
    return archive.read(name, max_bytes)


def _arrays_member(archive: Archive, name: str, budget: ArrayBudget) -> bytes:
    """An array member, refused from its declared size if it is larger than the graph can need."""
    limit = budget.weights if name == WEIGHTS else budget.optimizer
    if name in archive.infos and archive.infos[name].file_size > limit:
        raise LoadError(
            f"unpacks to {archive.infos[name].file_size:,} bytes, more than the {limit:,} "
            "this network's arrays can take",
            name,
        )
    return _member(archive, name)


def _json(archive: Archive, name: str) -> Any:
    return parse_json(_member(archive, name, JSON_MEMBER_BYTES), name)


def _manifest(data: Any) -> int:
    """The file's format version, after checking that this is a NeuroEdit network at all."""
    m = expect_object(data, "", MANIFEST)
    fmt = m.get("format")
    if fmt != FORMAT_NAME:
        raise LoadError(
            f"not a NeuroEdit network: expected '{FORMAT_NAME}', got {'nothing' if fmt is None else shorten(fmt)}",
            MANIFEST,
            "format",
        )
    version = m.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise LoadError(f"expected a non-negative integer, got {shorten(version)}", MANIFEST, "format_version")
    if version > FORMAT_VERSION:
        migrate({}, version)  # raises the "written by a newer NeuroEdit" error
    keys = ("format", "format_version", "app_version", "saved_at")
    check_keys(m, keys, keys, "", MANIFEST)
    for key in ("app_version", "saved_at"):
        if not isinstance(m[key], str):
            raise LoadError(f"expected a string, got {shorten(m[key])}", MANIFEST, key)
    return version


class _WeightCheck:
    """Checks each `node/param` array of weights.npz from its header (names, nodes and, where the
    analysis knows them, shapes) before its data is read, then groups the arrays by node."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.specs = analyze(doc).weights

    def __call__(self, key: str, header: NpyHeader) -> None:
        node_id, slash, name = key.partition("/")
        where = clip(key)
        if not slash or not _PARAM_NAME.fullmatch(name):
            raise LoadError("array names must be node_id/param_name, e.g. dense_1/kernel", WEIGHTS, where)
        if node_id not in self.doc.nodes:
            raise LoadError(f"there is no node {shorten(node_id)} in graph.json", WEIGHTS, where)
        known = self.specs.get(node_id)
        if known is not None:
            if name not in known:
                has = f"its weights are {', '.join(known)}" if known else "it has no weights"
                raise LoadError(
                    f"{node_id} ({self.doc.nodes[node_id].type}) has no weight {shorten(name)}; {has}", WEIGHTS, where
                )
            if header.shape != tuple(known[name].shape):
                raise LoadError(f"expected shape {tuple(known[name].shape)}, got {header.shape}", WEIGHTS, where)

    def grouped(self, flat: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
        out: dict[str, dict[str, np.ndarray]] = {}
        for key, array in flat.items():
            node_id, _, name = key.partition("/")
            out.setdefault(node_id, {})[name] = array
        return out
