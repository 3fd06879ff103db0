"""Refuse to build data sets that would not fit in memory, before allocating them."""

from __future__ import annotations

import os

from .errors import DataError

# Upper bound for one data set regardless of the machine (tests may lower it).
MEMORY_CAP_BYTES = 16 * 1024**3


def available_bytes() -> int | None:
    """Memory the OS could give us now (MemAvailable on Linux), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def memory_limit() -> int:
    avail = available_bytes()
    return MEMORY_CAP_BYTES if avail is None else min(MEMORY_CAP_BYTES, avail // 2)


def check_memory(nbytes: int, what: str) -> None:
    """Raise DataError if `nbytes` exceeds half the available memory or the fixed cap."""
    limit = memory_limit()
    if nbytes > limit:
        raise DataError(
            f"{what} would need about {_human(nbytes)} of memory, more than the {_human(limit)} "
            "allowed (half the free memory, at most the fixed cap); use a smaller file or a class subset"
        )


def _human(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"
