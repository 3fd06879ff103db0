"""Read an ONNX file defensively: size limits, no path outside the model's folder, no traceback.

`onnx.load` would follow external-data paths wherever they point and allocate
whatever a tensor header claims; this reader checks both before any data is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InteropError, require

MAX_FILE_BYTES = 1 << 31  # protobuf cannot hold more in one message
MAX_TENSOR_VALUES = 100_000_000  # NeuroEdit's own limit on values per sample
MAX_TOTAL_VALUES = 200_000_000


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return (text[:200] + "…") if len(text) > 200 else text or type(e).__name__


def _tensors(model: Any) -> Iterator[Any]:
    """Every tensor the graph holds: initializers and the tensors inside node attributes."""
    yield from model.graph.initializer
    for node in model.graph.node:
        for attr in node.attribute:
            if attr.HasField("t"):
                yield attr.t
            yield from attr.tensors


def _value_count(tensor: Any, where: str) -> int:
    n = 1
    for d in tensor.dims:
        if d < 0:
            raise InteropError(f"{where}: tensor {tensor.name!r} has a negative dimension {d}")
        n *= int(d)
        if n > MAX_TENSOR_VALUES:
            raise InteropError(
                f"{where}: tensor {tensor.name!r} has {_dims(tensor)} values, "
                f"more than the limit of {MAX_TENSOR_VALUES:,}"
            )
    return n


def _dims(tensor: Any) -> str:
    return "×".join(str(d) for d in tensor.dims) or "1"


def _load_external(onnx: Any, tensor: Any, folder: Path, where: str, values: int) -> None:
    """Read a tensor's external data from a file inside `folder` (and nowhere else)."""
    info = {e.key: e.value for e in tensor.external_data}
    location = info.get("location", "")
    target = (folder / location).resolve()
    if not location or os.path.isabs(location) or not target.is_relative_to(folder.resolve()):
        raise InteropError(
            f"{where}: tensor {tensor.name!r} points to external data {location!r} outside "
            "the model's folder; refusing to read it"
        )
    if not target.is_file():
        raise InteropError(f"{where}: tensor {tensor.name!r}: external data file {location!r} not found")
    try:
        offset, length = int(info.get("offset", 0)), int(info.get("length", -1))
    except ValueError:
        raise InteropError(f"{where}: tensor {tensor.name!r}: external data offset/length are not numbers") from None
    itemsize = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type)).itemsize
    expected = values * itemsize
    if length == -1:
        length = expected
    if length != expected or offset < 0 or offset + length > target.stat().st_size:
        raise InteropError(
            f"{where}: tensor {tensor.name!r}: external data ({length} bytes at {offset}) does not "
            f"match its shape {_dims(tensor)} or the file {location!r}"
        )
    with open(target, "rb") as f:
        f.seek(offset)
        tensor.raw_data = f.read(length)
    del tensor.external_data[:]
    tensor.data_location = onnx.TensorProto.DEFAULT


def read_model(path: str | os.PathLike[str]) -> Any:
    """The checked ModelProto in `path`, its external data read; InteropError (one line) otherwise."""
    onnx = require("onnx", "ONNX import")
    p = Path(path)
    where = str(path)
    if not p.is_file():
        raise InteropError(f"{where}: no such file")
    if p.stat().st_size > MAX_FILE_BYTES:
        raise InteropError(f"{where}: {p.stat().st_size:,} bytes is larger than an ONNX file can be")
    try:
        model = onnx.load_model_from_string(p.read_bytes())
    except Exception as e:
        raise InteropError(f"{where}: not an ONNX model ({_one_line(e)})") from None
    if not model.graph.node or not model.graph.output:
        raise InteropError(f"{where}: not an ONNX model (it holds no graph)")
    total = 0
    try:
        for tensor in _tensors(model):
            values = _value_count(tensor, where)
            total += values
            if total > MAX_TOTAL_VALUES:
                raise InteropError(f"{where}: the weights hold more than {MAX_TOTAL_VALUES:,} values")
            if tensor.data_location == onnx.TensorProto.EXTERNAL:
                _load_external(onnx, tensor, p.parent, where, values)
        onnx.checker.check_model(model)
    except InteropError:
        raise
    except Exception as e:
        raise InteropError(f"{where}: invalid ONNX model ({_one_line(e)})") from None
    return model


def tensor_array(onnx: Any, tensor: Any, where: str) -> np.ndarray:
    """A tensor's values; InteropError if its data does not match its declared shape."""
    if tensor.data_location == onnx.TensorProto.EXTERNAL:  # only read_model may follow external data, checked
        raise InteropError(f"{where}: tensor {tensor.name!r} keeps its data in another file where it cannot be read")
    try:
        return np.array(onnx.numpy_helper.to_array(tensor))
    except Exception as e:
        raise InteropError(
            f"{where}: tensor {tensor.name!r} ({_dims(tensor)}) cannot be read ({_one_line(e)})"
        ) from None
