"""`.npz` members: numeric arrays keyed by name, read without unpickling and checked before use.

Each `.npy` inside is read with `np.load(..., allow_pickle=False)` after its header has been
checked by hand: dtype (numbers only, never objects) and that the header's shape matches the
bytes that follow, so a lying header cannot make us allocate terabytes.
"""

from __future__ import annotations

import io
import numpy as np

from .container import NPZ_LIMITS, Archive, write_archive
from .errors import LoadError, SaveError

FLOAT_KINDS = "f"  # weights: float16/32/64
NUMERIC_KINDS = "fiub"  # optimizer state may also hold counters (ints, bools)

_KIND_WORDS = {FLOAT_KINDS: "floating-point (float16, float32 or float64)",
               NUMERIC_KINDS: "numeric (float, int, uint or bool)"}


def write_npz(arrays: dict[str, np.ndarray], member: str, kinds: str) -> bytes:
    """An uncompressed `.npz` (so large all-zero arrays are not mistaken for zip bombs when read back)."""
    members = {}
    for key, value in arrays.items():
        array = np.asarray(value)
        _check_for_save(array, f"{member}: {key}", kinds)
        buf = io.BytesIO()
        np.lib.format.write_array(buf, array, allow_pickle=False)
        members[key + ".npy"] = (buf.getvalue(), False)
    return write_archive(members)


def _check_for_save(array: np.ndarray, where: str, kinds: str) -> None:
    if array.dtype.hasobject or array.dtype.kind not in kinds or array.dtype.fields is not None:
        raise SaveError(f"{where}: dtype {array.dtype} cannot be saved; arrays must be {_KIND_WORDS[kinds]}")
    bad = _first_non_finite(array)
    if bad is not None:
        index, value = bad
        raise SaveError(f"{where}: holds {value} at index {index}; reset or retrain the weights before saving")


def read_npz(raw: bytes, member: str, kinds: str) -> dict[str, np.ndarray]:
    """All arrays of an `.npz` member, keyed by name without `.npy`; finite, of the allowed kinds."""
    archive = Archive(io.BytesIO(raw), NPZ_LIMITS, label=member, check_names=False)
    arrays: dict[str, np.ndarray] = {}
    for name in archive.names:
        if not name.endswith(".npy") or name == ".npy":
            raise LoadError(f"member {name!r} is not a .npy array", member)
        key = name[:-4]
        arrays[key] = read_npy(archive.read(name), member, key, kinds)
    return arrays


def read_npy(raw: bytes, member: str, key: str, kinds: str) -> np.ndarray:
    f = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise LoadError(f".npy format version {version[0]}.{version[1]} is not supported", member, key)
    except LoadError:
        raise
    except Exception as e:  # numpy raises ValueError for a bad magic string or header
        raise LoadError(f"not a valid .npy array ({e})", member, key) from None
    if dtype.hasobject:
        raise LoadError("holds Python objects (a pickled array); only numeric arrays are allowed, "
                        "and nothing in a file is ever unpickled", member, key)
    if dtype.kind not in kinds or dtype.fields is not None:
        raise LoadError(f"has dtype {dtype}; arrays must be {_KIND_WORDS[kinds]}", member, key)
    expected = int(np.prod(shape, dtype=object)) * dtype.itemsize
    present = len(raw) - f.tell()
    if present != expected:
        raise LoadError(f"header says shape {tuple(shape)} of {dtype} ({expected:,} bytes) "
                        f"but {present:,} bytes follow", member, key)
    try:
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except ValueError as e:
        raise LoadError(f"cannot be read ({e})", member, key) from None
    bad = _first_non_finite(array)
    if bad is not None:
        index, value = bad
        raise LoadError(f"holds {value} at index {index}; arrays must hold finite numbers", member, key)
    return array


def _first_non_finite(array: np.ndarray) -> tuple[tuple[int, ...], str] | None:
    if array.dtype.kind != "f" or array.size == 0:
        return None
    finite = np.isfinite(array)
    if finite.all():
        return None
    index = tuple(int(i) for i in np.argwhere(~finite)[0])
    value = array[index]
    return index, ("NaN" if np.isnan(value) else ("Infinity" if value > 0 else "-Infinity"))

