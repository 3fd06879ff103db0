"""The Keras-like Python API: `ne.Sequential([...], loss=...)`, `fit`, `predict`, `ne.load`, ...

Also the bridge from a Document to the engine and the training session the GUI and
CLI share. No Qt here.
"""

from ..engine.trainer import EarlyStopping
from .bridge import GraphProblem, graph_spec
from .functional import (
    Add,
    Concatenate,
    Maximum,
    Model,
    Multiply,
    Subtract,
    Tensor,
    add,
    maximum,
    multiply,
    square,
    subtract,
)
from .layers import Activation, BatchNormalization, Dense, Dropout, Flatten, Input, Layer, PReLU
from .network import History, Network, Sequential, import_onnx, load
from .optimizers import SGD, Adadelta, Adagrad, Adam, AdamW, Momentum, Nadam, Nesterov, Optimizer, RMSprop, VarioEta
from .session import TrainingSession

__all__ = [
    "SGD",
    "Activation",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Add",
    "BatchNormalization",
    "Concatenate",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "Flatten",
    "GraphProblem",
    "History",
    "Input",
    "Layer",
    "Maximum",
    "Model",
    "Momentum",
    "Multiply",
    "Nadam",
    "Nesterov",
    "Network",
    "Optimizer",
    "PReLU",
    "RMSprop",
    "Sequential",
    "Subtract",
    "Tensor",
    "TrainingSession",
    "VarioEta",
    "add",
    "graph_spec",
    "import_onnx",
    "load",
    "maximum",
    "multiply",
    "square",
    "subtract",
]
