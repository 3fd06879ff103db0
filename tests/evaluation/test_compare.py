"""Compare: variants parse with clear errors, and train from the very same initial weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from neuroedit.api.bridge import graph_spec
from neuroedit.api.data import load_training_data
from neuroedit.evaluation.compare import (
    CompareProblem,
    compare,
    copy_for_variant,
    parse_variants,
    starting_point,
)
from neuroedit.io import load

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_parse_variants():
    assert [v.settings for v in parse_variants("batch", "full, 1, 32")] == [
        {"batch_mode": "full"},
        {"batch_mode": "stochastic"},
        {"batch_mode": "minibatch", "batch_size": 32},
    ]
    assert [v.label for v in parse_variants("l2", "0, 0.01")] == ["no L2", "L2 0.01"]
    assert parse_variants("optimizer", "sgd,adam")[1].settings == {"optimizer": "adam"}
    for kind, text, message in (
        ("optimizer", "sgd, fast", "unknown optimizer 'fast'"),
        ("learning_rate", "0.1", "at least two"),
        ("learning_rate", "0.1, -1", "must be positive"),
        ("batch", "full, x", "'x' is not a batch size"),
    ):
        with pytest.raises(CompareProblem, match=message):
            parse_variants(kind, text)


def test_variants_start_from_the_same_weights_and_differ_only_in_their_setting():
    doc = load(SAMPLES / "xor.nedit")
    base = starting_point(doc, fresh=True)
    a, b = (copy_for_variant(base, v, 5) for v in parse_variants("l2", "0, 0.01"))
    for op, arrays in base.weights.items():
        for name, w in arrays.items():
            assert np.array_equal(a.weights[op][name], w) and np.array_equal(b.weights[op][name], w)
    assert a.nodes["dense_1"].params["l2"] == 0 and b.nodes["dense_1"].params["l2"] == 0.01
    assert a.settings["epochs"] == 5 and doc.runs == [] and base.runs == []


def test_compare_trains_each_variant():
    doc = load(SAMPLES / "xor.nedit")
    graph = graph_spec(doc)
    data = load_training_data(graph, "xor")
    seen = []
    runs = compare(starting_point(doc, fresh=True), parse_variants("learning_rate", "0.1, 2"), data, 10, seen.append)
    assert [r["label"] for r in runs] == ["compare: lr 0.1", "compare: lr 2"] and seen == runs
    assert [len(r["history"]["loss"]) for r in runs] == [10, 10]
    assert runs[0]["history"]["loss"][0] == pytest.approx(runs[1]["history"]["loss"][0], rel=0.2)
    assert runs[0]["history"]["loss"] != runs[1]["history"]["loss"]
    assert runs[1]["settings"]["learning_rate"] == 2
