"""The check that a kernel module's literal codes are the numbers the vocabulary and the tape name."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any


def check(module: Mapping[str, Any], source: ModuleType, names: str) -> None:
    """Raise ImportError when one of `names` (space-separated) differs between `module` and `source`."""
    wrong = [n for n in names.split() if module[n] != getattr(source, n)]
    if wrong:
        raise ImportError(f"{module['__name__']}: {', '.join(wrong)} differ from {source.__name__}")
