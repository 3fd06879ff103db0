"""NPZ import: arrays `x`/`y` (or `x_train`/`y_train`/`x_test`/`y_test`, or chosen keys), never unpickled."""

from __future__ import annotations

import os
import zipfile

import numpy as np

from .errors import DataError
from .memory import check_memory
from .options import Options
from .raw import RawData


def load_npz(path: str, opts: Options) -> RawData:
    task_opt = opts.choice("task", "auto", ("auto", "classification", "regression"))
    if not os.path.isfile(path):
        raise DataError(f"{path}: no such file")
    headers = _array_headers(path)
    keys = list(headers)
    default_x, default_y = ("x", "y") if "x" in headers or "x_train" not in headers else ("x_train", "y_train")
    xk, yk = opts.text("x", default_x), opts.text("y", default_y)
    xtk = opts.text("xtest", "x_test" if default_x == "x_train" and "x_test" in headers else None)
    ytk = opts.text("ytest", "y_test" if xtk == "x_test" else None)
    for key in (xk, yk, xtk, ytk):
        if key is not None and key not in headers:
            raise DataError(f"{path}: no array named {key!r}; the file holds {', '.join(keys) or 'nothing'}"
                            " (choose with x=NAME,y=NAME)")
    if (xtk is None) != (ytk is None):
        raise DataError(f"{path}: give both xtest= and ytest=, or neither")
    used = [k for k in (xk, yk, xtk, ytk) if k is not None]
    check_memory(sum(headers[k] for k in used) * 2, f"{path} (arrays {', '.join(used)})")

    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: _read(archive, k, path) for k in used}
        names = _class_names(archive, path) if "class_names" in headers else []
    x, y = arrays[xk], arrays[yk]
    test = (arrays[xtk], arrays[ytk]) if xtk else None
    for xs, ys, kx, ky in [(x, y, xk, yk)] + ([(test[0], test[1], xtk, ytk)] if test else []):
        if xs.shape[0] != ys.shape[0]:
            raise DataError(f"{path}: {kx!r} has {xs.shape[0]} samples but {ky!r} has {ys.shape[0]}")
    if test and test[0].shape[1:] != x.shape[1:]:
        raise DataError(f"{path}: test samples have shape {test[0].shape[1:]}, training samples {x.shape[1:]}")

    is_image = x.dtype == np.uint8 and x.ndim >= 3
    divide = 255.0 if x.dtype == np.uint8 else None
    task = _task(y, task_opt)
    notes = [f"{os.path.basename(path)}: x={xk!r} {x.shape}, y={yk!r} {y.shape}"]
    if divide:
        notes.append("uint8 inputs scaled to [0, 1]")
    xs = _inputs(x, divide)
    y_all = np.concatenate([y, test[1]]) if test else y
    y_out, class_names = _labels(y_all, task, names, path)
    raw = RawData(xs, y_out[: y.shape[0]], task, class_names=class_names, is_image=is_image, notes=notes,
                  default_scale="none" if divide else "standard")
    if test:
        raw.test = (_inputs(test[0], divide), y_out[y.shape[0]:])
    return raw


def _array_headers(path: str) -> dict[str, int]:
    """Array name -> size in bytes, read from the .npy headers without loading the data."""
    sizes = {}
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                with z.open(info) as f:
                    version = np.lib.format.read_magic(f)
                    read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                            else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = read(f)
                sizes[info.filename[:-4]] = int(np.prod(shape, dtype=np.int64)) * max(dtype.itemsize, 1)
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise DataError(f"{path}: not a valid .npz archive ({e})") from None
    return sizes


def _read(archive, key: str, path: str) -> np.ndarray:
    try:
        a = archive[key]
    except ValueError as e:
        if "pickle" in str(e).lower():
            raise DataError(f"{path}: array {key!r} holds Python objects, which would need unpickling; "
                            "NeuroEdit never unpickles files. Save plain numeric arrays.") from None
        raise DataError(f"{path}: array {key!r} cannot be read ({e})") from None
    if a.dtype.kind not in "biuf":
        raise DataError(f"{path}: array {key!r} has dtype {a.dtype}; need numbers")
    if a.ndim == 0:
        raise DataError(f"{path}: array {key!r} is a single value, not a list of samples")
    return a


def _class_names(archive, path: str) -> list[str]:
    a = archive["class_names"]
    if a.dtype.kind != "U":
        raise DataError(f"{path}: 'class_names' must be an array of strings")
    return [str(s) for s in a.reshape(-1)]


def _task(y: np.ndarray, task_opt: str) -> str:
    if task_opt != "auto":
        return task_opt
    return "classification" if y.dtype.kind in "biu" and (y.ndim == 1 or y.shape[1:] == (1,)) else "regression"


def _inputs(x: np.ndarray, divide: float | None) -> np.ndarray:
    """float32 samples; a 1-D array is one input per sample, shape (n, 1)."""
    out = x.astype(np.float32).reshape(x.shape[0], -1) if x.ndim == 1 else x.astype(np.float32)
    if divide:
        out *= np.float32(1.0 / divide)
    return out


def _labels(y: np.ndarray, task: str, names: list[str], path: str) -> tuple[np.ndarray, list[str]]:
    if task == "regression":
        y = y.astype(np.float32)
        return (y[:, None] if y.ndim == 1 else y.reshape(y.shape[0], -1)), []
    y = y.reshape(y.shape[0], -1)
    if y.shape[1] != 1:
        raise DataError(f"{path}: classification labels must be one integer per sample; y has shape {y.shape}")
    y = y[:, 0]
    if y.size and (y.min() < 0 or np.any(y != np.round(y))):
        raise DataError(f"{path}: class labels must be whole numbers from 0")
    y = y.astype(np.int64)
    k = int(y.max()) + 1 if y.size else 0
    if names and len(names) < k:
        raise DataError(f"{path}: 'class_names' has {len(names)} names but labels go up to {k - 1}")
    return y, names or [str(i) for i in range(k)]
