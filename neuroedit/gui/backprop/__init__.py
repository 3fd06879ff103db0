"""See backpropagation: the neuron view, the step-through panel and the gradient check (`install_backprop`)."""

from .install import Backprop, install_backprop

__all__ = ["Backprop", "install_backprop"]
