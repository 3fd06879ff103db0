"""The Keras-like Python API: `ne.Sequential([...], loss=...)`, `fit`, `predict`, `ne.load`, ...

Also the bridge from a Document to the engine and the training session the GUI and
CLI share. No Qt here.
"""

from ..engine.trainer import EarlyStopping
from .bridge import GraphProblem, graph_spec
from .layers import Activation, BatchNormalization, Dense, Dropout, Flatten, Input, Layer, PReLU
from .functional import (Add, Concatenate, Maximum, Model, Multiply, Subtract, Tensor, add, maximum, multiply,
                         square, subtract)
from .network import History, Network, Sequential, import_onnx, load
from .optimizers import SGD, Adadelta, Adagrad, Adam, AdamW, Momentum, Nadam, Nesterov, Optimizer, RMSprop, VarioEta
from .session import TrainingSession

__all__ = [
    "Activation", "Adadelta", "Adagrad", "Adam", "AdamW", "BatchNormalization", "Dense", "Dropout", "EarlyStopping",
    "Flatten", "GraphProblem", "History", "Input", "Layer", "Momentum", "Nadam", "Nesterov", "Network", "Optimizer",
    "PReLU", "RMSprop", "SGD", "Sequential", "TrainingSession", "VarioEta", "graph_spec", "load",
    "Add", "Concatenate", "Maximum", "Model", "Multiply", "Subtract", "Tensor", "add", "import_onnx", "maximum",
    "multiply", "square", "subtract",
]
