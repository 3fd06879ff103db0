"""`.npy` members of a zip: the header is read and checked before any array data is decompressed.

Only the header's first bytes are inflated to learn the shape and dtype; the caller can then
compare them with what it expects (the graph's weight shapes, the memory a data set may take)
before `read_array` decompresses the data. Nothing is ever unpickled.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np

from .errors import Unreadable, library_errors, shorten
from .zips import Archive

_HEADER_BYTES = 10 + 65_536  # magic, version, length field and the longest header numpy reads
_MAX_NBYTES = 2**62  # any array whose extent reaches this is refused before NumPy sees its shape


@dataclass(frozen=True)
class NpyHeader:
    """What a `.npy` header declares."""

    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    data_offset: int  # header length: the array data starts here

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def read_header(archive: Archive, name: str, where: str | None = None) -> NpyHeader:
    """The checked header of member `name`: a real `.npy`, plain dtype, sane shape, sizes that add up.

    `where` names the array in messages (default: the archive's name for the member)."""
    where = where or archive.where(name)
    start = io.BytesIO(archive.read_start(name, _HEADER_BYTES))
    with library_errors(where, "the .npy header"):
        version = np.lib.format.read_magic(start)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(start)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(start)
        else:
            raise Unreadable(f".npy format version {version[0]}.{version[1]} is not supported", where)
    if dtype.hasobject:
        raise Unreadable(
            "holds Python objects (a pickled array); only plain arrays are allowed, "
            "and nothing in a file is ever unpickled",
            where,
        )
    if dtype.fields is not None or dtype.subdtype is not None or dtype.itemsize == 0:
        raise Unreadable(f"has the structured dtype {shorten(str(dtype))}; only plain arrays are allowed", where)
    extent = math.prod(max(int(d), 1) for d in shape) * dtype.itemsize
    if any(int(d) < 0 for d in shape) or extent >= _MAX_NBYTES:
        raise Unreadable(f"the header declares the impossible shape {shorten(tuple(shape))}", where)
    header = NpyHeader(tuple(int(d) for d in shape), dtype, bool(fortran), start.tell())
    size = archive.infos[name].file_size
    if header.data_offset + header.nbytes != size:
        raise Unreadable(
            f"header says shape {header.shape} of {dtype} ({header.nbytes:,} bytes) "
            f"but {size - header.data_offset:,} bytes follow",
            where,
        )
    return header


def read_array(archive: Archive, name: str, header: NpyHeader) -> np.ndarray:
    """The array of member `name` (whose `header` was checked), in native byte order."""
    raw = archive.read(name)
    flat = np.frombuffer(raw, dtype=header.dtype, count=math.prod(header.shape), offset=header.data_offset)
    if header.fortran_order:
        array = flat.reshape(header.shape[::-1]).transpose()
    else:
        array = flat.reshape(header.shape)
    return np.array(array, dtype=header.dtype.newbyteorder("="), order="C")  # a writable copy
