"""The step-through model: SEEDS worked examples 1, 2 and 5 reproduced by the step data, step structure, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from api_docs import chain_doc

from neuroedit.api.walkthrough import PHASES, NumberFormat, WalkthroughError, walkthrough
from neuroedit.io import load
from neuroedit.model import Document

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
EXAMPLE_2_INPUTS = {"x": 4, "y": -2, "z": 5, "w": -1}


def _texts(w, phase=None) -> list[str]:
    return [line for s in w.steps if phase is None or s.phase == phase for line in s.lines()]


def _values(w, phase: str) -> dict[str, float]:
    """Quantity -> value of every formula of a phase (the last one wins for repeated quantities)."""
    return {f.quantity(): f.value for s in w.phase(phase) for f in s.formulas}


def example_5_doc() -> Document:
    """x -> a(L-1) -> a(L), sigmoid, E = ½(a(L) - y)² (SEEDS example 5), with fixed weights."""
    d = chain_doc(
        ("x", "Input", {"shape": [1]}),
        ("hidden", "Dense", {"units": 1, "activation": "sigmoid"}),
        ("out", "Dense", {"units": 1, "activation": "sigmoid"}),
        ("E", "Loss", {"loss": "squared_error"}),
    )
    d.replace_weights(
        {
            "hidden": {"kernel": np.array([[0.7]]), "bias": np.array([0.2])},
            "out": {"kernel": np.array([[-1.3]]), "bias": np.array([0.4])},
        }
    )
    d.set_setting("optimizer", "sgd")  # the lecture's plain gradient step
    d.set_setting("learning_rate", 0.1)
    return d


# ---------------------------------------------------------------------- SEEDS example 2
def test_example_2_every_number_of_the_computation_graph():
    w = walkthrough(load(SAMPLES / "compute_graph.nedit"), inputs=EXAMPLE_2_INPUTS)
    fwd = _texts(w, "forward")
    for line in (
        "p = x·y = 4·(-2) = -8",
        "q = max(z, w) = max(5, -1) = 5",
        "m = p + q = -8 + 5 = -3",
        "f = m² = (-3)² = 9",
    ):
        assert line in fwd
    assert _texts(w, "loss") == ["f = 9"]  # the objective is f itself (loss "value")
    back = _texts(w, "backward")
    for line in (
        "df/dm = df/df · ∂f/∂m = 1 · (-6) = -6",
        "∂f/∂m = 2·m = 2·(-3) = -6",
        "df/dp = df/dm · ∂m/∂p = -6 · 1 = -6",
        "df/dq = df/dm · ∂m/∂q = -6 · 1 = -6",
        "df/dx = df/dp · ∂p/∂x = -6 · (-2) = 12",
        "df/dy = df/dp · ∂p/∂y = -6 · 4 = -24",
        "df/dz = df/dq · ∂q/∂z = -6 · 1 = -6",
        "df/dw = df/dq · ∂q/∂w = -6 · 0 = 0",
    ):
        assert line in back
    values = _values(w, "backward")
    assert {k: values[f"df/d{k}"] for k in "mpqxyzw"} == {"m": -6, "p": -6, "q": -6, "x": 12, "y": -24, "z": -6, "w": 0}
    assert {k: float(w.nodes[k].value[0]) for k in "pqmf"} == {"p": -8, "q": 5, "m": -3, "f": 9}
    assert not w.phase("update")  # no weights, nothing to update


def test_example_2_from_the_files_own_data_set():
    """compute_graph.nedit stores values:x=4,...: sample 0 feeds each Input by name."""
    w = walkthrough(load(SAMPLES / "compute_graph.nedit"))
    assert w.loss == 9.0
    assert {k: float(w.nodes[k].grad[0]) for k in "xyzw"} == {"x": 12, "y": -24, "z": -6, "w": 0}


# ---------------------------------------------------------------------- SEEDS example 1
def test_example_1_single_neuron_on_xor():
    w = walkthrough(load(SAMPLES / "xor_single_neuron.nedit"), sample=0)
    assert "z = 0.75·0 + 0.5·0 + (-0.1) = -0.1" in _texts(w, "forward")
    assert "a = σ(z) = 0.475" in _texts(w, "forward")
    assert _texts(w, "loss") == ["L = -ln(1 - 0.475) = 0.644"]
    back = _texts(w, "backward")
    assert "dL/dz = dL/da · σ'(z) = 1.905 · 0.249 = 0.475" in back
    assert "σ'(z) = a·(1 - a) = 0.475·(1 - 0.475) = 0.249" in back
    assert "dL/db = dL/dz = 0.475" in back
    assert _texts(w, "update") == [
        "w₁ ← 0.75 - 0.5·0 = 0.75",
        "w₂ ← 0.5 - 0.5·0 = 0.5",
        "b ← -0.1 - 0.5·0.475 = -0.338",
    ]
    p = w.nodes["dense_1"].params
    np.testing.assert_array_equal(p["kernel"].new, p["kernel"].old)  # w1, w2 unchanged
    assert p["bias"].new[0] == pytest.approx(-0.338, abs=5e-4)
    assert w.learning_rate == 0.5 and w.optimizer == "sgd"


def test_example_1_renders_in_markdown_and_latex():
    w = walkthrough(load(SAMPLES / "xor_single_neuron.nedit"), sample=0)
    step = next(s for s in w.phase("forward") if s.node == "dense_1")
    assert step.formulas[0].latex() == r"z = 0.75 \cdot 0 + 0.5 \cdot 0 + \left(-0.1\right) = -0.1"
    assert step.formulas[1].latex() == r"a = \sigma\left(z\right) = 0.475"
    loss = w.phase("loss")[0].formulas[0]
    assert loss.latex() == r"L = -\ln\left(1 - 0.475\right) = 0.644"
    assert loss.markdown() == "L = -ln(1 - 0.475) = 0.644"


# ---------------------------------------------------------------------- SEEDS example 5
def test_example_5_minimal_network_gradients():
    w = walkthrough(example_5_doc(), inputs={"x": 0.9}, target=0.25)
    a_prev, a, y, w_l = float(w.nodes["hidden"].value[0]), float(w.nodes["out"].value[0]), 0.25, -1.3
    delta = (a - y) * a * (1 - a)
    assert w.loss == pytest.approx(0.5 * (a - y) ** 2)
    out_steps = [s for s in w.phase("backward") if s.node == "out"]
    grads = {f.quantity(): f.value for s in out_steps for f in s.formulas}
    assert grads["dL/dw"] == pytest.approx(delta * a_prev, rel=1e-12)  # dE/dw(L)
    assert grads["dL/db"] == pytest.approx(delta, rel=1e-12)  # dE/db(L)
    assert grads["dL/dx"] == pytest.approx(delta * w_l, rel=1e-12)  # dE/da(L-1), sent back
    arriving = next(s for s in w.phase("backward") if s.node == "hidden" and "arriving" in s.title)
    assert arriving.formulas[0].value == pytest.approx(delta * w_l, rel=1e-12)
    f = NumberFormat()
    text = _texts(w, "backward")
    assert f"dL/dw = dL/dz · x = {f(delta)} · {f(a_prev)} = {f(delta * a_prev)}" in text
    assert f"dL/da = ŷ - y = {f(a)} - 0.25 = {f(a - y)}" in text
    assert f"σ'(z) = a·(1 - a) = {f(a)}·(1 - {f(a)}) = {f(a * (1 - a))}" in text
    assert f"L = 0.5·({f(a)} - 0.25)² = {f(w.loss)}" in _texts(w, "loss")
    assert w.nodes["out"].params["kernel"].new[0, 0] == pytest.approx(-1.3 - 0.1 * delta * a_prev)


# ---------------------------------------------------------------------- structure for the GUI
def test_steps_are_ordered_by_phase_and_highlight_existing_things():
    doc = load(SAMPLES / "xor.nedit")
    w = walkthrough(doc, sample=3)
    assert [s.index for s in w.steps] == list(range(len(w.steps)))
    order = [PHASES.index(s.phase) for s in w.steps]
    assert order == sorted(order) and set(order) == {0, 1, 2, 3}
    for s in w.steps:
        assert s.highlight.node in doc.nodes
        n = w.nodes.get(s.highlight.node)
        for u in s.highlight.units:
            assert 0 <= u < n.value.size
        for name, index in s.highlight.weights:
            n.params[name].old[index]  # a real element of a real array
        for src, dst in s.highlight.edges:
            assert src in doc.nodes and dst in doc.nodes
    # backward goes layer 2 first, then layer 1
    back_nodes = [s.node for s in w.phase("backward")]
    assert back_nodes.index("dense_2") < back_nodes.index("dense_1") < back_nodes.index("input_1")
    # per neuron in small layers
    assert sorted(s.unit for s in w.phase("forward") if s.node == "dense_1") == [0, 1]


def test_sample_index_picks_the_training_sample_and_its_target():
    w = walkthrough(load(SAMPLES / "xor.nedit"), sample=3)
    assert w.inputs["input_1"].tolist() == [[1.0, 1.0]]
    assert w.target.tolist() == [[0.0]]
    assert w.source == "xor sample 3"


def test_large_layers_show_the_first_neurons_and_a_summary():
    d = chain_doc(
        ("x", "Input", {"shape": [12]}),
        ("h", "Dense", {"units": 20, "activation": "relu"}),
        ("o", "Dense", {"units": 1, "activation": "linear"}),
        ("L", "Loss", {"loss": "mse"}),
    )
    w = walkthrough(d, inputs={"x": np.linspace(-1, 1, 12)}, target=0.5)
    fwd_h = [s for s in w.phase("forward") if s.node == "h"]
    assert [s.unit for s in fwd_h if not s.summary] == [0, 1, 2]
    summary = [s for s in fwd_h if s.summary]
    assert len(summary) == 1 and summary[0].values["a"].shape == (20,) and "17 more" in summary[0].title
    z_line = fwd_h[0].lines()[0]
    assert "… (9 more terms)" in z_line  # 12 inputs: the first 3 terms, then the rest counted
    assert r"\dots" in fwd_h[0].formulas[0].latex()


def test_non_sgd_optimizer_states_its_rule_and_old_new_values():
    doc = load(SAMPLES / "xor_single_neuron.nedit")
    doc.set_setting("optimizer", "adam")
    w = walkthrough(doc, sample=0)
    bias_update = w.phase("update")[0].formulas[-1]
    new = float(w.nodes["dense_1"].params["bias"].new[0])
    assert bias_update.value == pytest.approx(new)
    assert bias_update.rel == "←"
    assert "adam" in w.phase("update")[0].title and "m̂" in w.optimizer_rule


def test_the_document_is_not_changed():
    doc = load(SAMPLES / "xor_single_neuron.nedit")
    before = {k: {n: a.copy() for n, a in v.items()} for k, v in doc.weights.items()}
    walkthrough(doc, sample=1)
    for k, v in before.items():
        for n, a in v.items():
            np.testing.assert_array_equal(doc.weights[k][n], a)
    assert doc.optimizer_state == {} or "iterations" not in doc.optimizer_state


def test_hover_texts_for_the_neuron_view():
    w = walkthrough(load(SAMPLES / "xor_single_neuron.nedit"), sample=0)
    hover = w.neuron_hover("dense_1", 0)
    assert "z = 0.75·0 + 0.5·0 + (-0.1) = -0.1" in hover and "a = σ(z) = 0.475" in hover
    assert "dL/dz = 0.475" in hover
    assert w.weight_hover("dense_1", "bias", (0,)) == "b = -0.1\ndL/db = 0.475\nupdate: -0.1 → -0.338 (Δ = -0.238)"
    assert w.weight_hover("dense_1", "kernel", (1, 0)).splitlines()[:2] == ["w₂ = 0.5", "dL/dw₂ = 0"]
    graph = walkthrough(load(SAMPLES / "compute_graph.nedit"))
    assert graph.neuron_hover("p", 0) == "p = x·y = 4·(-2) = -8\ndf/dp = -6"


def test_number_format():
    f = NumberFormat()
    assert [f(v) for v in (0.47502, -0.33751, 12.0, -0.0, 0.1 + 0.2, 1.5e-5, float("inf"))] == [
        "0.475",
        "-0.338",
        "12",
        "0",
        "0.3",
        "1.5e-5",
        "∞",
    ]
    assert NumberFormat(5)(0.6443851) == "0.64439"


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"inputs": {"x": 4, "y": -2, "z": 5, "v": 1}}, "unknown input 'v'"),
        ({"inputs": {"x": 4, "y": -2, "z": 5}}, "no value for input w"),
        ({"inputs": {"x": [1, 2], "y": -2, "z": 5, "w": 1}}, "input x takes 1 value"),
        ({"sample": 1}, "sample 1 does not exist"),
        ({"inputs": EXAMPLE_2_INPUTS, "target": 3}, "takes no target"),
    ],
)
def test_bad_samples_say_what_is_wrong(kwargs, message):
    with pytest.raises(WalkthroughError, match=message):
        walkthrough(load(SAMPLES / "compute_graph.nedit"), **kwargs)


def test_inputs_without_target_for_a_loss_that_needs_one():
    with pytest.raises(WalkthroughError, match="needs a target"):
        walkthrough(load(SAMPLES / "xor_single_neuron.nedit"), inputs={"input_1": [0, 1]})
    w = walkthrough(load(SAMPLES / "xor_single_neuron.nedit"), inputs={"input_1": [0, 1]}, target=1)
    assert _texts(w, "loss")[0].startswith("L = -ln(")


def test_latex_text_and_markdown_escape():
    from neuroedit.api.walkthrough.format import latex_text, markdown_escape

    assert (
        latex_text("w ← w - η·m̂ for dense_1 (100% & #2)")
        == r"w $\leftarrow$ w $-$ $\eta\cdot\hat{m}$ for dense\_\allowbreak{}1 (100\% \& \#2)"
    )
    assert latex_text("σ² ∉").isascii()
    assert markdown_escape("a|b *c* d_e `f` <g>") == r"a\|b \*c\* d\_e \`f\` &lt;g&gt;"
