"""Take a network elsewhere: ONNX export and import, PyTorch and Keras code.

Qt-free; onnx, onnxruntime, torch and keras are imported only when used, with
an InteropError saying what to install when one is missing.
"""

from .errors import InteropError

__all__ = ["InteropError"]
