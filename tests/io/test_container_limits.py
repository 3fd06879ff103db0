"""The zip reader's limits, exercised with small numbers (the real ones are 32 members, 16 MiB JSON, 2 GiB)."""

from __future__ import annotations

import io
import zipfile

import pytest
from nedit_helpers import zip_of

from neuroedit.io import LoadError
from neuroedit.io.container import NEDIT_LIMITS, NPZ_LIMITS, Archive, Limits

SMALL = Limits(max_members=3, max_member_bytes=100, max_total_bytes=150, max_ratio=4.0, ratio_applies_above=50)


def archive(members: dict[str, bytes], compression=zipfile.ZIP_STORED, limits=SMALL) -> Archive:
    return Archive(io.BytesIO(zip_of(members, compression)), limits)


def message(members, compression=zipfile.ZIP_STORED, limits=SMALL) -> str:
    with pytest.raises(LoadError) as info:
        archive(members, compression, limits)
    return str(info.value)


def test_real_limits():
    assert NEDIT_LIMITS.max_members == 32
    assert NEDIT_LIMITS.max_total_bytes == 2 * 1024**3
    assert NEDIT_LIMITS.max_ratio == 200 and NEDIT_LIMITS.ratio_applies_above == 1024**2
    assert NPZ_LIMITS.max_total_bytes == 2 * 1024**3


def test_within_limits_reads_back():
    a = archive({"a": b"x" * 100, "b": b"y" * 50})
    assert a.read("a") == b"x" * 100 and a.read("b") == b"y" * 50


def test_member_count():
    assert message({f"m{i}": b"" for i in range(4)}) == "the file holds 4 members; the limit is 3"


def test_member_size_from_header():
    assert message({"big": b"x" * 101}) == "member 'big' unpacks to 101 bytes; the limit is 100"


def test_total_size_from_headers():
    assert message({"a": b"x" * 100, "b": b"y" * 51}) == "the file unpacks to 151 bytes in all; the limit is 150"


def test_ratio_only_above_threshold():
    archive({"small": b"\0" * 50}, zipfile.ZIP_DEFLATED)  # 50 bytes: too small for the ratio rule
    assert message({"big": b"\0" * 100}, zipfile.ZIP_DEFLATED).startswith("member 'big' is compressed ")


def test_read_limit_per_call():
    a = archive({"a": b"x" * 80})
    with pytest.raises(LoadError, match="^a: unpacks to 80 bytes; the limit is 10$"):
        a.read("a", max_bytes=10)


def test_running_total_is_enforced_while_reading():
    """Even if headers were believed, the bytes actually read never exceed the total limit."""
    a = archive({"a": b"x" * 100, "b": b"y" * 50})
    a.read("a")
    a._read_total += 10  # as if a previous read had produced more than its header said
    with pytest.raises(LoadError, match="more bytes than its header declares or the limits allow"):
        a.read("b")


def test_member_count_is_checked_before_zipfile_parses_the_directory(monkeypatch):
    from neuroedit.io import container

    data = zip_of({f"m{i}": b"" for i in range(40)})

    def must_not_parse(*args, **kwargs):
        raise AssertionError("zipfile parsed an oversized directory")

    monkeypatch.setattr(container.zipfile, "ZipFile", must_not_parse)
    with pytest.raises(LoadError, match="^the file holds 40 members; the limit is 32$"):
        Archive(io.BytesIO(data), NEDIT_LIMITS)


def test_oversized_directory_is_refused():
    data = zip_of({("n" * 1000) + str(i): b"" for i in range(20)})
    with pytest.raises(
        LoadError, match=r"^the file.s zip directory is 20,\d{3} bytes, too large for 32 members at most$"
    ):
        Archive(io.BytesIO(data), NEDIT_LIMITS)


def test_zip64_directory_count_is_read(monkeypatch):
    """With a zip64 end record the 16-bit count says 0xFFFF; the real count (40) is read from the zip64 record."""
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 10)  # make zipfile write the zip64 end record
    data = bytearray(zip_of({f"m{i}": b"" for i in range(40)}))
    monkeypatch.undo()
    assert data[-22:-18] == b"PK\x05\x06" and data[-42:-38] == b"PK\x06\x07"
    data[-14:-10] = b"\xff\xff\xff\xff"  # entries on this disk / in total: "see the zip64 record"
    from neuroedit.io import container

    monkeypatch.setattr(container.zipfile, "ZipFile", None)  # the count must come from the pre-check
    with pytest.raises(LoadError, match="^weights.npz: the archive holds 40 members; the limit is 32$"):
        Archive(io.BytesIO(bytes(data)), NEDIT_LIMITS, label="weights.npz")
