"""Built-in, seeded synthetic data sets: logic gates, TensorFlow-Playground sets, moons, weather.

2-D coordinates are TensorFlow Playground's divided by 5 (so they lie roughly in [-1.2, 1.2]),
which suits sigmoid/tanh networks without further scaling. Classes are balanced exactly
(`n` is rounded down to a multiple of the class count). Binary labels are 0/1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import DataError
from .options import Options
from .raw import RawData

GATE_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
GATE_Y = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0]}

# Regression "weather" target (fraction of a day judged pleasant for an outing), a smooth
# function of standardised temperature T and cloudiness C: warmer is better up to a point,
# clouds are worse. At the course's walk-through point (T=1.3, C=0.8) it gives 0.45.
WEATHER_COEF = {"bias": 0.466, "t": 0.8, "t2": -0.3, "c": -1.5}
# The lecture's original has 5 inputs (inputs=5): wind, humidity and air pressure add small effects.
WEATHER_EXTRA = {"wind": -0.5, "humidity": -0.3, "pressure": 0.2}


@dataclass(frozen=True)
class Generator:
    name: str
    task: str
    description: str
    params: dict[str, float]  # adjustable parameters and their defaults
    make: Callable[[Options], RawData]


def _n_noise(opts: Options, n: int, noise: float) -> tuple[int, float, np.random.Generator]:
    count = opts.integer("n", n, lo=4, hi=10_000_000)
    level = opts.number("noise", noise, lo=0.0, hi=10.0)
    seed = opts.integer("seed", 0, lo=0)
    return count, level, np.random.default_rng(seed)


def _gate(name: str) -> Callable[[Options], RawData]:
    def make(opts: Options) -> RawData:
        return RawData(
            GATE_X.copy(),
            np.array(GATE_Y[name], dtype=np.int64),
            "classification",
            class_names=["0", "1"],
            feature_names=["x1", "x2"],
            no_split=True,
            notes=[f"{name.upper()} has only the 4 input patterns: no split, train = validation = test = all 4"],
        )

    return make


def _classes_balanced(n: int, k: int) -> np.ndarray:
    return np.repeat(np.arange(k, dtype=np.int64), n // k)


def _circle(opts: Options) -> RawData:
    n, noise, rng = _n_noise(opts, 500, 0.1)
    y = _classes_balanced(n, 2)
    # Class 1 inside (radius < 0.5), class 0 in the ring 0.7..1.0, as in the Playground.
    r = np.where(y == 1, rng.uniform(0, 0.5, y.size), rng.uniform(0.7, 1.0, y.size))
    angle = rng.uniform(0, 2 * np.pi, y.size)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    x += rng.uniform(-1, 1, x.shape) * noise
    return _two_d(x, y, ["outside", "inside"])


def _xor_quadrants(opts: Options) -> RawData:
    n, noise, rng = _n_noise(opts, 500, 0.1)
    y = _classes_balanced(n, 2)
    # Magnitudes 0.06..1 away from the axes; signs chosen so sign(x1*x2) gives the class.
    mag = rng.uniform(0.06, 1.0, (y.size, 2))
    s1 = rng.choice([-1.0, 1.0], y.size)
    s2 = np.where(y == 1, s1, -s1)
    x = mag * np.stack([s1, s2], axis=1)
    x += rng.uniform(-1, 1, x.shape) * noise
    return _two_d(x, y, ["opposite signs", "same signs"])


def _gaussians(opts: Options) -> RawData:
    n, noise, rng = _n_noise(opts, 500, 0.1)
    y = _classes_balanced(n, 2)
    centre = np.where(y[:, None] == 1, 0.4, -0.4)
    x = centre + rng.normal(0, 0.1 + noise, (y.size, 2))
    return _two_d(x, y, ["lower left", "upper right"])


def _spiral_arms(n: int, k: int, noise: float, rng: np.random.Generator, turns: float) -> tuple[np.ndarray, np.ndarray]:
    y = _classes_balanced(n, k)
    per = n // k
    t = np.tile(np.arange(per) / per, k)
    r = t
    angle = turns * 2 * np.pi * t + y * (2 * np.pi / k)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    x += rng.uniform(-1, 1, x.shape) * noise
    return x, y


def _spiral(opts: Options) -> RawData:
    n, noise, rng = _n_noise(opts, 500, 0.05)
    x, y = _spiral_arms(n, 2, noise, rng, turns=1.75)
    return _two_d(x, y, ["arm 1", "arm 2"])


def _spiral_multi(opts: Options) -> RawData:
    k = opts.integer("classes", 3, lo=3, hi=20)
    n, noise, rng = _n_noise(opts, 600, 0.05)
    x, y = _spiral_arms(n, k, noise, rng, turns=1.0)
    return _two_d(x, y, [f"arm {i + 1}" for i in range(k)])


def _moons(opts: Options) -> RawData:
    n, noise, rng = _n_noise(opts, 500, 0.1)
    y = _classes_balanced(n, 2)
    t = rng.uniform(0, np.pi, y.size)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where(y[:, None] == 0, upper, lower)
    x = (x - [0.5, 0.25]) / 1.5 + rng.normal(0, noise, x.shape)
    return _two_d(x, y, ["upper moon", "lower moon"])


def _plane(opts: Options) -> RawData:
    n, noise, rng = _n_noise(opts, 500, 0.1)
    x = rng.uniform(-1.2, 1.2, (n, 2))
    target = (x[:, 0] + x[:, 1]) / 2.4  # in [-1, 1]
    x += rng.uniform(-1, 1, x.shape) * noise
    return _regression_2d(x, target)


_MULTI_GAUSS = [(-0.8, 0.5, 1), (0.0, 0.5, -1), (0.8, 0.5, 1), (-0.8, -0.5, -1), (0.0, -0.5, 1), (0.8, -0.5, -1)]


def _multi_gaussian(opts: Options) -> RawData:
    n, noise, rng = _n_noise(opts, 500, 0.1)
    x = rng.uniform(-1.2, 1.2, (n, 2))
    target = np.zeros(n)
    for cx, cy, sign in _MULTI_GAUSS:
        bump = sign * np.clip(1 - np.hypot(x[:, 0] - cx, x[:, 1] - cy) / 0.4, 0, 1)
        target = np.where(np.abs(bump) > np.abs(target), bump, target)
    x += rng.uniform(-1, 1, x.shape) * noise
    return _regression_2d(x, target)


def weather_logit(temperature: np.ndarray, cloudiness: np.ndarray) -> np.ndarray:
    c = WEATHER_COEF
    return c["bias"] + c["t"] * temperature + c["t2"] * temperature**2 + c["c"] * cloudiness


def weather_target(temperature: np.ndarray, cloudiness: np.ndarray) -> np.ndarray:
    """Noise-free weather target in (0, 1) for standardised inputs."""
    return 1 / (1 + np.exp(-weather_logit(temperature, cloudiness)))


def _weather(opts: Options) -> RawData:
    n, noise, rng = _n_noise(opts, 500, 0.03)
    inputs = opts.integer("inputs", 2, lo=2, hi=5)
    if inputs not in (2, 5):
        raise DataError("weather: inputs must be 2 (temperature, cloudiness) or 5 (also wind, humidity, pressure)")
    x = rng.standard_normal((n, inputs))
    z = weather_logit(x[:, 0], x[:, 1])
    for k, coef in enumerate(WEATHER_EXTRA.values() if inputs == 5 else ()):
        z = z + coef * x[:, 2 + k]
    target = np.clip(1 / (1 + np.exp(-z)) + rng.normal(0, noise, n), 0.01, 0.99)
    return RawData(
        x.astype(np.float32),
        target.astype(np.float32)[:, None],
        "regression",
        feature_names=["temperature", "cloudiness", *list(WEATHER_EXTRA)[: inputs - 2]],
        target_names=["pleasant"],
        notes=[
            "weather: standardised temperature and cloudiness"
            + (" (plus wind, humidity and pressure)" if inputs == 5 else "")
            + " -> fraction of a pleasant day (0..1); noise-free value at (1.3, 0.8"
            + (", 0, 0, 0" if inputs == 5 else "")
            + ") is 0.45"
        ],
    )


def _two_d(x: np.ndarray, y: np.ndarray, class_names: list[str]) -> RawData:
    return RawData(x.astype(np.float32), y, "classification", class_names=class_names, feature_names=["x1", "x2"])


def _regression_2d(x: np.ndarray, target: np.ndarray) -> RawData:
    return RawData(
        x.astype(np.float32),
        target.astype(np.float32)[:, None],
        "regression",
        feature_names=["x1", "x2"],
        target_names=["y"],
    )


_N = {"n": 500, "noise": 0.1}
GENERATORS: dict[str, Generator] = {
    g.name: g
    for g in (
        Generator("and", "classification", "logic AND: the 4 patterns of two binary inputs", {}, _gate("and")),
        Generator("or", "classification", "logic OR: the 4 patterns of two binary inputs", {}, _gate("or")),
        Generator("xor", "classification", "logic XOR: not linearly separable; 4 patterns", {}, _gate("xor")),
        Generator("circle", "classification", "Playground: a disc inside a ring", _N, _circle),
        Generator("xor_quadrants", "classification", "Playground: class = sign(x1·x2)", _N, _xor_quadrants),
        Generator("gaussians", "classification", "Playground: two Gaussian blobs", _N, _gaussians),
        Generator(
            "spiral", "classification", "Playground: two interleaved spirals", {"n": 500, "noise": 0.05}, _spiral
        ),
        Generator("moons", "classification", "two interleaving half circles", _N, _moons),
        Generator(
            "spiral_multi",
            "classification",
            "a spiral with 3+ arms (classes=K)",
            {"n": 600, "noise": 0.05, "classes": 3},
            _spiral_multi,
        ),
        Generator("plane", "regression", "Playground regression: a tilted plane", _N, _plane),
        Generator("multi_gaussian", "regression", "Playground regression: six ±bumps", _N, _multi_gaussian),
        Generator(
            "weather",
            "regression",
            "temperature and cloudiness (standardised) -> pleasant-day score",
            {"n": 500, "noise": 0.03, "inputs": 2},
            _weather,
        ),
    )
}
