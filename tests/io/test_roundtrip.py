"""Any valid document saves and loads back equal (hypothesis), and loading is a clean, undo-free start."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from nedit_helpers import assert_same_document, members_of, roundtrip, small_network

from neuroedit.io import SaveError, from_bytes, load, save, to_bytes
from neuroedit.model import REGISTRY, SETTINGS, Document, EditError, ParamSpec, analyze

# --------------------------------------------------------------------------- strategies

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
json_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | finite | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=4)


def param_values(p: ParamSpec) -> st.SearchStrategy:
    """Valid values of a parameter, kept small so weight arrays stay small."""
    if p.kind == "bool":
        return st.booleans()
    if p.kind == "choice":
        return st.sampled_from(p.choices)
    if p.kind == "str":
        return st.text(max_size=10)
    if p.kind == "shape":
        return st.lists(st.integers(1, 4), min_size=1, max_size=3)
    if p.kind == "int":
        low = int(p.minimum) if p.minimum is not None else -100
        high = int(p.maximum) if p.maximum is not None else low + 1000
        return st.integers(low, min(high, low + 5)) | st.integers(low, high)
    low = p.minimum if p.minimum is not None else -1e6
    high = p.maximum if p.maximum is not None else 1e6
    return st.floats(
        low, high, exclude_min=p.min_exclusive, exclude_max=p.max_exclusive, allow_nan=False, allow_infinity=False
    )


NODE_PARAMS = {name: {p.name: param_values(p) for p in t.params} for name, t in REGISTRY.items()}
SMALL_NODE_PARAMS = {**NODE_PARAMS, "Dense": {**NODE_PARAMS["Dense"], "units": st.integers(1, 4)}}
FLOAT_DTYPES = st.sampled_from([np.float16, np.float32, np.float64])
NUMERIC_DTYPES = st.sampled_from([np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_])


@st.composite
def documents(draw) -> Document:
    doc = Document()
    for _ in range(draw(st.integers(0, 7))):
        type_name = draw(st.sampled_from(sorted(REGISTRY)))
        specs = SMALL_NODE_PARAMS[type_name]
        chosen = draw(st.lists(st.sampled_from(sorted(specs)), unique=True)) if specs else []
        params = {name: draw(specs[name]) for name in chosen}
        doc.add_node(type_name, params, (draw(finite), draw(finite)))
    ids = list(doc.nodes)
    if ids:
        for _ in range(draw(st.integers(0, 10))):
            src, dst = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
            ports = [p.name for p in doc.nodes[dst].spec.ports_in(doc.nodes[dst].params)]
            if not ports or not doc.nodes[src].spec.ports_out():
                continue
            try:
                doc.connect(src, dst, "out", draw(st.sampled_from(ports)))
            except EditError:
                pass  # a cycle or a self-loop: the model refuses it, as it should
    for spec in draw(st.lists(st.sampled_from(SETTINGS), unique=True, max_size=6)):
        doc.set_setting(spec.name, draw(param_values(spec)))
    doc.set_dataset(draw(json_objects))
    doc.view = draw(json_objects)
    doc.description = draw(st.text(max_size=30))
    doc.replace_weights(draw(weights_for(doc)))
    doc.optimizer_state = draw(
        st.dictionaries(
            st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), min_size=1, max_size=12),
            NUMERIC_DTYPES.flatmap(
                lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), elements=_elements(dt))
            ),
            max_size=4,
        )
    )
    doc.training_history = draw(
        st.dictionaries(st.text(max_size=10), st.lists(st.none() | finite, max_size=6) | json_values, max_size=4)
    )
    return doc


def _elements(dtype) -> st.SearchStrategy | None:
    if np.dtype(dtype).kind == "f":
        return st.floats(allow_nan=False, allow_infinity=False, width=np.dtype(dtype).itemsize * 8)
    return None


@st.composite
def weights_for(draw, doc: Document) -> dict[str, dict[str, np.ndarray]]:
    """Arrays for every weight the analysis knows, plus arbitrary ones for nodes it cannot size."""
    specs = analyze(doc).weights
    out: dict[str, dict[str, np.ndarray]] = {}
    for node_id, node_specs in specs.items():
        for name, spec in node_specs.items():
            if draw(st.booleans()):
                dtype = draw(FLOAT_DTYPES)
                out.setdefault(node_id, {})[name] = draw(hnp.arrays(dtype, spec.shape, elements=_elements(dtype)))
    for node_id in doc.nodes:
        if node_id not in specs and draw(st.integers(0, 3)) == 0:
            out[node_id] = {"kernel": draw(hnp.arrays(np.float32, (2, 3), elements=_elements(np.float32)))}
    return out


# --------------------------------------------------------------------------- properties


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents())
def test_any_valid_document_round_trips(doc):
    loaded = roundtrip(doc)
    assert_same_document(doc, loaded)
    assert loaded.history.is_clean and not loaded.history.can_undo()


def test_round_trip_through_a_file(tmp_path):
    doc = small_network()
    doc.optimizer_state = {"iterations": np.array(12), "m/dense_1/kernel": np.ones((2, 2), np.float32)}
    doc.training_history = {"loss": [0.7, 0.5, None], "val_loss": [0.8, 0.6, 0.55], "meta": {"epochs": 3}}
    doc.view = {"zoom": 1.5, "center": [10, 20]}
    doc.description = "XOR — the classic"
    path = tmp_path / "xor.nedit"
    save(doc, path)
    loaded = load(path)
    assert_same_document(doc, loaded)
    assert set(members_of(path.read_bytes())) == {
        "manifest.json",
        "graph.json",
        "weights.npz",
        "optimizer.npz",
        "history.json",
    }


def test_optional_members_are_left_out_when_empty():
    assert set(members_of(to_bytes(Document()))) == {"manifest.json", "graph.json", "weights.npz"}


def test_loaded_document_is_clean_and_editable():
    loaded = roundtrip(small_network())
    assert loaded.history.is_clean and not loaded.history.can_undo()
    assert loaded.nodes["input_1"].params["shape"] == (2,)
    loaded.set_weight_value("dense_1", "kernel", (0, 1), 0.25)  # arrays come back writeable
    assert loaded.weights["dense_1"]["kernel"][0, 1] == np.float32(0.25)
    assert not loaded.history.is_clean
    loaded.history.undo()
    assert loaded.history.is_clean
    assert analyze(loaded).ok


def test_manifest_content():
    import json

    from neuroedit._version import __version__

    manifest = json.loads(members_of(to_bytes(Document()))["manifest.json"])
    assert manifest["format"] == "neuroedit-network"
    assert manifest["format_version"] == 1
    assert manifest["app_version"] == __version__
    assert manifest["saved_at"].endswith("+00:00")


def test_non_finite_history_values_are_written_as_null():
    doc = Document()
    doc.training_history = {"loss": [1.0, math.nan, np.float32(0.5), math.inf], "lr": np.array([0.1, 0.05])}
    assert roundtrip(doc).training_history == {"loss": [1.0, None, 0.5, None], "lr": [0.1, 0.05]}


def test_save_refuses_nan_weights():
    doc = small_network()
    doc.weights["dense_1"]["bias"][1] = np.nan
    with pytest.raises(SaveError, match=r"weights.npz: dense_1/bias: holds NaN at index \(1,\); reset or retrain"):
        to_bytes(doc)


def test_save_refuses_object_arrays_and_non_json():
    doc = small_network()
    doc.weights["dense_1"]["bias"] = np.array([object(), object()])
    with pytest.raises(SaveError, match="dtype object cannot be saved"):
        to_bytes(doc)
    doc = Document()
    doc.view = {"selection": {"dense_1"}}
    with pytest.raises(SaveError, match="view.selection: a set cannot be stored in JSON"):
        to_bytes(doc)


def test_large_zero_weights_are_not_mistaken_for_a_zip_bomb():
    doc = Document()
    doc.add_node("Input", {"shape": [784]})
    doc.add_node("Dense", {"units": 300})
    doc.connect("input_1", "dense_1")
    doc.replace_weights({"dense_1": {"kernel": np.zeros((784, 300), np.float32), "bias": np.zeros(300, np.float32)}})
    loaded = roundtrip(doc)
    assert loaded.weights["dense_1"]["kernel"].shape == (784, 300)


def test_from_bytes_sets_source_on_errors():
    from neuroedit.io import LoadError

    with pytest.raises(LoadError) as info:
        from_bytes(b"x", source="clipboard")
    assert info.value.source == "clipboard"


def test_stale_weights_after_a_structural_edit_are_left_out():
    """More units make the old kernel stale; the file must still load, so the stale arrays are not written."""
    doc = small_network()
    doc.set_param("dense_1", "units", 5)
    doc.set_param("dense_3", "use_bias", False)
    loaded = roundtrip(doc)
    assert "dense_1" not in loaded.weights
    assert sorted(loaded.weights["dense_3"]) == ["kernel"]
    assert np.array_equal(loaded.weights["dense_3"]["kernel"], doc.weights["dense_3"]["kernel"])


def test_save_refuses_a_document_that_would_not_load():
    from neuroedit.model import Edge

    doc = small_network()
    doc.nodes["dense_2"].params["units"] = 0  # bypassing set_param, as code building documents might
    with pytest.raises(
        SaveError,
        match=r"^cannot save, the file would not load: graph.json: nodes\[2\].params.units: "
        r"expected a positive integer, got 0$",
    ):
        to_bytes(doc)
    doc = small_network()
    doc.edges.append(Edge("dense_3", "dense_1"))
    with pytest.raises(SaveError, match="input dense_1.in is already fed"):
        to_bytes(doc)


def test_lone_surrogates_are_refused_clearly():
    doc = Document()
    doc.description = "bad \ud800 text"
    with pytest.raises(SaveError, match="not valid Unicode"):
        to_bytes(doc)
    doc = Document()
    doc.optimizer_state = {"m\udcff": np.zeros(1)}
    with pytest.raises(SaveError, match="must be a non-empty string of valid Unicode"):
        to_bytes(doc)
