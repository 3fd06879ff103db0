"""Is a document's data set usable here? A cheap check (no data is read) for `validate` and the editor."""

from __future__ import annotations

import os

from .downloads import MissingDataset, resolve_idx_folder
from .errors import DataError
from .references import resolve_path
from .spec import parse_spec


def unavailable_reason(spec: str, base_dir: str | None) -> str | None:
    """None when the files `spec` needs are there (built-in sets need none); else why not, in one line."""
    try:
        parsed = parse_spec(spec)
    except DataError as e:
        return str(e)
    if parsed.kind not in ("csv", "npz", "idx"):
        return None
    path = resolve_path(parsed.location, base_dir)
    if parsed.kind == "idx":
        try:
            path = resolve_idx_folder(parsed.location, path)
        except MissingDataset as e:
            return str(e)
        return None if os.path.isdir(path) else f"data folder {parsed.location} not found (looked in {path})"
    return None if os.path.isfile(path) else f"data file {parsed.location} not found (looked in {path})"
