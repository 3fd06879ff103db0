"""The `.nedit` file format: a zip of JSON and NumPy members, saved atomically, loaded with full validation.

    from neuroedit.io import save, load
    save(doc, "net.nedit")          # atomic; the old file survives any failure
    doc = load("net.nedit")         # LoadError names the member, the place and the problem

`to_bytes`/`from_bytes` do the same in memory (autosave, recovery, clipboard).
Saving does not mark the document clean; the caller decides (autosave must not).
See docs/file-format.md for the layout.
"""

from __future__ import annotations

import os

from ..model.document import Document
from .atomic import write_atomic
from .errors import LoadError, SaveError
from .migrations import FORMAT_NAME, FORMAT_VERSION
from .nedit import from_bytes, load_path, to_bytes


def save(doc: Document, path: str | os.PathLike[str]) -> None:
    """Write `doc` to `path` atomically (temporary file beside it, fsync, rename)."""
    write_atomic(path, to_bytes(doc))


def load(path: str | os.PathLike[str]) -> Document:
    """Read a `.nedit` file; LoadError if it is not a valid one (or not a regular file: a FIFO, a device,
    a folder), OSError if it cannot be opened (missing, no permission)."""
    return load_path(path)


__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "LoadError", "SaveError", "from_bytes", "load", "save", "to_bytes"]
