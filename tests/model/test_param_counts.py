"""Parameter counts exactly as Keras counts them."""

import pytest

from neuroedit.model import Document, analyze, format_summary, summary_rows


def count(doc, node_id):
    return analyze(doc).param_count(node_id)


@pytest.mark.parametrize(
    "fan_in,units,total", [(784, 300, 235_500), (5, 8, 48), (8, 1, 9), (300, 10, 3_010), (2, 2, 6), (784, 1, 785)]
)
def test_dense(make_chain, fan_in, units, total):
    doc, ids = make_chain(("Input", {"shape": [fan_in]}), ("Dense", {"units": units}))
    assert count(doc, ids[1]) == (total, 0)
    w = analyze(doc).weights[ids[1]]
    assert w["kernel"].shape == (fan_in, units) and w["bias"].shape == (units,)


def test_dense_without_bias(make_chain):
    doc, ids = make_chain(("Input", {"shape": [5]}), ("Dense", {"units": 8, "use_bias": False}))
    assert count(doc, ids[1]) == (40, 0)
    assert set(analyze(doc).weights[ids[1]]) == {"kernel"}


def test_batchnorm_has_four_c_with_two_c_frozen(make_chain):
    doc, ids = make_chain(("Input", {"shape": [16]}), ("BatchNorm", {}))
    assert count(doc, ids[1]) == (32, 32)
    doc.set_param(ids[1], "center", False)
    assert count(doc, ids[1]) == (16, 32)


def test_batchnorm_normalises_the_last_axis(make_chain):
    doc, ids = make_chain(("Input", {"shape": [4, 6]}), ("BatchNorm", {}))
    assert analyze(doc).weights[ids[1]]["gamma"].shape == (6,)


def test_prelu_one_alpha_per_unit(make_chain):
    doc, ids = make_chain(("Input", {"shape": [12]}), ("PReLU", {}))
    assert count(doc, ids[1]) == (12, 0)


@pytest.mark.parametrize("type_name", ["Dropout", "Flatten", "Activation", "OpSquare"])
def test_parameter_free_layers(make_chain, type_name):
    doc, ids = make_chain(("Input", {"shape": [3]}), (type_name, {}))
    assert count(doc, ids[1]) == (0, 0)


def test_weather_original_has_57(make_chain):
    doc, _ = make_chain(
        ("Input", {"shape": [5]}),
        ("Dense", {"units": 8, "activation": "sigmoid"}),
        ("Dense", {"units": 1, "activation": "sigmoid"}),
        ("Loss", {"loss": "mse"}),
    )
    assert analyze(doc).totals() == (57, 0)


def test_fashion_mnist_mlp_summary(make_chain):
    doc, _ = make_chain(
        ("Input", {"shape": [28, 28]}),
        ("Flatten", {}),
        ("Dense", {"units": 300, "activation": "relu"}),
        ("Dense", {"units": 10, "activation": "softmax"}),
        ("Loss", {"loss": "sparse_categorical_crossentropy"}),
    )
    assert analyze(doc).totals() == (238_510, 0)
    rows = summary_rows(doc)
    assert [(r.name, r.type, r.output_shape, r.params) for r in rows] == [
        ("input_1", "Input", "(None, 28, 28)", 0),
        ("flatten_1", "Flatten", "(None, 784)", 0),
        ("dense_1", "Dense", "(None, 300)", 235_500),
        ("dense_2", "Dense", "(None, 10)", 3_010),
        ("loss_1", "Loss", "scalar", 0),
    ]
    text = format_summary(doc, title="mlp")
    assert text.splitlines()[0] == 'Model: "mlp"'
    assert "235,500" in text and "3,010" in text
    assert text.splitlines()[-3:] == ["Total params: 238,510", "Trainable params: 238,510", "Non-trainable params: 0"]


def test_summary_counts_frozen_batchnorm(make_chain):
    doc, _ = make_chain(("Input", {"shape": [4]}), ("BatchNorm", {}), ("Dense", {"units": 1}), ("Loss", {}))
    text = format_summary(doc)
    assert "Total params: 21" in text and "Trainable params: 13" in text and "Non-trainable params: 8" in text


def test_summary_of_empty_and_broken_networks():
    assert "(empty network)" in format_summary(Document())
    doc = Document()
    doc.add_node("Dense")
    rows = summary_rows(doc)
    assert rows[0].output_shape == "?" and rows[0].params == 0
