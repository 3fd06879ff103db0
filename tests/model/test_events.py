"""Every edit tells the views what changed, through plain-value events."""

import numpy as np

from neuroedit.model import Document, Edge


def test_add_node(recorder):
    doc = Document()
    rec = recorder(doc)
    i = doc.add_node("Input")
    assert rec.of("node_added") == [(i,)]
    assert rec.of("changed") == [()]
    assert rec.of("history_changed") == [()]
    assert rec.of("clean_changed") == [(False,)]


def test_connect_and_disconnect(recorder):
    doc = Document()
    a, b = doc.add_node("Input"), doc.add_node("Dense")
    rec = recorder(doc)
    edge = doc.connect(a, b)
    assert rec.of("edge_added") == [(Edge(a, b),)]
    rec.clear()
    doc.disconnect(edge)
    assert rec.of("edge_removed") == [(edge,)]
    assert rec.of("changed") == [()]


def test_remove_node_removes_edges_first(recorder, xor_doc):
    doc, ids = xor_doc
    rec = recorder(doc)
    doc.remove_nodes([ids[1]])
    names = [n for n, _ in rec.calls if n in ("edge_removed", "node_removed")]
    assert names == ["edge_removed", "edge_removed", "node_removed"]
    assert rec.of("node_removed") == [(ids[1],)]
    assert rec.of("history_changed") == [()], "one undo step, one history notification"


def test_set_param(recorder, xor_doc):
    doc, ids = xor_doc
    rec = recorder(doc)
    doc.set_param(ids[1], "units", 5)
    assert rec.of("param_changed") == [(ids[1], "units", 2, 5)]
    rec.clear()
    doc.set_param(ids[1], "units", 5)
    assert rec.calls == [], "setting the same value is not an edit"


def test_move(recorder, xor_doc):
    doc, ids = xor_doc
    rec = recorder(doc)
    doc.move_nodes({ids[0]: (10, 20)})
    assert rec.of("node_moved") == [(ids[0], (10.0, 20.0))]
    assert rec.of("changed") == [], "moving does not change the network's meaning"


def test_rename(recorder, xor_doc):
    doc, ids = xor_doc
    rec = recorder(doc)
    doc.rename_node(ids[1], "hidden")
    assert rec.of("node_renamed") == [(ids[1], "hidden")]


def test_settings_and_dataset(recorder):
    doc = Document()
    rec = recorder(doc)
    doc.set_setting("epochs", 7)
    doc.set_dataset({"spec": "xor"})
    assert rec.of("settings_changed") == [("epochs", 100, 7), ("dataset", None, {"spec": "xor"})]


def test_weights(recorder, xor_doc, with_weights):
    doc, ids = xor_doc
    with_weights(doc, ids[1])
    rec = recorder(doc)
    doc.set_weight_value(ids[1], "kernel", (0, 1), 2.5)
    assert rec.of("weights_changed") == [(ids[1],)]
    rec.clear()
    doc.replace_weights({})
    assert rec.of("weights_changed") == [(None,)]
    assert rec.of("history_changed") == [], "training results are not undo steps"


def test_training_results_replaced(recorder, xor_doc):
    doc, ids = xor_doc
    rec = recorder(doc)
    r = doc.revision
    state, history = {"iterations": np.array(3)}, {"loss": [0.7, 0.6]}
    doc.replace_training_results(state, history)
    assert rec.of("training_results_changed") == [()]
    assert doc.optimizer_state == state and doc.training_history == history and doc.revision == r + 1
    state["m"] = np.zeros(1)
    assert "m" not in doc.optimizer_state, "the document keeps its own mapping"
    rec.clear()
    doc.replace_training_results({}, {})
    assert doc.optimizer_state == {} and doc.training_history == {}
    assert rec.of("training_results_changed") == [()]
    assert rec.of("history_changed") == [], "training results are not undo steps"


def test_undo_and_redo_fire_the_inverse_events(recorder):
    doc = Document()
    i = doc.add_node("Input")
    rec = recorder(doc)
    doc.history.undo()
    assert rec.of("node_removed") == [(i,)]
    assert rec.of("clean_changed") == [(True,)]
    rec.clear()
    doc.history.redo()
    assert rec.of("node_added") == [(i,)]


def test_slots_can_disconnect():
    doc = Document()
    seen = []
    slot = seen.append
    doc.events.node_added.connect(slot)
    doc.add_node("Input")
    doc.events.node_added.disconnect(slot)
    doc.add_node("Input")
    assert seen == ["input_1"]


def test_revision_counts_every_change(xor_doc):
    doc, ids = xor_doc
    r = doc.revision
    doc.move_nodes({ids[0]: (1, 1)})
    doc.replace_weights({ids[1]: {"bias": np.zeros(2, np.float32)}})
    assert doc.revision == r + 2


def test_fewer_merge_inputs_remove_the_edge_before_the_param_changes(recorder):
    doc = Document()
    add = doc.add_node("Add", {"num_inputs": 3})
    src = doc.add_node("Input")
    edge = doc.connect(src, add, dst_port="in_3")
    rec = recorder(doc)
    doc.set_param(add, "num_inputs", 2)
    order = [n for n, _ in rec.calls if n in ("edge_removed", "param_changed")]
    assert order == ["edge_removed", "param_changed"]
    assert rec.of("edge_removed") == [(edge,)]
