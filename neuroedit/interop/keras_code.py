"""Document -> a standalone Keras 3 script (functional API), with the weights in a sibling .npz.

Layers carrying weights keep the document's node ids as their names, so the
weights file maps onto them one to one. Runs on any Keras backend; the script
picks PyTorch unless KERAS_BACKEND says otherwise.
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
from .graph import Graph, Op, activation_alpha
from .templates import body

_IMPORTS = """import argparse
import csv
import gzip
import math
import os
import re

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import {names}  # noqa: E402
"""

# NeuroEdit activations Keras names the same and computes the same (α at its default).
_KERAS_NATIVE = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "selu": "selu",
    "softplus": "softplus",
    "softmax": "softmax",
    "swish": "silu",
}


def _native(act: str, alpha: float) -> str | None:
    if act in _KERAS_NATIVE:
        return _KERAS_NATIVE[act]
    if (act == "elu" and alpha == 1.0) or (act == "linear" and alpha == 1.0):
        return act
    return None


def _activation_ops(act: str, alpha: float, z: str) -> str:
    table = {
        "linear": f"{z} * {alpha!r}",
        "step": f"ops.cast(ops.greater({z}, 0), 'float32')",
        "sign": f"ops.sign({z})",
        "leaky_relu": f"ops.leaky_relu({z}, negative_slope={alpha!r})",
        "elu": f"ops.elu({z}, alpha={alpha!r})",
    }
    if act not in table:
        raise InteropError(f"activation {act!r} has no Keras form")
    return table[act]


def _aligned(op: Op, names: list[str]) -> list[str]:
    rank = max(len(s) for s in op.input_shapes)
    return [
        name if len(shape) == rank else f"ops.reshape({name}, {(-1, *([1] * (rank - len(shape))), *shape)!r})"
        for name, shape in zip(names, op.input_shapes)
    ]


def _line(op: Op, arrays: dict[str, list[str]]) -> list[str]:
    v, x, n = py_name(op.id), [py_name(i) for i in op.inputs], repr(op.id)
    t, p = op.type, op.params
    if t == "Dense":
        act, alpha = p["activation"], activation_alpha(op)
        native = _native(act, alpha)
        reg = ""
        if p.get("l1") or p.get("l2"):
            reg = f", kernel_regularizer=keras.regularizers.L1L2(l1={float(p['l1'])!r}, l2={float(p['l2']) / 2!r})"
        arrays[op.id] = ["kernel", "bias"] if p["use_bias"] else ["kernel"]
        layer = f"layers.Dense({p['units']}, activation={native or 'linear'!r}, use_bias={bool(p['use_bias'])}{reg}, name={n})({x[0]})"
        if native:
            return [f"    {v} = {layer}"]
        return [f"    {v} = {layer}", f"    {v} = {_activation_ops(act, alpha, v)}"]
    if t == "Activation":
        act, alpha = p["activation"], activation_alpha(op)
        native = _native(act, alpha)
        if native:
            return [f"    {v} = layers.Activation({native!r}, name={n})({x[0]})"]
        return [f"    {v} = {_activation_ops(act, alpha, x[0])}"]
    if t == "Dropout":
        return [f"    {v} = layers.Dropout({float(p['rate'])!r}, name={n})({x[0]})"]
    if t == "BatchNorm":
        arrays[op.id] = list(op.weights)
        layer = (
            f"layers.BatchNormalization(axis=-1, momentum={float(p['momentum'])!r}, "
            f"epsilon={float(p['epsilon'])!r}, center={bool(p['center'])}, scale={bool(p['scale'])}, name={n})"
        )
        return [f"    {v} = {layer}({x[0]})"]
    if t == "Flatten":
        return [f"    {v} = layers.Flatten(name={n})({x[0]})"]
    if t == "PReLU":
        arrays[op.id] = ["alpha"]
        return [f"    {v} = layers.PReLU(name={n})({x[0]})"]
    if t in ("Add", "Concatenate"):
        layer = "layers.Add" if t == "Add" else "layers.Concatenate"
        return [f"    {v} = {layer}(name={n})([{', '.join(x)}])"]
    if t in ("OpAdd", "OpSubtract", "OpMultiply", "OpMax"):
        a, b = _aligned(op, x)
        fn = {"OpAdd": "add", "OpSubtract": "subtract", "OpMultiply": "multiply", "OpMax": "maximum"}[t]
        return [f"    {v} = ops.{fn}({a}, {b})"]
    if t == "OpSquare":
        return [f"    {v} = ops.multiply({x[0]}, {x[0]})"]
    raise InteropError(f"node {op.id} ({t}) cannot be exported to Keras")


def keras_script(graph: Graph, script_name: str, weights_name: str) -> str:
    arrays: dict[str, list[str]] = {}
    lines = [
        f"    {py_name(i)} = keras.Input(shape={tuple(graph.op(i).output_shape)!r}, name={i!r})"
        for i in graph.input_ids
    ]
    for op in graph.ops:
        if op.type != "Input":
            lines += _line(op, arrays)
    inputs = ", ".join(py_name(i) for i in graph.input_ids)
    stem = Path(script_name).stem
    return (
        docstring(graph, "Keras 3", script_name, weights_name)
        + "\n"
        + _IMPORTS.format(names="layers, ops" if any("layers." in line for line in lines) else "ops")
        + "\n"
        "HERE = os.path.dirname(os.path.abspath(__file__))\n"
        f"WEIGHTS = os.path.join(HERE, {weights_name!r})\n"
        + assignment("INPUT_SHAPES", [tuple(graph.op(i).output_shape) for i in graph.input_ids])
        + assignment("OUTPUTS", int(_size(graph.op(graph.output_id).output_shape)))
        + assignment("TRAINING", training_config(graph))
        + "# Layer name -> its weights in Keras's order, by their NeuroEdit names (the .npz keys are layer/name).\n"
        + assignment("ARRAYS", arrays)
        + "\n\ndef build_model():\n"
        '    """The NeuroEdit graph, node by node, with the document\'s node names on the layers."""\n'
        + "\n".join(lines)
        + "\n"
        f'    return keras.Model([{inputs}], {py_name(graph.output_id)}, name="neuroedit")\n\n\n'
        "def load_model(path=WEIGHTS):\n"
        '    """The network with the weights in `path` (by default the exported ones)."""\n'
        "    model = build_model()\n"
        "    with np.load(path, allow_pickle=False) as archive:\n"
        "        for layer, names in ARRAYS.items():\n"
        '            model.get_layer(layer).set_weights([archive[f"{layer}/{name}"] for name in names])\n'
        "    return model\n\n\n" + body("data") + "\n\n" + body("keras_train") + "\n\n"
        "def main(argv=None):\n"
        '    parser = argparse.ArgumentParser(description="Train the network as NeuroEdit would, in Keras.")\n'
        '    parser.add_argument("--data", required=True, help="csv:FILE[:target=COLUMN], npz:FILE[:x=KEY,y=KEY] or "\n'
        '                        "idx:FOLDER[:classes=2,6] (options scale=standard|minmax|none)")\n'
        '    parser.add_argument("--epochs", type=int, default=TRAINING["epochs"])\n'
        '    parser.add_argument("--batch-size", type=int, default=TRAINING["batch_size"])\n'
        f'    parser.add_argument("--out", default=os.path.join(HERE, {stem + ".trained.npz"!r}))\n'
        "    args = parser.parse_args(argv)\n"
        "    try:\n"
        "        x, y = load_data(args.data)\n"
        '        inputs, targets = split_inputs(x, INPUT_SHAPES), targets_for(y, TRAINING["loss"], OUTPUTS)\n'
        "    except (DataError, OSError, ValueError) as e:\n"
        "        parser.error(str(e))\n"
        '    config = {**TRAINING, "epochs": args.epochs, "batch_size": args.batch_size}\n'
        "    train(load_model(), inputs, targets, config, ARRAYS, args.out)\n\n\n"
        'if __name__ == "__main__":\n'
        "    main()\n"
    )


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def save_keras_script(graph: Graph, path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    code = keras_script(graph, target.name, target.with_suffix(".npz").name)
    return write_script(target, code, graph_arrays(graph))
