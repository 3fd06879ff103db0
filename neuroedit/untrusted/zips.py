"""Zip archives with limits: member count, sizes and compression ratio are checked before and while reading.

Both the `.nedit` file and the `.npz` files (inside it, or imported as data) are zips; all go
through `Archive`, so a zip bomb is stopped wherever it hides.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass
from typing import IO

from .errors import Unreadable, library_errors, shorten

MiB = 1024 * 1024
GiB = 1024 * MiB

_DIRECTORY_BYTES_PER_MEMBER = 512  # a central-directory record with a generous name; ours are < 200 bytes


@dataclass(frozen=True)
class Limits:
    """What one archive may hold; sizes are uncompressed bytes."""

    max_members: int
    max_member_bytes: int
    max_total_bytes: int = 2 * GiB
    max_ratio: float = 200.0
    ratio_applies_above: int = 1 * MiB

    def refuses_ratio(self, file_size: int, compress_size: int) -> bool:
        """True for a member the reader refuses as a possible zip bomb (writers use it to stay readable)."""
        return file_size > self.ratio_applies_above and file_size > self.max_ratio * max(compress_size, 1)


def _bad_name(name: str) -> str | None:
    """Why a member name is refused (path traversal and friends), or None."""
    if not name or "\x00" in name:
        return "is empty or holds a NUL character"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    if "\\" in name:
        return "holds a backslash"
    if ".." in name.split("/"):
        return "points outside the archive (..)"
    return None


def _check_directory(fileobj: IO[bytes], limits: Limits, label: str | None) -> None:
    """Refuse an oversized central directory before zipfile parses it (it would build one object per record).

    Reads the end-of-central-directory record (and its zip64 form) the way zipfile does; anything
    unreadable here is left for zipfile to report as a damaged archive.
    """
    try:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        tail_len = min(size, 22 + 65_535)
        fileobj.seek(size - tail_len)
        tail = fileobj.read(tail_len)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return
        entries, directory_bytes = struct.unpack_from("<xxxxxxxxxxHI", tail, at)
        if at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
            (offset,) = struct.unpack_from("<Q", tail, at - 12)
            fileobj.seek(offset)
            record = fileobj.read(56)
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                entries, directory_bytes = struct.unpack_from("<QQ", record, 32)
    except (OSError, ValueError, OverflowError, struct.error):
        return
    finally:
        fileobj.seek(0)
    if entries > limits.max_members:
        raise Unreadable(f"{_subject(label)} holds {entries} members; the limit is {limits.max_members}", label)
    if directory_bytes > limits.max_members * _DIRECTORY_BYTES_PER_MEMBER:
        raise Unreadable(
            f"{_subject(label)}'s zip directory is {directory_bytes:,} bytes, too large for "
            f"{limits.max_members} members at most",
            label,
        )


def _subject(label: str | None) -> str:
    return "the file" if label is None else "the archive"


def _starts_like_a_zip(fileobj: IO[bytes]) -> bool:
    try:
        fileobj.seek(0)
        return fileobj.read(2) == b"PK"
    except (OSError, ValueError):
        return False


class Archive:
    """A zip opened for reading; the member table has been checked against `limits`.

    `label` names this archive in messages when it is itself a member (e.g. `weights.npz`);
    `not_a_zip` is the message for bytes that are not a zip at all.
    """

    def __init__(
        self,
        fileobj: IO[bytes],
        limits: Limits,
        label: str | None = None,
        check_names: bool = True,
        not_a_zip: str = "not a zip archive",
    ) -> None:
        self.label = label
        self.limits = limits
        _check_directory(fileobj, limits, label)
        try:
            with library_errors(label, "the zip archive"):
                self._zip = zipfile.ZipFile(fileobj)
                infos = self._zip.infolist()
        except Unreadable as e:
            if not _starts_like_a_zip(fileobj):
                raise Unreadable(not_a_zip, label) from None
            raise Unreadable(e.problem.replace("is damaged", "is truncated or damaged", 1), label) from None
        if len(infos) > limits.max_members:
            raise Unreadable(f"{_subject(label)} holds {len(infos)} members; the limit is {limits.max_members}", label)
        self.infos: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            shown = shorten(name)
            if check_names:
                why = _bad_name(name)
                if why:
                    raise Unreadable(f"member name {shown} {why}", label)
            if name in self.infos:
                raise Unreadable(f"member {shown} appears twice", label)
            if info.flag_bits & 0x1:
                raise Unreadable(f"member {shown} is encrypted", label)
            if info.file_size > limits.max_member_bytes:
                raise Unreadable(
                    f"member {shown} unpacks to {info.file_size:,} bytes; the limit is {limits.max_member_bytes:,}",
                    label,
                )
            if limits.refuses_ratio(info.file_size, info.compress_size):
                ratio = info.file_size / max(info.compress_size, 1)
                raise Unreadable(
                    f"member {shown} is compressed {ratio:,.0f}:1 (limit {limits.max_ratio:g}:1 for "
                    f"members over {limits.ratio_applies_above // MiB} MiB); refusing a possible zip bomb",
                    label,
                )
            total += info.file_size
            self.infos[name] = info
        if total > limits.max_total_bytes:
            raise Unreadable(
                f"{_subject(label)} unpacks to {total:,} bytes in all; the limit is {limits.max_total_bytes:,}", label
            )
        self._read_total = 0

    @property
    def names(self) -> list[str]:
        return list(self.infos)

    def where(self, name: str) -> str:
        """How messages name a member: `weights.npz: dense_1/kernel.npy` for a nested archive."""
        return name if self.label is None else f"{self.label}: {name}"

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """The member's bytes, stopping as soon as it grows past its declared size or any limit."""
        info = self.infos[name]
        where = self.where(name)
        limit = self.limits.max_member_bytes if max_bytes is None else max_bytes
        if info.file_size > limit:
            raise Unreadable(f"unpacks to {info.file_size:,} bytes; the limit is {limit:,}", where)
        allowed = min(limit, info.file_size, self.limits.max_total_bytes - self._read_total)
        with library_errors(where, "member"), self._zip.open(info) as f:
            data = f.read(allowed + 1)  # never more than one byte past what is allowed
        if len(data) > allowed:
            raise Unreadable(
                "unpacks to more bytes than its header declares or the limits allow; refusing a possible zip bomb",
                where,
            )
        if len(data) != info.file_size:
            raise Unreadable(f"member is truncated: {len(data):,} of {info.file_size:,} bytes", where)
        self._read_total += len(data)
        return data

    def read_start(self, name: str, count: int) -> bytes:
        """At most the first `count` bytes of a member (e.g. a header), decompressing no more than that."""
        with library_errors(self.where(name), "member"), self._zip.open(self.infos[name]) as f:
            return f.read(min(count, self.infos[name].file_size))
