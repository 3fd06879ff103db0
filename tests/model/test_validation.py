"""Validation: every problem becomes a Problem on its node, never an exception."""

import pytest

from neuroedit.model import Document, Edge, Node, analyze


def messages(doc, node_id="*", severity=None):
    return [
        p.message
        for p in analyze(doc).problems
        if (node_id == "*" or p.node_id == node_id) and (severity is None or p.severity == severity)
    ]


def test_a_complete_network_is_clean(xor_doc):
    doc, ids = xor_doc
    a = analyze(doc)
    assert a.problems == [] and a.ok
    assert a.order == ids


def test_empty_network():
    a = analyze(Document())
    assert not a.ok
    assert [(p.node_id, p.severity) for p in a.problems] == [(None, "error")]
    assert "the network is empty" in a.problems[0].message


def test_no_loss(make_chain):
    doc, ids = make_chain(("Input", {"shape": [2]}), ("Dense", {"units": 1}))
    assert messages(doc, None) == ["there is no Loss node: add one after the output layer to train the network"]
    # the Dense output then feeds nothing: a warning on the node, not an error
    assert messages(doc, ids[1], "warning") == ["output (None, 1) is not used: connect it to the next node or a Loss"]


def test_no_input():
    doc = Document()
    d = doc.add_node("Dense")
    loss = doc.add_node("Loss")
    doc.connect(d, loss)
    assert "there is no Input node" in messages(doc, None)
    assert messages(doc, d) == ["input port 'in' not connected"]


def test_two_losses(make_chain):
    doc, ids = make_chain(("Input", {"shape": [2]}), ("Dense", {"units": 1}), ("Loss", {}))
    second = doc.add_node("Loss")
    doc.connect(ids[1], second)
    assert messages(doc, second) == [f"only one Loss node can be trained; {ids[2]} is already the loss"]
    assert messages(doc, ids[2]) == []


def test_unconnected_ports_are_listed_by_name():
    doc = Document()
    x = doc.add_node("Input", {"shape": [1]})
    op = doc.add_node("OpMultiply")
    add = doc.add_node("Add", {"num_inputs": 3})
    doc.connect(x, op, dst_port="y")
    doc.connect(x, add, dst_port="in_2")
    assert messages(doc, op) == ["input port 'x' not connected"]
    assert messages(doc, add) == ["input ports 'in_1', 'in_3' not connected"]


def test_unused_output_is_a_warning_only(make_chain):
    doc, ids = make_chain(("Input", {"shape": [2]}), ("Dense", {"units": 1}), ("Loss", {}))
    spare = doc.add_node("Dense", {"units": 3})
    doc.connect(ids[0], spare)
    a = analyze(doc)
    assert a.ok
    assert [(p.node_id, p.severity) for p in a.problems] == [(spare, "warning")]
    assert "(None, 3) is not used" in a.problems[0].message


def test_cycle_reported_on_each_node_without_exception():
    doc = Document()
    doc.nodes = {
        "i": Node("i", "Input", {"shape": (1,)}),
        "a": Node("a", "OpAdd", {}),
        "s": Node("s", "OpSquare", {}),
        "l": Node("l", "Loss", {"loss": "value", "from_logits": False}),
    }
    doc.edges = [Edge("i", "a", dst_port="x"), Edge("s", "a", dst_port="y"), Edge("a", "s"), Edge("s", "l")]
    a = analyze(doc)
    cyc = [p.node_id for p in a.problems if "cycle" in p.message]
    assert sorted(cyc) == ["a", "s"]
    assert "i" in a.order and "a" not in a.order


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"units": -4}, "units: expected a positive integer, got -4"),
        ({"units": 0}, "units: expected a positive integer, got 0"),
        ({"activation": "bogus"}, "activation: expected one of"),
        ({"l2": -1.0}, "l2: expected a number >= 0, got -1.0"),
    ],
)
def test_params_out_of_range_in_a_loaded_document(xor_doc, params, expected):
    doc, ids = xor_doc
    doc.nodes[ids[1]].params.update(params)  # as a hand-edited file might hold
    doc.revision += 1
    msgs = messages(doc, ids[1])
    assert len(msgs) == 1 and msgs[0].startswith(expected)
    assert analyze(doc).shapes[ids[1]] is None


def test_missing_param_and_unknown_type():
    doc = Document()
    doc.nodes = {"d": Node("d", "Dense", {"units": 3}), "c": Node("c", "Conv9D", {})}
    a = analyze(doc)
    assert "activation: missing" in [p.message for p in a.problems_for("d")]
    assert a.problems_for("c")[0].message == "unknown node type 'Conv9D'"


def test_dangling_and_doubled_edges():
    doc = Document()
    doc.nodes = {
        "i": Node("i", "Input", {"shape": (2,)}),
        "j": Node("j", "Input", {"shape": (2,)}),
        "d": Node("d", "Dropout", {"rate": 0.1}),
    }
    doc.edges = [Edge("ghost", "d"), Edge("i", "d"), Edge("j", "d"), Edge("i", "d", dst_port="nope")]
    a = analyze(doc)
    texts = [str(p) for p in a.problems]
    assert "d: connection ghost.out -> d.in refers to a missing node" in texts
    assert "d: input port 'in' has more than one connection" in texts
    assert "d: i is wired to input port 'nope', which d does not have" in texts


def test_problem_str_names_the_node():
    doc = Document()
    assert str(analyze(doc).problems[0]).startswith("network: ")
    doc.add_node("Dense")
    assert any(str(p).startswith("dense_1: ") for p in analyze(doc).problems)


def test_analysis_is_cached_until_the_document_changes(xor_doc):
    doc, ids = xor_doc
    first = analyze(doc)
    assert analyze(doc) is first
    doc.set_param(ids[1], "units", 3)
    second = analyze(doc)
    assert second is not first
    assert second.param_count(ids[1]) == (9, 0)


def test_problems_for_and_errors(make_chain):
    doc, ids = make_chain(("Input", {"shape": [28, 28]}), ("Dense", {"units": 1}), ("Loss", {}))
    a = analyze(doc)
    assert len(a.errors) == 1 and a.problems_for(ids[1]) == a.errors
