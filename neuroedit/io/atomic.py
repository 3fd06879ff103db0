"""Atomic file replacement: write a temporary file beside the target, fsync it, then rename over.

A crash or error mid-save leaves the old file untouched and removes the temporary file. A save
killed outright cannot remove it: the next save to the folder removes such leftovers once they
are old enough that no save can still be writing them.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import time
from pathlib import Path

# `.NAME.<12 hex digits>.tmp`: the temporary files write_atomic makes, and nothing else.
_TEMPORARY = re.compile(r"\..+\.[0-9a-f]{12}\.tmp")
STALE_AFTER_S = 3600.0


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")  # matches _TEMPORARY
    # O_EXCL: never follow or reuse someone else's file; 0o666 lets the umask decide, like open().
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))  # keep the old file's permissions
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(target.parent)
    remove_stale_temporaries(target.parent)


def remove_stale_temporaries(folder: Path, now: float | None = None) -> list[Path]:
    """Delete this module's temporary files in `folder` untouched for STALE_AFTER_S (left by killed saves)."""
    now = time.time() if now is None else now
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not _TEMPORARY.fullmatch(entry.name):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_AFTER_S:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not possible on Windows, where it is skipped."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
