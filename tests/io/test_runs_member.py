"""Training runs in the .nedit file: they survive a round trip, old files without them open, bad ones fail clearly."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from nedit_helpers import members_of, small_network, zip_of

from neuroedit.io import LoadError, from_bytes, load, to_bytes
from neuroedit.model.runs import (
    MAX_CURVE_POINTS,
    describe_changes,
    record_run,
    run_settings,
)

ROOT = Path(__file__).resolve().parents[2]


def with_two_runs():
    doc = small_network()
    record_run(doc, run_settings(doc), {"epoch": [1, 2], "loss": [0.9, 0.5], "accuracy": [0.5, 0.75]}, 1.5)
    doc.set_setting("learning_rate", 0.3)
    record_run(doc, run_settings(doc), {"loss": [0.4, float("nan")]}, 0.25, label="lr 0.3")
    return doc


def test_runs_round_trip():
    doc = with_two_runs()
    back = from_bytes(to_bytes(doc))
    assert [r["id"] for r in back.runs] == [1, 2]
    first, second = back.runs
    assert first["history"]["loss"] == [0.9, 0.5] and first["metrics"]["accuracy"] == 0.75
    assert first["changed"] == {} and describe_changes(first) == "first run"
    assert second["changed"] == {"learning_rate": [0.01, 0.3]} and second["label"] == "lr 0.3"
    assert math.isnan(second["history"]["loss"][1])  # NaN is saved as null and read back as NaN
    assert second["metrics"]["loss"] == 0.4  # the last finite value
    assert second["settings"]["dense_1.units"] == 2 and second["duration_s"] == 0.25


def test_files_without_runs_still_open_and_write_no_member():
    doc = load(ROOT / "samples" / "xor.nedit")
    assert doc.runs == []
    assert "runs.json" not in members_of(to_bytes(doc))


def test_long_curves_are_thinned_with_their_epochs():
    doc = small_network()
    n = MAX_CURVE_POINTS * 3
    run = record_run(doc, run_settings(doc), {"loss": [1.0 / (i + 1) for i in range(n)]}, 1.0)
    assert len(run["history"]["loss"]) <= MAX_CURVE_POINTS
    assert run["history"]["epoch"][0] == 1 and run["history"]["epoch"][-1] == n
    assert run["metrics"]["loss"] == pytest.approx(1.0 / n)


@pytest.mark.parametrize(
    "runs, where",
    [
        ({"runs": {}}, "runs.json: runs: expected a list"),
        ({"runs": [{"id": "one", "settings": {}, "history": {}}]}, "runs.json: runs[0].id: expected an integer"),
        ({"runs": [{"id": 1, "settings": {}, "history": {"loss": ["x"]}}]}, "runs[0].history.loss[0]"),
        ({"runs": [{"id": 1, "settings": {}}]}, "missing key 'history'"),
        ({"runs": [{"id": 1, "settings": {}, "history": {}}, {"id": 1, "settings": {}, "history": {}}]}, "used twice"),
    ],
)
def test_bad_runs_fail_with_the_path(runs, where):
    members = members_of(to_bytes(with_two_runs()))
    members["runs.json"] = json.dumps(runs).encode()
    with pytest.raises(LoadError) as e:
        from_bytes(zip_of(members))
    assert where in str(e.value)
