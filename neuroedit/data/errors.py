"""The one exception type for data problems: a user-facing message saying what and where."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ..untrusted import Unreadable, clip

_MAX_MESSAGE = 1000  # a hostile file must not make a message megabytes long


class DataError(ValueError):
    """A data set cannot be built: bad spec, unreadable file, bad cell, too large, ..."""

    def __init__(self, message: str) -> None:
        super().__init__(clip(message, _MAX_MESSAGE))


@contextlib.contextmanager
def as_data_error() -> Iterator[None]:
    """`Unreadable` from the shared file readers (zips, `.npy` headers, capped reads) as DataError."""
    try:
        yield
    except Unreadable as e:
        raise DataError(str(e)) from None
