"""File references stored in `.nedit` files: relative path + size + SHA-256, so moves and edits show."""

from __future__ import annotations

import hashlib
import os

from .errors import DataError


def resolve_path(path: str, base_dir: str | None) -> str:
    """A spec path made absolute against the `.nedit` file's folder (or the working folder)."""
    path = os.path.expanduser(path)
    if os.path.isabs(path) or not base_dir:
        return os.path.abspath(path)
    return os.path.abspath(os.path.join(base_dir, path))


def relative_path(path: str, base_dir: str | None) -> str:
    """`path` relative to `base_dir` when that is possible (same drive), with forward slashes."""
    full = os.path.abspath(path)
    if base_dir:
        try:
            return os.path.relpath(full, os.path.abspath(base_dir)).replace(os.sep, "/")
        except ValueError:
            pass
    return full.replace(os.sep, "/")


def file_reference(path: str, base_dir: str | None = None) -> dict:
    """{"path": relative path, "size": bytes, "sha256": hex} for a file or an IDX folder."""
    full = resolve_path(path, base_dir)
    size, digest = _fingerprint(full)
    return {"path": relative_path(full, base_dir), "size": size, "sha256": digest}


def verify_reference(ref: dict, base_dir: str | None = None) -> str | None:
    """None when the referenced file is there unchanged, else a message saying what differs."""
    try:
        path = str(ref["path"])
    except (KeyError, TypeError):
        return "the data-set reference has no file path"
    full = resolve_path(path, base_dir)
    if not os.path.exists(full):
        return f"data file {path} not found (looked in {full}); was it moved or renamed?"
    try:
        size, digest = _fingerprint(full)
    except DataError as e:
        return str(e)
    if "size" in ref and int(ref["size"]) != size:
        return f"data file {path} has changed: {size} bytes now, {ref['size']} when the network was saved"
    if "sha256" in ref and ref["sha256"] != digest:
        return f"data file {path} has changed: its contents (SHA-256) differ from when the network was saved"
    return None


def _fingerprint(full: str) -> tuple[int, str]:
    """Size and SHA-256 of a file, or of a folder's files (names and contents, sorted)."""
    h = hashlib.sha256()
    try:
        if os.path.isdir(full):
            size = 0
            for name in sorted(os.listdir(full)):
                member = os.path.join(full, name)
                if os.path.isfile(member) and not name.startswith("."):
                    h.update(name.encode() + b"\0")
                    size += _hash_file(member, h)
            return size, h.hexdigest()
        return _hash_file(full, h), h.hexdigest()
    except OSError as e:
        raise DataError(f"{full}: {e.strerror or e}") from None


def _hash_file(path: str, h) -> int:
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size
