"""The node-type registry: every type is complete enough to drive the palette, inspector and validator."""

import pytest

from neuroedit.model import ACTIVATIONS, GROUPS, INITIALIZERS, LOSSES, REGISTRY, ParamError, node_type
from neuroedit.model.params import ParamSpec

EXPECTED_TYPES = {
    "Input",
    "Dense",
    "Dropout",
    "BatchNorm",
    "Flatten",
    "Activation",
    "PReLU",
    "Add",
    "Concatenate",
    "OpAdd",
    "OpSubtract",
    "OpMultiply",
    "OpMax",
    "OpSquare",
    "Loss",
}
ALL = sorted(REGISTRY)


def test_registry_has_every_type_the_course_needs():
    assert set(REGISTRY) >= EXPECTED_TYPES


@pytest.mark.parametrize("name", ALL)
def test_type_is_described_and_grouped(name):
    t = REGISTRY[name]
    assert t.name == name
    assert t.group in GROUPS
    assert len(t.description) >= 10, "the palette tooltip needs a real explanation"
    assert t.id_prefix.isidentifier() and t.id_prefix == t.id_prefix.lower()
    assert t.describe(t.default_params())


@pytest.mark.parametrize("name", ALL)
def test_defaults_pass_their_own_checks(name):
    t = REGISTRY[name]
    for p in t.params:
        assert p.check(p.default) == p.default or tuple(p.check(p.default)) == tuple(p.default)
        assert p.description, f"{name}.{p.name} has no description"
        assert p.title


@pytest.mark.parametrize("name", ALL)
def test_ports_are_named_and_unique(name):
    t = REGISTRY[name]
    ins = [p.name for p in t.ports_in(t.default_params())]
    assert len(ins) == len(set(ins))
    outs = [p.name for p in t.ports_out()]
    if name == "Input":
        assert ins == []
    if t.is_loss:
        assert outs == []
    else:
        assert outs == ["out"]


@pytest.mark.parametrize(
    "name,ports",
    [
        ("Dense", ["in"]),
        ("OpAdd", ["x", "y"]),
        ("OpSubtract", ["x", "y"]),
        ("OpMultiply", ["x", "y"]),
        ("OpMax", ["x", "y"]),
        ("OpSquare", ["in"]),
        ("Add", ["in_1", "in_2"]),
        ("Concatenate", ["in_1", "in_2"]),
        ("Loss", ["in"]),
    ],
)
def test_port_names(name, ports):
    t = REGISTRY[name]
    assert [p.name for p in t.ports_in(t.default_params())] == ports


def test_merge_nodes_grow_ports_with_num_inputs():
    t = REGISTRY["Add"]
    assert [p.name for p in t.ports_in({"num_inputs": 4})] == ["in_1", "in_2", "in_3", "in_4"]


def test_only_loss_is_a_loss():
    assert [n for n, t in REGISTRY.items() if t.is_loss] == ["Loss"]


def test_choices_come_from_the_catalog():
    dense = REGISTRY["Dense"]
    assert set(dense.param("activation").choices) == set(ACTIVATIONS)
    assert set(dense.param("kernel_initializer").choices) == set(INITIALIZERS)
    assert set(REGISTRY["Loss"].param("loss").choices) == set(LOSSES)


def test_course_activations_and_losses_are_all_there():
    for a in ("step", "sign", "sigmoid", "tanh", "linear", "relu", "leaky_relu", "selu", "swish", "softmax"):
        assert a in ACTIVATIONS
    for loss in (
        "squared_error",
        "mse",
        "mae",
        "binary_crossentropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "hinge",
        "multiclass_hinge",
    ):
        assert loss in LOSSES


def test_dense_parameters_match_the_issue():
    names = {p.name for p in REGISTRY["Dense"].params}
    assert {"units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "l1", "l2"} <= names


def test_relevant_when_hides_parameters_that_do_not_apply():
    alpha = REGISTRY["Activation"].param("negative_slope")
    assert alpha.is_relevant({"activation": "leaky_relu"})
    assert not alpha.is_relevant({"activation": "sigmoid"})
    assert REGISTRY["Dense"].param("units").is_relevant({})


def test_unknown_type_lists_the_known_ones():
    with pytest.raises(KeyError, match="known types: Input"):
        node_type("Conv2D")


def test_unknown_parameter_is_a_key_error():
    with pytest.raises(KeyError):
        REGISTRY["Dense"].param("rate")


def test_captions():
    assert REGISTRY["Dense"].describe({"units": 300, "activation": "relu"}) == "Dense · 300 units · relu"
    assert REGISTRY["Dense"].describe({"units": 1, "activation": "sigmoid"}) == "Dense · 1 unit · sigmoid"
    assert REGISTRY["Input"].describe({"shape": (28, 28)}) == "Input (28×28)"
    assert REGISTRY["Loss"].describe({"loss": "mse"}) == "Loss · mse"


def test_param_spec_is_reusable_outside_the_registry():
    spec = ParamSpec("n", "int", 1, "a count", minimum=1, maximum=3)
    assert spec.check(2) == 2
    with pytest.raises(ParamError):
        spec.check(4)
