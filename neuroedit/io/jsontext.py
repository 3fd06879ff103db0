"""Strict JSON reading: UTF-8, no NaN/Infinity, no duplicate keys; syntax errors give line and column."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..untrusted import clip, shorten
from .errors import LoadError, SaveError


class _Rejected(Exception):
    """Raised from inside the JSON parser's hooks (not a ValueError, so the parser cannot swallow it)."""


def _reject_constant(name: str) -> Any:
    raise _Rejected(f"{name} is not allowed: numbers must be finite")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Rejected(f"the number {text} is too large")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Rejected(f"the key {shorten(key)} appears twice in one object")
        result[key] = value
    return result


def parse_json(raw: bytes, member: str) -> Any:
    """Parse a JSON member; any problem becomes a LoadError naming the member (and line/column if known)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LoadError(f"not UTF-8 text (bad byte at offset {e.start})", member) from None
    try:
        value = json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite_float, object_pairs_hook=_no_duplicates
        )
    except json.JSONDecodeError as e:
        raise LoadError(f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}", member) from None
    except _Rejected as e:
        raise LoadError(f"invalid JSON: {e}", member) from None
    except RecursionError:
        raise LoadError("invalid JSON: nested too deeply", member) from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        raise LoadError(f"invalid JSON: {clip(str(e))}", member) from None
    if _SURROGATE_ESCAPE.search(text):  # only a \\uD800-\\uDFFF escape can make a lone surrogate
        where = _lone_surrogate(value, "")
        if where is not None:
            raise LoadError(
                "text holds a lone surrogate escape (\\uD800-\\uDFFF without its pair), which is not valid Unicode",
                member,
                where or None,
            )
    return value


MAX_FREE_FORM_DEPTH = 64  # nesting of free-form objects (dataset, view, history); saving recurses per level


def check_depth(value: Any, member: str, where: str) -> Any:
    """`value`, or LoadError if it nests deeper than MAX_FREE_FORM_DEPTH (it would load, but not save again)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_FREE_FORM_DEPTH:
            raise LoadError(f"nested more than {MAX_FREE_FORM_DEPTH} levels deep", member, where or None)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return value


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _lone_surrogate(value: Any, where: str) -> str | None:
    """The JSON path of the first string (key or value) that is not valid Unicode, or None."""
    stack = [(value, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            if not is_valid_unicode(item):
                return at
        elif isinstance(item, dict):
            for key, child in item.items():
                if not is_valid_unicode(key):
                    return at
                stack.append((child, f"{at}.{clip(key, 40)}" if at else clip(key, 40)))
        elif isinstance(item, list):
            stack.extend((child, f"{at}[{i}]") for i, child in enumerate(item))
    return None


def is_valid_unicode(text: str) -> bool:
    """False for text holding a lone surrogate (which UTF-8 cannot encode)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_plain(value: Any, where: str) -> Any:
    """Convert `value` to plain JSON data: NumPy scalars/arrays to numbers/lists, non-finite floats to null.

    Raises SaveError naming `where` for anything JSON cannot hold (sets, objects, non-string keys).
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "tolist") and type(value).__module__ == "numpy":
        return to_plain(value.tolist(), where)
    if isinstance(value, (list, tuple)):
        return [to_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise SaveError(f"{where}: key {shorten(k)} is not a string; JSON objects need string keys")
            out[k] = to_plain(v, f"{where}.{k}")
        return out
    raise SaveError(f"{where}: a {type(value).__name__} cannot be stored in JSON")


def dump_json(value: Any, compact: bool = False) -> bytes:
    """Indented JSON that stays readable: lists of scalars and short flat objects sit on one line.

    `compact` leaves out all optional whitespace (for members that would otherwise be too large).
    """
    try:
        text = _ENCODER_COMPACT.encode(value) if compact else _dumps(value, "")
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError as e:
        raise SaveError(
            f"text {e.object[max(e.start - 20, 0) : e.end]!r} holds a character that is not valid "
            "Unicode (a lone surrogate)"
        ) from None


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_ENCODER_COMPACT = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _dumps(value: Any, pad: str) -> str:
    if not isinstance(value, (list, dict)):
        return _ENCODER.encode(value)
    children = value.values() if isinstance(value, dict) else value
    if not any(isinstance(v, (list, dict)) for v in children):
        flat = _ENCODER.encode(value)
        if isinstance(value, list) or len(flat) <= 100:
            return flat
    inner = pad + "  "
    if isinstance(value, list):
        items = [inner + _dumps(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    items = [inner + _ENCODER.encode(k) + ": " + _dumps(v, inner) for k, v in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + pad + "}"
