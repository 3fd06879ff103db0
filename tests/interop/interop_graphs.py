"""Documents for the interop tests: one per node type, and random graphs mixing them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from neuroedit.api.session import ensure_weights
from neuroedit.model import ACTIVATIONS, Document


def _finish(doc: Document, out: str, loss: str = "mse", seed: int = 0) -> Document:
    loss_id = doc.add_node("Loss", {"loss": loss})
    doc.connect(out, loss_id)
    doc.set_setting("seed", seed)
    ensure_weights(doc)
    rng = np.random.default_rng(seed + 1)
    # Non-trivial values everywhere: BatchNorm statistics, PReLU slopes and biases are not their initial 0/1.
    doc.replace_weights(
        {op: {k: _random_like(k, v, rng) for k, v in arrays.items()} for op, arrays in doc.weights.items()}
    )
    return doc


def _random_like(name: str, a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if name == "moving_variance":
        return rng.uniform(0.5, 2.0, a.shape).astype(a.dtype)
    return rng.normal(0, 0.5, a.shape).astype(a.dtype)


def chain(layers: list[tuple[str, dict[str, Any]]], shape: tuple[int, ...] = (4,), loss: str = "mse") -> Document:
    doc = Document()
    prev = doc.add_node("Input", {"shape": list(shape)})
    for type_name, params in layers:
        node = doc.add_node(type_name, params)
        doc.connect(prev, node)
        prev = node
    return _finish(doc, prev, loss)


def binary(op: str, shape_x: tuple[int, ...] = (3,), shape_y: tuple[int, ...] = (3,)) -> Document:
    doc = Document()
    x = doc.add_node("Input", {"shape": list(shape_x)}, node_id="x")
    y = doc.add_node("Input", {"shape": list(shape_y)}, node_id="y")
    node = doc.add_node(op)
    doc.connect(x, node, dst_port="x")
    doc.connect(y, node, dst_port="y")
    return _finish(doc, node)


def merge(op: str, n: int = 3) -> Document:
    doc = Document()
    node = doc.add_node(op, {"num_inputs": n})
    for k in range(1, n + 1):
        dense = doc.add_node("Dense", {"units": 3, "activation": "tanh"})
        inp = doc.add_node("Input", {"shape": [2 + k]})
        doc.connect(inp, dense)
        doc.connect(dense, node, dst_port=f"in_{k}")
    return _finish(doc, node)


def square() -> Document:
    doc = Document()
    x = doc.add_node("Input", {"shape": [3]})
    node = doc.add_node("OpSquare")
    doc.connect(x, node)
    return _finish(doc, node)


_ALPHA_PARAMS = {"leaky_relu": {"negative_slope": 0.2}, "elu": {"elu_alpha": 0.5}, "linear": {"slope": 2.5}}

NODE_CASES: dict[str, Callable[[], Document]] = {
    **{f"dense_{a}": (lambda a=a: chain([("Dense", {"units": 5, "activation": a})])) for a in ACTIVATIONS},
    **{
        f"activation_{a}": (lambda a=a: chain([("Activation", {"activation": a, **_ALPHA_PARAMS.get(a, {})})]))
        for a in ACTIVATIONS
    },
    "dense_no_bias": lambda: chain([("Dense", {"units": 3, "use_bias": False, "activation": "relu"})]),
    "dropout": lambda: chain([("Dense", {"units": 3}), ("Dropout", {"rate": 0.4})]),
    "batchnorm": lambda: chain([("BatchNorm", {"epsilon": 0.01})]),
    "batchnorm_3d": lambda: chain([("BatchNorm", {"epsilon": 0.001, "center": False}), ("Flatten", {})], (2, 3, 4)),
    "flatten": lambda: chain([("Flatten", {}), ("Dense", {"units": 2})], (3, 4)),
    "prelu": lambda: chain([("PReLU", {})]),
    "add": lambda: merge("Add"),
    "concatenate": lambda: merge("Concatenate"),
    **{op.lower(): (lambda op=op: binary(op)) for op in ("OpAdd", "OpSubtract", "OpMultiply", "OpMax")},
    "op_broadcast": lambda: binary("OpMultiply", (3,), (1,)),
    "op_rank_broadcast": lambda: binary("OpAdd", (2, 3), (3,)),
    "square": square,
}


def random_graph(seed: int) -> Document:
    """A random DAG of Dense, activations, merges and operations over one or two inputs."""
    rng = np.random.default_rng(seed)
    doc = Document()
    outs = [doc.add_node("Input", {"shape": [int(rng.integers(2, 6))]}) for _ in range(int(rng.integers(1, 3)))]
    width = 4
    pool = [doc.add_node("Dense", {"units": width, "activation": str(rng.choice(list(ACTIVATIONS)))}) for _ in outs]
    for src, dense in zip(outs, pool):
        doc.connect(src, dense)
    for _ in range(int(rng.integers(3, 7))):
        kind = str(
            rng.choice(
                [
                    "Dense",
                    "Activation",
                    "Add",
                    "Concatenate",
                    "OpAdd",
                    "OpSubtract",
                    "OpMultiply",
                    "OpMax",
                    "OpSquare",
                    "BatchNorm",
                    "PReLU",
                    "Dropout",
                ]
            )
        )
        picks = [pool[int(i)] for i in rng.integers(0, len(pool), 2)]
        if kind == "Concatenate":
            cat = doc.add_node(kind)
            doc.connect(picks[0], cat, dst_port="in_1")
            doc.connect(picks[1], cat, dst_port="in_2")
            node = doc.add_node("Dense", {"units": width, "activation": "tanh"})
            doc.connect(cat, node)
        elif kind in ("Add",):
            node = doc.add_node(kind)
            doc.connect(picks[0], node, dst_port="in_1")
            doc.connect(picks[1], node, dst_port="in_2")
        elif kind in ("OpAdd", "OpSubtract", "OpMultiply", "OpMax"):
            node = doc.add_node(kind)
            doc.connect(picks[0], node, dst_port="x")
            doc.connect(picks[1], node, dst_port="y")
        else:
            params: dict[str, Any] = {}
            if kind == "Dense":
                params = {
                    "units": width,
                    "activation": str(rng.choice(list(ACTIVATIONS))),
                    "use_bias": bool(rng.integers(0, 2)),
                }
            elif kind == "Activation":
                act = str(rng.choice(list(ACTIVATIONS)))
                params = {"activation": act, **_ALPHA_PARAMS.get(act, {})}
            node = doc.add_node(kind, params)
            doc.connect(picks[0], node)
        pool.append(node)
    # Everything left dangling joins the output, so every node is exported.
    dangling = [n for n in pool if not doc.outgoing(n)]
    if len(dangling) > 1:
        out = doc.add_node("Add", {"num_inputs": min(len(dangling), 8)})
        for k, n in enumerate(dangling[:8], 1):
            doc.connect(n, out, dst_port=f"in_{k}")
    else:
        out = dangling[0]
    return _finish(doc, out, seed=seed)


def sample_inputs(doc: Document, n: int = 7, seed: int = 0) -> dict[str, np.ndarray]:
    from neuroedit.interop.graph import exported_graph

    g = exported_graph(doc)
    rng = np.random.default_rng(seed)
    return {i: rng.normal(0, 1.5, (n, *g.op(i).output_shape)).astype(np.float32) for i in g.input_ids}


def predict(doc: Document, xs: dict[str, np.ndarray]) -> np.ndarray:
    from neuroedit.api import Network

    return Network(doc).predict(xs if len(xs) > 1 else next(iter(xs.values())))
