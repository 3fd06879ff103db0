"""Declared parameters: one description drives validation, defaults, files and the GUI inspector."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

ParamKind = Literal["int", "float", "bool", "choice", "shape", "str"]


class ParamError(ValueError):
    """A parameter value that its declaration does not allow; the message says why."""


@dataclass(frozen=True)
class ParamSpec:
    """How one parameter of a node type (or of the training settings) may be set.

    `relevant_when` names another parameter and the values for which this one
    matters (e.g. `momentum` only for the momentum optimizers); the inspector
    hides it otherwise, validation still checks it.
    """

    name: str
    kind: ParamKind
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    choices: tuple[str, ...] = ()
    relevant_when: tuple[str, tuple[Any, ...]] | None = None
    structural: bool = True
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def is_relevant(self, params: dict[str, Any]) -> bool:
        if self.relevant_when is None:
            return True
        other, values = self.relevant_when
        return params.get(other) in values

    def range_text(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        parts = []
        if self.minimum is not None:
            parts.append(("> " if self.min_exclusive else ">= ") + _fmt(self.minimum))
        if self.maximum is not None:
            parts.append(("< " if self.max_exclusive else "<= ") + _fmt(self.maximum))
        return " and ".join(parts)

    def check(self, value: Any) -> Any:
        """Return `value` in canonical form, or raise ParamError saying what was expected."""
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise ParamError(f"expected true or false, got {_show(value)}")
        if self.kind == "str":
            if isinstance(value, str):
                return value
            raise ParamError(f"expected a string, got {_show(value)}")
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            raise ParamError(f"expected one of {', '.join(self.choices)}; got {_show(value)}")
        if self.kind == "shape":
            return check_shape(value)
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    raise ParamError(f"expected an integer, got {_show(value)}")
            self._check_range(value, "an integer")
            return int(value)
        if self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ParamError(f"expected a number, got {_show(value)}")
            value = float(value)
            if not math.isfinite(value):
                raise ParamError(f"expected a finite number, got {_show(value)}")
            self._check_range(value, "a number")
            return value
        raise AssertionError(self.kind)

    def _check_range(self, value: float, word: str) -> None:
        too_low = self.minimum is not None and (value <= self.minimum if self.min_exclusive else value < self.minimum)
        too_high = self.maximum is not None and (value >= self.maximum if self.max_exclusive else value > self.maximum)
        if too_low and word == "an integer" and self.minimum in (0, 1) and not self.min_exclusive:
            raise ParamError(
                f"expected a {'positive' if self.minimum == 1 else 'non-negative'} integer, got {_show(value)}"
            )
        if too_low or too_high:
            raise ParamError(f"expected {word} {self.range_text()}, got {_show(value)}")


@dataclass(frozen=True)
class PortSpec:
    """A named input or output of a node type."""

    name: str
    description: str = ""


def check_shape(value: Any) -> tuple[int, ...]:
    """A per-sample shape: a non-empty list of positive integers (batch axis excluded)."""
    if (
        isinstance(value, (list, tuple))
        and value
        and all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in value)
    ):
        if len(value) > 4:
            raise ParamError(f"expected at most 4 dimensions, got {len(value)}")
        total = 1
        for d in value:
            total *= d
        if total > 100_000_000:
            raise ParamError(f"shape {tuple(value)} has {total:,} values per sample; the limit is 100,000,000")
        return tuple(value)
    raise ParamError(f"expected a shape such as [2] or [28, 28] (positive integers), got {_show(value)}")


def defaults(specs: tuple[ParamSpec, ...]) -> dict[str, Any]:
    return {s.name: s.default for s in specs}


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
