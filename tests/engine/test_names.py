"""The engine implements exactly the names the document model offers."""

import types

import pytest

from neuroedit import vocabulary as V
from neuroedit.engine import names, spec
from neuroedit.engine.initializers import initial_weights
from neuroedit.engine.kernels import activations, codes, epochs, losses, ops, optimizers
from neuroedit.engine.layout import ParamLayout
from neuroedit.engine.spec import GraphSpec, OpSpec
from neuroedit.model import catalog
from neuroedit.model.nodetypes import REGISTRY


def test_names_match_the_catalog():
    assert set(names.ACTIVATIONS) == set(catalog.ACTIVATIONS)
    assert set(names.LOSSES) == set(catalog.LOSSES)
    assert set(names.INITIALIZERS) == set(catalog.INITIALIZERS)
    assert set(names.OPTIMIZERS) == set(catalog.OPTIMIZERS)
    assert set(names.SCHEDULES) == set(catalog.SCHEDULES)


def test_every_node_type_is_an_op_type():
    assert set(spec.OP_TYPES) == set(REGISTRY)


def test_classification_losses_agree():
    assert set(names.CLASSIFICATION_LOSSES) == set(catalog.CLASSIFICATION_LOSSES)


def test_the_kernels_codes_are_the_vocabularys_positions():
    for listed, module in ((V.ACTIVATIONS, activations), (V.LOSSES, losses), (V.OPTIMIZERS, optimizers)):
        for code, name in enumerate(listed):
            assert getattr(V, name.upper()) == code
            assert getattr(module, name.upper()) == code  # e.g. activations.SOFTMAX, optimizers.ADAM
    for code, name in enumerate(V.TAPE_OPS):
        assert getattr(ops, {"activation": "ACT"}.get(name, name.upper())) == code
    assert V.BINARY_OPS.index("OpMax") == ops.BIN_MAX
    assert V.SCHEDULES.index("reduce_on_plateau") == epochs.REDUCE_ON_PLATEAU
    assert V.SCHEDULES.index("one_cycle") == epochs.ONE_CYCLE


def test_a_kernel_module_with_a_wrong_code_refuses_to_load():
    with pytest.raises(ImportError, match="SOFTMAX"):
        codes.check({"__name__": "k", "SOFTMAX": 10, "RELU": 5}, V, "RELU SOFTMAX")
    codes.check({"__name__": "k", "RELU": 5}, types.SimpleNamespace(RELU=5, __name__="v"), "RELU")


def test_initial_values_for_an_unknown_weight_are_an_error():
    g = GraphSpec(
        (
            OpSpec("x", "Input", {"shape": (2,)}, output_shape=(2,)),
            OpSpec("f", "Flatten", {}, ("x",), ((2,),), (2,), {"scale": ((2,), True)}),
            OpSpec("l", "Loss", {"loss": "value"}, ("f",), ((2,),), ()),
        ),
        ("x",),
        "f",
        "l",
    )
    with pytest.raises(ValueError, match="f: no initial values for the weight 'scale' of a Flatten node"):
        initial_weights(g, 0)


@pytest.mark.parametrize(
    "loss,task,metric",
    [
        ("binary_crossentropy", None, "accuracy"),
        ("sparse_categorical_crossentropy", "regression", "accuracy"),
        ("mse", None, "mae"),
        ("mse", "regression", "mae"),
        ("mse", "classification", "accuracy"),
        ("squared_error", "classification", "accuracy"),
        ("value", "classification", None),
    ],
)
def test_classification_data_report_accuracy_whatever_the_loss(loss, task, metric):
    assert names.metric_name(loss, task) == metric


def _graph(loss: str, metric) -> GraphSpec:
    return GraphSpec(
        (
            OpSpec("x", "Input", {"shape": (2,)}, output_shape=(2,)),
            OpSpec("l", "Loss", {"loss": loss}, ("x",), ((2,),), ()),
        ),
        ("x",),
        "x",
        "l",
        metric,
    )


def test_a_graph_reports_what_its_loss_implies_unless_told():
    assert _graph("mse", spec.AUTO_METRIC).metric == "mae"
    assert _graph("hinge", spec.AUTO_METRIC).metric == "accuracy"
    assert _graph("value", spec.AUTO_METRIC).metric is None
    assert _graph("mae", "accuracy").metric == "accuracy"
    for loss, metric, problem in (
        ("hinge", "mae", "l: the loss hinge is a classification loss: its metric is accuracy, not mae"),
        ("mse", "f1", "l: unknown metric 'f1'; known: accuracy, mae"),
        ("mse", None, "l: the loss mse needs a metric"),
        ("value", "accuracy", "l: the value objective has no targets, so no accuracy"),
    ):
        with pytest.raises(spec.GraphError, match=problem):
            _graph(loss, metric)


def test_the_metric_codes_are_the_vocabularys_positions():
    from neuroedit.engine import tape

    assert V.METRICS.index("accuracy") == V.ACCURACY == losses.ACCURACY
    assert V.METRICS.index("mae") == V.MEAN_ABSOLUTE_ERROR == losses.MEAN_ABSOLUTE_ERROR
    assert V.METRICS.index("none") == V.NO_METRIC == losses.NO_METRIC
    for metric, code in (("accuracy", V.ACCURACY), ("mae", V.MEAN_ABSOLUTE_ERROR)):
        g = _graph("mse", metric)
        t = tape.compile_tape(g, ParamLayout(g), {op.id: dict(op.params) for op in g.ops})
        assert len(t.loss) == tape.L_METRIC + 1 and t.loss[tape.L_METRIC] == code
