"""Edits with rules: connect (replacing, refusing cycles), rename, copy/paste, weights by hand, ids."""

import numpy as np
import pytest

from neuroedit.model import Document, Edge, EditError

from .conftest import snapshot

# ---------------------------------------------------------------- connect


def test_connect_replaces_an_occupied_input_in_one_step(xor_doc):
    doc, ids = xor_doc
    other = doc.add_node("Input", {"shape": [2]})
    doc.history.seal()
    before = snapshot(doc)
    steps = doc.history.index
    doc.connect(other, ids[1])
    assert doc.incoming(ids[1]) == {"in": Edge(other, ids[1])}
    assert Edge(ids[0], ids[1]) not in doc.edges
    assert doc.history.index == steps + 1
    doc.history.undo()
    assert snapshot(doc) == before, "the old edge comes back in its place"


@pytest.mark.parametrize(
    "make_edge,reason",
    [
        (lambda ids: (ids[1], ids[1], "out", "in"), "a node cannot feed itself"),
        (lambda ids: (ids[2], ids[1], "out", "in"), "would make a cycle"),
        (lambda ids: (ids[3], ids[1], "out", "in"), "has no output port 'out'"),
        (lambda ids: (ids[1], ids[0], "out", "in"), "takes no inputs"),
        (lambda ids: (ids[0], ids[1], "out", "x"), "has no input port 'x' (it has in)"),
        (lambda ids: ("ghost", ids[1], "out", "in"), "there is no node 'ghost'"),
        (lambda ids: (ids[0], ids[1], "out", "in"), "already connected"),
    ],
)
def test_connect_refuses_with_a_reason(xor_doc, make_edge, reason):
    doc, ids = xor_doc
    before = snapshot(doc)
    src, dst, sp, dp = make_edge(ids)
    assert reason in doc.why_not_connect(Edge(src, dst, sp, dp))
    with pytest.raises(EditError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        doc.connect(src, dst, sp, dp)
    assert snapshot(doc) == before and doc.history.index == 0


def test_a_longer_cycle_is_refused():
    doc = Document()
    a, b, c = (doc.add_node("Activation") for _ in range(3))
    doc.connect(a, b)
    doc.connect(b, c)
    with pytest.raises(EditError, match=f"connecting {c} to {a} would make a cycle"):
        doc.connect(c, a)


def test_disconnect_unknown_edge():
    doc = Document()
    with pytest.raises(EditError, match="no such connection"):
        doc.disconnect(Edge("a", "b"))


def test_lowering_num_inputs_drops_edges_of_vanished_ports_in_one_step():
    doc = Document()
    add = doc.add_node("Add", {"num_inputs": 3})
    srcs = [doc.add_node("Input") for _ in range(3)]
    for i, s in enumerate(srcs, 1):
        doc.connect(s, add, dst_port=f"in_{i}")
    steps = doc.history.index
    doc.set_param(add, "num_inputs", 2)
    assert [e.dst_port for e in doc.edges] == ["in_1", "in_2"]
    assert doc.history.index == steps + 1
    doc.history.undo()
    assert [e.dst_port for e in doc.edges] == ["in_1", "in_2", "in_3"]


# ---------------------------------------------------------------- rename


def test_rename_moves_edges_and_weights(xor_doc, with_weights):
    doc, ids = xor_doc
    with_weights(doc, ids[1])
    kernel = doc.weights[ids[1]]["kernel"].copy()
    doc.rename_node(ids[1], "hidden")
    assert list(doc.nodes) == [ids[0], "hidden", ids[2], ids[3]], "order kept"
    assert doc.nodes["hidden"].id == "hidden"
    assert Edge(ids[0], "hidden") in doc.edges and Edge("hidden", ids[2]) in doc.edges
    assert ids[1] not in doc.weights
    np.testing.assert_array_equal(doc.weights["hidden"]["kernel"], kernel)
    doc.history.undo()
    assert ids[1] in doc.nodes and Edge(ids[0], ids[1]) in doc.edges and ids[1] in doc.weights


@pytest.mark.parametrize(
    "bad,reason",
    [
        ("2fast", "not a valid name"),
        ("has space", "not a valid name"),
        ("", "not a valid name"),
        ("x" * 65, "not a valid name"),
        ("dense_2", "already exists"),
    ],
)
def test_rename_refuses(xor_doc, bad, reason):
    doc, ids = xor_doc
    with pytest.raises(EditError, match=reason):
        doc.rename_node(ids[1], bad)
    assert doc.history.index == 0


def test_rename_to_itself_is_no_step(xor_doc):
    doc, ids = xor_doc
    doc.rename_node(ids[1], ids[1])
    assert doc.history.index == 0


def test_ids_are_keras_style_and_stable():
    doc = Document()
    assert [doc.add_node("Dense") for _ in range(3)] == ["dense_1", "dense_2", "dense_3"]
    doc.remove_nodes(["dense_2"])
    assert doc.add_node("Dense") == "dense_2"
    assert doc.add_node("OpMultiply") == "multiply_1"
    with pytest.raises(EditError, match="already exists"):
        doc.add_node("Dense", node_id="dense_1")


# ---------------------------------------------------------------- copy / paste


def test_copy_keeps_only_internal_edges(xor_doc):
    doc, ids = xor_doc
    frag = doc.copy_fragment([ids[2], ids[1]])
    assert [n["id"] for n in frag["nodes"]] == [ids[1], ids[2]]
    assert frag["edges"] == [[ids[1], ids[2], "out", "in"]]
    assert frag["nodes"][0]["params"]["units"] == 2


def test_copy_is_a_deep_copy(xor_doc):
    doc, ids = xor_doc
    frag = doc.copy_fragment([ids[0]])
    frag["nodes"][0]["params"]["shape"] = (99,)
    assert doc.nodes[ids[0]].params["shape"] == (2,)


def test_paste_gives_fresh_ids_and_keeps_edges_in_one_step(xor_doc):
    doc, ids = xor_doc
    before = snapshot(doc)
    new = doc.paste(doc.copy_fragment(ids[1:3]), offset=(10, 20))
    assert len(new) == 2 and not set(new) & set(ids)
    assert Edge(new[0], new[1]) in doc.edges
    assert doc.nodes[new[0]].params == doc.nodes[ids[1]].params
    assert doc.nodes[new[0]].pos == (doc.nodes[ids[1]].pos[0] + 10, doc.nodes[ids[1]].pos[1] + 20)
    assert doc.history.index == 1 and doc.history.undo_text() == "Paste 2 nodes"
    doc.history.undo()
    assert snapshot(doc) == before


def test_paste_into_another_document_keeps_the_names():
    src = Document()
    a = src.add_node("Input", {"shape": [3]})
    b = src.add_node("Dense", {"units": 4})
    src.connect(a, b)
    dst = Document()
    assert dst.paste(src.copy_fragment([a, b]), offset=(0, 0)) == [a, b]
    assert dst.edges == [Edge(a, b)]


def test_paste_of_a_bad_fragment_changes_nothing(xor_doc):
    doc, ids = xor_doc
    before = snapshot(doc)
    frag = doc.copy_fragment(ids[:2])
    frag["nodes"][1]["params"]["units"] = -1
    with pytest.raises(EditError):
        doc.paste(frag)
    assert snapshot(doc) == before and doc.history.index == 0


# ---------------------------------------------------------------- weights by hand


def test_set_weight_value(xor_doc, with_weights):
    doc, ids = xor_doc
    with_weights(doc, ids[1])
    doc.set_weight_value(ids[1], "kernel", (1, 1), 0.25)
    assert doc.weights[ids[1]]["kernel"][1, 1] == np.float32(0.25)
    assert doc.history.undo_text().startswith(f"Set {ids[1]}.kernel[1, 1]")
    with pytest.raises(EditError, match="index .* is outside it"):
        doc.set_weight_value(ids[1], "kernel", (5, 0), 1.0)
    with pytest.raises(EditError, match="finite"):
        doc.set_weight_value(ids[1], "kernel", (0, 0), float("nan"))
    with pytest.raises(EditError, match="no weights named 'gamma' yet"):
        doc.set_weight_value(ids[1], "gamma", (0,), 1.0)


def test_removing_a_node_with_weights_and_undo_restores_them(xor_doc, with_weights):
    doc, ids = xor_doc
    with_weights(doc, ids[1])
    doc.remove_nodes([ids[1]])
    assert ids[1] not in doc.weights
    doc.history.undo()
    np.testing.assert_array_equal(doc.weights[ids[1]]["kernel"], np.arange(4).reshape(2, 2))


def test_remove_unknown_node_changes_nothing(xor_doc):
    doc, ids = xor_doc
    with pytest.raises(EditError, match="there is no node 'ghost'"):
        doc.remove_nodes([ids[0], "ghost"])
    assert len(doc.nodes) == 4 and doc.history.index == 0
    doc.remove_nodes([])
    assert doc.history.index == 0


def test_settings_and_dataset_edits(xor_doc):
    doc, _ = xor_doc
    doc.set_dataset({"spec": "xor"})
    doc.set_dataset({"spec": "xor"})
    assert doc.history.index == 1
    doc.set_setting("epochs", 100)  # unchanged default: no step
    assert doc.history.index == 1


def test_set_weight_value_refuses_non_numbers():
    doc = Document()
    doc.add_node("Input", {"shape": [2]}, node_id="x")
    d = doc.add_node("Dense", {"units": 1})
    doc.connect("x", d)
    doc.replace_weights({d: {"kernel": np.zeros((2, 1), np.float32), "bias": np.zeros(1, np.float32)}})
    for bad in ("0.5", None, True):
        with pytest.raises(EditError, match="must be a number"):
            doc.set_weight_value(d, "kernel", (0, 0), bad)
