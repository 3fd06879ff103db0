"""The update step with the optimizer's state: every rule written out, its numbers equal to the engine's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from neuroedit.api.walkthrough import walkthrough
from neuroedit.engine.optimizers import SLOTS, OptimizerConfig, reference_update
from neuroedit.io import load

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
# The quantities each rule shows for one weight, in order (the weight's own row last).
ROWS = {
    "sgd": ["b"],
    "momentum": ["v[b]", "b"],
    "nesterov": ["v[b]", "b"],
    "adagrad": ["s[b]", "b"],
    "rmsprop": ["s[b]", "b"],
    "adadelta": ["s[b]", "Δ[b]", "u[b]", "b"],
    "adam": ["m[b]", "v[b]", "m̂[b]", "v̂[b]", "b"],
    "adamw": ["m[b]", "v[b]", "m̂[b]", "v̂[b]", "b"],
    "nadam": ["m[b]", "v[b]", "m̂[b]", "v̂[b]", "b"],
}


def _walk(optimizer: str, steps_before: int = 0, lr: float = 0.1):
    doc = load(SAMPLES / "xor_single_neuron.nedit")
    doc.set_setting("optimizer", optimizer)
    if steps_before:  # a state that is not zero: earlier steps' velocity, averages, t
        from neuroedit.api.session import TrainingSession
        from neuroedit.data import load as load_data

        data = load_data("xor")
        doc.set_setting("learning_rate", lr)
        s = TrainingSession(
            doc,
            data.train[0],
            data.train[1],
            overrides={"epochs": 1, "batch_mode": "stochastic", "shuffle": False},
            backend="reference",
        )
        s.trainer.run()
        s.commit()
    return doc, walkthrough(doc, sample=0, learning_rate=lr)


@pytest.mark.parametrize("optimizer", sorted(ROWS))
@pytest.mark.parametrize("steps_before", [0, 1])
def test_each_rule_shows_its_state_and_ends_at_the_engine_value(optimizer, steps_before):
    _doc, w = _walk(optimizer, steps_before)
    step = w.phase("update")[0]
    bias_rows = step.formulas[-len(ROWS[optimizer]) :]
    assert [f.quantity() for f in bias_rows] == ROWS[optimizer]
    p = w.nodes["dense_1"].params["bias"]
    assert bias_rows[-1].value == p.new[0]  # the engine's new value, not a recomputation
    t = w.trace
    for f in bias_rows[:-1]:
        slot = {
            "v[b]": "velocity" if optimizer in ("momentum", "nesterov") else "v",
            "m[b]": "m",
            "s[b]": "accumulator" if optimizer == "adagrad" else "mean_square",
            "u[b]": "mean_update",
        }.get(f.quantity())
        if slot is not None:
            assert f.value == float(t.new_state[slot]["dense_1"]["bias"][0])
    # Redo the step with the engine's rule from the traced state: the same new weight.
    cfg = OptimizerConfig(optimizer)
    slots = np.zeros((2, 1))
    for k, slot in enumerate(SLOTS[optimizer]):
        slots[k] = t.old_state[slot]["dense_1"]["bias"]
    theta = p.old.copy()
    g = p.grad.copy()
    reference_update(cfg, theta, g, g * g, slots, 0.1, t.iteration)
    assert theta[0] == pytest.approx(p.new[0], rel=1e-12)
    assert t.iteration == 1 + 4 * steps_before


def test_adam_bias_correction_numbers():
    _, w = _walk("adam")
    rows = {f.quantity(): f for f in w.phase("update")[0].formulas[-5:]}
    g = float(w.nodes["dense_1"].params["bias"].grad[0])
    assert rows["m[b]"].value == pytest.approx(0.1 * g)
    assert rows["v[b]"].value == pytest.approx(0.001 * g * g)
    assert rows["m̂[b]"].value == pytest.approx(g)  # t = 1: m̂ = g
    assert rows["v̂[b]"].value == pytest.approx(g * g)
    assert rows["b"].value == pytest.approx(-0.1 - 0.1 * g / (abs(g) + 1e-7))  # divided, not multiplied
    text = rows["b"].render()
    assert "b - η·m̂[b]/(√(v̂[b]) + ε)" in text
