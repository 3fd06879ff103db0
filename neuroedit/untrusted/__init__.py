"""Reading bytes we do not trust: regular files of a capped size, zips and `.npy` headers checked first.

Pure Python + NumPy, shared by the file format (`neuroedit.io`) and data import (`neuroedit.data`),
each of which turns `Unreadable` into its own error. Library exceptions raised while parsing
(zipfile, zlib, bz2, lzma, NumPy's `.npy` format, csv) become `Unreadable` in one place:
`errors.library_errors`.
"""

from .errors import Unreadable, clip, library_errors, shorten
from .files import open_regular
from .npy import NpyHeader, read_array, read_header
from .zips import Archive, Limits

__all__ = [
    "Archive",
    "Limits",
    "NpyHeader",
    "Unreadable",
    "clip",
    "library_errors",
    "open_regular",
    "read_array",
    "read_header",
    "shorten",
]
