"""`neuroedit evaluate` in every report format, `neuroedit predict` and `neuroedit runs`."""

from __future__ import annotations

import base64
import csv
import json
import re
from pathlib import Path

import pytest

from neuroedit.cli import main
from neuroedit.io import load

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> str:
    """XOR trained twice (two recorded runs); the second run changes the learning rate."""
    path = tmp_path_factory.mktemp("eval") / "xor.nedit"
    assert (
        main(["train", str(ROOT / "samples" / "xor.nedit"), "--epochs", "40", "--seed", "1", "-q", "--out", str(path)])
        == 0
    )
    assert main(["train", str(path), "--epochs", "20", "--lr", "0.9", "-q", "--in-place"]) == 0
    return str(path)


def test_json_report_has_the_documented_keys(capsys, trained):
    code, out, err = run(capsys, "evaluate", trained, "--split", "train", "--report", "json")
    assert code == 0, err
    report = json.loads(out)
    for key in ("classes", "confusion_matrix", "accuracy", "loss", "per_class", "macro_avg", "weighted_avg", "roc_auc"):
        assert key in report
    assert report["classes"] == ["0", "1"]
    matrix = report["confusion_matrix"]
    assert sum(map(sum, matrix)) == 4 and [sum(r) for r in matrix] == [2, 2]  # rows are the true classes
    assert report["accuracy"] == pytest.approx((matrix[0][0] + matrix[1][1]) / 4)
    assert set(report["per_class"]["1"]) == {"precision", "recall", "f1", "support"}
    assert set(report["macro_avg"]) == {"precision", "recall", "f1"}
    assert isinstance(report["roc_auc"], float)  # binary: a number


def test_text_and_markdown_show_matrix_table_averages_and_auc(capsys, trained):
    code, text, _ = run(capsys, "evaluate", trained, "--split", "train")
    assert code == 0
    assert text.startswith("train (4 samples of xor): loss: ")
    assert "true \\ predicted" in text and "precision" in text and "macro" in text and "ROC AUC" in text
    code, md, _ = run(capsys, "evaluate", trained, "--split", "train", "--report", "markdown")
    assert code == 0
    assert "| true \\ predicted | 0 | 1 |" in md and "|---|---|---|" in md and "ROC AUC" in md


def test_html_is_self_contained_with_three_png_plots(capsys, trained, tmp_path):
    target = tmp_path / "report.html"
    code, _, err = run(capsys, "evaluate", trained, "--split", "train", "--report", "html", "-o", str(target))
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 3  # heat map, ROC, PR
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert "http" not in page.replace("http-equiv", "")  # nothing fetched from elsewhere


def test_threshold_changes_the_matrix_and_is_checked(capsys, trained):
    _, low, _ = run(capsys, "evaluate", trained, "--split", "train", "--report", "json", "--threshold", "0")
    assert json.loads(low)["confusion_matrix"] == [[0, 2], [0, 2]]  # everything predicted positive
    code, _, err = run(capsys, "evaluate", trained, "--threshold", "2")
    assert code == 2 and "--threshold must be between 0 and 1" in err


def test_predict_writes_one_row_per_sample(capsys, trained, tmp_path):
    target = tmp_path / "preds.csv"
    code, _, err = run(capsys, "predict", trained, "--split", "train", "--out", str(target))
    assert code == 0, err
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert list(rows[0]) == ["index", "true", "predicted", "p_0", "p_1", "loss"]
    assert [r["true"] for r in rows] == ["0", "1", "1", "0"]
    for r in rows:
        assert float(r["p_0"]) + float(r["p_1"]) == pytest.approx(1.0, abs=1e-5)
        assert r["predicted"] == ("1" if float(r["p_1"]) >= 0.5 else "0")
        assert float(r["loss"]) >= 0


def test_regression_report_and_predictions(capsys, tmp_path):
    code, out, err = run(capsys, "evaluate", str(ROOT / "samples" / "weather.nedit"), "--report", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["task"] == "regression" and {"mae", "mse", "rmse", "r2"} <= set(report)
    code, out, _ = run(capsys, "predict", str(ROOT / "samples" / "weather.nedit"), "--out", "-")
    assert code == 0 and out.splitlines()[0] == "index,true,predicted,loss"


def test_bad_input_is_one_line(capsys, tmp_path, trained):
    code, _, err = run(capsys, "predict", str(tmp_path / "none.nedit"), "--out", str(tmp_path / "p.csv"))
    assert code == 2 and "no such file" in err and "Traceback" not in err
    code, _, err = run(capsys, "evaluate", trained, "--data", "plane")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_runs_lists_the_recorded_runs(capsys, trained):
    assert len(load(trained).runs) == 2
    code, out, _ = run(capsys, "runs", trained)
    assert code == 0
    assert "#1" in out and "#2" in out and "first run" in out
    assert "learning_rate 0.5 → 0.9" in out and "epochs 40 → 20" in out
    code, out, _ = run(capsys, "runs", trained, "--json")
    runs = json.loads(out)
    assert [len(r["history"]["loss"]) for r in runs] == [40, 20]
    assert runs[1]["seed"] == 1 and runs[1]["metrics"]["loss"] == runs[1]["history"]["loss"][-1]
    code, out, _ = run(capsys, "runs", str(ROOT / "samples" / "xor.nedit"))
    assert code == 0 and "no training runs recorded" in out


@pytest.fixture(scope="module")
def three_classes(tmp_path_factory) -> str:
    import neuroedit.api as ne

    net = ne.Sequential(
        [ne.Input((2,)), ne.Dense(8, activation="tanh"), ne.Dense(3, activation="softmax")],
        loss="sparse_categorical_crossentropy",
        seed=4,
    )
    net.document.set_dataset({"spec": "spiral_multi:n=150,classes=3"})
    path = tmp_path_factory.mktemp("three") / "spiral3.nedit"
    net.save(path)
    return str(path)


def test_multiclass_json_has_macro_and_per_class_auc(capsys, three_classes):
    code, out, err = run(capsys, "evaluate", three_classes, "--report", "json")
    assert code == 0, err
    report = json.loads(out)
    assert len(report["classes"]) == 3 and len(report["confusion_matrix"]) == 3
    assert set(report["roc_auc"]) == {"macro", "per_class"}
    assert set(report["roc_auc"]["per_class"]) == set(report["classes"])
    values = [v for v in report["roc_auc"]["per_class"].values() if v is not None]
    assert report["roc_auc"]["macro"] == pytest.approx(sum(values) / len(values))
    code, _, err = run(capsys, "evaluate", three_classes, "--threshold", "0.3")
    assert code == 2 and "binary classifiers only; this is 3 classes" in err
    code, _, err = run(capsys, "predict", str(ROOT / "samples" / "weather.nedit"), "--out", "-", "--threshold", "0.5")
    assert code == 2 and "this is a regression network" in err


@pytest.mark.parametrize("fmt, marker", [("text", "R²"), ("markdown", "| MAE |"), ("html", "data:image/png;base64,")])
def test_regression_in_every_format(capsys, fmt, marker):
    code, out, err = run(capsys, "evaluate", str(ROOT / "samples" / "weather.nedit"), "--report", fmt)
    assert code == 0, err
    assert marker in out
