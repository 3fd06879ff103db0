"""NeuroEdit: draw a neural network, train it, and watch backpropagation.

The Keras-like Python API (`ne.Sequential`, `ne.Dense`, `ne.load`, ...) is loaded on
first use, so `import neuroedit.model` stays free of Numba and Qt.
"""

from ._version import __version__

__all__ = ["__version__"]
