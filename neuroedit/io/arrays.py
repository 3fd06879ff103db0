"""`.npz` members: numeric arrays keyed by name, read without unpickling and checked before use.

Each `.npy` header is read and checked first (`neuroedit.untrusted.npy`): numbers only, never
objects, and a shape that matches the bytes that follow, so a lying header cannot make us
allocate terabytes; the caller may also refuse the array from its header before it is inflated.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np

from ..untrusted import NpyHeader, clip, read_array, read_header, shorten
from .container import NPZ_LIMITS, Archive, as_load_error, write_archive
from .errors import LoadError, SaveError

FLOAT_KINDS = "f"  # weights: float16/32/64
NUMERIC_KINDS = "fiub"  # optimizer state may also hold counters (ints, bools)

_KIND_WORDS = {
    FLOAT_KINDS: "floating-point (float16, float32 or float64)",
    NUMERIC_KINDS: "numeric (float, int, uint or bool)",
}


def write_npz(arrays: dict[str, np.ndarray], member: str, kinds: str) -> bytes:
    """An uncompressed `.npz` (so large all-zero arrays are not mistaken for zip bombs when read back)."""
    members = {}
    for key, value in arrays.items():
        array = np.asarray(value)
        _check_for_save(array, f"{member}: {key}", kinds)
        buf = io.BytesIO()
        np.lib.format.write_array(buf, array, allow_pickle=False)
        members[key + ".npy"] = (buf.getvalue(), False)
    return write_archive(members, NPZ_LIMITS)


def _allowed(dtype: np.dtype, kinds: str) -> bool:
    """Plain numbers of at most 8 bytes (no float128 or complex: the budget and the engine assume so)."""
    return not dtype.hasobject and dtype.fields is None and dtype.kind in kinds and dtype.itemsize <= 8


def _check_for_save(array: np.ndarray, where: str, kinds: str) -> None:
    if not _allowed(array.dtype, kinds):
        raise SaveError(f"{where}: dtype {array.dtype} cannot be saved; arrays must be {_KIND_WORDS[kinds]}")
    bad = _first_non_finite(array)
    if bad is not None:
        index, value = bad
        raise SaveError(f"{where}: holds {value} at index {index}; reset or retrain the weights before saving")


def read_npz(
    raw: bytes, member: str, kinds: str, expect: Callable[[str, NpyHeader], None] | None = None
) -> dict[str, np.ndarray]:
    """All arrays of an `.npz` member, keyed by name without `.npy`; finite, of the allowed kinds.

    `expect(key, header)` may refuse an array (LoadError) from its header alone, before its data is
    decompressed: a lying file then costs no more memory than the document can need.
    """
    archive = Archive(io.BytesIO(raw), NPZ_LIMITS, label=member, check_names=False)
    arrays: dict[str, np.ndarray] = {}
    for name in archive.names:
        if not name.endswith(".npy") or name == ".npy":
            raise LoadError(f"member {shorten(name)} is not a .npy array", member)
        key = name[:-4]
        with as_load_error():
            header = read_header(archive, name, f"{member}: {clip(key)}")
        if not _allowed(header.dtype, kinds):
            raise LoadError(f"has dtype {header.dtype}; arrays must be {_KIND_WORDS[kinds]}", member, clip(key))
        if expect is not None:
            expect(key, header)
        with as_load_error():
            array = read_array(archive, name, header)
        bad = _first_non_finite(array)
        if bad is not None:
            index, value = bad
            raise LoadError(f"holds {value} at index {index}; arrays must hold finite numbers", member, clip(key))
        arrays[key] = array
    return arrays


def _first_non_finite(array: np.ndarray) -> tuple[tuple[int, ...], str] | None:
    if array.dtype.kind != "f" or array.size == 0:
        return None
    finite = np.isfinite(array)
    if finite.all():
        return None
    index = tuple(int(i) for i in np.argwhere(~finite)[0])
    value = array[index]
    return index, ("NaN" if np.isnan(value) else ("Infinity" if value > 0 else "-Infinity"))
