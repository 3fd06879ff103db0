"""Damaged files never crash the loader: every outcome is a Document or a LoadError."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nedit_helpers import good_bytes, members_of, small_network, zip_of

from neuroedit.io import LoadError, from_bytes

GOOD = good_bytes()
GRAPH = json.loads(members_of(GOOD)["graph.json"])
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**400, -(10**30), 2**64])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def loads_or_explains(data: bytes) -> None:
    try:
        from_bytes(data)
    except LoadError as e:
        assert str(e)


def paths(value, prefix=()):
    """Every location in a JSON value, as a tuple of keys/indices."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, prefix + (i,))


ALL_PATHS = [p for p in paths(GRAPH) if p]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(1, len(GOOD)),
)
def test_corrupted_bytes(flips, length):
    data = bytearray(GOOD)
    for at, value in flips:
        data[at] = value
    loads_or_explains(bytes(data[:length]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ALL_PATHS), json_values, st.booleans())
def test_any_json_value_anywhere_in_graph(path, value, delete):
    graph = json.loads(json.dumps(GRAPH))
    target = graph
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    members = members_of(GOOD)
    members["graph.json"] = json.dumps(graph).encode()
    loads_or_explains(zip_of(members))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["manifest.json", "history.json"]), json_values)
def test_any_json_in_other_members(member, value):
    members = members_of(GOOD)
    members[member] = json.dumps(value).encode()
    loads_or_explains(zip_of(members))


def test_fuzzed_documents_still_compare():
    """Sanity check of the fixture itself: the untouched file loads."""
    doc = from_bytes(GOOD)
    assert np.array_equal(doc.weights["dense_1"]["kernel"], small_network().weights["dense_1"]["kernel"])


KEYS = st.sampled_from(
    [
        "dense_1/kernel",
        "dense_1/bias",
        "dense_3/kernel",
        "dense_2/gamma",
        "input_1/kernel",
        "ghost/kernel",
        "kernel",
        "dense_1/",
        "/bias",
    ]
) | st.text(max_size=12)
DTYPES = st.sampled_from(["f2", "f4", "f8", ">f8", "i4", "u1", "?", "c8", "U3", "S2", "V4", "M8[s]"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(KEYS, st.tuples(DTYPES, st.lists(st.integers(0, 3), max_size=3)), max_size=4),
    st.sampled_from(["weights.npz", "optimizer.npz"]),
)
def test_any_arrays_in_npz_members(arrays, member):
    from nedit_helpers import npz_of

    built = {k: np.zeros(shape, dtype) for k, (dtype, shape) in arrays.items() if "\x00" not in k}
    members = members_of(GOOD)
    members[member] = npz_of(built)
    loads_or_explains(zip_of(members))
