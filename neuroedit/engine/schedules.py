"""Learning-rate schedules: the rate for global step k (0-based) in epoch e (0-based)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .names import SCHEDULES


@dataclass
class Schedule:
    name: str = "constant"
    factor: float = 0.5  # step / reduce_on_plateau
    every: int = 10  # step: epochs between decays
    patience: int = 5  # reduce_on_plateau
    final_lr: float = 1e-4  # linear: η_T
    decay_steps: int = 1000  # linear: T
    decay_rate: float = 1e-3  # exponential: γ
    max_lr: float = 0.1  # one_cycle: peak
    total_steps: int = 1  # one_cycle: length of training in steps

    def __post_init__(self) -> None:
        if self.name not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.name!r}; known: {', '.join(SCHEDULES)}")

    def rate(self, lr0: float, k: int, epoch: int, plateau_scale: float = 1.0) -> float:
        """η at step k. reduce_on_plateau uses `plateau_scale`, which the trainer lowers on stalls."""
        from .epochs import schedule_rate  # the one definition the kernels mirror

        pi, pf = self.plan(lr0)
        return schedule_rate(pi, pf, k, epoch, plateau_scale)

    def plan(self, lr0: float) -> tuple[np.ndarray, np.ndarray]:
        """The schedule's part of a run plan (epochs.py), with the base rate lr0."""
        from . import epochs as E

        pi = np.zeros(E.PLAN_INTS, np.int64)
        pf = np.zeros(E.PLAN_FLOATS, np.float64)
        pi[E.P_SCHEDULE] = SCHEDULES.index(self.name)
        pi[E.P_EVERY], pi[E.P_PLATEAU_PATIENCE] = self.every, self.patience
        pi[E.P_DECAY_STEPS], pi[E.P_TOTAL_STEPS] = self.decay_steps, self.total_steps
        pf[E.PF_LR0], pf[E.PF_FACTOR], pf[E.PF_FINAL_LR] = lr0, self.factor, self.final_lr
        pf[E.PF_DECAY_RATE], pf[E.PF_MAX_LR] = self.decay_rate, self.max_lr
        pf[E.PF_PLATEAU_MIN_DELTA] = E.PLATEAU_MIN_DELTA
        return pi, pf
