"""IDX import (MNIST / Fashion-MNIST): a folder with the train and t10k image and label files.

File names as distributed (`train-images-idx3-ubyte`) or with a dot (`train-images.idx3-ubyte`),
raw or `.gz`. Headers (magic number, sizes) are checked before the data is read; the t10k
files, when present, become the test split.
"""

from __future__ import annotations

import contextlib
import gzip
import math
import os
from collections.abc import Iterator
from typing import IO, cast

import numpy as np

from ..untrusted import Unreadable, library_errors, open_regular
from .errors import DataError, as_data_error
from .memory import MEMORY_CAP_BYTES, check_memory
from .options import Options
from .raw import RawData

FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
_UBYTE = 0x08


def load_idx(folder: str, opts: Options) -> RawData:
    fashion_default = "fashion" in os.path.basename(os.path.normpath(folder)).lower()
    fashion = opts.flag("fashion", fashion_default)
    if not os.path.isdir(folder):
        raise DataError(f"{folder}: no such folder (idx: needs the folder holding the MNIST-style files)")
    found = {(p, k): find_idx_file(folder, p, k) for p in ("train", "t10k") for k in ("images", "labels")}
    if found[("train", "images")] is None or found[("train", "labels")] is None:
        raise DataError(
            f"{folder}: needs train-images-idx3-ubyte and train-labels-idx1-ubyte "
            "(or the .gz / train-images.idx3-ubyte spellings)"
        )
    has_test = found[("t10k", "images")] is not None or found[("t10k", "labels")] is not None
    if has_test and None in (found[("t10k", "images")], found[("t10k", "labels")]):
        raise DataError(f"{folder}: found only one of the t10k image/label files; both are needed")
    files = {key: path for key, path in found.items() if path is not None}

    headers = {key: read_header(path) for key, path in files.items()}
    total = 0
    for prefix in ("train", "t10k") if has_test else ("train",):
        img, lab = headers[(prefix, "images")], headers[(prefix, "labels")]
        if len(img[1]) < 2:
            raise DataError(f"{files[(prefix, 'images')]}: images file has {len(img[1])} dimensions, expected 3")
        if len(lab[1]) != 1:
            raise DataError(f"{files[(prefix, 'labels')]}: labels file has {len(lab[1])} dimensions, expected 1")
        if img[1][0] != lab[1][0]:
            raise DataError(f"{folder}: {prefix} has {img[1][0]} images but {lab[1][0]} labels")
        total += math.prod(img[1])
    check_memory(total * 5, f"{folder} ({total:,} pixels)")

    x, y = _pair(files[("train", "images")], files[("train", "labels")])
    test = _pair(files[("t10k", "images")], files[("t10k", "labels")]) if has_test else None
    if test is not None and test[0].shape[1:] != x.shape[1:]:
        raise DataError(f"{folder}: t10k images are {test[0].shape[1:]}, train images {x.shape[1:]}")
    k = int(max(y.max(initial=0), test[1].max(initial=0) if test else 0)) + 1
    k = max(k, 10) if fashion or k <= 10 else k
    names = FASHION_CLASSES if fashion and k == 10 else [str(i) for i in range(k)]
    notes = [
        f"{'Fashion-MNIST' if fashion else 'IDX'}: {x.shape[0]} training images"
        + (f", {test[0].shape[0]} test images (t10k kept as the test set)" if test else ", no t10k files")
        + "; pixels scaled to [0, 1]"
    ]
    return RawData(x, y, "classification", class_names=names, test=test, is_image=True, notes=notes)


def find_idx_file(folder: str, prefix: str, kind: str) -> str | None:
    dims = 3 if kind == "images" else 1
    for name in (f"{prefix}-{kind}-idx{dims}-ubyte", f"{prefix}-{kind}.idx{dims}-ubyte"):
        for candidate in (name, name + ".gz"):
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                return path
    return None


def read_header(path: str) -> tuple[int, tuple[int, ...], int]:
    """(header length, dimensions, data length the dimensions promise); checks the magic number."""
    with _open(path) as f, as_data_error(), library_errors(path, "the file"):
        head = f.read(4)
        raw = f.read(4 * head[3]) if len(head) == 4 else b""
    if len(head) < 4 or head[0] != 0 or head[1] != 0:
        raise DataError(f"{path}: not an IDX file (bad magic number {head.hex() or 'empty'})")
    if head[2] != _UBYTE:
        raise DataError(f"{path}: IDX data type 0x{head[2]:02x} is not supported (only unsigned bytes, 0x08)")
    ndim = head[3]
    if not 1 <= ndim <= 4:
        raise DataError(f"{path}: IDX file with {ndim} dimensions is not supported")
    if len(raw) < 4 * ndim:
        raise DataError(f"{path}: truncated IDX header")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4"))
    return 4 + 4 * ndim, dims, math.prod(dims)  # Python integers: a product of four 32-bit sizes cannot wrap


def _pair(images_path: str, labels_path: str) -> tuple[np.ndarray, np.ndarray]:
    images = _payload(images_path)
    labels = _payload(labels_path)
    x = np.empty(images.shape, dtype=np.float32)
    np.multiply(images, np.float32(1 / 255), out=x)
    return x, labels.astype(np.int64)


def _payload(path: str) -> np.ndarray:
    """The data after the header; never more than the header's dimensions promise, even from a gzip bomb."""
    offset, dims, count = read_header(path)
    with _open(path) as f, as_data_error(), library_errors(path, "the file"):
        f.seek(offset)
        data = f.read(count + 1)
    shown = " × ".join(map(str, dims))
    if len(data) < count:
        raise DataError(
            f"{path}: truncated: the header promises {count} bytes of data ({shown}) but the file holds {len(data)}"
        )
    if len(data) > count:
        raise DataError(f"{path}: more bytes than the header's {shown}; the file is not a valid IDX file")
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


@contextlib.contextmanager
def _open(path: str) -> Iterator[IO[bytes]]:
    """The file (decompressed as it is read if it ends in .gz); only regular files within the memory cap."""
    with as_data_error():
        try:
            f = open_regular(path, MEMORY_CAP_BYTES)
        except Unreadable as e:
            raise Unreadable(e.problem, path) from None
        except OSError as e:
            raise DataError(f"{path}: {e.strerror or e}") from None
    with f:
        if not path.endswith(".gz"):
            yield f
            return
        with gzip.GzipFile(fileobj=f, mode="rb") as stream:
            yield cast(IO[bytes], stream)
