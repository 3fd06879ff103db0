"""Typed access to spec options with messages that name the option and the allowed values."""

from __future__ import annotations

from typing import overload

from .errors import DataError


class Options:
    """Reads the options of one spec; `where` starts every message (e.g. "data set spiral:n=x")."""

    def __init__(self, options: dict[str, str], where: str) -> None:
        self._options = dict(options)
        self._where = where

    def has(self, key: str) -> bool:
        return key in self._options

    @overload
    def text(self, key: str, default: str) -> str: ...
    @overload
    def text(self, key: str, default: None = None) -> str | None: ...
    def text(self, key: str, default: str | None = None) -> str | None:
        return self._options.get(key, default)

    @overload
    def integer(self, key: str, default: int, lo: int | None = None, hi: int | None = None) -> int: ...
    @overload
    def integer(self, key: str, default: None, lo: int | None = None, hi: int | None = None) -> int | None: ...
    def integer(self, key: str, default: int | None, lo: int | None = None, hi: int | None = None) -> int | None:
        raw = self.text(key)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise DataError(f"{self._where}: {key}={raw!r} is not a whole number") from None
        self._check_range(key, value, lo, hi)
        return value

    def number(self, key: str, default: float, lo: float | None = None, hi: float | None = None) -> float:
        raw = self.text(key)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise DataError(f"{self._where}: {key}={raw!r} is not a number") from None
        if value != value:
            raise DataError(f"{self._where}: {key} must be a number, not NaN")
        self._check_range(key, value, lo, hi)
        return value

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        raw = self.text(key)
        if raw is None:
            return default
        value = raw.lower()
        if value not in choices:
            raise DataError(f"{self._where}: {key}={raw!r}; choose one of {', '.join(choices)}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        raw = self.text(key)
        if raw is None:
            return default
        value = raw.lower()
        if value in ("1", "yes", "true", "on"):
            return True
        if value in ("0", "no", "false", "off"):
            return False
        raise DataError(f"{self._where}: {key}={raw!r}; use 1 or 0")

    def check_known(self, allowed: set[str]) -> None:
        """Reject options this source does not understand, naming the ones it does."""
        unknown = sorted(set(self._options) - allowed)
        if unknown:
            raise DataError(
                f"{self._where}: unknown option {', '.join(unknown)} (options here: {', '.join(sorted(allowed))})"
            )

    def _check_range(self, key: str, value: float, lo: float | None, hi: float | None) -> None:
        if lo is not None and value < lo:
            raise DataError(f"{self._where}: {key}={value:g} is too small (at least {lo:g})")
        if hi is not None and value > hi:
            raise DataError(f"{self._where}: {key}={value:g} is too large (at most {hi:g})")
