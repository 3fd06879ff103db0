"""The walk-through on every node type, activation and loss the engine runs: it builds, every formula's
numbers add up to its result, and every rendering is clean (LaTeX ASCII and balanced, Markdown escaped)."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from api_docs import chain_doc

from neuroedit.api.bridge import graph_spec
from neuroedit.api.walkthrough import walkthrough

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from cases import all_cases

CASES = all_cases()
SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
FUNCTIONS = {"ln": "_ln", "exp": "_exp", "max": "max", "σ": "_sigmoid", "sign": "_sign"}
SCOPE = {
    "__builtins__": {},
    "max": max,
    "_ln": math.log,
    "_exp": math.exp,
    "_sigmoid": lambda z: 1 / (1 + math.exp(-z)),
    "_sign": lambda v: (v > 0) - (v < 0),
}


def evaluate(side) -> float | None:
    """The number a side of pure arithmetic stands for (full precision), or None if it has symbols or words."""
    out = []
    for p in side:
        if p.kind == "num":
            out.append(f"({p.value!r})")
        elif p.kind == "op" and p.text in ("+", "-", "·", "/", ","):
            out.append({"·": "*"}.get(p.text, p.text))
        elif p.kind in ("open", "close") and p.text in "()":
            out.append(p.text)
        elif p.kind in ("open", "close") and p.text == "|":
            out.append("abs(" if p.kind == "open" else ")")
        elif p.kind == "sup":  # x², or Adam's bias correction β₁ᵗ written with the step's number (0.9¹)
            digits = p.text.translate(SUPERSCRIPT_DIGITS) if p.text else "2"
            if not digits.isdigit():
                return None
            out.append(f"**{digits}")
        elif p.kind == "fn" and p.text in FUNCTIONS:
            out.append(FUNCTIONS[p.text])
        else:
            return None
    return eval("".join(out), {**SCOPE, "abs": abs})


def _inputs(graph, x):
    if isinstance(x, dict):
        return {k: np.asarray(v)[0] for k, v in x.items()}
    if len(graph.input_ids) == 1:
        return {graph.input_ids[0]: np.asarray(x)[0]}
    return {i: np.asarray(part)[0] for i, part in zip(graph.input_ids, x)}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_graph_walks_through_consistently(case):
    name, doc, x, y = case
    graph = graph_spec(doc)
    w = walkthrough(doc, inputs=_inputs(graph, x), target=None if y is None else np.asarray(y)[0])
    assert {s.phase for s in w.steps} >= {"forward", "loss", "backward"}
    checked = 0
    for step in w.steps:
        for f in step.formulas:
            for side in f.sides[:-1] if len(f.sides) > 1 else []:
                v = evaluate(side)
                if v is not None:
                    assert v == pytest.approx(f.value, rel=1e-9, abs=1e-12), (step.title, f.text())
                    checked += 1
            latex = f.latex()
            assert latex.isascii() and latex.count("{") == latex.count("}"), latex
            md = f.markdown()
            assert re.search(r"(?<!\\)[|*_]", md) is None, md
    assert checked > 0
    for step in w.steps:  # what the canvas highlights exists
        n = w.nodes.get(step.highlight.node)
        assert n is not None or step.highlight.node == graph.loss_id
        for u in step.highlight.units:
            assert 0 <= u < n.value.size
        for name, index in step.highlight.weights:
            assert len(index) == n.params[name].old.ndim
            n.params[name].old[index]
    # the per-node tables agree with the engine's trace
    for node, n in w.nodes.items():
        np.testing.assert_array_equal(n.value, w.trace.values[node][0])


@pytest.mark.parametrize(
    "activation, params, slope",
    [
        ("leaky_relu", {"negative_slope": 0.2}, 0.2),
        ("linear", {"slope": 2.0}, 2.0),
    ],
)
def test_activation_node_chain_rule_uses_its_own_alpha(activation, params, slope):
    """dL/dz on a negative input is slope · dL/da, with the node's own α (not a default)."""
    doc = chain_doc(
        ("x", "Input", {"shape": [1]}),
        ("act", "Activation", {"activation": activation, **params}),
        ("L", "Loss", {"loss": "value"}),
    )
    w = walkthrough(doc, inputs={"x": -3.0})
    assert w.nodes["x"].grad.ravel()[0] == pytest.approx(slope)
    backward = [s for s in w.steps if s.phase == "backward" and s.node == "act"]
    assert any(f"{slope:g}" in f.text() for s in backward for f in s.formulas)
