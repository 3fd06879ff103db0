"""runs.json <-> the document's recorded training runs, checked field by field.

The member is optional: files written before runs were recorded simply have none.
"""

from __future__ import annotations

from typing import Any

from ..model.runs import RUN_KEYS
from .errors import LoadError
from .jsontext import to_plain
from .schema import check_keys, describe, expect_object

RUNS = "runs.json"


def runs_to_json(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"runs": to_plain(runs, "runs")}


def runs_from_json(data: Any) -> list[dict[str, Any]]:
    top = expect_object(data, "", RUNS)
    check_keys(top, ("runs",), ("runs",), "", RUNS)
    if not isinstance(top["runs"], list):
        raise LoadError(f"expected a list, got {describe(top['runs'])}", RUNS, "runs")
    runs, seen = [], set()
    for i, raw in enumerate(top["runs"]):
        run = _run(raw, f"runs[{i}]")
        if run["id"] in seen:
            raise LoadError(f"the run id {run['id']} is used twice", RUNS, f"runs[{i}].id")
        seen.add(run["id"])
        runs.append(run)
    return runs


def _run(raw: Any, where: str) -> dict[str, Any]:
    obj = expect_object(raw, where, RUNS)
    check_keys(obj, RUN_KEYS, ("id", "settings", "history"), where, RUNS)
    run: dict[str, Any] = {
        "id": _int(obj["id"], f"{where}.id"),
        "label": _str(obj.get("label", ""), f"{where}.label"),
        "started_at": _str(obj.get("started_at", ""), f"{where}.started_at"),
        "duration_s": _number(obj.get("duration_s", 0.0), f"{where}.duration_s"),
        "seed": _int(obj.get("seed", 0), f"{where}.seed"),
        "dataset": _str(obj.get("dataset", ""), f"{where}.dataset"),
        "settings": expect_object(obj["settings"], f"{where}.settings", RUNS),
        "changed": {},
        "history": {},
        "metrics": {},
    }
    changed: dict[str, list[Any]] = run["changed"]
    history: dict[str, list[float]] = run["history"]
    metrics: dict[str, float] = run["metrics"]
    for name, pair in expect_object(obj.get("changed", {}), f"{where}.changed", RUNS).items():
        if not isinstance(pair, list) or len(pair) != 2:
            raise LoadError(f"expected [before, after], got {describe(pair)}", RUNS, f"{where}.changed.{name}")
        changed[name] = pair
    for name, values in expect_object(obj["history"], f"{where}.history", RUNS).items():
        if not isinstance(values, list):
            raise LoadError(f"expected a list of numbers, got {describe(values)}", RUNS, f"{where}.history.{name}")
        history[name] = [_number_or_nan(v, f"{where}.history.{name}[{k}]") for k, v in enumerate(values)]
    for name, value in expect_object(obj.get("metrics", {}), f"{where}.metrics", RUNS).items():
        metrics[name] = _number_or_nan(value, f"{where}.metrics.{name}")
    return run


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LoadError(f"expected an integer, got {describe(value)}", RUNS, where)
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise LoadError(f"expected a string, got {describe(value)}", RUNS, where)
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LoadError(f"expected a number, got {describe(value)}", RUNS, where)
    return float(value)


def _number_or_nan(value: Any, where: str) -> float:
    """JSON has no NaN: a non-finite value was saved as null."""
    return float("nan") if value is None else _number(value, where)
