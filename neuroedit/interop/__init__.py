"""Take a network elsewhere: ONNX export and import, PyTorch and Keras scripts.

    export_network(doc, "net.onnx", "onnx")        # also "pytorch" / "keras": a .py and its .npz
    doc = import_onnx("model.onnx")                # a laid-out Document with weights

Qt-free. onnx, torch and keras are imported only when used; a missing one gives an
InteropError saying what to install. The document must hold weights for every
node (the API, CLI and editor give a fresh network its initial weights first).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..model import Document
from .errors import InteropError
from .onnx_import import import_onnx

FORMATS = {"onnx": ".onnx", "pytorch": ".py", "keras": ".py"}


def default_output(source: str | os.PathLike[str], fmt: str) -> Path:
    """Where an export of `source` goes by default: net.onnx, net_torch.py or net_keras.py beside it."""
    p = Path(source)
    suffix = {"onnx": ".onnx", "pytorch": "_torch.py", "keras": "_keras.py"}[fmt]
    return p.with_name(p.stem + suffix)


def export_network(doc: Document, path: str | os.PathLike[str], fmt: str) -> list[Path]:
    """Write `doc` in `fmt` (onnx, pytorch or keras) to `path`; returns the files written."""
    from .graph import exported_graph

    if fmt not in FORMATS:
        raise InteropError(f"unknown export format {fmt!r}; choose {', '.join(FORMATS)}")
    target = Path(path)
    if not target.parent.is_dir():
        raise InteropError(f"{target.parent}: no such folder")
    if fmt != "onnx" and target.suffix != ".py":
        raise InteropError(f"{target.name}: a {fmt} export is a Python script; name it *.py")
    graph = exported_graph(doc)
    if fmt == "onnx":
        from .onnx_export import save_onnx

        save_onnx(graph, target)
        return [target]
    if fmt == "pytorch":
        from .torch_code import save_torch_script

        return [target, save_torch_script(graph, target)]
    from .keras_code import save_keras_script

    return [target, save_keras_script(graph, target)]


__all__ = ["FORMATS", "InteropError", "default_output", "export_network", "import_onnx"]
