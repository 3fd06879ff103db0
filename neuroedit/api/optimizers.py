"""Keras-style optimizer objects; each becomes the document's optimizer settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Optimizer:
    name: str
    learning_rate: float
    hyper: dict[str, float] = field(default_factory=dict)

    def settings(self) -> dict[str, Any]:
        return {"optimizer": self.name, "learning_rate": float(self.learning_rate), **self.hyper}


def _lr(lr: float | None, learning_rate: float | None, default: float) -> float:
    value = learning_rate if learning_rate is not None else lr
    return float(default if value is None else value)


def SGD(
    lr: float | None = None, momentum: float = 0.0, nesterov: bool = False, learning_rate: float | None = None
) -> Optimizer:
    """Plain SGD; momentum > 0 gives the momentum rule, nesterov=True Nesterov's."""
    rate = _lr(lr, learning_rate, 0.01)
    if nesterov:
        return Optimizer("nesterov", rate, {"momentum": momentum or 0.9})
    if momentum:
        return Optimizer("momentum", rate, {"momentum": momentum})
    return Optimizer("sgd", rate)


def Momentum(lr: float | None = None, momentum: float = 0.9, learning_rate: float | None = None) -> Optimizer:
    return Optimizer("momentum", _lr(lr, learning_rate, 0.01), {"momentum": momentum})


def Nesterov(lr: float | None = None, momentum: float = 0.9, learning_rate: float | None = None) -> Optimizer:
    return Optimizer("nesterov", _lr(lr, learning_rate, 0.01), {"momentum": momentum})


def Adagrad(lr: float | None = None, epsilon: float = 1e-7, learning_rate: float | None = None) -> Optimizer:
    return Optimizer("adagrad", _lr(lr, learning_rate, 0.001), {"epsilon": epsilon})


def RMSprop(
    lr: float | None = None, rho: float = 0.9, epsilon: float = 1e-7, learning_rate: float | None = None
) -> Optimizer:
    return Optimizer("rmsprop", _lr(lr, learning_rate, 0.001), {"rho": rho, "epsilon": epsilon})


def Adadelta(
    lr: float | None = None, rho: float = 0.95, epsilon: float = 1e-7, learning_rate: float | None = None
) -> Optimizer:
    return Optimizer("adadelta", _lr(lr, learning_rate, 1.0), {"rho": rho, "epsilon": epsilon})


def Adam(
    lr: float | None = None,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
    learning_rate: float | None = None,
) -> Optimizer:
    return Optimizer("adam", _lr(lr, learning_rate, 0.001), {"beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon})


def AdamW(
    lr: float | None = None,
    weight_decay: float = 0.004,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
    learning_rate: float | None = None,
) -> Optimizer:
    return Optimizer(
        "adamw",
        _lr(lr, learning_rate, 0.001),
        {"weight_decay": weight_decay, "beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon},
    )


def Nadam(
    lr: float | None = None,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
    learning_rate: float | None = None,
) -> Optimizer:
    return Optimizer("nadam", _lr(lr, learning_rate, 0.001), {"beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon})


def VarioEta(
    lr: float | None = None, rho: float = 0.9, epsilon: float = 1e-7, learning_rate: float | None = None
) -> Optimizer:
    return Optimizer("vario_eta", _lr(lr, learning_rate, 0.01), {"rho": rho, "epsilon": epsilon})


BY_NAME: dict[str, Callable[[], Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adadelta": Adadelta,
    "adam": Adam,
    "adamw": AdamW,
    "nadam": Nadam,
    "vario_eta": VarioEta,
}


def get(optimizer: Any) -> Optimizer | None:
    """An Optimizer from an object or a name ("adam"), None for None."""
    if optimizer is None or isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str) and optimizer.lower() in BY_NAME:
        return BY_NAME[optimizer.lower()]()
    raise ValueError(f"unknown optimizer {optimizer!r}; known: {', '.join(BY_NAME)}")
