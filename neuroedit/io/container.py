"""Zip archives with limits: member count, sizes and compression ratio are checked before and while reading.

Both the `.nedit` file and the `.npz` files inside it are zips; both go through `Archive`,
so a zip bomb hidden in `weights.npz` is stopped like one in the outer file.
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

from .errors import LoadError

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """What one archive may hold; sizes are uncompressed bytes."""

    max_members: int
    max_member_bytes: int
    max_total_bytes: int = 2 * GiB
    max_ratio: float = 200.0
    ratio_applies_above: int = 1 * MiB


NEDIT_LIMITS = Limits(max_members=32, max_member_bytes=2 * GiB)
JSON_MEMBER_BYTES = 16 * MiB
NPZ_LIMITS = Limits(max_members=16_384, max_member_bytes=2 * GiB)

_DIRECTORY_BYTES_PER_MEMBER = 512  # a central-directory record with a generous name; ours are < 200 bytes


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
        if at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":
            (offset,) = struct.unpack_from("<Q", tail, at - 12)
            fileobj.seek(offset)
            record = fileobj.read(56)
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                entries, directory_bytes = struct.unpack_from("<QQ", record, 32)
    except (OSError, ValueError, struct.error):
        return
    finally:
        fileobj.seek(0)
    if entries > limits.max_members:
        raise LoadError(f"{_subject(label)} holds {entries} members; the limit is {limits.max_members}", label)
    if directory_bytes > limits.max_members * _DIRECTORY_BYTES_PER_MEMBER:
        raise LoadError(f"{_subject(label)}'s zip directory is {directory_bytes:,} bytes, too large for "
                        f"{limits.max_members} members at most", label)


def _subject(label: str | None) -> str:
    return "the file" if label is None else "the archive"


def _not_a_zip(fileobj: IO[bytes], error: Exception, label: str | None) -> str:
    try:
        fileobj.seek(0)
        head = fileobj.read(4)
    except OSError:
        head = b""
    if head.startswith(b"PK"):
        return f"the zip archive is truncated or damaged ({error})"
    if label is None:
        return "not a NeuroEdit file: it is not a zip archive"
    return "not a zip archive (.npz files are zips of .npy arrays)"


class Archive:
    """A zip opened for reading; the member table has been checked against `limits`."""

    def __init__(self, fileobj: IO[bytes], limits: Limits, label: str | None = None,
                 check_names: bool = True) -> None:
        self.label = label  # the member this archive is, for nested archives; None for the file itself
        self.limits = limits
        _check_directory(fileobj, limits, label)
        try:
            self._zip = zipfile.ZipFile(fileobj)
            infos = self._zip.infolist()
        except zipfile.BadZipFile as e:
            raise LoadError(_not_a_zip(fileobj, e, label), label) from None
        except (OSError, EOFError, ValueError) as e:
            raise LoadError(f"damaged zip archive ({e})", label) from None
        if len(infos) > limits.max_members:
            raise LoadError(f"{_subject(label)} holds {len(infos)} members; the limit is {limits.max_members}",
                            label)
        self.infos: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            if check_names:
                why = _bad_name(name)
                if why:
                    raise LoadError(f"member name {name!r} {why}", label)
            if name in self.infos:
                raise LoadError(f"member {name!r} appears twice", label)
            if info.flag_bits & 0x1:
                raise LoadError(f"member {name!r} is encrypted", label)
            if info.file_size > limits.max_member_bytes:
                raise LoadError(f"member {name!r} unpacks to {info.file_size:,} bytes; "
                                f"the limit is {limits.max_member_bytes:,}", label)
            if info.file_size > limits.ratio_applies_above and \
                    info.file_size > limits.max_ratio * max(info.compress_size, 1):
                ratio = info.file_size / max(info.compress_size, 1)
                raise LoadError(f"member {name!r} is compressed {ratio:,.0f}:1 (limit {limits.max_ratio:g}:1 for "
                                f"members over {limits.ratio_applies_above // MiB} MiB); refusing a possible zip bomb",
                                label)
            total += info.file_size
            self.infos[name] = info
        if total > limits.max_total_bytes:
            raise LoadError(f"{_subject(label)} unpacks to {total:,} bytes in all; "
                            f"the limit is {limits.max_total_bytes:,}", label)
        self._read_total = 0

    @property
    def names(self) -> list[str]:
        return list(self.infos)

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """The member's bytes, stopping as soon as it grows past its declared size or any limit."""
        info = self.infos[name]
        where = name if self.label is None else f"{self.label}: {name}"
        limit = self.limits.max_member_bytes if max_bytes is None else max_bytes
        if info.file_size > limit:
            raise LoadError(f"unpacks to {info.file_size:,} bytes; the limit is {limit:,}", where)
        allowed = min(limit, info.file_size, self.limits.max_total_bytes - self._read_total)
        try:
            with self._zip.open(info) as f:
                data = f.read(allowed + 1)  # never more than one byte past what is allowed
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
            raise LoadError(f"damaged member ({e})", where) from None
        except NotImplementedError as e:
            raise LoadError(f"unsupported zip feature ({e})", where) from None
        if len(data) > allowed:
            raise LoadError("unpacks to more bytes than its header declares or the limits allow; "
                            "refusing a possible zip bomb", where)
        if len(data) != info.file_size:
            raise LoadError(f"member is truncated: {len(data):,} of {info.file_size:,} bytes", where)
        self._read_total += len(data)
        return data


def write_archive(members: dict[str, tuple[bytes, bool]]) -> bytes:
    """A zip holding `members` (name -> (bytes, compress)) in the given order."""
    out = io.BytesIO()
    now = time.localtime()[:6]
    with zipfile.ZipFile(out, "w") as zf:
        for name, (data, compress) in members.items():
            method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info = zipfile.ZipInfo(name, date_time=now)
            info.external_attr = 0o644 << 16  # rw-r--r-- when unpacked with `unzip`
            zf.writestr(info, data, compress_type=method)
    return out.getvalue()
