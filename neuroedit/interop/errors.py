"""The one error type of export and import, and the lazy import of the optional packages."""

from __future__ import annotations

import importlib
from types import ModuleType


class InteropError(ValueError):
    """An export or import that cannot be done; the message names the node, op or file and says why."""


def require(module: str, purpose: str) -> ModuleType:
    """Import an optional package, or InteropError saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise InteropError(
            f"{purpose} needs the {top!r} package: pip install 'neuroedit[onnx]' (or pip install {top})"
        ) from None
