"""The registry of node types: parameters, ports, shape rule and weights of each.

Shapes are per sample (the batch axis is left out), as Keras prints them after `None`.
Each type's `output_shape` is the Keras `compute_output_spec` idea: shape
inference is a first-class method that raises ShapeError with a message a
learner can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .catalog import ACTIVATIONS, INITIALIZERS, LOSSES
from .params import ParamSpec, PortSpec

Shape = tuple[int, ...]


class ShapeError(ValueError):
    """The inputs a node receives cannot produce an output; the message says why."""


@dataclass(frozen=True)
class WeightSpec:
    """One parameter array of a node, e.g. a Dense layer's kernel (inputs x units)."""

    shape: Shape
    trainable: bool = True

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


def _no_weights(params: dict[str, Any], inputs: dict[str, Shape]) -> dict[str, WeightSpec]:
    return {}


@dataclass(frozen=True)
class NodeType:
    """Everything the editor, the validator and the engine need to know about one kind of node."""

    name: str
    group: str
    description: str
    id_prefix: str
    params: tuple[ParamSpec, ...]
    output_shape: Callable[[dict[str, Any], dict[str, Shape]], Shape]
    input_ports: Callable[[dict[str, Any]], tuple[PortSpec, ...]]
    has_output: bool = True
    weights: Callable[[dict[str, Any], dict[str, Shape]], dict[str, WeightSpec]] = _no_weights
    caption: Callable[[dict[str, Any]], str] | None = None
    is_loss: bool = False
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return self.title or self.name

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def default_params(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def ports_in(self, params: dict[str, Any]) -> tuple[PortSpec, ...]:
        return self.input_ports(params)

    def ports_out(self) -> tuple[PortSpec, ...]:
        return (PortSpec("out", "output"),) if self.has_output else ()

    def describe(self, params: dict[str, Any]) -> str:
        """Short label for the canvas, e.g. `Dense · 300 units · relu`."""
        return self.caption(params) if self.caption else self.display_name


GROUPS = ("Inputs", "Layers", "Activations", "Merge", "Operations", "Losses")

# --------------------------------------------------------------------------- helpers


def _one_input(description: str = "input") -> Callable[[dict[str, Any]], tuple[PortSpec, ...]]:
    ports = (PortSpec("in", description),)
    return lambda params: ports


def _two_inputs(params: dict[str, Any]) -> tuple[PortSpec, ...]:
    return (PortSpec("x", "first operand"), PortSpec("y", "second operand"))


def _numbered_inputs(params: dict[str, Any]) -> tuple[PortSpec, ...]:
    n = params.get("num_inputs", 2)
    n = n if isinstance(n, int) and 2 <= n <= 8 else 2
    return tuple(PortSpec(f"in_{i}", f"input {i}") for i in range(1, n + 1))


def fmt_shape(shape: Shape | None) -> str:
    """Keras style: (None, 28, 28)."""
    if shape is None:
        return "?"
    return "(" + ", ".join(["None", *map(str, shape)]) + ")"


def broadcast(a: Shape, b: Shape) -> Shape:
    """NumPy broadcasting of two per-sample shapes, or ShapeError naming both."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else 1
        db = b[-i] if i <= len(b) else 1
        if da != db and 1 not in (da, db):
            raise ShapeError(f"shapes {fmt_shape(a)} and {fmt_shape(b)} do not match (nor broadcast)")
        out.append(max(da, db))
    return tuple(reversed(out))


# --------------------------------------------------------------------------- parameters shared by several types

_ACTIVATION_CHOICES = tuple(ACTIVATIONS)
_INIT_CHOICES = tuple(INITIALIZERS)
_INIT_WITH_VALUE = ("constant", "normal", "uniform")


def _activation_param(default: str) -> ParamSpec:
    return ParamSpec("activation", "choice", default, "applied to W·x + b", choices=_ACTIVATION_CHOICES)


def _init_params(prefix: str, default: str, value_default: float) -> tuple[ParamSpec, ParamSpec]:
    return (
        ParamSpec(f"{prefix}_initializer", "choice", default, f"how the {prefix} starts", choices=_INIT_CHOICES),
        ParamSpec(
            f"{prefix}_init_value",
            "float",
            value_default,
            "c for constant, σ for normal, r for uniform",
            relevant_when=(f"{prefix}_initializer", _INIT_WITH_VALUE),
        ),
    )


_REGULARISERS = (
    ParamSpec("l1", "float", 0.0, "L1 penalty α·Σ|w| on the kernel", minimum=0.0, structural=False, label="L1"),
    ParamSpec("l2", "float", 0.0, "L2 penalty α/2·Σw² on the kernel", minimum=0.0, structural=False, label="L2"),
)

# --------------------------------------------------------------------------- shape rules and weights


def _input_shape(params: dict[str, Any], inputs: dict[str, Shape]) -> Shape:
    return tuple(params["shape"])


def _dense_shape(params: dict[str, Any], inputs: dict[str, Shape]) -> Shape:
    x = inputs["in"]
    if len(x) != 1:
        raise ShapeError(f"Dense needs a flat input but gets {fmt_shape(x)}: add a Flatten node before it")
    return (params["units"],)


def _dense_weights(params: dict[str, Any], inputs: dict[str, Shape]) -> dict[str, WeightSpec]:
    fan_in = inputs["in"][0]
    w = {"kernel": WeightSpec((fan_in, params["units"]))}
    if params["use_bias"]:
        w["bias"] = WeightSpec((params["units"],))
    return w


def _same_shape(params: dict[str, Any], inputs: dict[str, Shape]) -> Shape:
    return inputs["in"]


def _prelu_weights(params: dict[str, Any], inputs: dict[str, Shape]) -> dict[str, WeightSpec]:
    return {"alpha": WeightSpec(inputs["in"])}


def _batchnorm_weights(params: dict[str, Any], inputs: dict[str, Shape]) -> dict[str, WeightSpec]:
    c = (inputs["in"][-1],)
    w: dict[str, WeightSpec] = {}
    if params["scale"]:
        w["gamma"] = WeightSpec(c)
    if params["center"]:
        w["beta"] = WeightSpec(c)
    w["moving_mean"] = WeightSpec(c, trainable=False)
    w["moving_variance"] = WeightSpec(c, trainable=False)
    return w


def _flatten_shape(params: dict[str, Any], inputs: dict[str, Shape]) -> Shape:
    n = 1
    for d in inputs["in"]:
        n *= d
    return (n,)


def _ordered(inputs: dict[str, Shape]) -> list[Shape]:
    return [inputs[k] for k in sorted(inputs, key=lambda k: int(k.split("_")[1]))]


def _add_shape(params: dict[str, Any], inputs: dict[str, Shape]) -> Shape:
    shapes = _ordered(inputs)
    for s in shapes[1:]:
        if s != shapes[0]:
            listed = ", ".join(fmt_shape(t) for t in shapes)
            raise ShapeError(f"Add needs inputs of one shape, got {listed}")
    return shapes[0]


def _concat_shape(params: dict[str, Any], inputs: dict[str, Shape]) -> Shape:
    shapes = _ordered(inputs)
    first = shapes[0]
    for s in shapes[1:]:
        if len(s) != len(first) or s[:-1] != first[:-1]:
            listed = ", ".join(fmt_shape(t) for t in shapes)
            raise ShapeError(f"Concatenate joins along the last axis; all other axes must agree, got {listed}")
    return (*first[:-1], sum(s[-1] for s in shapes))


def _binary_op_shape(params: dict[str, Any], inputs: dict[str, Shape]) -> Shape:
    return broadcast(inputs["x"], inputs["y"])


def _loss_shape(params: dict[str, Any], inputs: dict[str, Shape]) -> Shape:
    x = inputs["in"]
    loss = params["loss"]
    if loss in ("binary_crossentropy", "hinge") and len(x) != 1:
        raise ShapeError(f"{loss} needs a flat output (None, k), got {fmt_shape(x)}")
    elif loss in ("categorical_crossentropy", "sparse_categorical_crossentropy", "multiclass_hinge") and (
        len(x) != 1 or x[0] < 2
    ):
        raise ShapeError(
            f"{loss} needs one output per class, shape (None, C) with C >= 2, got {fmt_shape(x)}"
            + (": use binary_crossentropy for a single output" if x == (1,) else "")
        )
    return ()


# --------------------------------------------------------------------------- captions


def _dense_caption(p: dict[str, Any]) -> str:
    """ "Dense · 2 units · sigmoid": a bare "Dense 2" above the id `dense_1` read as "the second dense layer"."""
    units = p["units"]
    return f"Dense · {units} unit{'' if units == 1 else 's'} · {p['activation']}"


def _act_caption(p: dict[str, Any]) -> str:
    return p["activation"]


# --------------------------------------------------------------------------- the registry


def _op(name: str, title: str, description: str, two: bool = True) -> NodeType:
    return NodeType(
        name=name,
        group="Operations",
        title=title,
        description=description,
        id_prefix=title,
        params=(),
        output_shape=_binary_op_shape if two else _same_shape,
        input_ports=_two_inputs if two else _one_input("x"),
    )


_TYPES: tuple[NodeType, ...] = (
    NodeType(
        name="Input",
        group="Inputs",
        description="Where samples enter: one value per feature (or pixel); the shape excludes the batch axis",
        id_prefix="input",
        params=(ParamSpec("shape", "shape", (2,), "per-sample shape, e.g. [2] or [28, 28]"),),
        output_shape=_input_shape,
        input_ports=lambda params: (),
        caption=lambda p: "Input (" + "×".join(map(str, p["shape"])) + ")",
    ),
    NodeType(
        name="Dense",
        group="Layers",
        description="Fully connected layer y = f(W·x + b); parameters = inputs·units + units",
        id_prefix="dense",
        params=(
            ParamSpec("units", "int", 8, "number of neurons", minimum=1, maximum=100_000),
            _activation_param("linear"),
            ParamSpec("use_bias", "bool", True, "add a bias b (the always-on input x0 = 1)", label="Use bias"),
            *_init_params("kernel", "glorot_uniform", 0.05),
            *_init_params("bias", "zeros", 0.0),
            *_REGULARISERS,
        ),
        output_shape=_dense_shape,
        input_ports=_one_input(),
        weights=_dense_weights,
        caption=_dense_caption,
    ),
    NodeType(
        name="Dropout",
        group="Layers",
        description="Sets a random fraction `rate` of values to 0 while training and scales the rest by 1/(1-rate); off at inference",
        id_prefix="dropout",
        params=(
            ParamSpec(
                "rate",
                "float",
                0.2,
                "fraction dropped while training",
                minimum=0.0,
                maximum=1.0,
                max_exclusive=True,
                structural=False,
            ),
        ),
        output_shape=_same_shape,
        input_ports=_one_input(),
        caption=lambda p: f"Dropout {p['rate']:g}",
    ),
    NodeType(
        name="BatchNorm",
        group="Layers",
        description="Standardises each feature over the batch, then scales by γ and shifts by β; running statistics at inference",
        id_prefix="batch_norm",
        params=(
            ParamSpec(
                "momentum",
                "float",
                0.99,
                "weight of the old running statistics",
                minimum=0.0,
                maximum=1.0,
                max_exclusive=True,
                structural=False,
            ),
            ParamSpec(
                "epsilon", "float", 1e-3, "added to the variance", minimum=0.0, min_exclusive=True, structural=False
            ),
            ParamSpec("center", "bool", True, "learn a shift β"),
            ParamSpec("scale", "bool", True, "learn a scale γ"),
        ),
        output_shape=_same_shape,
        input_ports=_one_input(),
        weights=_batchnorm_weights,
        title="BatchNorm",
    ),
    NodeType(
        name="Flatten",
        group="Layers",
        description="Reshapes each sample to one long vector, e.g. 28×28 → 784; no parameters",
        id_prefix="flatten",
        params=(),
        output_shape=_flatten_shape,
        input_ports=_one_input(),
    ),
    NodeType(
        name="Activation",
        group="Activations",
        description="Applies an activation function element by element",
        id_prefix="activation",
        params=(
            _activation_param("relu"),
            ParamSpec(
                "negative_slope",
                "float",
                0.01,
                "slope α of leaky_relu for z < 0",
                relevant_when=("activation", ("leaky_relu",)),
                structural=False,
            ),
            ParamSpec(
                "elu_alpha",
                "float",
                1.0,
                "α of elu: the output approaches -α for very negative z",
                relevant_when=("activation", ("elu",)),
                structural=False,
                label="ELU α",
            ),
            ParamSpec(
                "slope",
                "float",
                1.0,
                "α of linear: a = α·z (1 is the identity)",
                relevant_when=("activation", ("linear",)),
                structural=False,
            ),
        ),
        output_shape=_same_shape,
        input_ports=_one_input(),
        caption=_act_caption,
    ),
    NodeType(
        name="PReLU",
        group="Activations",
        description="Leaky ReLU whose negative slope α is learned, one per unit",
        id_prefix="prelu",
        params=(ParamSpec("alpha_init", "float", 0.25, "initial slope for z < 0", structural=False),),
        output_shape=_same_shape,
        input_ports=_one_input(),
        weights=_prelu_weights,
    ),
    NodeType(
        name="Add",
        group="Merge",
        description="Element-wise sum of inputs of one shape (residual connections)",
        id_prefix="add",
        params=(ParamSpec("num_inputs", "int", 2, "how many inputs", minimum=2, maximum=8),),
        output_shape=_add_shape,
        input_ports=_numbered_inputs,
    ),
    NodeType(
        name="Concatenate",
        group="Merge",
        description="Joins inputs along the last axis",
        id_prefix="concatenate",
        params=(ParamSpec("num_inputs", "int", 2, "how many inputs", minimum=2, maximum=8),),
        output_shape=_concat_shape,
        input_ports=_numbered_inputs,
    ),
    _op("OpAdd", "add", "x + y (broadcasting); the gradient flows unchanged to both inputs"),
    _op("OpSubtract", "subtract", "x - y (broadcasting); the gradient to y is negated"),
    _op("OpMultiply", "multiply", "x · y element-wise; ∂/∂x = y and ∂/∂y = x (the 'swap' gate)"),
    _op("OpMax", "max", "max(x, y) element-wise; the gradient goes only to the larger input (the 'router' gate)"),
    _op("OpSquare", "square", "x²; ∂/∂x = 2x", two=False),
    NodeType(
        name="Loss",
        group="Losses",
        description="The objective that training minimises, comparing the network output with the targets",
        id_prefix="loss",
        params=(
            ParamSpec("loss", "choice", "mse", "how the output is compared with the target", choices=tuple(LOSSES)),
            ParamSpec(
                "from_logits",
                "bool",
                False,
                "the input is raw scores: apply sigmoid/softmax inside the loss (numerically stable)",
                relevant_when=(
                    "loss",
                    ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"),
                ),
            ),
        ),
        output_shape=_loss_shape,
        input_ports=_one_input("network output"),
        has_output=False,
        is_loss=True,
        caption=lambda p: "Loss · " + p["loss"],
    ),
)

REGISTRY: dict[str, NodeType] = {t.name: t for t in _TYPES}


def node_type(name: str) -> NodeType:
    """Look a type up by name; KeyError lists the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown node type {name!r}; known types: {', '.join(REGISTRY)}") from None
