"""Document -> a standalone PyTorch script: an nn.Module mirroring the graph, load_model(), train().

The forward pass computes what NeuroEdit's reference backend computes, node by node
and with the same names; training uses NeuroEdit's losses, update rules and
schedules (templates/torch_train.py) and runs data-parallel under torchrun.
"""

from __future__ import annotations

import os
from pathlib import Path

from .codegen import (
    assignment,
    docstring,
    graph_arrays,
    py_name,
    training_config,
    write_script,
)
from .errors import InteropError
from .graph import Graph, Op, activation_alpha, exported_graph, fused_output_activation
from .templates import body

_IMPORTS = """import argparse
import csv
import gzip
import math
import os
import re

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset
"""

_BATCHNORM = '''

class BatchNorm(nn.Module):
    """NeuroEdit's BatchNorm: normalises the last axis; the running statistics keep `momentum` of their old
    value and take the biased batch variance (Keras's convention; torch.nn.BatchNorm1d differs in both)."""

    def __init__(self, channels, momentum, epsilon, center=True, scale=True):
        super().__init__()
        self.momentum, self.epsilon = momentum, epsilon
        self.gamma = nn.Parameter(torch.ones(channels)) if scale else None
        self.beta = nn.Parameter(torch.zeros(channels)) if center else None
        self.register_buffer("moving_mean", torch.zeros(channels))
        self.register_buffer("moving_variance", torch.ones(channels))

    def forward(self, x):
        flat = x.reshape(-1, x.shape[-1])
        if self.training:
            mean, var = flat.mean(dim=0), flat.var(dim=0, unbiased=False)
            with torch.no_grad():
                self.moving_mean.mul_(self.momentum).add_((1 - self.momentum) * mean)
                self.moving_variance.mul_(self.momentum).add_((1 - self.momentum) * var)
        else:
            mean, var = self.moving_mean, self.moving_variance
        y = (flat - mean) / torch.sqrt(var + self.epsilon)
        if self.gamma is not None:
            y = y * self.gamma
        if self.beta is not None:
            y = y + self.beta
        return y.reshape(x.shape)
'''

_PRELU = '''

class PReLU(nn.Module):
    """x where x > 0, else α·x, with a learned slope α for every value of a sample (as Keras's PReLU)."""

    def __init__(self, shape):
        super().__init__()
        self.alpha = nn.Parameter(torch.full(shape, 0.25))

    def forward(self, x):
        return torch.where(x > 0, x, self.alpha * x)
'''


_OPERATORS = {"OpAdd": "+", "OpSubtract": "-", "OpMultiply": "*"}


def activation_code(act: str, alpha: float, z: str) -> str:
    """NeuroEdit's activation `act` of the expression `z`, in PyTorch."""
    if act == "linear":
        return z if alpha == 1.0 else f"{alpha!r} * {z}"
    table = {
        "step": f"torch.where({z} > 0, 1.0, 0.0)",
        "sign": f"torch.sign({z})",
        "sigmoid": f"torch.sigmoid({z})",
        "tanh": f"torch.tanh({z})",
        "relu": f"torch.relu({z})",
        "leaky_relu": f"F.leaky_relu({z}, {alpha!r})",
        "elu": f"F.elu({z}, {alpha!r})",
        "selu": f"F.selu({z})",
        "swish": f"F.silu({z})",
        "softplus": f"F.softplus({z})",
        "softmax": f"torch.softmax({z}, dim=-1)",
    }
    if act not in table:
        raise InteropError(f"activation {act!r} has no PyTorch form")
    return table[act]


def _aligned(op: Op, names: list[str]) -> list[str]:
    """Operands of a broadcasting op with equal ranks, so the batch axes line up."""
    rank = max(len(s) for s in op.input_shapes)
    out = []
    for name, shape in zip(names, op.input_shapes):
        if len(shape) < rank:
            dims = ", ".join(["-1", *["1"] * (rank - len(shape)), *map(str, shape)])
            name = f"{name}.reshape({dims})"
        out.append(name)
    return out


class _Module:
    """Collects the lines of __init__, forward and the weight table of the generated nn.Module."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.init: list[str] = []
        self.forward: list[str] = []
        self.arrays: list[tuple[str, str, bool]] = []  # (NeuroEdit key, attribute path, transposed)
        self.penalty: list[str] = []
        self.helpers: set[str] = set()

    def layer(self, op: Op, code: str) -> str:
        self.init.append(f"        self.{py_name(op.id)} = {code}")
        return f"self.{py_name(op.id)}"

    def add(self, op: Op) -> None:
        v = py_name(op.id)
        x = [py_name(i) for i in op.inputs]
        fused = fused_output_activation(self.graph) if op.id == self.graph.output_id else None
        t = op.type
        if t == "Dense":
            attr = self.layer(
                op, f"nn.Linear({op.input_shapes[0][0]}, {op.params['units']}, bias={bool(op.params['use_bias'])})"
            )
            self.arrays.append((f"{op.id}/kernel", f"{v}.weight", True))
            if op.params["use_bias"]:
                self.arrays.append((f"{op.id}/bias", f"{v}.bias", False))
            l1, l2 = float(op.params.get("l1", 0.0)), float(op.params.get("l2", 0.0))
            if l1:
                self.penalty.append(f"{l1!r} * {attr}.weight.abs().sum()")
            if l2:
                self.penalty.append(f"{l2 / 2!r} * ({attr}.weight ** 2).sum()")
            self.expression(v, f"{attr}({x[0]})", op, fused)
        elif t == "Activation":
            self.expression(v, x[0], op, fused)
        elif t == "Dropout":
            attr = self.layer(op, f"nn.Dropout({float(op.params['rate'])!r})")
            self.forward.append(f"        {v} = {attr}({x[0]})")
        elif t == "BatchNorm":
            self.helpers.add(_BATCHNORM)
            p = op.params
            attr = self.layer(
                op,
                f"BatchNorm({op.output_shape[-1]}, momentum={float(p['momentum'])!r}, "
                f"epsilon={float(p['epsilon'])!r}, center={bool(p['center'])}, "
                f"scale={bool(p['scale'])})",
            )
            self.arrays += [(f"{op.id}/{n}", f"{v}.{n}", False) for n in op.weights]
            self.forward.append(f"        {v} = {attr}({x[0]})")
        elif t == "Flatten":
            self.forward.append(f"        {v} = torch.flatten({x[0]}, 1)")
        elif t == "PReLU":
            self.helpers.add(_PRELU)
            attr = self.layer(op, f"PReLU({tuple(op.output_shape)!r})")
            self.arrays.append((f"{op.id}/alpha", f"{v}.alpha", False))
            self.forward.append(f"        {v} = {attr}({x[0]})")
        elif t == "Add":
            self.forward.append(f"        {v} = {' + '.join(x)}")
        elif t == "Concatenate":
            self.forward.append(f"        {v} = torch.cat([{', '.join(x)}], dim=-1)")
        elif t in ("OpAdd", "OpSubtract", "OpMultiply"):
            a, b = _aligned(op, x)
            self.forward.append(f"        {v} = {a} {_OPERATORS[t]} {b}")
        elif t == "OpMax":
            a, b = _aligned(op, x)
            self.forward.append(f"        {v} = torch.maximum({a}, {b})")
        elif t == "OpSquare":
            self.forward.append(f"        {v} = {x[0]} * {x[0]}")
        else:
            raise InteropError(f"node {op.id} ({t}) cannot be exported to PyTorch")

    def expression(self, v: str, z: str, op: Op, fused: str | None) -> None:
        act, alpha = op.params["activation"], activation_alpha(op)
        if fused:
            # The loss takes the scores before the output's softmax/sigmoid (NeuroEdit's fused, stable form).
            self.forward += [
                f"        {v} = {z}",
                "        if scores:",
                f"            return {v}",
                f"        {v} = {activation_code(act, alpha, v)}",
            ]
        else:
            self.forward.append(f"        {v} = {activation_code(act, alpha, z)}")

    def code(self) -> str:
        g = self.graph
        args = ", ".join(py_name(i) for i in g.input_ids)
        table = "".join(f"        {k!r}: ({p!r}, {t}),\n" for k, p, t in self.arrays)
        penalty = " + ".join(self.penalty) or "0.0"
        return (
            "\n\nclass Net(nn.Module):\n"
            '    """The NeuroEdit graph, node by node; forward(..., scores=True) stops before the output\'s\n'
            '    softmax/sigmoid when the loss is fused with it."""\n\n'
            "    # NeuroEdit weight name -> (tensor in this module, stored transposed: Dense kernels are inputs x units)\n"
            f"    ARRAYS = {{\n{table}    }}\n\n"
            "    def __init__(self):\n        super().__init__()\n" + "\n".join(self.init or ["        pass"]) + "\n\n"
            f"    def forward(self, {args}, scores=False):\n"
            + "\n".join(self.forward)
            + f"\n        return {py_name(g.output_id)}\n\n"
            "    def penalty(self):\n"
            '        """The L1/L2 penalties of the Dense kernels, l1·Σ|w| + l2/2·Σw², added to the loss."""\n'
            f"        return {penalty}\n\n"
            "    def load_arrays(self, arrays):\n"
            '        """Copy NeuroEdit\'s arrays ({\'node/name\': array}) into this module."""\n'
            "        tensors = {**dict(self.named_parameters()), **dict(self.named_buffers())}\n"
            "        with torch.no_grad():\n"
            "            for key, (path, transposed) in self.ARRAYS.items():\n"
            "                value = torch.from_numpy(np.asarray(arrays[key], dtype=np.float32))\n"
            "                tensors[path].copy_(value.T if transposed else value)\n\n"
            "    def arrays(self):\n"
            '        """This module\'s weights as NeuroEdit\'s arrays, the inverse of load_arrays."""\n'
            "        tensors = {**dict(self.named_parameters()), **dict(self.named_buffers())}\n"
            "        out = {}\n"
            "        for key, (path, transposed) in self.ARRAYS.items():\n"
            "            value = tensors[path].detach().cpu()\n"
            "            out[key] = (value.T if transposed else value).numpy()\n"
            "        return out\n"
        )


def torch_script(graph: Graph, script_name: str, weights_name: str) -> str:
    """The text of the standalone PyTorch script for `graph`."""
    module = _Module(graph)
    for op in graph.ops:
        if op.type != "Input":
            module.add(op)
    net = module.code()
    stem = Path(script_name).stem
    return (
        docstring(graph, "PyTorch", script_name, weights_name) + "\n" + _IMPORTS + "\n"
        "HERE = os.path.dirname(os.path.abspath(__file__))\n"
        f"WEIGHTS = os.path.join(HERE, {weights_name!r})\n"
        + assignment("INPUT_SHAPES", [tuple(graph.op(i).output_shape) for i in graph.input_ids])
        + assignment("OUTPUTS", _size(graph.op(graph.output_id).output_shape))
        + assignment("TRAINING", training_config(graph))
        + "".join(sorted(module.helpers))
        + net
        + "\n\ndef load_model(path=WEIGHTS):\n"
        '    """The network with the weights in `path` (by default the exported ones), in inference mode."""\n'
        "    model = Net()\n"
        "    with np.load(path, allow_pickle=False) as archive:\n"
        "        model.load_arrays({key: archive[key] for key in archive.files})\n"
        "    return model.eval()\n\n\n" + body("data") + "\n\n" + body("torch_train") + "\n\n"
        "def main(argv=None):\n"
        '    parser = argparse.ArgumentParser(description="Train the network as NeuroEdit would (under torchrun: "\n'
        '                                     "data-parallel).")\n'
        '    parser.add_argument("--data", required=True, help="csv:FILE[:target=COLUMN], npz:FILE[:x=KEY,y=KEY] or "\n'
        '                        "idx:FOLDER[:classes=2,6] (options scale=standard|minmax|none)")\n'
        '    parser.add_argument("--epochs", type=int, default=TRAINING["epochs"])\n'
        '    parser.add_argument("--batch-size", type=int, default=TRAINING["batch_size"],\n'
        '                        help="samples per step over all processes (default: the document\'s)")\n'
        f'    parser.add_argument("--out", default=os.path.join(HERE, {stem + ".trained.npz"!r}),\n'
        '                        help="where the trained weights go (NeuroEdit\'s names; rank 0 writes)")\n'
        "    args = parser.parse_args(argv)\n"
        "    try:\n"
        "        x, y = load_data(args.data)\n"
        '        inputs, targets = split_inputs(x, INPUT_SHAPES), targets_for(y, TRAINING["loss"], OUTPUTS)\n'
        "    except (DataError, OSError, ValueError) as e:\n"
        "        parser.error(str(e))\n"
        '    config = {**TRAINING, "epochs": args.epochs, "batch_size": args.batch_size}\n'
        "    train(load_model().train(), inputs, targets, config, args.out)\n\n\n"
        'if __name__ == "__main__":\n'
        "    main()\n"
    )


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def save_torch_script(graph: Graph, path: str | os.PathLike[str]) -> Path:
    """Write `path` (the script) and the weights beside it; returns the weights' path."""
    target = Path(path)
    code = torch_script(graph, target.name, target.with_suffix(".npz").name)
    return write_script(target, code, graph_arrays(graph))


__all__ = ["exported_graph", "save_torch_script", "torch_script"]
