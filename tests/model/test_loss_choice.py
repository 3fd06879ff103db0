"""The loss a newly dropped Loss node starts with, from the data set and the layer feeding it."""

import pytest

from neuroedit.model import Document
from neuroedit.model.loss_choice import choose_loss, loss_input


@pytest.mark.parametrize(
    "task, classes, units, activation, loss, logits",
    [
        ("classification", 2, None, None, "binary_crossentropy", False),
        ("classification", 2, 1, "sigmoid", "binary_crossentropy", False),
        ("classification", 2, 1, "linear", "binary_crossentropy", True),
        ("classification", 2, 2, "softmax", "sparse_categorical_crossentropy", False),
        ("classification", 10, None, None, "sparse_categorical_crossentropy", False),
        ("classification", 10, 10, "softmax", "sparse_categorical_crossentropy", False),
        ("classification", 3, 3, "linear", "sparse_categorical_crossentropy", True),
        ("regression", 0, 1, "linear", "mse", False),
        ("regression", 0, None, None, "mse", False),
    ],
)
def test_the_loss_fits_the_data_and_the_output(task, classes, units, activation, loss, logits):
    choice = choose_loss(task, classes, units, activation)
    assert (choice.loss, choice.from_logits) == (loss, logits)
    assert choice.reason and choice.params() == {"loss": loss, "from_logits": logits}


def test_nothing_is_chosen_without_data():
    assert choose_loss(None, 0) is None


def test_loss_input_reads_the_feeding_layer():
    d = Document()
    d.add_node("Input", {"shape": [2]}, node_id="x")
    d.add_node("Dense", {"units": 3, "activation": "relu"}, node_id="h")
    d.add_node("Loss", {}, node_id="L")
    assert loss_input(d, "L") == (None, None)
    d.connect("x", "h")
    d.connect("h", "L")
    assert loss_input(d, "L") == (3, "relu")
