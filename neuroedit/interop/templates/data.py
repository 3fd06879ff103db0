"""Data-set specs of the NeuroEdit CLI (IDX, CSV, NPZ) read without NeuroEdit, for the exported scripts.

The script trains on every sample of the training part (NeuroEdit itself holds out
validation and test splits); inputs are scaled as NeuroEdit scales them by default:
uint8 images divided by 255, other features standardised with their own mean and std.
"""

from __future__ import annotations

import csv
import gzip
import os
import re

import numpy as np

# ---- body ----

# Data: the NeuroEdit CLI's csv:, npz: and idx: specs, read with NumPy alone. Training uses every sample of the
# training part (NeuroEdit also holds out validation and test splits); inputs are scaled as NeuroEdit scales them
# by default: uint8 images divided by 255, other features standardised (scale=standard|minmax|none overrides).


class DataError(ValueError):
    """The data cannot be used; the message says why."""


def parse_spec(text):
    """`kind:location:key=value,...` -> (kind, location, options); a comma piece without `=` continues a value."""
    kind, _, rest = text.strip().partition(":")
    kind = kind.lower()
    match = re.search(r":(?=[A-Za-z_]\w*=)", rest)
    location, options_text = (rest[: match.start()], rest[match.end() :]) if match else (rest, "")
    options, last = {}, None
    for piece in filter(None, (p.strip() for p in options_text.split(","))):
        if "=" in piece:
            last, value = (s.strip() for s in piece.split("=", 1))
            options[last] = value
        elif last is not None:
            options[last] += "," + piece
    return kind, location.strip(), options


def _number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def _classes(values):
    """Labels as class indices 0..k-1 (sorted, as NeuroEdit numbers them)."""
    return np.unique(values, return_inverse=True)[1].astype(np.int64)


def read_csv(path, options):
    with open(path, newline="", encoding="utf-8-sig") as f:
        sample = f.read(4096)
        f.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t ") if sample else csv.excel
        rows = [r for r in csv.reader(f, dialect) if r and any(c.strip() for c in r)]
    if not rows:
        raise DataError(f"{path}: no data rows")
    header = options.get("header", "auto")
    has_header = header == "yes" or (
        header == "auto"
        and not all(_number(c) for c in rows[0])
        and len(rows) > 1
        and sum(_number(c) for c in rows[1]) > 0
    )
    names = [c.strip() for c in rows[0]] if has_header else [str(i) for i in range(len(rows[0]))]
    body = rows[1:] if has_header else rows
    target = options.get("target", str(len(names) - 1))
    col = names.index(target) if target in names else int(target) % len(names)
    x = np.array([[float(c) for k, c in enumerate(r) if k != col] for r in body], dtype=np.float32)
    y_text = np.array([r[col].strip() for r in body])
    if all(_number(v) for v in y_text):
        y = y_text.astype(np.float64)
        if np.all(y == np.round(y)) and len(np.unique(y)) <= 20:
            return x, _classes(y)
        return x, y.astype(np.float32)[:, None]
    return x, _classes(y_text)


def read_npz(path, options):
    with np.load(path, allow_pickle=False) as archive:
        keys = set(archive.files)
        xk = options.get("x", "x" if "x" in keys or "x_train" not in keys else "x_train")
        yk = options.get("y", "y" if xk == "x" else "y_train")
        x, y = archive[xk], archive[yk]
    x = x.astype(np.float32) / 255 if x.dtype == np.uint8 else x.astype(np.float32)
    if y.dtype.kind in "biu" and (y.ndim == 1 or y.shape[1:] == (1,)):
        return x, y.reshape(-1).astype(np.int64)
    return x, y.astype(np.float32).reshape(len(y), -1)


def _idx_file(folder, kind):
    for name in os.listdir(folder):
        flat = name.replace(".", "-").lower()
        if flat.startswith(f"train-{kind}-idx"):
            return os.path.join(folder, name)
    raise DataError(f"{folder}: no train-{kind}-idx file")


def _read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[:2] != b"\0\0" or data[2] != 0x08:
        raise DataError(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def read_idx(folder, options):
    x = _read_idx(_idx_file(folder, "images")).astype(np.float32) / 255
    y = _read_idx(_idx_file(folder, "labels")).astype(np.int64)
    return x, y


def load_data(spec, base_dir="."):
    """(x, y) of the training samples of `spec`; y holds class indices (int64) or values (float32)."""
    kind, location, options = parse_spec(spec)
    readers = {"csv": read_csv, "npz": read_npz, "idx": read_idx}
    if kind not in readers:
        raise DataError(
            f"data-set spec {spec!r}: this script reads csv:, npz: and idx: specs "
            "(export the data from NeuroEdit with `neuroedit data` first)"
        )
    path = location if os.path.isabs(location) else os.path.join(base_dir, location)
    x, y = readers[kind](path, options)
    if "classes" in options:
        keep = [int(c) for c in options["classes"].split(",")]
        lut = np.full(max(int(y.max()), *keep) + 1, -1)
        lut[keep] = np.arange(len(keep))
        mask = lut[y] >= 0
        x, y = x[mask], lut[y[mask]]
    scale = options.get(
        "scale", "none" if kind == "idx" or (kind == "npz" and float(x.max(initial=0)) <= 1) else "standard"
    )
    flat = x.reshape(len(x), -1)
    if scale == "standard":
        std = flat.std(axis=0)
        flat = (flat - flat.mean(axis=0)) / np.where(std > 0, std, 1)
    elif scale == "minmax":
        low, span = flat.min(axis=0), np.ptp(flat, axis=0)
        flat = (flat - low) / np.where(span > 0, span, 1)
    return flat.astype(np.float32).reshape(x.shape), y


def split_inputs(x, shapes):
    """One array per network input: a sample's values, in input order, reshaped to each input's shape."""
    flat = x.reshape(len(x), -1)
    sizes = [int(np.prod(s)) for s in shapes]
    if flat.shape[1] != sum(sizes):
        raise DataError(f"the data has {flat.shape[1]} values per sample; the network's inputs take {sum(sizes)}")
    cuts = np.cumsum(sizes)[:-1]
    return [part.reshape(len(x), *s) for part, s in zip(np.split(flat, cuts, axis=1), shapes)]


def targets_for(y, loss, outputs):
    """Targets in the form the loss needs: class indices, one-hot rows, or value columns."""
    if loss in ("sparse_categorical_crossentropy", "multiclass_hinge"):
        return y.astype(np.int64).reshape(-1)
    if loss == "categorical_crossentropy" and y.ndim == 1:
        return np.eye(outputs, dtype=np.float32)[y]
    if loss == "value":
        return np.zeros((len(y), 0), np.float32)
    return y.astype(np.float32).reshape(len(y), -1)
