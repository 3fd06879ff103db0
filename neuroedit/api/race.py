"""The optimizer race: several update rules descend the same 2-D function from the same start point.

The function is any computation-graph Document with Input nodes `x` and `y` (the
position) and the `value` loss; its other Input nodes are constants, all taken from
its data set (`values:x=..,y=..,c=..`). Gradients come from the reference backend's
backward pass and every step is the engine's own `reference_update`, so a racer
moves exactly as training with that optimizer would move two weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..engine.optimizers import SLOTS, OptimizerConfig, reference_update
from ..engine.reference import ReferenceBackend
from .bridge import graph_spec
from .walkthrough import resolve_sample

RACERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "nadam", "adadelta")
# SGD takes the document's learning rate; momentum and Nesterov a quarter of it, since their velocity
# adds up to 1/(1 - μ) = 10 past gradients. The adaptive rules take steps of about their learning rate
# in x and y whatever the gradient's size, so theirs is a fraction of the start's scale.
GRADIENT_SCALED = {"sgd": 1.0, "momentum": 0.25, "nesterov": 0.25}
ADAPTIVE_RATES = {"adagrad": 0.3, "rmsprop": 0.02, "adam": 0.05, "adamw": 0.05, "nadam": 0.05, "adadelta": 10.0}
POSITION = ("x", "y")
# A racer farther than this many start scales from the start has run away and stops.
ESCAPE = 25.0


class RaceError(ValueError):
    """The document is not a 2-D function the race can run; the message says what is missing."""


@dataclass
class Racer:
    """One optimizer's run: its rule, learning rate, state slots and the path so far (path[0] is the start)."""

    config: OptimizerConfig
    learning_rate: float
    path: list[np.ndarray]
    values: list[float]
    gradient: np.ndarray  # at the last point of the path (the next step's g)
    slots: np.ndarray = field(default_factory=lambda: np.zeros((2, 2)))
    stopped: str = ""  # why the racer stopped early: the numbers overflowed or it ran far away

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def steps(self) -> int:
        return len(self.path) - 1


class TwoDFunction:
    """f(x, y) of a computation-graph document, with its gradient by backpropagation (float64)."""

    def __init__(self, doc, base_dir: str | None = None) -> None:
        self.graph = graph_spec(doc)
        if self.graph.loss_name != "value":
            raise RaceError("the optimizer race needs a function graph whose Loss node uses 'value'")
        ids = list(self.graph.input_ids)
        missing = [n for n in POSITION if n not in ids]
        if missing:
            raise RaceError(
                f"the optimizer race needs Input nodes named x and y (the position); this graph has {', '.join(ids)}"
            )
        bad = [i for i in ids if self.graph.op(i).size != 1]
        if bad or self.graph.op(self.graph.output_id).size != 1:
            raise RaceError("the optimizer race needs scalar inputs and a scalar output")
        try:
            inputs, _, _ = resolve_sample(doc, self.graph, 0, None, None, base_dir)
        except ValueError as e:
            raise RaceError(f"the start point and constants come from the data set: {e}") from None
        self.constants = {k: float(np.ravel(v)[0]) for k, v in inputs.items()}
        self.start = np.array([self.constants[n] for n in POSITION])
        self.scale = float(max(1.0, np.abs(self.start).max()))
        self.backend = ReferenceBackend(self.graph, "float64", 0)
        self.columns = [ids.index(n) for n in POSITION]
        self._row = np.array([[self.constants[i] for i in ids]])
        self.Y = np.zeros((1, 0))

    def _rows(self, points: np.ndarray) -> np.ndarray:
        X = np.repeat(self._row, len(points), axis=0)
        X[:, self.columns] = points
        return X

    def value_and_gradient(self, point: np.ndarray) -> tuple[float, np.ndarray]:
        b = self.backend
        with np.errstate(all="ignore"):
            p = b.forward(self._rows(np.asarray(point, np.float64)[None, :]), training=True)
            gr = b.backward(p, self.Y)
        return float(gr.loss), np.array([float(gr.values[n][0].ravel()[0]) for n in POSITION])

    def values(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """f on a grid: Z[i, j] = f(xs[j], ys[i]), one batched forward pass."""
        gx, gy = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            out = self.backend.predict(self._rows(np.stack([gx.ravel(), gy.ravel()], axis=1)), batch_size=1 << 16)
        return out.reshape(gy.shape)


class Race:
    """Every racer steps from the function's start point; `step(n)` advances all of them by n steps."""

    def __init__(
        self,
        function: TwoDFunction,
        learning_rate: float,
        racers: tuple[str, ...] = RACERS,
        rates: dict[str, float] | None = None,
        hyper: dict[str, float] | None = None,
    ) -> None:
        self.function = function
        f0, g0 = function.value_and_gradient(function.start)
        self.racers = []
        for name in racers:
            lr = (rates or {}).get(name, default_rate(name, learning_rate, function.scale))
            self.racers.append(
                Racer(OptimizerConfig(name, dict(hyper or {})), float(lr), [function.start.copy()], [f0], g0.copy())
            )

    def racer(self, name: str) -> Racer:
        return next(r for r in self.racers if r.name == name)

    def step(self, n: int = 1) -> None:
        for r in self.racers:
            for _ in range(n):
                if r.stopped:
                    break
                self._step(r)

    def _step(self, r: Racer) -> None:
        theta = r.path[-1].copy()
        g = r.gradient
        with np.errstate(all="ignore"):
            reference_update(r.config, theta, g, g * g, r.slots, r.learning_rate, r.steps + 1)
        value, gradient = self.function.value_and_gradient(theta)
        far = np.abs(theta - self.function.start).max() > ESCAPE * self.function.scale
        if not (np.isfinite(theta).all() and np.isfinite(value)):
            r.stopped = "diverged"
            return
        if far:
            r.stopped = "ran away"
            return
        r.path.append(theta)
        r.values.append(value)
        r.gradient = gradient

    def restart(self, name: str, learning_rate: float) -> None:
        """Start one racer again from the start point with another learning rate."""
        r = self.racer(name)
        r.learning_rate = float(learning_rate)
        r.path, r.values, r.stopped = [r.path[0]], [r.values[0]], ""
        r.gradient = self.function.value_and_gradient(r.path[0])[1]
        r.slots[:] = 0

    def state(self, name: str) -> dict[str, np.ndarray]:
        """The racer's optimizer state by slot name (velocity, m, v, accumulator, ...)."""
        r = self.racer(name)
        return {slot: r.slots[k].copy() for k, slot in enumerate(SLOTS[r.name])}


def default_rate(name: str, learning_rate: float, scale: float) -> float:
    """The learning rate a racer starts with (editable): see GRADIENT_SCALED and ADAPTIVE_RATES."""
    if name in GRADIENT_SCALED:
        return GRADIENT_SCALED[name] * learning_rate
    return ADAPTIVE_RATES.get(name, 1.0) * scale


def race_for(doc, base_dir: str | None = None, racers: tuple[str, ...] = RACERS) -> Race:
    """A race on `doc` from its start point; SGD moves at the document's learning rate (see `default_rate`)."""
    return Race(TwoDFunction(doc, base_dir), float(doc.settings.get("learning_rate", 0.01)), racers)


def view_box(race: Race, margin: float = 0.15) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) around the start and the paths, ignoring points that ran far away."""
    start = race.function.start
    reach = 5.0 * race.function.scale
    pts = np.concatenate([np.asarray(r.path) for r in race.racers])
    near = pts[np.all(np.abs(pts - start) <= reach, axis=1)]
    lo, hi = near.min(axis=0), near.max(axis=0)
    size = np.maximum(hi - lo, 1.0)
    lo, hi = lo - margin * size, hi + margin * size
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])
