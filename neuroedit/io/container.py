"""The zips of the file format: the `.nedit` file and the `.npz` members inside it, read with limits.

The checks themselves live in `neuroedit.untrusted` (shared with data import); here they get
the format's limits, and their `Unreadable` becomes `LoadError`.
"""

from __future__ import annotations

import contextlib
import io
import time
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

from ..untrusted import Unreadable, zips
from ..untrusted.zips import GiB, Limits, MiB
from .errors import LoadError

NEDIT_LIMITS = Limits(max_members=32, max_member_bytes=2 * GiB)
JSON_MEMBER_BYTES = 16 * MiB
NPZ_LIMITS = Limits(max_members=16_384, max_member_bytes=2 * GiB)

NOT_A_NEDIT = "not a NeuroEdit file: it is not a zip archive"
NOT_AN_NPZ = "not a zip archive (.npz files are zips of .npy arrays)"


@contextlib.contextmanager
def as_load_error() -> Iterator[None]:
    """`Unreadable` from the shared readers, as the file format's LoadError."""
    try:
        yield
    except Unreadable as e:
        raise LoadError(e.problem, e.member) from None


class Archive(zips.Archive):
    """`neuroedit.untrusted.Archive` raising LoadError."""

    def __init__(self, fileobj: IO[bytes], limits: Limits, label: str | None = None, check_names: bool = True) -> None:
        with as_load_error():
            super().__init__(fileobj, limits, label, check_names, NOT_A_NEDIT if label is None else NOT_AN_NPZ)

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        with as_load_error():
            return super().read(name, max_bytes)

    def read_start(self, name: str, count: int) -> bytes:
        with as_load_error():
            return super().read_start(name, count)


def write_archive(members: dict[str, tuple[bytes, bool]], limits: Limits = NEDIT_LIMITS) -> bytes:
    """A zip holding `members` (name -> (bytes, compress)) in the given order.

    A member that would compress beyond what the reader accepts (e.g. a long repetitive
    description) is stored uncompressed instead, so that every written file reads back.
    """
    out = io.BytesIO()
    now = time.localtime()[:6]
    with zipfile.ZipFile(out, "w") as zf:
        for name, (data, compress) in members.items():
            if (
                compress
                and len(data) > limits.ratio_applies_above
                and limits.refuses_ratio(len(data), len(zlib.compress(data, wbits=-15)))
            ):
                compress = False
            method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info = zipfile.ZipInfo(name, date_time=now)
            info.external_attr = 0o644 << 16  # rw-r--r-- when unpacked with `unzip`
            zf.writestr(info, data, compress_type=method)
    return out.getvalue()
