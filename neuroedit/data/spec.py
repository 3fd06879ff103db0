"""Parse and format data-set spec strings such as `spiral:n=500,noise=0.1` or `csv:a.csv:target=y`.

Grammar: `KIND[:LOCATION][:OPTIONS]`. LOCATION is a file/folder path (csv, npz, idx) or a
name (sklearn); OPTIONS is `key=value,key=value`. A value may itself hold commas
(`classes=2,6`, `features=x1,x2,x1x2`) and colons (`split=75:10:15`): a comma-separated
piece without `=` belongs to the previous value. Canonical form sorts the options by key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import DataError

# Kinds whose second field is a location (path or name) rather than options.
LOCATION_KINDS = ("csv", "npz", "idx", "sklearn")

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_OPTIONS_START = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class Spec:
    kind: str
    location: str = ""
    options: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return format_spec(self)


def parse_spec(text: str) -> Spec:
    """Split a spec string into kind, location and options; raise DataError on malformed text."""
    if not isinstance(text, str) or not text.strip():
        raise DataError("empty data-set spec: give a name such as `xor` or `csv:file.csv`")
    text = text.strip()
    kind, sep, rest = text.partition(":")
    kind = kind.strip().lower()
    if not _KEY.match(kind):
        raise DataError(f"data-set spec {text!r}: {kind!r} is not a data-set name")
    location, options_text = "", ""
    if kind in LOCATION_KINDS:
        location, options_text = _split_location(rest)
        if not location:
            what = "a name, e.g. sklearn:digits" if kind == "sklearn" else f"a path, e.g. {kind}:data/file"
            raise DataError(f"data-set spec {text!r}: {kind} needs {what}")
    else:
        options_text = rest
    return Spec(kind, location, _parse_options(options_text, text))


def format_spec(spec: Spec) -> str:
    """The canonical string: kind, location, options sorted by key (`values` keeps its input order)."""
    parts = [spec.kind]
    if spec.location:
        parts.append(spec.location)
    if spec.options:
        items = spec.options.items() if spec.kind == "values" else sorted(spec.options.items())
        parts.append(",".join(f"{k}={v}" for k, v in items))
    return ":".join(parts)


def canonical(text: str) -> str:
    return format_spec(parse_spec(text))


def _split_location(rest: str) -> tuple[str, str]:
    """The location ends at the first `:` followed by `key=` (so `C:\\x.csv` stays whole)."""
    for i, ch in enumerate(rest):
        if ch == ":" and _OPTIONS_START.match(rest, i + 1):
            return rest[:i].strip(), rest[i + 1 :]
    return rest.strip(), ""


def _parse_options(text: str, whole: str) -> dict[str, str]:
    options: dict[str, str] = {}
    last = None
    for piece in text.split(","):
        if "=" in piece and _KEY.match(piece.split("=", 1)[0].strip()):
            key, value = (s.strip() for s in piece.split("=", 1))
            if key in options:
                raise DataError(f"data-set spec {whole!r}: option {key!r} given twice")
            options[key] = value
            last = key
        elif last is not None and piece.strip():
            options[last] += "," + piece.strip()
        elif piece.strip():
            raise DataError(f"data-set spec {whole!r}: {piece.strip()!r} is not an option; write key=value, e.g. n=200")
    return options
