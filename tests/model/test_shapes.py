"""Shape inference for every node type, and the messages when shapes do not fit."""

import pytest

from neuroedit.model import REGISTRY, Document, ShapeError, analyze, fmt_shape
from neuroedit.model.nodetypes import broadcast


def shape_of(in_shapes, type_name, params=None, ports=None):
    """Output shape of one node of `type_name` fed by Inputs of `in_shapes` (on `ports`)."""
    doc = Document()
    node = doc.add_node(type_name, params or {})
    spec = REGISTRY[type_name]
    ports = ports or [p.name for p in spec.ports_in(doc.nodes[node].params)]
    for port, shape in zip(ports, in_shapes):
        src = doc.add_node("Input", {"shape": list(shape)})
        doc.connect(src, node, dst_port=port)
    a = analyze(doc)
    errors = [p.message for p in a.problems_for(node) if p.severity == "error"]
    return a.shapes[node], errors


SHAPE_CASES = [
    ("Dense", {"units": 300}, [(784,)], (300,)),
    ("Dropout", {}, [(5, 3)], (5, 3)),
    ("BatchNorm", {}, [(16,)], (16,)),
    ("Flatten", {}, [(28, 28)], (784,)),
    ("Flatten", {}, [(4, 3, 2)], (24,)),
    ("Activation", {"activation": "softmax"}, [(10,)], (10,)),
    ("PReLU", {}, [(7,)], (7,)),
    ("Add", {}, [(4,), (4,)], (4,)),
    ("Add", {"num_inputs": 3}, [(2, 3)] * 3, (2, 3)),
    ("Concatenate", {}, [(3,), (5,)], (8,)),
    ("Concatenate", {}, [(2, 3), (2, 4)], (2, 7)),
    ("OpAdd", {}, [(1,), (1,)], (1,)),
    ("OpSubtract", {}, [(3,), (1,)], (3,)),
    ("OpMultiply", {}, [(2, 1), (4,)], (2, 4)),
    ("OpMax", {}, [(1,), (5,)], (5,)),
    ("OpSquare", {}, [(3, 2)], (3, 2)),
    ("Loss", {"loss": "mse"}, [(1,)], ()),
    ("Loss", {"loss": "sparse_categorical_crossentropy"}, [(10,)], ()),
    ("Loss", {"loss": "value"}, [(1,)], ()),
]


@pytest.mark.parametrize("type_name,params,ins,out", SHAPE_CASES)
def test_output_shapes(type_name, params, ins, out):
    shape, errors = shape_of(ins, type_name, params)
    assert errors == []
    assert shape == out


def test_input_shape_is_its_parameter():
    doc = Document()
    i = doc.add_node("Input", {"shape": [28, 28]})
    assert analyze(doc).shapes[i] == (28, 28)


def test_every_type_is_covered_by_a_shape_test():
    covered = {"Input"} | {case[0] for case in SHAPE_CASES}
    assert covered == set(REGISTRY)


def test_dense_after_image_says_add_flatten():
    shape, errors = shape_of([(28, 28)], "Dense", {"units": 10})
    assert shape is None
    assert errors == ["Dense needs a flat input but gets (None, 28, 28): add a Flatten node before it"]


def test_add_mismatch_names_both_shapes():
    _, errors = shape_of([(4,), (5,)], "Add")
    assert errors == ["Add needs inputs of one shape, got (None, 4), (None, 5)"]


def test_concatenate_mismatch_names_the_shapes():
    _, errors = shape_of([(2, 3), (4, 3)], "Concatenate")
    assert len(errors) == 1
    assert "(None, 2, 3)" in errors[0] and "(None, 4, 3)" in errors[0] and "last axis" in errors[0]


def test_concatenate_rank_mismatch():
    _, errors = shape_of([(3,), (2, 3)], "Concatenate")
    assert errors and "(None, 3)" in errors[0]


@pytest.mark.parametrize(
    "a,b,out",
    [
        ((3,), (3,), (3,)),
        ((1,), (4,), (4,)),
        ((2, 1), (1, 5), (2, 5)),
        ((5,), (2, 5), (2, 5)),
        ((2, 3, 1), (3, 4), (2, 3, 4)),
    ],
)
def test_broadcasting(a, b, out):
    assert broadcast(a, b) == out
    assert broadcast(b, a) == out


def test_broadcast_mismatch_names_both():
    with pytest.raises(ShapeError, match=r"shapes \(None, 3\) and \(None, 4\) do not match"):
        broadcast((3,), (4,))
    _, errors = shape_of([(3,), (4,)], "OpMultiply")
    assert errors == ["shapes (None, 3) and (None, 4) do not match (nor broadcast)"]


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "categorical_crossentropy", "multiclass_hinge"])
def test_class_losses_need_two_or_more_outputs(loss):
    _, errors = shape_of([(1,)], "Loss", {"loss": loss})
    assert len(errors) == 1
    assert "one output per class" in errors[0] and "(None, 1)" in errors[0]
    assert "use binary_crossentropy for a single output" in errors[0]


@pytest.mark.parametrize("loss", ["binary_crossentropy", "hinge"])
def test_binary_losses_need_flat_outputs(loss):
    _, errors = shape_of([(4, 4)], "Loss", {"loss": loss})
    assert errors == [f"{loss} needs a flat output (None, k), got (None, 4, 4)"]


def test_loss_has_no_output_shape_text():
    assert fmt_shape(()) == "(None)"
    assert fmt_shape(None) == "?"
    assert fmt_shape((28, 28)) == "(None, 28, 28)"


def test_problems_do_not_spread_downstream():
    doc = Document()
    i = doc.add_node("Input", {"shape": [28, 28]})
    d1 = doc.add_node("Dense", {"units": 4})
    d2 = doc.add_node("Dense", {"units": 1})
    loss = doc.add_node("Loss")
    doc.connect(i, d1)
    doc.connect(d1, d2)
    doc.connect(d2, loss)
    a = analyze(doc)
    assert [p.node_id for p in a.problems] == [d1]
    assert a.shapes[d2] is None and a.shapes[loss] is None


def test_input_shapes_are_recorded():
    doc = Document()
    x = doc.add_node("Input", {"shape": [3]})
    y = doc.add_node("Input", {"shape": [1]})
    op = doc.add_node("OpSubtract")
    doc.connect(x, op, dst_port="x")
    doc.connect(y, op, dst_port="y")
    assert analyze(doc).input_shapes[op] == {"x": (3,), "y": (1,)}
