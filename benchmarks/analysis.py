"""Analysis and validation of very large graphs: O(n), at most 2 s for 100,000 nodes.

Three shapes of graph, each at 10,000 and 100,000 nodes: a chain of Dense layers, one big
cycle (every node reported), and 100,000 unconnected layers (every node reported). The
10,000-node run is the reference: for O(n) work the 100k/10k ratio is about 10. `validate`
is the CLI's work on a `.nedit` file written with compact JSON: load (parse, check, analyse
for the weight budget) and the report. Times are CPU seconds of this process (best of 3).

    .venv/bin/python benchmarks/analysis.py
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import sys
import tempfile
import time
import zipfile

from neuroedit.cli import main as cli_main
from neuroedit.io.migrations import FORMAT_NAME, FORMAT_VERSION
from neuroedit.model import Document, analyze
from neuroedit.model.document import Edge, Node
from neuroedit.model.nodetypes import REGISTRY

SIZES = (10_000, 100_000)


def graph(kind: str, n: int) -> Document:
    dense = REGISTRY["Dense"].default_params()
    nodes = {f"d{i}": Node(f"d{i}", "Dense", dict(dense), (0.0, 0.0)) for i in range(n)}
    if kind == "chain":
        nodes = {"input_1": Node("input_1", "Input", {"shape": [2]}, (0.0, 0.0)), **nodes}
        ids = list(nodes)
        edges = [Edge(a, b) for a, b in itertools.pairwise(ids)]
    elif kind == "cycle":
        edges = [Edge(f"d{i}", f"d{(i + 1) % n}") for i in range(n)]
    else:
        edges = []
    return Document(nodes=nodes, edges=edges)


def chain_file(folder: str, n: int) -> str:
    """A `.nedit` of an Input and n Dense layers in a chain, graph.json compact (defaults left out)."""
    nodes = [{"id": "input_1", "type": "Input", "params": {"shape": [2]}}]
    nodes += [{"id": f"d{i}", "type": "Dense"} for i in range(n)]
    ids = [x["id"] for x in nodes]
    edges = [{"src": a, "dst": b} for a, b in itertools.pairwise(ids)]
    manifest = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "app_version": "0", "saved_at": "now"}
    path = os.path.join(folder, f"chain{n}.nedit")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("graph.json", json.dumps({"nodes": nodes, "edges": edges}))
        z.writestr("weights.npz", _empty_zip())
    return path


def _empty_zip() -> bytes:
    out = io.BytesIO()
    zipfile.ZipFile(out, "w").close()
    return out.getvalue()


def best_of(runs: int, work) -> float:
    """Best CPU time of the process over `runs` (on a shared machine, wall time mostly measures the others)."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    rows = []
    for kind in ("chain", "cycle", "unconnected"):
        docs = {n: graph(kind, n) for n in SIZES}
        t = {n: best_of(3, lambda d=docs[n]: _fresh_analysis(d)) for n in SIZES}
        rows.append((f"`analyze`, {kind}", t))
    with tempfile.TemporaryDirectory() as folder:
        paths = {n: chain_file(folder, n) for n in SIZES}
        t = {n: best_of(3, lambda p=paths[n]: _validate(p)) for n in SIZES}
        rows.append(("`neuroedit validate`, chain file", t))
    print("| case | 10,000 nodes | 100,000 nodes | ratio | target |")
    print("|---|---|---|---|---|")
    for name, t in rows:
        small, big = t[SIZES[0]], t[SIZES[1]]
        verdict = "✔" if big <= 2.0 else "✘"
        print(f"| {name} | {small:.3f} s | {big:.3f} s | {big / small:.1f}× | ≤ 2 s {verdict} |")


def _fresh_analysis(doc: Document) -> None:
    doc._analysis_cache = None
    analyze(doc)


def _validate(path: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(["validate", "-q", path])
    if code not in (0, 1):
        sys.exit(f"validate {path} failed with exit code {code}")


if __name__ == "__main__":
    main()
