"""`Network`: a Document with the Keras methods (fit, predict, evaluate, summary, weights, save)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.trainer import EarlyStopping, Epochs, Stopped, TrainConfig
from ..model import Document, format_summary
from ..model.runs import history_since, record_run, run_settings
from . import optimizers as opt
from .bridge import graph_spec
from .layers import Layer
from .session import TrainingSession, backend_for, ensure_weights, split_inputs

WeightKey = tuple[str, str]


@dataclass
class History:
    """What `fit` returns, as in Keras: `history` maps each logged name to its per-epoch values."""

    history: dict[str, list[float]] = field(default_factory=dict)
    epoch: list[int] = field(default_factory=list)
    stopped: str = ""


class Network:
    """Any NeuroEdit graph (sequential or not) with a Keras-like interface; `document` is the graph."""

    def __init__(self, document: Document) -> None:
        self.document = document
        # where fit, predict and evaluate run when not told: cpu, cuda or auto (engine/devices.py)
        self.device = "cpu"

    # ------------------------------------------------------------------ building
    def compile(self, optimizer: Any = None, loss: str | None = None) -> None:
        """Set the optimizer (object or name) and/or the loss of the Loss node."""
        o = opt.get(optimizer)
        if o is not None:
            for k, v in o.settings().items():
                self.document.set_setting(k, v)
        if loss is not None:
            loss_id = next((n.id for n in self.document.nodes.values() if n.type == "Loss"), None)
            if loss_id is None:
                raise ValueError("the network has no Loss node")
            self.document.set_param(loss_id, "loss", _loss_name(loss))

    # ------------------------------------------------------------------ training
    def fit(
        self,
        x: Any,
        y: Any = None,
        epochs: int = 1,
        batch_size: int | str | None = 32,
        optimizer: Any = None,
        validation_data: tuple[Any, Any] | None = None,
        callbacks: Iterable[Any] | None = None,
        verbose: int = 1,
        shuffle: bool = True,
        seed: int | None = None,
        learning_rate: float | None = None,
        device: str | None = None,
        metric: str = "auto",
    ) -> History:
        """Train; batch_size=None or "full" uses the whole set per step, 1 is stochastic training.

        `callbacks` may hold `ne.EarlyStopping` (runs inside the engine) and your own functions
        `f(epoch, logs)` or objects with `on_epoch_end(epoch, logs)`. Your own callbacks are
        called after every epoch, so the engine then returns to Python once per epoch instead
        of running many epochs per call: training tiny networks gets much slower.
        `device` is "cpu", "cuda" (an EngineError saying why when no GPU can be used) or "auto"
        (a real GPU when there is one); None uses `self.device`.
        `metric` is what the history reports beside the loss: "auto" (accuracy for a classification
        loss, mae for a regression loss), or "accuracy" to read a regression loss's outputs as classes
        (one output: above 0.5 is class 1; several: the largest, with one-hot `y`), or "mae".
        """
        self.compile(optimizer)
        doc = self.document
        over: dict[str, Any] = {"epochs": int(epochs), "shuffle": bool(shuffle)}
        if batch_size in (None, "full"):
            over["batch_mode"] = "full"
        else:
            over["batch_mode"], over["batch_size"] = "minibatch", int(batch_size)
        if seed is not None:
            over["seed"] = int(seed)
        if learning_rate is not None:
            over["learning_rate"] = float(learning_rate)
        ensure_weights(doc)
        config = TrainConfig.from_settings({**doc.settings, **over})
        own: list[Any] = []
        for cb in callbacks or ():
            if isinstance(cb, EarlyStopping):
                config.early_stopping = cb
            elif callable(getattr(cb, "on_epoch_end", None)):
                own.append(cb.on_epoch_end)
            elif callable(cb):
                own.append(cb)
            else:
                raise TypeError(
                    f"unsupported callback {cb!r}: use ne.EarlyStopping, a function f(epoch, logs) "
                    "or an object with on_epoch_end(epoch, logs)"
                )
        config.epochs_per_call = 1 if own else 0
        session = TrainingSession(
            doc,
            x,
            y,
            validation_data,
            over,
            config=config,
            device=self.device if device is None else device,
            metric=metric,
        )
        first = session.trainer.epoch_offset  # epochs trained before this call
        total = first + config.epochs
        settings, started = run_settings(doc, over), time.perf_counter()
        logged: set[str] = set()  # this run's curves (the document's history may hold an earlier metric)

        def on_event(event: Any) -> None:
            if verbose:
                _print_event(event, total)
            if isinstance(event, Epochs):
                logged.update(event.logs)
            if own and isinstance(event, Epochs):
                for epoch, logs in event.rows():
                    for fn in own:
                        fn(epoch - 1, logs)

        stopped = session.trainer.run(on_event)
        session.commit()
        record_run(doc, settings, history_since(doc.training_history, first), time.perf_counter() - started)
        h = session.trainer.history
        new = [i for i, e in enumerate(h.get("epoch", [])) if e > first]
        hist = {k: [v[i] for i in new] for k, v in h.items() if k in logged and len(v) == len(h["epoch"])}
        return History(hist, [int(h["epoch"][i]) - 1 for i in new], stopped.message)

    # ------------------------------------------------------------------ inference
    def _backend(self, device: str | None = None, metric: str = "auto"):
        ensure_weights(self.document)
        graph = graph_spec(self.document, metric=metric)
        return backend_for(self.document, graph=graph, device=self.device if device is None else device)

    def predict(self, x: Any, batch_size: int = 1024, verbose: int = 0, device: str | None = None) -> np.ndarray:
        b = self._backend(device)
        return b.predict(b.pack_inputs(split_inputs(b.graph, x)), batch_size)

    def evaluate(
        self,
        x: Any,
        y: Any = None,
        batch_size: int = 1024,
        verbose: int = 0,
        device: str | None = None,
        metric: str = "auto",
    ) -> list[float] | float:
        """[loss, metric] (loss alone for the `value` objective), in inference mode; `metric` as in `fit`."""
        b = self._backend(device, metric)
        X = b.pack_inputs(split_inputs(b.graph, x))
        loss, value = b.evaluate(X, b.pack_targets(y, len(X)), batch_size)
        return [loss, value] if b.metric else loss

    def gradients(self, x: Any, y: Any = None) -> dict[WeightKey, np.ndarray]:
        """dLoss/dw of one batch (training mode, nothing updated): {(node_id, name): array}."""
        b = self._backend()
        X = b.pack_inputs(split_inputs(b.graph, x))
        _, flat = b.gradients(X, b.pack_targets(y, len(X)))
        return {(op, name): g for op, arrays in b.layout.unpack_vector(flat).items() for name, g in arrays.items()}

    # ------------------------------------------------------------------ loss landscape
    def _landscape(self, x: Any, y: Any):
        from .landscape import Landscape
        from .session import fitting_weights

        ensure_weights(self.document)
        graph = graph_spec(self.document)
        return Landscape(
            graph,
            fitting_weights(self.document, graph),
            split_inputs(graph, x),
            y,
            int(self.document.settings.get("seed", 0)),
        )

    def loss_along(
        self, weight_key: WeightKey, index: Any, values: Iterable[float], x: Any, y: Any = None
    ) -> np.ndarray:
        """The loss (evaluation mode) with weight `weight_key`[index] set to each of `values`, the rest fixed."""
        return self._landscape(x, y).along(weight_key, index, list(values))

    def loss_surface(
        self, x: Any, y: Any = None, directions: Any = "random", span: float = 1.0, steps: int = 21, seed: int = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(alphas, betas, Z) with Z[i, j] the loss at w + alphas[j]·d1 + betas[i]·d2; the centre is the current loss.

        `directions`: "random" (two filter-normalised directions, Li et al. 2018) or two weights
        [((node, name), index), ((node, name), index)]; `steps` is odd, at most 41.
        """
        return self._landscape(x, y).plane(directions, span, steps, seed).compute()

    # ------------------------------------------------------------------ weights
    def get_weights(self) -> dict[WeightKey, np.ndarray]:
        """{(node_id, name): array}; Dense has "kernel" (inputs x units) and "bias", as in Keras."""
        ensure_weights(self.document)
        return {(op, name): np.array(a) for op, arrays in self.document.weights.items() for name, a in arrays.items()}

    def set_weights(self, weights: Mapping[Any, Any]) -> None:
        """Accepts the dict `get_weights` returns, or {node_id: {name: array}}; shapes must match."""
        nested: dict[str, dict[str, np.ndarray]] = {}
        for key, value in weights.items():
            if isinstance(key, tuple):
                nested.setdefault(key[0], {})[key[1]] = value
            else:
                nested.setdefault(key, {}).update(value)
        ensure_weights(self.document)
        b = backend_for(self.document, "reference")
        b.set_weights(nested)
        current = self.document.weights
        self.document.replace_weights(
            {
                op: {k: v.astype(next(iter(current[op].values())).dtype) for k, v in arrays.items()}
                for op, arrays in b.get_weights().items()
            }
        )

    # ------------------------------------------------------------------ description and files
    def summary(self, print_fn=print) -> str:
        text = format_summary(self.document)
        if print_fn is not None:
            print_fn(text)
        return text

    def save(self, path: str | os.PathLike[str]) -> None:
        from ..io import save

        save(self.document, path)

    def export(self, path: str | os.PathLike[str], format: str = "onnx") -> list[str]:
        """Write the network as ONNX ("onnx"), a PyTorch script ("pytorch") or a Keras script ("keras");
        the scripts get their weights in a sibling .npz. Returns the paths written."""
        from ..interop import export_network

        ensure_weights(self.document)
        return [str(p) for p in export_network(self.document, path, format)]

    @property
    def layers(self) -> list[str]:
        return [op.id for op in graph_spec(self.document).ops]


def Sequential(
    layers: Iterable[Layer], loss: str = "mse", optimizer: Any = None, seed: int = 0, name: str = ""
) -> Network:
    """A chain of layers ending in a Loss node, with initial weights drawn from `seed`."""
    doc = Document()
    doc.description = name
    prev = None
    x = 0.0
    for layer in layers:
        if not isinstance(layer, Layer):
            raise TypeError(f"{layer!r} is not a layer (use ne.Dense(...), ne.Input(...), ...)")
        if prev is None and layer.type != "Input":
            if layer.input_shape is None:
                raise ValueError(
                    "the first layer needs an input shape: start with ne.Input(shape) "
                    "or pass input_shape=... to the first layer"
                )
            prev = doc.add_node("Input", {"shape": list(layer.input_shape)}, (x, 0.0))
            x += 220
        node = doc.add_node(layer.type, layer.params, (x, 0.0), layer.name)
        x += 220
        if prev is not None:
            doc.connect(prev, node)
        prev = node
    if prev is None:
        raise ValueError("Sequential needs at least an input layer")
    loss_id = doc.add_node("Loss", {"loss": _loss_name(loss)}, (x, 0.0))
    doc.connect(prev, loss_id)
    doc.set_setting("seed", int(seed))
    net = Network(doc)
    net.compile(optimizer)
    graph_spec(doc)  # refuse an impossible network now, with the list of problems
    ensure_weights(doc)
    doc.history.clear()
    return net


def import_onnx(path: str | os.PathLike[str]) -> Network:
    """The network in an ONNX file, as a laid-out document with its weights (neuroedit.interop.InteropError if
    it holds operations NeuroEdit has no node for, or is not a usable ONNX model)."""
    from ..interop import import_onnx as read

    return Network(read(path))


def load(path: str | os.PathLike[str]) -> Network:
    from ..io import load as load_document

    return Network(load_document(path))


_LOSS_ALIASES = {"mean_squared_error": "mse", "mean_absolute_error": "mae", "categorical_hinge": "multiclass_hinge"}


def _loss_name(loss: str) -> str:
    return _LOSS_ALIASES.get(loss, loss)


def _print_event(event: Any, total: int) -> None:
    if isinstance(event, Epochs):
        lines = []
        for epoch, logs in event.rows():
            parts = [f"Epoch {epoch}/{total}"]
            parts += [f"{k}: {v:.4f}" if k != "lr" else f"lr: {v:.4g}" for k, v in logs.items()]
            lines.append(" - ".join(parts))
        print("\n".join(lines), file=sys.stdout, flush=True)
    elif isinstance(event, Stopped) and event.reason != "finished":
        print(event.message, file=sys.stdout, flush=True)
