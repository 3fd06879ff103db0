"""ONNX -> Document: a laid-out network with weights, from the ops NeuroEdit has nodes for.

Each ONNX tensor stands for a document node's output, a constant, or a shape
vector (the Shape → Gather → Concat → Reshape chain exporters write for a
flatten). Patterns fold into one node: Gemm or MatMul + Add into Dense, Dense +
activation into one Dense, x·sigmoid(x) into swish, Transpose → BatchNormalization
→ Transpose into a channels-last BatchNorm. Every op without a NeuroEdit node is
collected and reported in one message.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..model import REGISTRY, Document, ShapeError
from .errors import InteropError, require
from .onnx_document import PendingNode, assemble, fuse_activations
from .onnx_export import SELU_ALPHA, SELU_SCALE
from .onnx_read import read_model, tensor_array

_MAX_MERGE = 8  # Add / Concatenate take at most this many inputs
_SIMPLE_ACTIVATIONS = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softplus": "softplus", "Sign": "sign"}
_BINARY = {"Add": "OpAdd", "Sub": "OpSubtract", "Mul": "OpMultiply", "Max": "OpMax"}
_SHAPE_OPS = ("Shape", "Gather", "Unsqueeze", "Squeeze", "Slice", "Reshape")
# Op types the importer converts (in some forms); the error message lists the others.
KNOWN_OPS = frozenset(
    {
        *_SIMPLE_ACTIVATIONS,
        *_BINARY,
        *_SHAPE_OPS,
        "Constant",
        "Identity",
        "Cast",
        "LeakyRelu",
        "Elu",
        "Selu",
        "Softmax",
        "PRelu",
        "Gemm",
        "MatMul",
        "Pow",
        "Sum",
        "Concat",
        "Flatten",
        "Dropout",
        "BatchNormalization",
        "Transpose",
        "Greater",
    }
)


@dataclass(frozen=True)
class _Value:
    """What an ONNX tensor holds: a node's output, a constant, a shape vector, or an intermediate form."""

    kind: str  # node | const | shape | step | channels_first | bn_channels_first | unsupported
    node: str = ""
    const: np.ndarray | None = None
    dims: tuple[int | None, ...] = ()  # shape vectors; None is the batch size


class _Unsupported(Exception):
    """This ONNX node has no NeuroEdit form (collected, then reported together)."""


class _Importer:
    def __init__(self, onnx: Any, model: Any, where: str) -> None:
        self.onnx, self.model, self.where = onnx, model, where
        self.values: dict[str, _Value] = {}
        self.nodes: dict[str, PendingNode] = {}
        self.unsupported: list[str] = []
        self.use_count = Counter([i for n in model.graph.node for i in n.input] + [o.name for o in model.graph.output])
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 17)

    # ------------------------------------------------------------------ helpers
    def fresh_id(self, wanted: str, prefix: str) -> str:
        """A free node id from an ONNX name: `/fc1/Gemm` (PyTorch) and `dense_1/gemm` (NeuroEdit) name the layer
        before the slash; a name that is only an op (`/Relu`) gives a NeuroEdit-style `activation_1`."""
        layer = wanted.rsplit("/", 1)[0] if "/" in wanted else wanted
        base = re.sub(r"[^A-Za-z0-9_]", "_", layer).strip("_")[:60]
        if base and not re.match(r"[A-Za-z_]", base):
            base = f"{prefix}_{base}"
        if not base:
            n = 1
            while f"{prefix}_{n}" in self.nodes:
                n += 1
            return f"{prefix}_{n}"
        name, n = base, 1
        while name in self.nodes:
            n += 1
            name = f"{base}_{n}"
        return name

    def add(
        self,
        name: str,
        type_name: str,
        params: dict[str, Any],
        inputs: list[str],
        weights: dict[str, np.ndarray] | None = None,
    ) -> str:
        spec = REGISTRY[type_name]
        full = {**spec.default_params(), **params}
        ports = [p.name for p in spec.ports_in(full)]
        try:
            shape = spec.output_shape(full, {p: self.nodes[i].shape for p, i in zip(ports, inputs)})
        except ShapeError as e:
            raise InteropError(f"{self.where}: node {name!r}: {e}") from None
        node_id = self.fresh_id(name, spec.id_prefix)
        self.nodes[node_id] = PendingNode(node_id, type_name, full, inputs, tuple(shape), weights or {})
        return node_id

    def get(self, name: str) -> _Value:
        if name not in self.values:
            raise InteropError(f"{self.where}: tensor {name!r} is used before it is defined")
        return self.values[name]

    def node_input(self, name: str) -> str:
        v = self.get(name)
        if v.kind != "node":
            raise _Unsupported()
        return v.node

    def const(self, name: str) -> np.ndarray:
        v = self.get(name)
        if v.kind != "const" or v.const is None:
            raise _Unsupported()
        return v.const

    @staticmethod
    def attrs(node: Any, onnx: Any) -> dict[str, Any]:
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    # ------------------------------------------------------------------ the graph
    def run(self) -> Document:
        g = self.model.graph
        init_names = {t.name for t in g.initializer}
        for t in g.initializer:
            self.values[t.name] = _Value("const", const=tensor_array(self.onnx, t, self.where))
        for inp in g.input:
            if inp.name not in init_names:
                self.graph_input(inp)
        if not any(v.kind == "node" for v in self.values.values()):
            raise InteropError(f"{self.where}: the model has no input")
        for node in g.node:
            if any(i and self.get(i).kind == "unsupported" for i in node.input):
                # fed by an op already reported: report this one only if its type is unknown too
                if node.op_type not in KNOWN_OPS or node.domain not in ("", "ai.onnx"):
                    self.note(node)
                outputs = [_Value("unsupported")] * len(node.output)
            else:
                outputs = self.convert_or_note(node)
            for name, value in zip(node.output, outputs):
                if name:
                    self.values[name] = value
        if self.unsupported:
            raise InteropError(
                f"{self.where}: unsupported operations: {', '.join(self.unsupported)}; "
                "NeuroEdit imports Gemm, MatMul, Add, Sub, Mul, Max, Sum, Concat, Flatten, Reshape "
                "(to flatten), BatchNormalization, Dropout, Identity and the activations "
                "Relu, LeakyRelu, Elu, Selu, PRelu, Sigmoid, Tanh, Softplus, Softmax, Sign"
            )
        if len(g.output) != 1:
            raise InteropError(f"{self.where}: the model has {len(g.output)} outputs; a NeuroEdit network has one")
        out = self.get(g.output[0].name)
        if out.kind != "node":
            raise InteropError(f"{self.where}: the output {g.output[0].name!r} is not computed from the inputs")
        output_id = fuse_activations(self.nodes, out.node)
        return assemble(self.nodes, output_id, self.model, self.where)

    def convert_or_note(self, node: Any) -> list[_Value]:
        try:
            return self.convert(node)
        except _Unsupported:
            self.note(node)
            return [_Value("unsupported")] * len(node.output)

    def note(self, node: Any) -> None:
        label = node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}.{node.op_type}"
        self.unsupported.append(f"{label} ({node.name or node.output[0]})")

    def graph_input(self, inp: Any) -> None:
        t = inp.type.tensor_type
        if not inp.type.HasField("tensor_type") or t.elem_type not in (
            self.onnx.TensorProto.FLOAT,
            self.onnx.TensorProto.DOUBLE,
            self.onnx.TensorProto.FLOAT16,
        ):
            raise InteropError(f"{self.where}: input {inp.name!r} is not a floating-point tensor")
        dims = list(t.shape.dim)
        if len(dims) < 2:
            raise InteropError(f"{self.where}: input {inp.name!r} needs a batch axis and at least one more axis")
        shape = []
        for d in dims[1:]:
            if not d.HasField("dim_value") or d.dim_value < 1:
                raise InteropError(
                    f"{self.where}: input {inp.name!r} has a variable or empty axis "
                    f"({d.dim_param or d.dim_value}); only the batch axis may vary"
                )
            shape.append(int(d.dim_value))
        if len(shape) > 4:
            raise InteropError(f"{self.where}: input {inp.name!r} has {len(shape)} axes per sample; at most 4")
        node_id = self.add(inp.name, "Input", {"shape": shape}, [])
        self.values[inp.name] = _Value("node", node_id)

    # ------------------------------------------------------------------ one ONNX node
    def convert(self, node: Any) -> list[_Value]:
        op = node.op_type if node.domain in ("", "ai.onnx") else ""
        a = self.attrs(node, self.onnx)
        name = node.name or node.output[0]
        ins = [i for i in node.input]
        if op == "Constant":
            return [self.constant(a)]
        if op in ("Identity", "Cast") and self.get(ins[0]).kind in ("node", "const", "shape"):
            v = self.get(ins[0])
            if op == "Cast" and v.kind == "node" and a.get("to") not in (1, 10, 11):
                raise _Unsupported()
            return [v]
        if op == "Cast" and self.get(ins[0]).kind == "step" and a.get("to") in (1, 10, 11):
            return [self.node_value(name, "Activation", {"activation": "step"}, [self.get(ins[0]).node])]
        if op in _SIMPLE_ACTIVATIONS:
            return [self.activation(name, _SIMPLE_ACTIVATIONS[op], ins[0])]
        if op == "LeakyRelu":
            return [self.activation(name, "leaky_relu", ins[0], negative_slope=_f32(a.get("alpha", 0.01)))]
        if op == "Elu":
            return [self.activation(name, "elu", ins[0], elu_alpha=_f32(a.get("alpha", 1.0)))]
        if op == "Selu":
            if not (
                np.isclose(a.get("alpha", SELU_ALPHA), SELU_ALPHA)
                and np.isclose(a.get("gamma", SELU_SCALE), SELU_SCALE)
            ):
                raise _Unsupported()
            return [self.activation(name, "selu", ins[0])]
        if op == "Softmax":
            x = self.node_input(ins[0])
            rank = len(self.nodes[x].shape) + 1
            axis = a.get("axis", -1 if self.opset >= 13 else 1)
            if axis not in (-1, rank - 1) or (self.opset < 13 and rank != 2):
                raise _Unsupported()
            return [self.activation(name, "softmax", ins[0])]
        if op == "PRelu":
            x = self.node_input(ins[0])
            try:
                alpha = np.broadcast_to(self.const(ins[1]), self.nodes[x].shape).astype(np.float32)
            except ValueError:
                raise InteropError(
                    f"{self.where}: PRelu {name!r}: slope of shape {self.const(ins[1]).shape} does not "
                    f"fit the input {self.nodes[x].shape}"
                ) from None
            return [self.node_value(name, "PReLU", {}, [x], {"alpha": alpha.copy()})]
        if op == "Gemm":
            return [self.gemm(name, ins, a)]
        if op == "MatMul":
            return [self.dense(name, self.node_input(ins[0]), self.const(ins[1]), None)]
        if op in _BINARY:
            return [self.binary(name, op, ins)]
        if op == "Pow" and self.get(ins[1]).kind == "const" and np.all(self.const(ins[1]) == 2):
            return [self.node_value(name, "OpSquare", {}, [self.node_input(ins[0])])]
        if op in ("Sum", "Concat"):
            return [self.merge(name, op, ins, a)]
        if op == "Flatten":
            if a.get("axis", 1) != 1:
                raise _Unsupported()
            return [self.node_value(name, "Flatten", {}, [self.node_input(ins[0])])]
        if op == "Dropout":
            return self.dropout(name, node, ins)
        if op == "BatchNormalization":
            return self.batchnorm(name, node, ins, a)
        if op == "Transpose":
            return [self.transpose(name, ins[0], a.get("perm"))]
        if op == "Greater" and self.get(ins[1]).kind == "const" and np.all(self.const(ins[1]) == 0):
            return [_Value("step", self.node_input(ins[0]))]
        if op in _SHAPE_OPS:
            return [self.shape_op(name, op, ins, a)]
        raise _Unsupported()

    def node_value(
        self,
        name: str,
        type_name: str,
        params: dict[str, Any],
        inputs: list[str],
        weights: dict[str, np.ndarray] | None = None,
    ) -> _Value:
        return _Value("node", self.add(name, type_name, params, inputs, weights))

    def constant(self, a: dict[str, Any]) -> _Value:
        if "value" in a:
            return _Value("const", const=tensor_array(self.onnx, a["value"], self.where))
        for key in ("value_float", "value_int"):
            if key in a:
                return _Value("const", const=np.array(a[key]))
        for key in ("value_floats", "value_ints"):
            if key in a:
                return _Value("const", const=np.array(list(a[key])))
        raise _Unsupported()

    def activation(self, name: str, act: str, src: str, **params: Any) -> _Value:
        return self.node_value(name, "Activation", {"activation": act, **params}, [self.node_input(src)])

    def dense(self, name: str, x: str, kernel: np.ndarray, bias: np.ndarray | None) -> _Value:
        fan_in = self.nodes[x].shape
        if kernel.ndim != 2 or fan_in != (kernel.shape[0],):
            raise InteropError(
                f"{self.where}: node {name!r}: weights of shape {kernel.shape} do not fit "
                f"an input of shape {fan_in} (a Dense layer needs a flat input and a 2-D kernel)"
            )
        weights = {"kernel": kernel.astype(np.float32)}
        if bias is not None:
            try:
                weights["bias"] = np.broadcast_to(bias, (kernel.shape[1],)).astype(np.float32)
            except ValueError:
                raise InteropError(
                    f"{self.where}: node {name!r}: bias of shape {bias.shape} does not fit {kernel.shape[1]} units"
                ) from None
        return self.node_value(
            name,
            "Dense",
            {"units": int(kernel.shape[1]), "activation": "linear", "use_bias": bias is not None},
            [x],
            weights,
        )

    def gemm(self, name: str, ins: list[str], a: dict[str, Any]) -> _Value:
        if a.get("transA", 0):
            raise _Unsupported()
        kernel = self.const(ins[1]).astype(np.float64) * float(a.get("alpha", 1.0))
        if kernel.ndim != 2:
            raise InteropError(f"{self.where}: Gemm {name!r}: weights of shape {kernel.shape} are not 2-D")
        if a.get("transB", 0):
            kernel = kernel.T
        bias = self.const(ins[2]).astype(np.float64) * float(a.get("beta", 1.0)) if len(ins) > 2 and ins[2] else None
        return self.dense(name, self.node_input(ins[0]), kernel, bias)

    def binary(self, name: str, op: str, ins: list[str]) -> _Value:
        x, y = self.get(ins[0]), self.get(ins[1])
        if x.kind == "const" and y.kind == "node" and op in ("Add", "Mul"):
            x, y = y, x
        if x.kind == "node" and y.kind == "node":
            if op == "Mul" and x.node == y.node:
                return self.node_value(name, "OpSquare", {}, [x.node])
            if op == "Mul":
                swish = self.swish(name, ins)
                if swish is not None:
                    return swish
            return self.node_value(name, _BINARY[op], {}, [x.node, y.node])
        if x.kind == "node" and y.kind == "const" and y.const is not None:
            src = self.nodes[x.node]
            if op == "Add" and src.type == "Dense" and not src.params["use_bias"] and self.uses(ins[0]) == 1:
                try:
                    src.weights["bias"] = np.broadcast_to(y.const, (src.params["units"],)).astype(np.float32).copy()
                except ValueError:
                    raise InteropError(
                        f"{self.where}: Add {name!r}: bias of shape {y.const.shape} does not fit "
                        f"{src.params['units']} units"
                    ) from None
                src.params["use_bias"] = True
                return x
            if op == "Mul" and y.const.size == 1:
                return self.activation(
                    name,
                    "linear",
                    ins[0] if self.get(ins[0]).kind == "node" else ins[1],
                    slope=_f32(float(y.const.ravel()[0])),
                )
        raise _Unsupported()

    def swish(self, name: str, ins: list[str]) -> _Value | None:
        """x · sigmoid(x) (either order) becomes one swish activation."""
        for z, s in ((ins[0], ins[1]), (ins[1], ins[0])):
            node = self.nodes[self.values[s].node]
            if (
                node.type == "Activation"
                and node.params["activation"] == "sigmoid"
                and node.inputs == [self.values[z].node]
                and self.uses(s) == 1
            ):
                del self.nodes[node.id]
                return self.activation(name, "swish", z)
        return None

    def merge(self, name: str, op: str, ins: list[str], a: dict[str, Any]) -> _Value:
        if op == "Concat" and all(self.get(i).kind in ("shape", "const") for i in ins):
            return self.shape_op(name, op, ins, a)
        srcs = [self.node_input(i) for i in ins]
        if len(srcs) == 1:
            return _Value("node", srcs[0])
        if len(srcs) > _MAX_MERGE:
            raise InteropError(
                f"{self.where}: {op} {name!r} has {len(srcs)} inputs; NeuroEdit merges at most {_MAX_MERGE}"
            )
        if op == "Concat":
            rank = len(self.nodes[srcs[0]].shape) + 1
            if a.get("axis") not in (-1, rank - 1):
                raise _Unsupported()
            return self.node_value(name, "Concatenate", {"num_inputs": len(srcs)}, srcs)
        return self.node_value(name, "Add", {"num_inputs": len(srcs)}, srcs)

    def dropout(self, name: str, node: Any, ins: list[str]) -> list[_Value]:
        if len(node.output) > 1 and node.output[1] and self.uses(node.output[1]):
            raise _Unsupported()
        if len(ins) > 2 and ins[2] and (self.get(ins[2]).kind != "const" or bool(np.any(self.const(ins[2])))):
            raise _Unsupported()
        a = self.attrs(node, self.onnx)
        rate = float(self.const(ins[1]).ravel()[0]) if len(ins) > 1 and ins[1] else float(a.get("ratio", 0.5))
        if not 0 <= rate < 1:
            raise InteropError(f"{self.where}: Dropout {name!r}: ratio {rate} must be in [0, 1)")
        return [
            self.node_value(name, "Dropout", {"rate": _f32(rate)}, [self.node_input(ins[0])]),
            _Value("unsupported"),
        ]

    def batchnorm(self, name: str, node: Any, ins: list[str], a: dict[str, Any]) -> list[_Value]:
        if len([o for o in node.output if o]) > 1 or a.get("training_mode", 0):
            raise _Unsupported()
        x = self.get(ins[0])
        if x.kind not in ("node", "channels_first"):
            raise _Unsupported()
        gamma, beta, mean, var = (self.const(i).astype(np.float32) for i in ins[1:5])
        c = self.nodes[x.node].shape[-1]
        if x.kind == "node" and len(self.nodes[x.node].shape) != 1:
            raise _Unsupported()  # channels-first data: NeuroEdit normalises the last axis
        if any(t.shape != (c,) for t in (gamma, beta, mean, var)):
            raise InteropError(f"{self.where}: BatchNormalization {name!r}: parameters must have shape ({c},)")
        weights = {"gamma": gamma, "beta": beta, "moving_mean": mean, "moving_variance": var}
        params = {"epsilon": _f32(a.get("epsilon", 1e-5)), "momentum": _f32(a.get("momentum", 0.9))}
        out = self.node_value(name, "BatchNorm", params, [x.node], weights)
        return [out if x.kind == "node" else _Value("bn_channels_first", out.node)]

    def transpose(self, name: str, src: str, perm: list[int] | None) -> _Value:
        v = self.get(src)
        if v.kind == "node" and perm is not None:
            rank = len(self.nodes[v.node].shape) + 1
            if list(perm) == [0, rank - 1, *range(1, rank - 1)]:
                return _Value("channels_first", v.node)
        if v.kind == "bn_channels_first" and perm is not None:
            rank = len(self.nodes[v.node].shape) + 1
            if list(perm) == [0, *range(2, rank), 1]:  # back to channels last: the BatchNorm is complete
                node = self.nodes.pop(v.node)
                node.id = self.fresh_id(name, "batch_norm")
                self.nodes[node.id] = node
                return _Value("node", node.id)
        raise _Unsupported()

    # ------------------------------------------------------------------ shape arithmetic (flatten by Reshape)
    def shape_op(self, name: str, op: str, ins: list[str], a: dict[str, Any]) -> _Value:
        if op == "Shape":
            x = self.node_input(ins[0])
            dims: tuple[int | None, ...] = (None, *self.nodes[x].shape)
            start, end = a.get("start", 0), a.get("end", len(dims))
            return _Value("shape", dims=dims[start:end])
        if op == "Reshape":
            return self.reshape(name, self.node_input(ins[0]), self.vector(ins[1]))
        if op == "Concat":
            return _Value("shape", dims=tuple(d for i in ins for d in self.vector(i)))
        vec = self.vector(ins[0])
        if op == "Gather":
            idx = np.asarray(self.const(ins[1]))
            picked = tuple(vec[int(i)] for i in idx.ravel())
            return _Value("shape", dims=picked)
        if op in ("Unsqueeze", "Squeeze"):
            return _Value("shape", dims=vec)
        if op == "Slice":
            starts, ends = self.const(ins[1]).ravel(), self.const(ins[2]).ravel()
            return _Value("shape", dims=vec[int(starts[0]) : int(min(ends[0], len(vec)))])
        raise _Unsupported()

    def vector(self, name: str) -> tuple[int | None, ...]:
        v = self.get(name)
        if v.kind == "shape":
            return v.dims
        if v.kind == "const" and v.const is not None and v.const.dtype.kind in "iu" and v.const.ndim <= 1:
            return tuple(int(d) for d in v.const.ravel())
        raise _Unsupported()

    def reshape(self, name: str, x: str, target: tuple[int | None, ...]) -> _Value:
        shape = self.nodes[x].shape
        size = int(np.prod(shape))
        dims = [shape[i - 1] if d == 0 and 0 < i <= len(shape) else d for i, d in enumerate(target)]
        if not dims or dims[0] not in (None, 0, -1):
            raise _Unsupported()
        if any(d is None for d in dims[1:]):
            raise _Unsupported()
        rest = [int(d) for d in dims[1:] if d is not None]
        if rest.count(-1) == 1 and dims[0] != -1:
            known = int(np.prod([d for d in rest if d != -1]))
            if known == 0 or size % known:
                raise InteropError(f"{self.where}: Reshape {name!r}: {shape} cannot become {tuple(target)}")
            rest = [size // known if d == -1 else d for d in rest]
        if dims[0] == -1 and -1 not in rest and int(np.prod(rest)) != size:
            raise InteropError(f"{self.where}: Reshape {name!r}: {shape} cannot become {tuple(target)}")
        if tuple(rest) == shape:
            return _Value("node", x)
        if tuple(rest) == (size,):
            return self.node_value(name, "Flatten", {}, [x])
        raise _Unsupported()

    # ------------------------------------------------------------------ finishing
    def uses(self, tensor: str) -> int:
        return self.use_count.get(tensor, 0)


def _f32(x: float) -> float:
    """An ONNX float attribute (stored as float32) back as the shortest decimal, e.g. 0.01 not 0.009999…."""
    return float(np.format_float_positional(np.float32(x), unique=True, trim="-"))


def import_onnx(path: str | os.PathLike[str]) -> Document:
    """A laid-out Document with the weights of the ONNX model in `path`; InteropError (one line) otherwise."""
    onnx = require("onnx", "ONNX import")
    model = read_model(path)
    where = Path(path).name
    try:
        return _Importer(onnx, model, where).run()
    except InteropError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError, MemoryError) as e:
        # a hostile file can break invariants the checker does not test; still one line, no traceback
        raise InteropError(f"{where}: the ONNX graph cannot be read ({type(e).__name__}: {e})") from None
