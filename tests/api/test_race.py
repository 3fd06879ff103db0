"""The optimizer race: every racer's path is the engine's update rule applied to backprop's gradient."""

from __future__ import annotations

import numpy as np
import pytest

from neuroedit.api.race import RACERS, RaceError, TwoDFunction, race_for
from neuroedit.engine.optimizers import OptimizerConfig, reference_update
from neuroedit.model import samples
from neuroedit.model.race_functions import FUNCTIONS, _Builder

# The functions and their gradients written out by hand, to check the graphs.
EXACT = {
    "ravine": (lambda x, y: x * x + 10 * y * y, lambda x, y: np.array([2 * x, 20 * y])),
    "rosenbrock": (
        lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
        lambda x, y: np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]),
    ),
    "beale": (
        lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y**3) ** 2,
        lambda x, y: np.array(
            [
                2 * (1.5 - x + x * y) * (y - 1)
                + 2 * (2.25 - x + x * y * y) * (y * y - 1)
                + 2 * (2.625 - x + x * y**3) * (y**3 - 1),
                2 * (1.5 - x + x * y) * x
                + 2 * (2.25 - x + x * y * y) * 2 * x * y
                + 2 * (2.625 - x + x * y**3) * 3 * x * y * y,
            ]
        ),
    ),
    "saddle": (lambda x, y: x * x - y * y, lambda x, y: np.array([2 * x, -2 * y])),
}


@pytest.mark.parametrize("key", sorted(FUNCTIONS))
def test_graph_computes_the_function_and_its_gradient(key):
    f = TwoDFunction(FUNCTIONS[key].build())
    exact, grad = EXACT[key]
    for point in ([0.3, -0.7], [1.25, 0.5], list(f.start)):
        value, g = f.value_and_gradient(np.array(point))
        assert value == pytest.approx(exact(*point), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(g, grad(*point), rtol=1e-12, atol=1e-12)
    xs, ys = np.array([-1.0, 0.5, 2.0]), np.array([0.25, -1.5])
    np.testing.assert_allclose(f.values(xs, ys), exact(*np.meshgrid(xs, ys)), rtol=1e-12)


@pytest.mark.parametrize("key", sorted(FUNCTIONS))
def test_race_paths_are_the_engine_steps(key):
    doc = FUNCTIONS[key].build()
    race = race_for(doc)
    race.step(40)
    exact, grad = EXACT[key]
    assert [r.name for r in race.racers] == list(RACERS)
    for r in race.racers:
        theta = race.function.start.copy()
        slots = np.zeros((2, 2))
        cfg = OptimizerConfig(r.name)
        for t, point in enumerate(r.path[1:], start=1):
            g = grad(*theta)
            reference_update(cfg, theta, g, g * g, slots, r.learning_rate, t)
            np.testing.assert_allclose(point, theta, rtol=1e-9, atol=1e-12)
            assert r.values[t] == pytest.approx(exact(*theta), rel=1e-9, abs=1e-12)
        assert r.steps == 40 or r.stopped


def test_racers_start_together_and_restart_with_a_new_rate():
    race = race_for(FUNCTIONS["ravine"].build())
    assert {tuple(r.path[0]) for r in race.racers} == {(-4.0, 1.0)}
    race.step(10)
    assert race.state("adam")["m"].any() and set(race.state("adadelta")) == {"mean_square", "mean_update"}
    race.restart("sgd", 0.01)
    r = race.racer("sgd")
    assert r.steps == 0 and r.learning_rate == 0.01
    race.step(1)
    np.testing.assert_allclose(r.path[1], [-4.0 + 0.01 * 8, 1.0 - 0.01 * 20])


def test_sgd_finds_the_ravine_minimum_and_adam_the_rosenbrock_valley():
    race = race_for(FUNCTIONS["ravine"].build())
    race.step(150)
    assert race.racer("sgd").values[-1] < 1e-6
    rb = race_for(FUNCTIONS["rosenbrock"].build())
    rb.step(400)
    assert rb.racer("adam").values[-1] < rb.racer("sgd").values[-1]


def test_a_network_is_not_a_race_function():
    with pytest.raises(RaceError, match="value"):
        TwoDFunction(samples.xor())
    g = _Builder()
    square = g.op("OpSquare", "f", g.input("a"))
    with pytest.raises(RaceError, match="named x and y"):
        TwoDFunction(g.finish(square, "a=1", 0.1, "one input"))
    doc = samples.compute_graph()
    doc.set_dataset({"spec": "values:x=4,y=-2,z=5,w=-1"})
    f = TwoDFunction(doc)  # x and y move; z and w are constants
    assert f.constants == {"x": 4.0, "y": -2.0, "z": 5.0, "w": -1.0}
