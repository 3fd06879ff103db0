"""Older files go through the migration table; a synthetic version 0 stored positions as {x, y} objects."""

from __future__ import annotations

import json

import pytest
from nedit_helpers import edit_json, good_bytes, members_of, zip_of

from neuroedit.io import FORMAT_VERSION, LoadError, from_bytes, migrations


def as_version_0(data: bytes) -> bytes:
    members = members_of(data)
    manifest = json.loads(members["manifest.json"])
    manifest["format_version"] = 0
    graph = json.loads(members["graph.json"])
    for node in graph["nodes"]:
        x, y = node["pos"]
        node["pos"] = {"x": x, "y": y}
    members["manifest.json"] = json.dumps(manifest).encode()
    members["graph.json"] = json.dumps(graph).encode()
    return zip_of(members)


def test_version_0_file_loads_through_the_migration():
    current = from_bytes(good_bytes())
    old = from_bytes(as_version_0(good_bytes()))
    assert old.nodes == current.nodes
    assert old.nodes["dense_3"].pos == (300.0, 0.0)
    assert old.edges == current.edges


def test_migration_leaves_malformed_input_to_validation():
    def break_pos(g):
        g["nodes"][1]["pos"] = {"x": 1}

    data = edit_json(as_version_0(good_bytes()), "graph.json", break_pos)
    with pytest.raises(LoadError, match=r"^graph.json: nodes\[1\].pos: expected a list \[x, y\], got an object$"):
        from_bytes(data)


def test_current_version_is_not_migrated():
    """A version-1 file with {x, y} positions is simply invalid: migrations apply to older files only."""

    def object_pos(g):
        g["nodes"][0]["pos"] = {"x": 0, "y": 0}

    with pytest.raises(LoadError, match=r"nodes\[0\].pos: expected a list"):
        from_bytes(edit_json(good_bytes(), "graph.json", object_pos))


def test_every_older_version_has_a_step():
    assert FORMAT_VERSION == 1
    assert sorted(migrations.MIGRATIONS) == list(range(FORMAT_VERSION))


def test_steps_chain_in_order(monkeypatch):
    calls = []

    def step(v):
        def run(graph):
            calls.append(v)
            return {**graph, "seen": [*graph.get("seen", []), v]}

        return run

    monkeypatch.setattr(migrations, "FORMAT_VERSION", 3)
    monkeypatch.setattr(migrations, "MIGRATIONS", {0: step(0), 1: step(1), 2: step(2)})
    assert migrations.migrate({}, 1) == {"seen": [1, 2]}
    assert calls == [1, 2]
    assert migrations.migrate({"a": 1}, 3) == {"a": 1}


def test_version_without_a_migration_is_refused(monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", {})
    with pytest.raises(LoadError) as info:
        from_bytes(as_version_0(good_bytes()))
    assert (
        str(info.value)
        == "manifest.json: format_version: format 0 is too old to be read (this version reads formats 1 to 1)"
    )
