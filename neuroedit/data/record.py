"""The `doc.dataset` record: the spec plus, for file data sets, a reference (path, size, SHA-256)."""

from __future__ import annotations

from .references import file_reference, verify_reference
from .spec import LOCATION_KINDS, format_spec, parse_spec

FILE_KINDS = tuple(k for k in LOCATION_KINDS if k != "sklearn")


def dataset_record(spec: str, base_dir: str | None = None) -> dict:
    """{"spec": canonical spec} plus {"file": file_reference(...)} for csv/npz/idx specs.

    Built-in sets need no file: they are regenerated from their parameters.
    """
    parsed = parse_spec(spec)
    record: dict = {"spec": format_spec(parsed)}
    if parsed.kind in FILE_KINDS:
        record["file"] = file_reference(parsed.location, base_dir)
    return record


def check_dataset_record(record: dict, base_dir: str | None = None) -> str | None:
    """None if the record's file (if any) is where and what it was when saved, else why not."""
    ref = record.get("file") if isinstance(record, dict) else None
    return verify_reference(ref, base_dir) if ref else None
