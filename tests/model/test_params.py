"""Parameter checks and the messages a learner sees when a value is not allowed."""

import math

import pytest

from neuroedit.model import REGISTRY, SETTINGS, SETTINGS_BY_NAME, Document, EditError, ParamError, default_settings
from neuroedit.model.params import ParamSpec, check_shape

UNITS = REGISTRY["Dense"].param("units")
RATE = REGISTRY["Dropout"].param("rate")
EPS = REGISTRY["BatchNorm"].param("epsilon")


@pytest.mark.parametrize(
    "value,message",
    [
        (-4, "expected a positive integer, got -4"),
        (0, "expected a positive integer, got 0"),
        (2.5, "expected an integer, got 2.5"),
        (True, "expected an integer, got true"),
        ("8", "expected an integer, got '8'"),
        (None, "expected an integer, got null"),
        (100_001, "expected an integer >= 1 and <= 100000, got 100001"),
    ],
)
def test_int_messages(value, message):
    with pytest.raises(ParamError) as e:
        UNITS.check(value)
    assert str(e.value) == message


def test_int_accepts_integral_floats_as_int():
    assert UNITS.check(3.0) == 3 and isinstance(UNITS.check(3.0), int)


@pytest.mark.parametrize("value", [1.0, 1.5, -0.1, math.nan, math.inf, "0.2", False])
def test_dropout_rate_rejects(value):
    with pytest.raises(ParamError):
        RATE.check(value)


def test_dropout_rate_range_text():
    with pytest.raises(ParamError, match=r"expected a number >= 0 and < 1, got 1.0"):
        RATE.check(1.0)
    assert RATE.check(0) == 0.0 and isinstance(RATE.check(0), float)


def test_exclusive_minimum():
    with pytest.raises(ParamError, match="> 0"):
        EPS.check(0.0)
    assert EPS.check(1e-9) == 1e-9


def test_choice_lists_the_choices():
    act = REGISTRY["Dense"].param("activation")
    with pytest.raises(ParamError, match="expected one of linear, .*softmax; got 'foo'"):
        act.check("foo")
    assert act.check("relu") == "relu"


def test_bool():
    use_bias = REGISTRY["Dense"].param("use_bias")
    assert use_bias.check(False) is False
    with pytest.raises(ParamError, match="true or false"):
        use_bias.check(1)


def test_str():
    spec = ParamSpec("label", "str", "", "a label")
    assert spec.check("x") == "x"
    with pytest.raises(ParamError, match="expected a string"):
        spec.check(3)


@pytest.mark.parametrize("value,shape", [([2], (2,)), ((28, 28), (28, 28)), ([1, 2, 3, 4], (1, 2, 3, 4))])
def test_shapes(value, shape):
    assert check_shape(value) == shape


@pytest.mark.parametrize(
    "value,match",
    [
        ([], "expected a shape"),
        ([0], "expected a shape"),
        ([2.0], "expected a shape"),
        ([True], "expected a shape"),
        ("28x28", "expected a shape"),
        ([1, 1, 1, 1, 1], "at most 4 dimensions"),
        ([100_000, 10_000], "the limit is 100,000,000"),
    ],
)
def test_bad_shapes(value, match):
    with pytest.raises(ParamError, match=match):
        check_shape(value)


def test_edit_errors_name_the_parameter():
    doc = Document()
    with pytest.raises(EditError, match="^units: expected a positive integer, got -4$"):
        doc.add_node("Dense", {"units": -4})
    with pytest.raises(EditError, match="Dense has no parameter 'rate'"):
        doc.add_node("Dense", {"rate": 0.5})
    with pytest.raises(EditError, match="unknown node type 'Conv2D'"):
        doc.add_node("Conv2D")
    assert doc.nodes == {}


def test_settings_defaults_pass_checks_and_are_described():
    for spec in SETTINGS:
        assert spec.check(spec.default) == spec.default
        assert spec.description
    assert default_settings()["optimizer"] == "adam"
    assert default_settings()["batch_size"] == 32


def test_settings_cover_the_training_options():
    for name in (
        "optimizer",
        "learning_rate",
        "momentum",
        "schedule",
        "batch_mode",
        "batch_size",
        "epochs",
        "early_stopping",
        "es_patience",
        "seed",
    ):
        assert name in SETTINGS_BY_NAME


def test_set_setting_checks():
    doc = Document()
    with pytest.raises(EditError, match="learning_rate: expected a number > 0"):
        doc.set_setting("learning_rate", 0)
    with pytest.raises(EditError, match="unknown training setting 'lr'"):
        doc.set_setting("lr", 0.1)
    with pytest.raises(EditError, match="optimizer: expected one of sgd"):
        doc.set_setting("optimizer", "lbfgs")
    doc.set_setting("learning_rate", 1)
    assert doc.settings["learning_rate"] == 1.0 and isinstance(doc.settings["learning_rate"], float)


def test_momentum_only_relevant_for_momentum_optimizers():
    m = SETTINGS_BY_NAME["momentum"]
    assert m.is_relevant({"optimizer": "nesterov"})
    assert not m.is_relevant({"optimizer": "adam"})
