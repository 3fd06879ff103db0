"""The functional API, as Keras users write it: layers called on tensors, merges, primitive operations, Model.

    inp = ne.Input(2)
    h = ne.Dense(4, activation="tanh")(inp)
    out = ne.Dense(1, activation="sigmoid")(ne.Concatenate()([h, inp]))
    net = ne.Model(inp, out, loss="binary_crossentropy")

Nothing is built until `Model`: a Tensor only remembers the layer that made it and
that layer's inputs. `Model` then adds one document node per layer, in order, so
the result is a document like any other (save, open in the editor, export).
A layer object is one node: calling it twice would share weights, which NeuroEdit
networks do not do, so it is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model import REGISTRY, Document
from ..model.layout import STEP_X, layered_positions
from .bridge import graph_spec
from .layers import Layer
from .network import Network, _loss_name
from .session import ensure_weights


@dataclass(frozen=True, eq=False)
class Tensor:
    """The output of one layer call; `inputs` are the tensors the layer was called on, in port order."""

    layer: Layer
    inputs: tuple[Tensor, ...] = ()

    def __add__(self, other: Tensor) -> Tensor:
        return add(self, other)

    def __sub__(self, other: Tensor) -> Tensor:
        return subtract(self, other)

    def __mul__(self, other: Tensor) -> Tensor:
        return multiply(self, other)

    def __pow__(self, power: int) -> Tensor:
        if power != 2:
            raise ValueError(f"only x ** 2 is a NeuroEdit operation (square), not x ** {power}")
        return square(self)


def as_tensor(value: Any) -> Tensor:
    """A Tensor, or an Input layer (ne.Input(...)) used directly as one, as in Keras."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, Layer) and value.type == "Input":
        return Tensor(value)
    raise TypeError(f"{value!r} is not a tensor: call layers on ne.Input(...) or on another layer's output")


def call(layer: Layer, inputs: Any) -> Tensor:
    """`layer(inputs)`: one tensor for single-input layers, a list for Add/Concatenate and the operations."""
    if layer.type == "Input":
        raise TypeError("an Input is not called; pass it to the next layer: ne.Dense(4)(ne.Input(2))")
    spec = REGISTRY[layer.type]
    many = isinstance(inputs, (list, tuple))
    tensors = tuple(as_tensor(t) for t in (inputs if many else [inputs]))
    if layer.type in ("Add", "Concatenate"):
        if not many or not 2 <= len(tensors) <= 8:
            raise ValueError(f"{layer.type} takes a list of 2 to 8 tensors, e.g. ne.{layer.type}()([a, b])")
        layer.params["num_inputs"] = len(tensors)
    else:
        ports = spec.ports_in({**spec.default_params(), **layer.params})
        if len(tensors) != len(ports) or (many and len(ports) == 1):
            need = "one tensor" if len(ports) == 1 else f"a list of {len(ports)} tensors"
            raise ValueError(f"{layer.type} takes {need}")
    return Tensor(layer, tensors)


def _op(type_name: str, name: str | None) -> Layer:
    return Layer(type_name, {}, name)


def Add(name: str | None = None) -> Layer:
    """Element-wise sum of 2-8 tensors of one shape (residual connections): ne.Add()([a, b])."""
    return Layer("Add", {}, name)


def Concatenate(name: str | None = None) -> Layer:
    """Joins 2-8 tensors along the last axis: ne.Concatenate()([a, b])."""
    return Layer("Concatenate", {}, name)


def Subtract(name: str | None = None) -> Layer:
    return _op("OpSubtract", name)


def Multiply(name: str | None = None) -> Layer:
    return _op("OpMultiply", name)


def Maximum(name: str | None = None) -> Layer:
    return _op("OpMax", name)


def add(x: Any, y: Any, name: str | None = None) -> Tensor:
    """x + y with broadcasting (the computation-graph `add` node); also written x + y."""
    return call(_op("OpAdd", name), [x, y])


def subtract(x: Any, y: Any, name: str | None = None) -> Tensor:
    return call(_op("OpSubtract", name), [x, y])


def multiply(x: Any, y: Any, name: str | None = None) -> Tensor:
    return call(_op("OpMultiply", name), [x, y])


def maximum(x: Any, y: Any, name: str | None = None) -> Tensor:
    return call(_op("OpMax", name), [x, y])


def square(x: Any, name: str | None = None) -> Tensor:
    return call(_op("OpSquare", name), as_tensor(x))


def _collect(inputs: Sequence[Tensor], output: Tensor) -> list[Tensor]:
    """Every tensor the output depends on, inputs first (in the given order), then topologically."""
    order: list[Tensor] = list(inputs)
    seen = {id(t.layer): t for t in inputs}

    def visit(t: Tensor) -> None:
        known = seen.get(id(t.layer))
        if known is not None:
            if known is not t and known.inputs != t.inputs:
                named = f" {t.layer.name!r}" if t.layer.name else ""
                raise ValueError(
                    f"the {t.layer.type} layer{named} is called twice; NeuroEdit layers do not "
                    "share weights: create one layer per call"
                )
            if known in order:
                return
        if t.layer.type == "Input" and known is None:
            raise ValueError("the output depends on an ne.Input that is not in Model's inputs")
        for i in t.inputs:
            visit(i)
        seen[id(t.layer)] = t
        order.append(t)

    visit(output)
    return order


def build_document(inputs: Any, outputs: Any, loss: str) -> Document:
    """The document of the graph from `inputs` to `outputs`, ending in a Loss node."""
    ins = [as_tensor(t) for t in (inputs if isinstance(inputs, (list, tuple)) else [inputs])]
    if isinstance(outputs, (list, tuple)):
        if len(outputs) != 1:
            raise ValueError(f"a NeuroEdit network has one output; got {len(outputs)}")
        outputs = outputs[0]
    out = as_tensor(outputs)
    if not ins or any(t.layer.type != "Input" for t in ins):
        raise ValueError("Model's inputs must be ne.Input(...) tensors")
    tensors = _collect(ins, out)
    doc = Document()
    ids: dict[int, str] = {}  # one node per layer object
    for t in tensors:
        ids[id(t.layer)] = doc.add_node(t.layer.type, t.layer.params, node_id=t.layer.name)
    for t in tensors:
        node = doc.nodes[ids[id(t.layer)]]
        ports = [p.name for p in REGISTRY[node.type].ports_in(node.params)]
        for port, src in zip(ports, t.inputs):
            doc.connect(ids[id(src.layer)], node.id, dst_port=port)
    loss_id = doc.add_node("Loss", {"loss": loss})
    doc.connect(ids[id(out.layer)], loss_id)
    pos = layered_positions({ids[id(t.layer)]: [ids[id(s.layer)] for s in t.inputs] for t in tensors})
    pos[loss_id] = (max(x for x, _ in pos.values()) + STEP_X, pos[ids[id(out.layer)]][1])
    doc.move_nodes(pos)
    return doc


def Model(
    inputs: Any, outputs: Any, loss: str = "mse", optimizer: Any = None, seed: int = 0, name: str = ""
) -> Network:
    """The network from `inputs` (an ne.Input or a list of them) to `outputs`, with initial weights from `seed`."""
    doc = build_document(inputs, outputs, _loss_name(loss))
    doc.description = name
    doc.set_setting("seed", int(seed))
    net = Network(doc)
    net.compile(optimizer)
    graph_spec(doc)  # refuse an impossible network now, with the list of problems
    ensure_weights(doc)
    doc.history.clear()
    return net
