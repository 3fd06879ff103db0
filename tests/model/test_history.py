"""Undo/redo of every command, move merging, macros and the clean flag."""

import numpy as np
import pytest

from neuroedit.model import Document, EditError

from .conftest import snapshot


def edits(doc: Document, ids: list[str]):
    """One instance of each kind of undoable edit on the XOR network (name, callable)."""
    return [
        ("add_node", lambda: doc.add_node("Dropout", {"rate": 0.3}, (5, 5))),
        ("remove_nodes", lambda: doc.remove_nodes([ids[1]])),
        ("connect", lambda: doc.connect(ids[0], doc.add_node("Dense"))),
        ("disconnect", lambda: doc.disconnect(doc.edges[1])),
        ("set_param", lambda: doc.set_param(ids[2], "activation", "tanh")),
        ("set_param_ports", lambda: doc.set_param(doc.add_node("Add", {"num_inputs": 2}), "num_inputs", 3)),
        ("move_nodes", lambda: doc.move_nodes({ids[0]: (-50, 40), ids[3]: (900, 0)})),
        ("rename_node", lambda: doc.rename_node(ids[1], "hidden")),
        ("set_setting", lambda: doc.set_setting("optimizer", "rmsprop")),
        ("set_dataset", lambda: doc.set_dataset({"spec": "weather"})),
        ("set_weight_value", lambda: doc.set_weight_value(ids[1], "kernel", (1, 0), -3.0)),
        ("paste", lambda: doc.paste(doc.copy_fragment(ids[:3]))),
    ]


EDIT_NAMES = [name for name, _ in edits(Document(), ["a", "b", "c", "d"])]


@pytest.mark.parametrize("name", EDIT_NAMES)
def test_every_edit_undoes_and_redoes(name, xor_doc, with_weights):
    doc, ids = xor_doc
    with_weights(doc, ids[1])
    edit = dict(edits(doc, ids))[name]
    before = snapshot(doc)
    steps = doc.history.index
    edit()
    after = snapshot(doc)
    assert after != before
    # adding a node and then connecting it is two steps for the "connect" case; undo them all
    n = doc.history.index - steps
    assert n >= 1
    for _ in range(n):
        assert doc.history.undo()
    assert snapshot(doc) == before
    for _ in range(n):
        assert doc.history.redo()
    assert snapshot(doc) == after


def test_remove_restores_edges_in_place_and_weights(xor_doc, with_weights):
    doc, ids = xor_doc
    with_weights(doc, ids[1])
    before = snapshot(doc)
    doc.remove_nodes([ids[1], ids[2]])
    assert ids[1] not in doc.weights and doc.edges == []
    assert doc.history.undo_text() == "Delete 2 nodes"
    doc.history.undo()
    assert snapshot(doc) == before


def test_undo_redo_on_empty_history():
    doc = Document()
    assert not doc.history.undo() and not doc.history.redo()
    assert doc.history.undo_text() == "" and doc.history.redo_text() == ""


def test_new_edit_drops_the_redo_branch():
    doc = Document()
    doc.add_node("Input")
    doc.add_node("Dense")
    doc.history.undo()
    assert doc.history.can_redo()
    doc.add_node("Flatten")
    assert not doc.history.can_redo()
    assert list(doc.nodes) == ["input_1", "flatten_1"]


def test_texts_describe_the_steps(xor_doc):
    doc, ids = xor_doc
    doc.set_param(ids[1], "units", 3)
    doc.move_nodes({ids[0]: (1, 2)})
    assert doc.history.texts == [f"Set {ids[1]}.units = 3", f"Move {ids[0]}"]
    assert doc.history.undo_text() == f"Move {ids[0]}"


def test_go_to(xor_doc):
    doc, ids = xor_doc
    start = snapshot(doc)
    for k in range(3):
        doc.set_param(ids[1], "units", 3 + k)
    doc.history.go_to(1)
    assert doc.nodes[ids[1]].params["units"] == 3
    doc.history.go_to(3)
    assert doc.nodes[ids[1]].params["units"] == 5
    doc.history.go_to(0)
    assert snapshot(doc) == start


# ---------------------------------------------------------------- move merging


def test_consecutive_moves_of_the_same_nodes_merge(xor_doc):
    doc, ids = xor_doc
    start = doc.nodes[ids[0]].pos
    for x in range(1, 20):
        doc.move_nodes({ids[0]: (x, x)})
    assert doc.history.index == 1
    doc.history.undo()
    assert doc.nodes[ids[0]].pos == start
    doc.history.redo()
    assert doc.nodes[ids[0]].pos == (19.0, 19.0)


def test_moves_after_seal_do_not_merge(xor_doc):
    doc, ids = xor_doc
    doc.move_nodes({ids[0]: (1, 1)})
    doc.move_nodes({ids[0]: (2, 2)})
    doc.history.seal()  # mouse released
    doc.move_nodes({ids[0]: (3, 3)})
    assert doc.history.index == 2
    doc.history.undo()
    assert doc.nodes[ids[0]].pos == (2.0, 2.0)


def test_moves_of_different_nodes_do_not_merge(xor_doc):
    doc, ids = xor_doc
    doc.move_nodes({ids[0]: (1, 1)})
    doc.move_nodes({ids[1]: (1, 1)})
    doc.move_nodes({ids[0]: (2, 2), ids[1]: (2, 2)})
    assert doc.history.index == 3


def test_a_move_does_not_merge_across_another_edit(xor_doc):
    doc, ids = xor_doc
    doc.move_nodes({ids[0]: (1, 1)})
    doc.set_param(ids[1], "units", 4)
    doc.move_nodes({ids[0]: (2, 2)})
    assert doc.history.index == 3


def test_moving_to_the_same_place_is_no_step(xor_doc):
    doc, ids = xor_doc
    doc.move_nodes({ids[0]: doc.nodes[ids[0]].pos})
    assert doc.history.index == 0


# ---------------------------------------------------------------- macros


def test_macro_is_one_step(xor_doc):
    doc, ids = xor_doc
    before = snapshot(doc)
    with doc.history.macro("Make deeper"):
        d = doc.add_node("Dense", {"units": 4})
        doc.connect(ids[1], d)
        doc.connect(d, ids[2])
        doc.set_param(ids[1], "activation", "relu")
    assert doc.history.index == 1
    assert doc.history.undo_text() == "Make deeper"
    doc.history.undo()
    assert snapshot(doc) == before


def test_macro_rolls_back_on_exception(xor_doc):
    doc, ids = xor_doc
    before = snapshot(doc)
    with pytest.raises(EditError), doc.history.macro("Half done"):
        doc.add_node("Dense", {"units": 4}, node_id="extra")
        doc.set_param(ids[1], "units", 7)
        doc.connect(ids[1], ids[0])  # would make a cycle: refused
    assert snapshot(doc) == before
    assert doc.history.index == 0 and doc.history.is_clean


def test_nested_macros_make_one_step():
    doc = Document()
    with doc.history.macro("outer"):
        doc.add_node("Input")
        with doc.history.macro("inner"):
            doc.add_node("Dense")
            doc.add_node("Loss")
    assert doc.history.texts == ["outer"]
    doc.history.undo()
    assert doc.nodes == {}


def test_empty_macro_is_no_step():
    doc = Document()
    with doc.history.macro("nothing"):
        pass
    assert doc.history.index == 0


def test_no_undo_inside_a_macro():
    doc = Document()
    doc.add_node("Input")
    with doc.history.macro("m"):
        assert not doc.history.can_undo()
        assert not doc.history.undo()


def test_a_move_after_a_macro_does_not_merge_into_it(xor_doc):
    doc, ids = xor_doc
    with doc.history.macro("moves"):
        doc.move_nodes({ids[0]: (1, 1)})
    doc.move_nodes({ids[0]: (2, 2)})
    assert doc.history.index == 2


# ---------------------------------------------------------------- clean / dirty


def test_clean_flag(xor_doc, recorder):
    doc, ids = xor_doc
    assert doc.history.is_clean
    rec = recorder(doc)
    doc.set_param(ids[1], "units", 3)
    assert not doc.history.is_clean
    doc.history.set_clean()  # saved
    assert doc.history.is_clean
    doc.set_param(ids[1], "units", 4)
    doc.history.undo()  # back to the saved state
    assert doc.history.is_clean
    doc.history.undo()  # before the save
    assert not doc.history.is_clean
    doc.history.redo()
    assert doc.history.is_clean
    assert rec.of("clean_changed") == [(False,), (True,), (False,), (True,), (False,), (True,)]


def test_clean_state_is_lost_when_its_branch_is_dropped(xor_doc):
    doc, ids = xor_doc
    doc.set_param(ids[1], "units", 3)
    doc.history.set_clean()
    doc.history.undo()
    doc.set_param(ids[1], "units", 5)  # the saved state can no longer be reached
    for _ in range(3):
        doc.history.undo()
        assert not doc.history.is_clean
    doc.history.redo()
    assert not doc.history.is_clean


def test_merged_move_makes_a_clean_document_dirty(xor_doc):
    doc, ids = xor_doc
    doc.move_nodes({ids[0]: (1, 1)})
    doc.history.set_clean()
    doc.move_nodes({ids[0]: (2, 2)})
    assert not doc.history.is_clean
    assert doc.history.index == 2, "set_clean seals, so the move after a save is its own step"


def test_clear_makes_clean(xor_doc):
    doc, ids = xor_doc
    doc.set_param(ids[1], "units", 3)
    doc.history.clear()
    assert doc.history.is_clean and not doc.history.can_undo()


def test_weights_survive_undo_of_unrelated_edits(xor_doc, with_weights):
    doc, ids = xor_doc
    with_weights(doc, ids[1])
    doc.set_weight_value(ids[1], "bias", (0,), 1.5)
    doc.set_param(ids[2], "activation", "relu")
    doc.history.undo()
    assert doc.weights[ids[1]]["bias"][0] == np.float32(1.5)
    doc.history.undo()
    assert doc.weights[ids[1]]["bias"][0] == 0


def test_nested_macro_failure_rolls_back_both_levels(xor_doc):
    doc, ids = xor_doc
    before = snapshot(doc)
    with pytest.raises(EditError), doc.history.macro("outer"):
        doc.set_param(ids[1], "units", 6)
        with doc.history.macro("inner"):
            doc.move_nodes({ids[0]: (9, 9)})
            doc.rename_node(ids[2], ids[1])  # taken: refused
    assert snapshot(doc) == before and doc.history.index == 0


def test_move_of_an_unknown_node_is_refused(xor_doc):
    doc, ids = xor_doc
    with pytest.raises(EditError, match="there is no node 'ghost'"):
        doc.move_nodes({ids[0]: (1, 1), "ghost": (2, 2)})
    assert doc.history.index == 0 and doc.nodes[ids[0]].pos == (0.0, 0.0)
