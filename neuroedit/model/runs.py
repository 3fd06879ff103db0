"""Training runs recorded in the document: what was trained how, and what came out.

A run is a plain JSON-able dict (the `.nedit` file stores the list as `runs.json`):
``id``, ``label``, ``started_at`` (ISO time), ``duration_s``, ``seed``, ``dataset``,
``settings`` (every training setting and layer parameter, flat: ``learning_rate``,
``dense_1.l2``, ...), ``changed`` (``{name: [previous, new]}`` against the run before),
``history`` (per-epoch curves of this run only) and ``metrics`` (the final values).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..vocabulary import METRICS

RUN_KEYS = ("id", "label", "started_at", "duration_s", "seed", "dataset", "settings", "changed", "history", "metrics")
MAX_RUNS = 50  # oldest runs are dropped beyond this: runs.json stays far below its 16 MiB limit
MAX_CURVE_POINTS = 2000  # longer curves are thinned (with their `epoch` numbers) for the same reason


def run_settings(doc: Any, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The flat settings that define a run: training settings plus every node parameter as `node.param`."""
    flat: dict[str, Any] = {k: _plain(v) for k, v in {**doc.settings, **(overrides or {})}.items()}
    for node in doc.nodes.values():
        for name, value in node.params.items():
            flat[f"{node.id}.{name}"] = _plain(value)
    return flat


def settings_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{name: [before, after]} for every setting whose value differs (None where one side lacks it)."""
    names = list(before) + [k for k in after if k not in before]
    return {k: [before.get(k), after.get(k)] for k in names if before.get(k) != after.get(k)}


def final_metrics(history: Mapping[str, Any]) -> dict[str, float]:
    """The last finite value of every per-epoch curve (loss, accuracy, val_loss, ...)."""
    out = {}
    for name, values in history.items():
        if name in ("epoch", "lr") or not isinstance(values, (list, tuple)):
            continue
        finite = [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(float(v))]
        if finite:
            out[name] = finite[-1]
    return out


def history_since(history: Mapping[str, Any], start: int) -> dict[str, list[float]]:
    """The per-epoch curves of the epochs after epoch number `start` (a run continues the document's history;
    a long history keeps only every k-th epoch, with its number in "epoch")."""
    loss = history.get("loss")
    n = len(loss) if isinstance(loss, (list, tuple)) else 0
    epochs = history.get("epoch")
    numbers = list(epochs) if isinstance(epochs, (list, tuple)) and len(epochs) == n else range(1, n + 1)
    keep = [i for i, e in enumerate(numbers) if e > start]
    curves = {
        k: [_float(values[i]) for i in keep]
        for k, values in history.items()
        if isinstance(values, (list, tuple)) and len(values) == n
    }
    # A metric with no number in these epochs is an earlier run's (the run's metric has changed since).
    return {
        k: v
        for k, v in curves.items()
        if k.removeprefix("val_") not in METRICS or not v or any(math.isfinite(x) for x in v)
    }


def _float(value: Any) -> float:
    """A history number; None (a NaN saved as JSON null) is NaN."""
    return math.nan if value is None else float(value)


def epochs_in(history: Mapping[str, Any]) -> int:
    """How many epochs the history has trained (the last epoch's number)."""
    loss = history.get("loss")
    n = len(loss) if isinstance(loss, (list, tuple)) else 0
    epochs = history.get("epoch")
    if n and isinstance(epochs, (list, tuple)) and len(epochs) == n:
        return int(epochs[-1])
    return n


def thin_curves(curves: dict[str, list[float]]) -> dict[str, list[float]]:
    """At most MAX_CURVE_POINTS evenly spaced epochs (the last one kept), with an `epoch` curve to place them."""
    n = max((len(v) for v in curves.values()), default=0)
    if n <= MAX_CURVE_POINTS:
        return curves
    step = (n - 1) / (MAX_CURVE_POINTS - 1)
    keep = sorted({round(i * step) for i in range(MAX_CURVE_POINTS)})
    epochs = curves.get("epoch") or [float(i + 1) for i in range(n)]
    out = {k: [v[i] for i in keep if i < len(v)] for k, v in curves.items() if k != "epoch"}
    out["epoch"] = [float(epochs[i]) for i in keep if i < len(epochs)]
    return out


def record_run(
    doc: Any,
    settings: Mapping[str, Any],
    history: Mapping[str, Any],
    duration_s: float,
    label: str = "",
    started_at: datetime | None = None,
) -> dict[str, Any]:
    """Append a run to `doc.runs` (not an undo step: a result, like trained weights) and return it."""
    previous = doc.runs[-1]["settings"] if doc.runs else {}
    curves = thin_curves(
        {k: [float(v) for v in values] for k, values in history.items() if isinstance(values, (list, tuple))}
    )
    run = {
        "id": (max(r["id"] for r in doc.runs) + 1) if doc.runs else 1,
        "label": label,
        "started_at": (started_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "duration_s": round(float(duration_s), 3),
        "seed": int(settings.get("seed", 0)),
        "dataset": str(doc.dataset.get("spec", "")) if isinstance(doc.dataset, dict) else "",
        "settings": dict(settings),
        "changed": settings_diff(previous, settings) if previous else {},
        "history": curves,
        "metrics": final_metrics(curves),
    }
    doc.add_run(run)
    return run


def run_title(run: Mapping[str, Any]) -> str:
    """`#3 adam` or `#3` : how lists and legends name a run."""
    return f"#{run['id']} {run['label']}".strip()


def describe_changes(run: Mapping[str, Any], limit: int = 4) -> str:
    """`learning_rate 0.1 → 0.5, optimizer sgd → adam` (the first `limit` changes)."""
    changed = run.get("changed") or {}
    parts = [f"{k} {_short(a)} → {_short(b)}" for k, (a, b) in list(changed.items())[:limit]]
    if len(changed) > limit:
        parts.append(f"+{len(changed) - limit} more")
    return ", ".join(parts) if parts else ("first run" if run.get("id") == 1 else "no changes")


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
