"""Keras-style layer constructors: each describes one node of the document `Sequential` builds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Layer:
    """A node type with parameters; `input_shape` on the first layer adds the Input node, as in Keras."""

    type: str
    params: dict[str, Any] = field(default_factory=dict)
    name: str | None = None
    input_shape: tuple[int, ...] | None = None

    def __call__(self, inputs: Any) -> Any:
        """The functional API: `ne.Dense(5)(x)` is a tensor whose node will be fed by `x` (see functional.py)."""
        from .functional import call

        return call(self, inputs)

    # An Input is also a tensor (as in Keras): x * y + z builds operation nodes.
    def __add__(self, other: Any) -> Any:
        from .functional import add

        return add(self, other)

    def __sub__(self, other: Any) -> Any:
        from .functional import subtract

        return subtract(self, other)

    def __mul__(self, other: Any) -> Any:
        from .functional import multiply

        return multiply(self, other)

    def __pow__(self, power: int) -> Any:
        from .functional import as_tensor

        return as_tensor(self) ** power


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(d) for d in shape)


def _maybe_shape(shape: Any) -> tuple[int, ...] | None:
    return None if shape is None else _shape(shape)


def Input(shape: Any, name: str | None = None) -> Layer:
    """Where samples enter; `shape` excludes the batch axis: Input(2) or Input((28, 28))."""
    return Layer("Input", {"shape": list(_shape(shape))}, name)


def Dense(
    units: int,
    activation: str | None = "linear",
    use_bias: bool = True,
    kernel_initializer: str = "glorot_uniform",
    bias_initializer: str = "zeros",
    kernel_init_value: float | None = None,
    bias_init_value: float | None = None,
    l1: float = 0.0,
    l2: float = 0.0,
    name: str | None = None,
    input_shape: Any = None,
) -> Layer:
    p: dict[str, Any] = {
        "units": int(units),
        "activation": activation or "linear",
        "use_bias": use_bias,
        "kernel_initializer": kernel_initializer,
        "bias_initializer": bias_initializer,
        "l1": float(l1),
        "l2": float(l2),
    }
    if kernel_init_value is not None:
        p["kernel_init_value"] = float(kernel_init_value)
    if bias_init_value is not None:
        p["bias_init_value"] = float(bias_init_value)
    return Layer("Dense", p, name, _maybe_shape(input_shape))


def Dropout(rate: float, name: str | None = None) -> Layer:
    return Layer("Dropout", {"rate": float(rate)}, name)


def BatchNormalization(
    momentum: float = 0.99,
    epsilon: float = 1e-3,
    center: bool = True,
    scale: bool = True,
    name: str | None = None,
    input_shape: Any = None,
) -> Layer:
    return Layer(
        "BatchNorm",
        {"momentum": momentum, "epsilon": epsilon, "center": center, "scale": scale},
        name,
        _maybe_shape(input_shape),
    )


def Flatten(input_shape: Any = None, name: str | None = None) -> Layer:
    return Layer("Flatten", {}, name, _maybe_shape(input_shape))


def Activation(activation: str, alpha: float | None = None, name: str | None = None) -> Layer:
    p: dict[str, Any] = {"activation": activation}
    if alpha is not None:
        name_of_alpha = {"leaky_relu": "negative_slope", "elu": "elu_alpha", "linear": "slope"}.get(activation)
        if name_of_alpha is None:
            raise ValueError(f"activation {activation!r} takes no alpha")
        p[name_of_alpha] = float(alpha)
    return Layer("Activation", p, name)


def PReLU(alpha_initializer: float = 0.25, name: str | None = None) -> Layer:
    return Layer("PReLU", {"alpha_init": float(alpha_initializer)}, name)
