"""Open only regular files no larger than the caller allows.

A path may name a FIFO (opening it would block until a writer comes), a device such as /dev/zero
(endless bytes) or a folder; all are refused before any byte is read.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from .errors import Unreadable

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def open_regular(path: str | os.PathLike[str], max_bytes: int) -> BinaryIO:
    """`path` opened for binary reading; Unreadable if it is not a regular file or holds over `max_bytes`.

    FileNotFoundError and PermissionError pass through (callers report them as they always have).
    O_NONBLOCK makes opening a FIFO return at once so that it can be refused instead of blocking.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((word for test, word in _KINDS if test(info.st_mode)), "a special file")
            raise Unreadable(f"is {kind}, not a regular file")
        if info.st_size > max_bytes:
            raise Unreadable(f"the file is {info.st_size:,} bytes; the limit is {max_bytes:,}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
