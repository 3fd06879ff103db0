"""Stored weights that no longer fit the graph are left out everywhere (backend, training result, save)."""

import numpy as np

from neuroedit.model import fitting_weights


def test_only_arrays_of_existing_nodes_with_the_declared_name_and_shape_fit(xor_doc, with_weights):
    doc, (_, hidden, out, _) = xor_doc
    with_weights(doc, hidden)
    doc.replace_weights(
        {
            **doc.weights,
            out: {"kernel": np.zeros((2, 1), np.float32), "extra": np.zeros(1)},
            "gone": {"kernel": np.zeros((2, 2))},
        }
    )
    assert {k: sorted(v) for k, v in fitting_weights(doc).items()} == {hidden: ["bias", "kernel"], out: ["kernel"]}
    doc.set_param(hidden, "units", 3)  # the hidden arrays are stale now, out's kernel too
    assert fitting_weights(doc) == {}


def test_other_weights_are_judged_against_this_document(xor_doc):
    doc, (_, hidden, _, _) = xor_doc
    trained = {hidden: {"kernel": np.ones((2, 2)), "bias": np.ones(3)}}
    assert list(fitting_weights(doc, trained)[hidden]) == ["kernel"]


def test_a_node_whose_shapes_are_unknown_keeps_its_arrays_only_when_asked(xor_doc, with_weights):
    doc, (inp, hidden, _, _) = xor_doc
    with_weights(doc, hidden)
    doc.disconnect(next(e for e in doc.edges if e.src == inp))  # the hidden layer's input size is unknown
    assert hidden not in fitting_weights(doc)
    assert sorted(fitting_weights(doc, keep_unshaped=True)[hidden]) == ["bias", "kernel"]
