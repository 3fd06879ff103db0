"""Document -> ONNX (opset 17): one ONNX node (or a few) per document node, weights embedded.

Tensor names are the document's node ids, so the model reads like the canvas: the
graph inputs are the Input nodes, the graph output is the node feeding the loss.
The loss itself is not part of inference; it travels in the metadata so that
importing the file gives back the same training objective.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import InteropError, require
from .graph import Graph, Op, activation_alpha

OPSET = 17
BATCH = "batch"
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
META_LOSS, META_LOGITS, META_SETTINGS = "neuroedit.loss", "neuroedit.from_logits", "neuroedit.settings"


class _Builder:
    """Collects nodes and initializers; `const` adds a named weight, `node` one ONNX node."""

    def __init__(self, onnx: Any) -> None:
        self.onnx, self.h = onnx, onnx.helper
        self.nodes: list[Any] = []
        self.inits: list[Any] = []

    def const(self, name: str, value: Any, dtype: Any = np.float32) -> str:
        self.inits.append(self.onnx.numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(self, op_type: str, inputs: list[str], output: str, name: str, **attrs: Any) -> str:
        self.nodes.append(self.h.make_node(op_type, inputs, [output], name=name, **attrs))
        return output


def _activation(b: _Builder, act: str, alpha: float, z: str, out: str, name: str) -> str:
    if act == "linear":
        if alpha == 1.0:
            return b.node("Identity", [z], out, name)
        return b.node("Mul", [z, b.const(f"{name}/slope", alpha)], out, name)
    if act == "step":
        above = b.node("Greater", [z, b.const(f"{name}/zero", 0.0)], f"{name}/above", f"{name}/greater")
        return b.node("Cast", [above], out, name, to=b.onnx.TensorProto.FLOAT)
    if act == "swish":
        s = b.node("Sigmoid", [z], f"{name}/sigmoid", f"{name}/sigmoid")
        return b.node("Mul", [z, s], out, name)
    simple: dict[str, tuple[str, dict[str, Any]]] = {
        "sign": ("Sign", {}),
        "sigmoid": ("Sigmoid", {}),
        "tanh": ("Tanh", {}),
        "relu": ("Relu", {}),
        "softplus": ("Softplus", {}),
        "softmax": ("Softmax", {"axis": -1}),
        "leaky_relu": ("LeakyRelu", {"alpha": alpha}),
        "elu": ("Elu", {"alpha": alpha}),
        "selu": ("Selu", {"alpha": SELU_ALPHA, "gamma": SELU_SCALE}),
    }
    if act not in simple:
        raise InteropError(f"{name}: activation {act!r} has no ONNX equivalent")
    op_type, attrs = simple[act]
    return b.node(op_type, [z], out, name, **attrs)


def _dense(b: _Builder, op: Op, x: list[str]) -> str:
    act = op.params["activation"]
    z = op.id if act == "linear" and activation_alpha(op) == 1.0 else f"{op.id}/z"
    kernel = b.const(f"{op.id}/kernel", op.weights["kernel"])
    if "bias" in op.weights:
        b.node(
            "Gemm",
            [x[0], kernel, b.const(f"{op.id}/bias", op.weights["bias"])],
            z,
            f"{op.id}/gemm" if z != op.id else op.id,
        )
    else:
        b.node("MatMul", [x[0], kernel], z, f"{op.id}/matmul" if z != op.id else op.id)
    return z if z == op.id else _activation(b, act, activation_alpha(op), z, op.id, op.id)


def _batchnorm(b: _Builder, op: Op, x: list[str]) -> str:
    w = op.weights
    c = op.output_shape[-1]
    args = [
        b.const(f"{op.id}/gamma", w.get("gamma", np.ones(c))),
        b.const(f"{op.id}/beta", w.get("beta", np.zeros(c))),
        b.const(f"{op.id}/moving_mean", w["moving_mean"]),
        b.const(f"{op.id}/moving_variance", w["moving_variance"]),
    ]
    attrs = {"epsilon": float(op.params["epsilon"]), "momentum": float(op.params["momentum"])}
    rank = len(op.output_shape) + 1
    if rank == 2:
        return b.node("BatchNormalization", [x[0], *args], op.id, op.id, **attrs)
    # ONNX normalises axis 1 (channels first); NeuroEdit the last axis: move it there and back.
    perm = [0, rank - 1, *range(1, rank - 1)]
    inverse = [perm.index(i) for i in range(rank)]
    t = b.node("Transpose", [x[0]], f"{op.id}/channels_first", f"{op.id}/to_channels_first", perm=perm)
    n = b.node("BatchNormalization", [t, *args], f"{op.id}/normalised", f"{op.id}/normalise", **attrs)
    return b.node("Transpose", [n], op.id, op.id, perm=inverse)


def _same_rank(b: _Builder, op: Op, x: list[str]) -> list[str]:
    """Give both operands of a broadcasting op the same rank, so the batch axes line up."""
    rank = max(len(s) for s in op.input_shapes)
    out = []
    for k, (name, shape) in enumerate(zip(x, op.input_shapes)):
        if len(shape) < rank:
            axes = b.const(f"{op.id}/axes_{k}", list(range(1, 1 + rank - len(shape))), np.int64)
            name = b.node("Unsqueeze", [name, axes], f"{op.id}/operand_{k}", f"{op.id}/unsqueeze_{k}")
        out.append(name)
    return out


def _binary(op_type: str) -> Callable[[_Builder, Op, list[str]], str]:
    return lambda b, op, x: b.node(op_type, _same_rank(b, op, x), op.id, op.id)


_CONVERTERS: dict[str, Callable[[_Builder, Op, list[str]], str]] = {
    "Dense": _dense,
    "Activation": lambda b, op, x: _activation(b, op.params["activation"], activation_alpha(op), x[0], op.id, op.id),
    "Dropout": lambda b, op, x: b.node(
        "Dropout", [x[0], b.const(f"{op.id}/ratio", float(op.params["rate"]))], op.id, op.id
    ),
    "BatchNorm": _batchnorm,
    "Flatten": lambda b, op, x: b.node("Flatten", x, op.id, op.id, axis=1),
    "PReLU": lambda b, op, x: b.node("PRelu", [x[0], b.const(f"{op.id}/alpha", op.weights["alpha"])], op.id, op.id),
    "Add": lambda b, op, x: b.node("Sum", x, op.id, op.id),
    "Concatenate": lambda b, op, x: b.node("Concat", x, op.id, op.id, axis=-1),
    "OpAdd": _binary("Add"),
    "OpSubtract": _binary("Sub"),
    "OpMultiply": _binary("Mul"),
    "OpMax": _binary("Max"),
    "OpSquare": lambda b, op, x: b.node("Mul", [x[0], x[0]], op.id, op.id),
}


def to_onnx(graph: Graph) -> Any:
    """The checked ONNX ModelProto of `graph`; InteropError names a node that has no ONNX form."""
    onnx = require("onnx", "ONNX export")
    h = onnx.helper
    b = _Builder(onnx)
    for op in graph.ops:
        if op.type == "Input":
            continue
        convert = _CONVERTERS.get(op.type)
        if convert is None:
            raise InteropError(
                f"node {op.id} ({op.type}) cannot be exported to ONNX: "
                f"ONNX export knows {', '.join(['Input', *_CONVERTERS])}"
            )
        convert(b, op, list(op.inputs))

    def value_info(name: str, shape: tuple[int, ...]) -> Any:
        return h.make_tensor_value_info(name, onnx.TensorProto.FLOAT, [BATCH, *shape])

    out = graph.op(graph.output_id)
    if out.type == "Input":  # a graph whose output is an input still needs one node
        b.node("Identity", [out.id], f"{out.id}/output", f"{out.id}/output")
    out_name = out.id if out.type != "Input" else f"{out.id}/output"
    g = h.make_graph(
        b.nodes,
        "neuroedit",
        [value_info(i, graph.op(i).output_shape) for i in graph.input_ids],
        [value_info(out_name, out.output_shape)],
        initializer=b.inits,
        doc_string=graph.description,
    )
    model = h.make_model(
        g, opset_imports=[h.make_opsetid("", OPSET)], producer_name="neuroedit", doc_string=graph.description
    )
    model.ir_version = min(model.ir_version, 8)  # readable by onnxruntime releases of the last years
    h.set_model_props(
        model,
        {
            META_LOSS: graph.loss,
            META_LOGITS: str(graph.from_logits).lower(),
            META_SETTINGS: json.dumps(graph.settings, sort_keys=True),
        },
    )
    try:
        onnx.checker.check_model(model, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as e:
        raise InteropError(f"the exported ONNX model does not pass onnx.checker: {e}") from None
    return model


def save_onnx(graph: Graph, path: str | os.PathLike[str]) -> None:
    from ..io.atomic import write_atomic

    write_atomic(path, to_onnx(graph).SerializeToString())
