"""Seeded mutation fuzzing of `.nedit` files: about 2,000 mutants of the samples' bytes, of their JSON
members and of their `.npz` members. Only LoadError may escape, as one line; anything that loads
survives analysis and a save/reload unchanged. The seed is fixed, so a failure reproduces."""

from __future__ import annotations

import json
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from nedit_helpers import assert_same_document, members_of, small_network, zip_of

from neuroedit.io import LoadError, from_bytes, load, to_bytes
from neuroedit.model import analyze

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples").glob("*.nedit"))
INTERESTING_INTS = [0, 1, -1, 2, 255, 256, 65535, 2**31 - 1, 2**31, 2**32 - 1, 2**63, 2**64, 10**400]
INTERESTING_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    0.5,
    -1e308,
    1e308,
    2**64,
    10**30,
    "",
    "x" * 300,
    "\ud800",
    "input_1",
    "Dense",
    "out",
    "in",
    [],
    [0],
    [2, 2],
    [-1],
    {},
    {"units": 3},
    json.loads("[" * 70 + "]" * 70),
]
SHAPES = [
    "()",
    "(0,)",
    "(-1,)",
    "(0, 18446744073709551616)",
    "(4294967296, 4294967296)",
    "(2, 2)",
    "(1, 2)",
    "(2,)",
    "(1,)",
    "(3, 1)",
    "(9223372036854775807,)",
]
DESCRS = [
    "'<f4'",
    "'<f8'",
    "'>f8'",
    "'<f2'",
    "'|O'",
    "'<i8'",
    "'|b1'",
    "'<c16'",
    "'|V8'",
    "'<U1'",
    "'|S4'",
    "[('a', '<f4')]",
    "('<f4', (2,))",
]


def with_weights(data: bytes) -> bytes:
    """A sample with weights and optimizer state of the right shapes, so array members are fuzzed too."""
    doc = from_bytes(data)
    rng = np.random.default_rng(0)
    doc.weights = {
        node_id: {name: rng.normal(size=spec.shape).astype(np.float32) for name, spec in specs.items()}
        for node_id, specs in analyze(doc).weights.items()
        if specs
    }
    doc.optimizer_state = {
        "iterations": np.array([3], np.int64),
        **{f"{n}/{k}/m": np.zeros_like(a) for n, arrays in doc.weights.items() for k, a in arrays.items()},
    }
    doc.training_history = {"loss": [0.5, 0.25], "lr": [0.1, 0.1]}
    doc._analysis_cache = None
    return to_bytes(doc)


BASES = [with_weights(p.read_bytes()) for p in SAMPLES if p.stat().st_size < 200_000] + [to_bytes(small_network())]


def survives(data: bytes) -> str:
    """'refused' or 'loaded'; fails the test on any other outcome."""
    try:
        doc = from_bytes(data)
    except LoadError as e:
        text = str(e)
        assert text and "\n" not in text and len(text) < 1200, text
        return "refused"
    analyze(doc)
    doc._analysis_cache = None
    assert_same_document(doc, from_bytes(to_bytes(doc)))
    return "loaded"


# --------------------------------------------------------------------------- mutation operators


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(6)
        at = rng.randrange(len(out))
        if kind == 0:
            out[at] = rng.randrange(256)
        elif kind == 1:
            out[at] ^= 1 << rng.randrange(8)
        elif kind == 2:  # a 16- or 32-bit field (sizes, offsets, counts) set to an edge value
            width = rng.choice((2, 4))
            value = rng.choice(INTERESTING_INTS) % (1 << (8 * width))
            out[at : at + width] = value.to_bytes(width, "little")
        elif kind == 3:
            del out[rng.randrange(1, len(out)) :]
        elif kind == 4:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        else:
            length = rng.randint(1, 64)
            out[at:at] = out[at : at + length]
        if not out:
            break
    return bytes(out)


def json_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found += json_paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += json_paths(v, prefix + (i,))
    return found


def mutate_json(rng: random.Random, raw: bytes) -> bytes:
    if rng.random() < 0.15:
        return mutate_bytes(rng, raw)
    value = json.loads(raw)
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in json_paths(value) if p]
        if not paths:
            return json.dumps(rng.choice(INTERESTING_VALUES)).encode()
        path = rng.choice(paths)
        parent = value
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = rng.randrange(4)
        if action == 0:
            parent[key] = rng.choice(INTERESTING_VALUES)
        elif action == 1:
            del parent[key]
        elif action == 2 and isinstance(parent, list):
            parent.insert(key, json.loads(json.dumps(parent[key])))  # a duplicate: ids, edges
        else:
            other = rng.choice(paths)
            source = value
            for k in other:
                source = source[k]
            parent[key] = json.loads(json.dumps(source))
    return json.dumps(value).encode()


def mutate_npy(rng: random.Random, raw: bytes) -> bytes:
    head_end = raw.find(b"\n") + 1
    header, body = raw[:head_end].decode("latin-1"), raw[head_end:]
    action = rng.randrange(6)
    if action == 0:
        header = re.sub(r"'shape': \([^)]*\)", "'shape': " + rng.choice(SHAPES), header)
    elif action == 1:
        header = re.sub(r"'descr': '[^']*'", "'descr': " + rng.choice(DESCRS), header)
    elif action == 2:
        header = header.replace("False", "True")
    elif action == 3:
        body = body[: rng.randrange(len(body) + 1)]
    elif action == 4:
        body += bytes(rng.randint(1, 64))
    else:
        return mutate_bytes(rng, raw)
    text = header.rstrip("\n").rstrip(" ")
    padded = text + " " * ((64 - (len(text) + 11) % 64) % 64) + "\n"
    return raw[:8] + len(padded).to_bytes(2, "little") + padded.encode("latin-1", "replace") + body


def mutate_npz(rng: random.Random, raw: bytes) -> bytes:
    if rng.random() < 0.2:
        return mutate_bytes(rng, raw)
    members = members_of(raw)
    names = list(members)
    action = rng.randrange(5) if names else 4
    if action <= 1:
        name = rng.choice(names)
        members[name] = mutate_npy(rng, members[name])
    elif action == 2:
        del members[rng.choice(names)]
    elif action == 3:
        name = rng.choice(names)
        members[rng.choice(["dense_1/kernel.npy", "ghost/kernel.npy", "kernel.npy", name[:-4], name + "x"])] = (
            members.pop(name)
        )
    else:
        members[rng.choice(["extra.npy", "dense_1/bias.npy"])] = rng.choice(list(members.values()) or [b""])
    return zip_of(members, rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))


def member_mutant(rng: random.Random, base: bytes, kinds: tuple[str, ...], mutate) -> bytes:
    members = members_of(base)
    candidates = [n for n in members if n.endswith(kinds)]
    name = rng.choice(candidates)
    members[name] = mutate(rng, members[name])
    return zip_of(members)


# --------------------------------------------------------------------------- the runs


@pytest.mark.slow
@pytest.mark.parametrize("kind, count", [("bytes", 700), ("json", 700), ("npz", 600)])
def test_mutants_only_ever_end_in_load_error(kind, count):
    rng = random.Random(f"issue-17-{kind}")
    outcomes = {"refused": 0, "loaded": 0}
    for i in range(count):
        base = BASES[i % len(BASES)]
        if kind == "bytes":
            mutant = mutate_bytes(rng, base)
        elif kind == "json":
            mutant = member_mutant(rng, base, (".json",), mutate_json)
        else:
            mutant = member_mutant(rng, base, (".npz",), mutate_npz)
        outcomes[survives(mutant)] += 1
    assert outcomes["refused"] > count // 4, outcomes  # the mutants do reach the checks
    assert outcomes["loaded"] > 0 or kind == "bytes", outcomes


def test_the_bases_load_and_hold_arrays():
    for base in BASES:
        assert survives(base) == "loaded"
    assert any(from_bytes(b).weights for b in BASES) and any(from_bytes(b).optimizer_state for b in BASES)


def test_samples_on_disk_load(tmp_path):
    for path in SAMPLES:
        assert load(path) is not None
