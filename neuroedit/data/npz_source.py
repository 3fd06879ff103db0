"""NPZ import: arrays `x`/`y` (or `x_train`/`y_train`/`x_test`/`y_test`, or chosen keys), never unpickled.

Headers are read first: dtypes, shapes and the memory they need are checked before any array
is inflated, and the zip's own limits (sizes, compression ratio) stop zip bombs.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator

import numpy as np

from ..untrusted import (
    Archive,
    Limits,
    NpyHeader,
    Unreadable,
    clip,
    open_regular,
    read_array,
    read_header,
    shorten,
)
from .errors import DataError, as_data_error
from .memory import MEMORY_CAP_BYTES, check_memory
from .options import Options
from .raw import RawData

MAX_CLASSES = 10_000
MAX_CLASS_NAME_BYTES = 16 * 1024 * 1024  # 10,000 names of 400 characters
NPZ_LIMITS = Limits(max_members=4096, max_member_bytes=MEMORY_CAP_BYTES, max_total_bytes=MEMORY_CAP_BYTES)


def load_npz(path: str, opts: Options) -> RawData:
    task_opt = opts.choice("task", "auto", ("auto", "classification", "regression"))
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file")
    with _open(path) as archive:
        headers = _headers(archive, path)
        keys = list(headers)
        default_x, default_y = ("x", "y") if "x" in headers or "x_train" not in headers else ("x_train", "y_train")
        xk, yk = opts.text("x", default_x), opts.text("y", default_y)
        xtk = opts.text("xtest", "x_test" if default_x == "x_train" and "x_test" in headers else None)
        ytk = opts.text("ytest", "y_test" if xtk == "x_test" else None)
        for key in (xk, yk, xtk, ytk):
            if key is not None and key not in headers:
                raise DataError(
                    f"{path}: no array named {shorten(key)}; the file holds "
                    f"{clip(', '.join(keys), 300) or 'nothing'} (choose with x=NAME,y=NAME)"
                )
        if (xtk is None) != (ytk is None):
            raise DataError(f"{path}: give both xtest= and ytest=, or neither")
        used = [k for k in (xk, yk, xtk, ytk) if k is not None]
        checked = {key: _check_header(headers[key][1], key, path) for key in used}
        check_memory(sum(h.nbytes for h in checked.values()) * 2, f"{path} (arrays {', '.join(used)})")
        with as_data_error():
            arrays = {k: read_array(archive, headers[k][0], h) for k, h in checked.items()}
            names = _class_names(archive, headers["class_names"], path) if "class_names" in headers else []
    x, y = arrays[xk], arrays[yk]
    test = (arrays[xtk], arrays[ytk]) if xtk is not None and ytk is not None else None
    for xs, ys, kx, ky in [(x, y, xk, yk)] + ([(test[0], test[1], xtk, ytk)] if test else []):
        if xs.shape[0] != ys.shape[0]:
            raise DataError(f"{path}: {kx!r} has {xs.shape[0]} samples but {ky!r} has {ys.shape[0]}")
    if x.shape[0] == 0:
        raise DataError(f"{path}: array {xk!r} holds no samples")
    if test and test[0].shape[1:] != x.shape[1:]:
        raise DataError(f"{path}: test samples have shape {test[0].shape[1:]}, training samples {x.shape[1:]}")

    is_image = x.dtype == np.uint8 and x.ndim >= 3
    divide = 255.0 if x.dtype == np.uint8 else None
    task = _task(y, task_opt)
    notes = [f"{os.path.basename(path)}: x={xk!r} {x.shape}, y={yk!r} {y.shape}"]
    if divide:
        notes.append("uint8 inputs scaled to [0, 1]")
    xs = _inputs(x, divide, xk, path)
    y_all = np.concatenate([y, test[1]]) if test else y
    y_out, class_names = _labels(y_all, task, names, path, yk)
    raw = RawData(
        xs,
        y_out[: y.shape[0]],
        task,
        class_names=class_names,
        is_image=is_image,
        notes=notes,
        default_scale="none" if divide else "standard",
    )
    if test:
        raw.test = (_inputs(test[0], divide, xtk, path), y_out[y.shape[0] :])
    return raw


def npz_keys(path: str) -> list[str]:
    """The names of the arrays in an `.npz` file (for the import dialog), read from its zip directory."""
    with _open(path) as archive:
        return list(_headers(archive, path))


@contextlib.contextmanager
def _open(path: str) -> Iterator[Archive]:
    with as_data_error():
        try:
            f = open_regular(path, NPZ_LIMITS.max_total_bytes)
        except Unreadable as e:
            raise Unreadable(e.problem, path) from None
    with f, as_data_error():
        yield Archive(
            f,
            NPZ_LIMITS,
            label=path,
            check_names=False,
            not_a_zip="not a valid .npz archive (.npz files are zips of .npy arrays)",
        )


def _headers(archive: Archive, path: str) -> dict[str, tuple[str, NpyHeader | Unreadable]]:
    """Array name -> (member name, checked header or why it was refused), without inflating array data.

    A refused array only matters if it is used: a file may carry extras NeuroEdit does not read."""
    out: dict[str, tuple[str, NpyHeader | Unreadable]] = {}
    for name in archive.names:
        if name.endswith(".npy"):
            try:
                out[name[:-4]] = (name, read_header(archive, name, f"{path}: array {shorten(name[:-4])}"))
            except Unreadable as e:
                out[name[:-4]] = (name, e)
    return out


def _check_header(header: NpyHeader | Unreadable, key: str, path: str) -> NpyHeader:
    if isinstance(header, Unreadable):
        raise DataError(str(header))
    if header.dtype.kind not in "biuf":
        raise DataError(f"{path}: array {key!r} has dtype {header.dtype}; need numbers")
    if not header.shape:
        raise DataError(f"{path}: array {key!r} is a single value, not a list of samples")
    return header


def _class_names(archive: Archive, entry: tuple[str, NpyHeader | Unreadable], path: str) -> list[str]:
    name, header = entry
    if isinstance(header, Unreadable):
        raise DataError(str(header))
    if header.dtype.kind != "U":
        raise DataError(f"{path}: 'class_names' must be an array of strings")
    if math.prod(header.shape) > MAX_CLASSES:
        raise DataError(
            f"{path}: 'class_names' holds {math.prod(header.shape):,} names; at most "
            f"{MAX_CLASSES:,} classes are supported"
        )
    if header.nbytes > MAX_CLASS_NAME_BYTES:
        raise DataError(f"{path}: 'class_names' takes {header.nbytes:,} bytes; names must be shorter")
    return [str(s) for s in read_array(archive, name, header).reshape(-1)]


def _task(y: np.ndarray, task_opt: str) -> str:
    if task_opt != "auto":
        return task_opt
    return "classification" if y.dtype.kind in "biu" and (y.ndim == 1 or y.shape[1:] == (1,)) else "regression"


def _inputs(x: np.ndarray, divide: float | None, key: str | None, path: str) -> np.ndarray:
    """float32 samples; a 1-D array is one input per sample, shape (n, 1)."""
    out = _finite_float32(x, key, path)
    out = out.reshape(x.shape[0], -1) if x.ndim == 1 else out
    if divide:
        out *= np.float32(1.0 / divide)
    return out


def _finite_float32(a: np.ndarray, key: str | None, path: str) -> np.ndarray:
    """`a` as float32, refusing NaN, infinities and values beyond float32's range like the CSV reader does."""
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, as an error
        out = a.astype(np.float32)
    finite = np.isfinite(out)
    if not finite.all():
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise DataError(
            f"{path}: array {key!r} holds {a[index]} at index {index}; "
            "values must be finite numbers within float32's range"
        )
    return out


def _labels(y: np.ndarray, task: str, names: list[str], path: str, key: str | None) -> tuple[np.ndarray, list[str]]:
    if task == "regression":
        y = _finite_float32(y, key, path)
        return (y[:, None] if y.ndim == 1 else y.reshape(y.shape[0], -1)), []
    y = y.reshape(y.shape[0], -1)
    if y.shape[1] != 1:
        raise DataError(f"{path}: classification labels must be one integer per sample; y has shape {y.shape}")
    y = y[:, 0]
    with np.errstate(invalid="ignore"):  # NaN labels fail the whole-number test below
        if y.size and not (y.min() >= 0 and np.all(y == np.round(y))):
            raise DataError(f"{path}: class labels must be whole numbers from 0")
    top = y.max() if y.size else -1
    if top >= MAX_CLASSES:
        raise DataError(f"{path}: labels go up to {top:.6g}; at most {MAX_CLASSES:,} classes are supported")
    top = int(top)
    y = y.astype(np.int64)
    k = top + 1
    if names and len(names) < k:
        raise DataError(f"{path}: 'class_names' has {len(names)} names but labels go up to {k - 1}")
    return y, names or [str(i) for i in range(k)]
