"""`Unreadable`, and the one place where the parsing libraries' own exceptions are converted into it."""

from __future__ import annotations

import contextlib
import csv
import lzma
import struct
import tokenize
import zipfile
import zlib
from collections.abc import Iterator

# What zipfile, zlib, bz2, lzma, gzip, csv and numpy.lib.format raise for damaged or unsupported input.
# ValueError covers e.g. "negative seek value" and bad .npy headers; NotImplementedError a zip version or
# compression method zipfile does not know; RuntimeError an encrypted member; OverflowError absurd sizes.
# NumPy parses a .npy header with Python's tokenizer and ast: SyntaxError, tokenize.TokenError.
_LIBRARY_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    csv.Error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    KeyError,
    IndexError,
    TypeError,
    MemoryError,
    SyntaxError,
    tokenize.TokenError,
)

MAX_SHOWN = 80  # characters of a hostile value that a message repeats


class Unreadable(ValueError):
    """Bytes that cannot be read safely; `member` names the part of the file (None: the file itself)."""

    def __init__(self, problem: str, member: str | None = None) -> None:
        self.problem = problem
        self.member = member
        super().__init__(f"{member}: {problem}" if member else problem)


def shorten(value: object, limit: int = MAX_SHOWN) -> str:
    """`repr(value)`, cut in the middle when long, so that a 1 MB name cannot make a 1 MB message."""
    try:
        text = repr(value)
    except ValueError:  # an integer with more digits than Python prints
        return f"a {type(value).__name__} too long to print"
    return clip(text, limit)


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """`text` cut in the middle when longer than `limit` characters."""
    if len(text) <= limit:
        return text
    keep = (limit - 5) // 2
    return f"{text[:keep]} ... {text[-keep:]}"


def _describe(error: BaseException) -> str:
    if isinstance(error, NotImplementedError):
        kind = "uses a zip feature that cannot be read"
    elif isinstance(error, RuntimeError) and "encrypted" in str(error):
        kind = "is encrypted"
    elif isinstance(error, MemoryError):
        kind = "is too large to read"
    else:
        kind = "is damaged"
    name = type(error).__name__
    if name in ("error", "Error"):  # zlib.error, csv.Error: only the module says which library failed
        name = f"{type(error).__module__.lstrip('_')}.{name}"
    detail = " ".join(str(error).split())
    detail = detail if len(detail) <= MAX_SHOWN else detail[: MAX_SHOWN - 3] + "..."
    return f"{kind} ({name}: {detail})" if detail else f"{kind} ({name})"


@contextlib.contextmanager
def library_errors(member: str | None, subject: str = "the data") -> Iterator[None]:
    """Run a parsing step; any library exception it raises becomes `Unreadable("<subject> is damaged (...)")`."""
    try:
        yield
    except Unreadable:
        raise
    except _LIBRARY_ERRORS as e:
        raise Unreadable(f"{subject} {_describe(e)}", member) from None
