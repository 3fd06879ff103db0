"""NeuroEdit: draw a neural network, train it, and watch backpropagation.

The Keras-like Python API (`ne.Sequential`, `ne.Dense`, `ne.load`, ...) is loaded on
first use, so `import neuroedit.model` stays free of Numba and Qt.
"""

from ._version import __version__

_API_NAMES = (
    "Activation",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "BatchNormalization",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "Flatten",
    "History",
    "Input",
    "Momentum",
    "Nadam",
    "Nesterov",
    "Network",
    "PReLU",
    "RMSprop",
    "SGD",
    "Sequential",
    "VarioEta",
    "load",
    "Add",
    "Concatenate",
    "Maximum",
    "Model",
    "Multiply",
    "Subtract",
    "add",
    "import_onnx",
    "maximum",
    "multiply",
    "square",
    "subtract",
)

__all__ = ["__version__", *_API_NAMES]


def __getattr__(name: str):
    if name in _API_NAMES:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'neuroedit' has no attribute {name!r}")
