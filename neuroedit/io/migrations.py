"""Format versions and the upgrades that bring an older graph.json to the current layout.

`MIGRATIONS[v]` turns a version-v graph.json into a version-(v+1) one; loading applies the
steps from the file's version up to FORMAT_VERSION, then validates the result as usual.
A step rewrites only what it recognises and leaves anything malformed for validation to report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import LoadError

FORMAT_NAME = "neuroedit-network"
FORMAT_VERSION = 1


def _v0_to_v1(graph: Any) -> Any:
    """Version 0 stored node positions as objects {"x": .., "y": ..}; version 1 uses lists [x, y]."""
    if isinstance(graph, dict) and isinstance(graph.get("nodes"), list):
        for node in graph["nodes"]:
            pos = node.get("pos") if isinstance(node, dict) else None
            if isinstance(pos, dict) and set(pos) == {"x", "y"}:
                node["pos"] = [pos["x"], pos["y"]]
    return graph


MIGRATIONS: dict[int, Callable[[Any], Any]] = {0: _v0_to_v1}


def _oldest_readable() -> int:
    version = FORMAT_VERSION
    while version - 1 in MIGRATIONS:
        version -= 1
    return version


def migrate(graph: Any, version: int) -> Any:
    """Bring `graph` (graph.json of format `version`) up to FORMAT_VERSION."""
    if version > FORMAT_VERSION:
        raise LoadError(
            f"written by a newer NeuroEdit (format {version}); this version reads up to {FORMAT_VERSION}",
            "manifest.json",
            "format_version",
        )
    for v in range(version, FORMAT_VERSION):
        step = MIGRATIONS.get(v)
        if step is None:
            raise LoadError(
                f"format {version} is too old to be read (this version reads formats "
                f"{_oldest_readable()} to {FORMAT_VERSION})",
                "manifest.json",
                "format_version",
            )
        graph = step(graph)
    return graph
