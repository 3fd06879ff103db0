"""Seeing gradient descent: loss along a weight, loss surfaces with the training path, the optimizer race,
activation curves. `install_descent(window)` is what the main window calls."""

from .install import Descent, install_descent

__all__ = ["Descent", "install_descent"]
