"""See backpropagation: the neuron view, the step-through panel and the gradient check (`Backprop`)."""

from .feature import Backprop

__all__ = ["Backprop"]
