"""Small graphs that exercise every node type, activation and loss, with matching random data."""

from __future__ import annotations

import numpy as np
import pytest

from neuroedit.api.bridge import graph_spec
from neuroedit.model import Document

ACTIVATIONS = (
    "linear",
    "step",
    "sign",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "selu",
    "swish",
    "softplus",
    "softmax",
)


def _doc(nodes, edges) -> Document:
    d = Document()
    for node_id, type_name, params in nodes:
        d.add_node(type_name, params, node_id=node_id)
    for e in edges:
        src, dst = e[0], e[1]
        d.connect(src, dst, dst_port=e[2] if len(e) > 2 else "in")
    return d


def _targets(loss: str, n: int, out: int, rng) -> np.ndarray:
    if loss in ("sparse_categorical_crossentropy", "multiclass_hinge"):
        return rng.integers(0, out, size=n)
    if loss == "categorical_crossentropy":
        return np.eye(out)[rng.integers(0, out, size=n)]
    if loss in ("binary_crossentropy", "hinge"):
        return rng.integers(0, 2, size=(n, out)).astype(float)
    if loss == "value":
        return None
    return rng.normal(size=(n, out))


def dense_chain(
    activation: str = "tanh",
    loss: str = "mse",
    units: int = 3,
    out_activation: str = "linear",
    from_logits: bool = False,
    use_bias: bool = True,
    l1: float = 0.0,
    l2: float = 0.0,
    extra: list | None = None,
    input_shape=(4,),
    n: int = 5,
    seed: int = 0,
):
    """Input -> [extra nodes] -> Dense(units, activation) -> Dense(out) -> Loss; returns (doc, x, y)."""
    rng = np.random.default_rng(seed)
    out = 1 if loss in ("binary_crossentropy", "hinge") else 3
    nodes = [("x", "Input", {"shape": list(input_shape)})]
    edges = []
    prev = "x"
    for node_id, type_name, params in extra or []:
        nodes.append((node_id, type_name, params))
        edges.append((prev, node_id))
        prev = node_id
    nodes += [
        (
            "h",
            "Dense",
            {
                "units": units,
                "activation": activation,
                "use_bias": use_bias,
                "l1": l1,
                "l2": l2,
                "bias_initializer": "uniform",
                "bias_init_value": 0.5,
            },
        ),
        ("o", "Dense", {"units": out, "activation": out_activation, "kernel_initializer": "glorot_normal"}),
        ("L", "Loss", {"loss": loss, "from_logits": from_logits}),
    ]
    edges += [(prev, "h"), ("h", "o"), ("o", "L")]
    x = rng.normal(size=(n, *input_shape))
    return _doc(nodes, edges), x, _targets(loss, n, out, rng)


def classes_chain(outputs: int, loss: str = "mse", n: int = 8, seed: int = 0):
    """A regression loss on class targets: one sigmoid output with 0/1 targets, or `outputs` linear
    ones with one-hot targets (as neuroedit.data shapes classes for a regression loss)."""
    rng = np.random.default_rng(seed)
    doc, x, _ = dense_chain("tanh", loss, out_activation="sigmoid" if outputs == 1 else "linear", n=n, seed=seed)
    doc.set_param("o", "units", outputs)
    classes = rng.integers(0, max(outputs, 2), size=n)
    y = classes[:, None].astype(float) if outputs == 1 else np.eye(outputs)[classes]
    return doc, x, y


def merge_graph(kind: str, seed: int = 0, n: int = 4):
    """Two Dense branches of shape (2, 3)/(3,) combined by `kind`, then Flatten -> Dense -> mse."""
    rng = np.random.default_rng(seed)
    nodes = [
        ("x", "Input", {"shape": [4]}),
        ("a", "Dense", {"units": 6, "activation": "tanh"}),
        ("b", "Dense", {"units": 3, "activation": "sigmoid"}),
    ]
    edges = [("x", "a"), ("x", "b")]
    if kind in ("OpAdd", "OpSubtract", "OpMultiply", "OpMax"):
        # a is reshaped via a shape-(6,) vector broadcast against b's (3,)? use (2,3) via Concatenate-free path:
        nodes += [("c", kind, {})]
        edges += [("a", "c", "x"), ("b", "c", "y")]
        b_units = 3
        nodes[1] = ("a", "Dense", {"units": 3, "activation": "tanh"})
        nodes[2] = ("b", "Dense", {"units": b_units, "activation": "sigmoid"})
    elif kind == "broadcast":
        nodes[2] = ("b", "Dense", {"units": 1, "activation": "sigmoid"})
        nodes += [("c", "OpMultiply", {})]
        edges += [("a", "c", "x"), ("b", "c", "y")]
    elif kind == "Add":
        nodes[2] = ("b", "Dense", {"units": 6, "activation": "sigmoid"})
        nodes += [("c", "Add", {"num_inputs": 3})]
        edges += [("a", "c", "in_1"), ("b", "c", "in_2"), ("x2", "c", "in_3")]
        nodes.insert(3, ("x2", "Dense", {"units": 6, "activation": "relu"}))
        edges.insert(2, ("a", "x2"))
    elif kind == "Concatenate":
        nodes += [("c", "Concatenate", {"num_inputs": 2})]
        edges += [("a", "c", "in_1"), ("b", "c", "in_2")]
    elif kind == "OpSquare":
        nodes += [("c", "OpSquare", {}), ("s", "OpAdd", {})]
        edges += [("a", "c", "in"), ("c", "s", "x"), ("a", "s", "y")]
        nodes.append(("c2", "Flatten", {}))
        edges.append(("s", "c2"))
        nodes = [nd for nd in nodes if nd[0] != "b"]
        edges = [e for e in edges if "b" not in (e[0], e[1])]
        nodes += [("o", "Dense", {"units": 2}), ("L", "Loss", {"loss": "mse"})]
        edges += [("c2", "o"), ("o", "L")]
        return _doc(nodes, edges), rng.normal(size=(n, 4)), rng.normal(size=(n, 2))
    nodes += [("o", "Dense", {"units": 2}), ("L", "Loss", {"loss": "mse"})]
    edges += [("c", "o"), ("o", "L")]
    return _doc(nodes, edges), rng.normal(size=(n, 4)), rng.normal(size=(n, 2))


def reshaped_graph(kind: str, seed: int = 0, n: int = 5):
    """Input (3, 4) -> BatchNorm / PReLU / Dropout -> Flatten -> Dense -> mse."""
    rng = np.random.default_rng(seed)
    params = {
        "BatchNorm": {"momentum": 0.9},
        "PReLU": {"alpha_init": 0.2},
        "Dropout": {"rate": 0.4},
        "Activation": {"activation": "leaky_relu", "negative_slope": 0.1},
    }[kind]
    nodes = [
        ("x", "Input", {"shape": [3, 4]}),
        ("m", kind, params),
        ("f", "Flatten", {}),
        ("o", "Dense", {"units": 2, "activation": "tanh"}),
        ("L", "Loss", {"loss": "mse"}),
    ]
    edges = [("x", "m"), ("m", "f"), ("f", "o"), ("o", "L")]
    x = rng.normal(size=(n, 3, 4)) * 2 + 0.5
    return _doc(nodes, edges), x, rng.normal(size=(n, 2))


def broadcast_graph(kind: str, seed: int = 0, n: int = 3):
    """x (3, 4) op y (4,) and (3, 1) broadcasting, with weights in front of both operands (via PReLU)."""
    rng = np.random.default_rng(seed)
    nodes = [
        ("x", "Input", {"shape": [3, 4]}),
        ("y", "Input", {"shape": [3, 1]}),
        ("px", "PReLU", {"alpha_init": 0.3}),
        ("py", "PReLU", {"alpha_init": 0.7}),
        ("c", kind, {}),
        ("f", "Flatten", {}),
        ("o", "Dense", {"units": 2}),
        ("L", "Loss", {"loss": "mse"}),
    ]
    edges = [("x", "px"), ("y", "py"), ("px", "c", "x"), ("py", "c", "y"), ("c", "f"), ("f", "o"), ("o", "L")]
    x = [rng.normal(size=(n, 3, 4)), rng.normal(size=(n, 3, 1))]
    return _doc(nodes, edges), x, rng.normal(size=(n, 2))


LOSS_CASES = [
    ("squared_error", "linear", False),
    ("sum_squared_error", "sigmoid", False),
    ("mse", "linear", False),
    ("mae", "tanh", False),
    ("binary_crossentropy", "sigmoid", False),
    ("binary_crossentropy", "linear", True),
    ("binary_crossentropy", "tanh", False),
    ("categorical_crossentropy", "softmax", False),
    ("categorical_crossentropy", "linear", True),
    ("sparse_categorical_crossentropy", "softmax", False),
    ("sparse_categorical_crossentropy", "linear", True),
    ("hinge", "linear", False),
    ("multiclass_hinge", "linear", False),
    ("value", "tanh", False),
]


def all_cases():
    """(name, doc, x, y) for every node type, activation and loss."""
    out = []
    for act in ACTIVATIONS:
        out.append((f"dense-{act}", *dense_chain(act)))
    for loss, act, logits in LOSS_CASES:
        out.append(
            (
                f"loss-{loss}-{act}{'-logits' if logits else ''}",
                *dense_chain("tanh", loss, out_activation=act, from_logits=logits),
            )
        )
    out.append(("dense-nobias-l1l2", *dense_chain("sigmoid", use_bias=False, l1=0.01, l2=0.1)))
    for kind in ("OpAdd", "OpSubtract", "OpMultiply", "OpMax", "broadcast", "Add", "Concatenate", "OpSquare"):
        out.append((f"merge-{kind}", *merge_graph(kind)))
    for kind in ("BatchNorm", "PReLU", "Dropout", "Activation"):
        out.append((f"reshaped-{kind}", *reshaped_graph(kind)))
    for kind in ("OpAdd", "OpSubtract", "OpMultiply", "OpMax"):
        out.append((f"broadcast-{kind}", *broadcast_graph(kind)))
    return out


def spec(doc):
    return graph_spec(doc)


# The simulator runs each GPU thread as a Python thread: the parity and finite-difference suites check the
# CUDA backend on these cases only (every op type; tests/cuda covers the kernels one by one).
CUDA_CASES = {"dense-tanh", "dense-nobias-l1l2", "reshaped-BatchNorm", "loss-sparse_categorical_crossentropy-softmax"}
# Finite differences take two gradient calls per weight: one case (tests/cuda checks BatchNorm on a few weights).
CUDA_GRADCHECK_CASES = {"dense-nobias-l1l2"}


def reduced_for_cuda(case_name: str, kind: str, cases: set[str] = CUDA_CASES) -> None:
    """Skip a shared-suite case on the CUDA backend unless it is one of `cases`."""
    if kind == "cuda" and case_name not in cases:
        pytest.skip("the CUDA backend runs the reduced case set (simulator speed)")
