"""Optimizer settings and the reference (NumPy) update rules on the flat parameter vector.

Every optimizer keeps at most two state vectors (`slots`) the size of the
trainable parameters, plus the iteration count t (starting at 1 for the first step).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .names import OPTIMIZERS

# State vectors each optimizer uses, by name (for export/import of the state).
SLOTS: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("velocity",),
    "nesterov": ("velocity",),
    "adagrad": ("accumulator",),
    "rmsprop": ("mean_square",),
    "adadelta": ("mean_square", "mean_update"),
    "adam": ("m", "v"),
    "adamw": ("m", "v"),
    "nadam": ("m", "v"),
    "vario_eta": ("mean", "variance"),
}

HYPER_DEFAULTS = {"momentum": 0.9, "beta_1": 0.9, "beta_2": 0.999, "rho": 0.9, "epsilon": 1e-7, "weight_decay": 0.004}
# Order of the hyperparameters in the array the Numba kernel receives.
HYPER_ORDER = tuple(HYPER_DEFAULTS)


@dataclass
class OptimizerConfig:
    """Which update rule, and its hyperparameters (the learning rate comes from the schedule)."""

    name: str = "sgd"
    hyper: dict[str, float] = field(default_factory=lambda: dict(HYPER_DEFAULTS))

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.name!r}; known: {', '.join(OPTIMIZERS)}")
        self.hyper = {**HYPER_DEFAULTS, **{k: float(v) for k, v in self.hyper.items() if k in HYPER_DEFAULTS}}

    @property
    def code(self) -> int:
        return OPTIMIZERS.index(self.name)

    def hyper_array(self) -> np.ndarray:
        return np.array([self.hyper[k] for k in HYPER_ORDER], dtype=np.float64)


def reference_update(
    cfg: OptimizerConfig, theta: np.ndarray, g: np.ndarray, gsq: np.ndarray, slots: np.ndarray, lr: float, t: int
) -> None:
    """Apply one step in place. `gsq` is the mean over patterns of the squared per-pattern gradient."""
    h = cfg.hyper
    eps = h["epsilon"]
    s1, s2 = slots[0], slots[1]
    name = cfg.name
    if name == "sgd":
        theta -= lr * g
    elif name in ("momentum", "nesterov"):
        s1[:] = h["momentum"] * s1 + g
        theta -= lr * (g + h["momentum"] * s1) if name == "nesterov" else lr * s1
    elif name == "adagrad":
        s1 += g * g
        theta -= lr * g / np.sqrt(s1 + eps)
    elif name == "rmsprop":
        s1[:] = h["rho"] * s1 + (1 - h["rho"]) * g * g
        theta -= lr * g / np.sqrt(s1 + eps)
    elif name == "adadelta":
        rho = h["rho"]
        s1[:] = rho * s1 + (1 - rho) * g * g
        delta = np.sqrt(s2 + eps) / np.sqrt(s1 + eps) * g
        s2[:] = rho * s2 + (1 - rho) * delta * delta
        theta -= lr * delta
    elif name in ("adam", "adamw", "nadam"):
        b1, b2 = h["beta_1"], h["beta_2"]
        s1[:] = b1 * s1 + (1 - b1) * g
        s2[:] = b2 * s2 + (1 - b2) * g * g
        vhat = s2 / (1 - b2**t)
        if name == "nadam":
            mhat = b1 * s1 / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1**t)
        else:
            mhat = s1 / (1 - b1**t)
        step = mhat / (np.sqrt(vhat) + eps)
        if name == "adamw":
            step = step + h["weight_decay"] * theta
        theta -= lr * step
    elif name == "vario_eta":
        rho = h["rho"]
        spread = np.maximum(gsq - 2 * s1 * g + s1 * s1, 0)
        s2[:] = rho * s2 + (1 - rho) * spread
        s1[:] = rho * s1 + (1 - rho) * g
        theta -= lr * g / (np.sqrt(s2 / (1 - rho**t)) + eps)
    else:
        raise ValueError(name)
