"""Learning-rate schedules: the rate for global step k (0-based) in epoch e (0-based)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .names import SCHEDULES


@dataclass
class Schedule:
    name: str = "constant"
    factor: float = 0.5            # step / reduce_on_plateau
    every: int = 10                # step: epochs between decays
    patience: int = 5              # reduce_on_plateau
    final_lr: float = 1e-4         # linear: η_T
    decay_steps: int = 1000        # linear: T
    decay_rate: float = 1e-3       # exponential: γ
    max_lr: float = 0.1            # one_cycle: peak
    total_steps: int = 1           # one_cycle: length of training in steps

    def __post_init__(self) -> None:
        if self.name not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.name!r}; known: {', '.join(SCHEDULES)}")

    def rate(self, lr0: float, k: int, epoch: int, plateau_scale: float = 1.0) -> float:
        """η at step k. reduce_on_plateau uses `plateau_scale`, which the trainer lowers on stalls."""
        n = self.name
        if n == "step":
            return lr0 * self.factor ** (epoch // max(self.every, 1))
        if n == "linear":
            f = min(k / max(self.decay_steps, 1), 1.0)
            return lr0 + (self.final_lr - lr0) * f
        if n == "exponential":
            return lr0 * math.exp(-self.decay_rate * k)
        if n == "one_cycle":
            # rise from η0 to η_max over 45% of training, fall back over 45%, then anneal to η0/100
            p = k / max(self.total_steps, 1)
            if p < 0.45:
                return lr0 + (self.max_lr - lr0) * p / 0.45
            if p < 0.9:
                return self.max_lr + (lr0 - self.max_lr) * (p - 0.45) / 0.45
            return lr0 + (lr0 / 100 - lr0) * min((p - 0.9) / 0.1, 1.0)
        if n == "reduce_on_plateau":
            return lr0 * plateau_scale
        return lr0
