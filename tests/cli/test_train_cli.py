"""`neuroedit train` and `neuroedit evaluate`: training, outputs, logs, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from neuroedit.cli import main
from neuroedit.io import load, save
from neuroedit.model import Document, samples

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def xor_file() -> str:
    return str(ROOT / "samples" / "xor.nedit")


def test_train_writes_log_and_output(capsys, tmp_path, xor_file):
    out_path, log_path = tmp_path / "trained.nedit", tmp_path / "log.jsonl"
    code, out, err = run(
        capsys, "train", xor_file, "--epochs", "30", "--seed", "2", "--out", str(out_path), "--log-json", str(log_path)
    )
    assert code == 0, err
    lines = out.splitlines()
    assert "4 samples, 1 step per epoch, sgd" in lines[0]  # xor trains full batch
    assert any(line.startswith("Epoch 30/30 - loss: ") for line in lines)
    assert "saved the trained network to" in lines[-1]
    records = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert len(records) == 30
    assert set(records[0]) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    trained = load(out_path)
    assert trained.weights and len(trained.training_history["loss"]) == 30
    assert trained.settings["seed"] == 2
    code, out, _ = run(capsys, "evaluate", str(out_path), "--split", "train")
    assert code == 0 and out.startswith("train (4 samples of xor): loss: ")


@pytest.mark.slow
def test_xor_reaches_full_accuracy_for_most_seeds(capsys, tmp_path, xor_file):
    """The acceptance check: 2000 epochs, 100% accuracy and loss < 0.05, over 20 seeds."""
    solved = 0
    for seed in range(20):
        log = tmp_path / f"log{seed}.jsonl"
        code, _, err = run(
            capsys, "train", xor_file, "--epochs", "2000", "--seed", str(seed), "-q", "--log-json", str(log)
        )
        assert code == 0, err
        last = json.loads(log.read_text().splitlines()[-1])
        solved += last["accuracy"] == 1.0 and last["loss"] < 0.05
    print(f"XOR solved for {solved}/20 seeds")
    assert solved >= 11


def test_in_place_rewrites_the_file(capsys, tmp_path):
    path = tmp_path / "xor.nedit"
    save(samples.xor(), path)
    code, _, err = run(capsys, "train", str(path), "--epochs", "3", "--in-place", "-q")
    assert code == 0, err
    assert len(load(path).training_history["loss"]) == 3


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--lr", "-1"], "--lr must be a positive number"),
        (["--data", "no-such-set"], "no-such-set"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(capsys, xor_file, args, needle):
    code, out, err = run(capsys, "train", xor_file, *args)
    assert code == 2
    assert needle in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_impossible_network_exits_2(capsys, tmp_path):
    doc = Document()
    doc.add_node("Input", {"shape": [28, 28]}, node_id="x")
    doc.add_node("Dense", {"units": 3}, node_id="d")
    doc.connect("x", "d")
    path = tmp_path / "bad.nedit"
    save(doc, path)
    code, _, err = run(capsys, "train", str(path), "--data", "xor")
    assert code == 2 and "cannot run" in err and len(err.strip().splitlines()) == 1


def test_nan_stops_with_exit_1_and_the_node(capsys, tmp_path):
    doc = Document()
    doc.add_node("Input", {"shape": [2]}, node_id="x")
    doc.add_node("Dense", {"units": 8}, node_id="h")
    doc.add_node("Dense", {"units": 1}, node_id="o")
    doc.add_node("Loss", {"loss": "mse"}, node_id="L")
    doc.connect("x", "h")
    doc.connect("h", "o")
    doc.connect("o", "L")
    doc.set_dataset({"spec": "plane"})
    path = tmp_path / "plane.nedit"
    save(doc, path)
    code, out, _ = run(
        capsys,
        "train",
        str(path),
        "--optimizer",
        "sgd",
        "--lr",
        "1000",
        "--epochs",
        "50",
        "-q",
        "--out",
        str(tmp_path / "out.nedit"),
    )
    assert code == 1
    assert "became NaN/Inf first in node" in out
    weights = load(tmp_path / "out.nedit").weights
    assert all(np.isfinite(a).all() for arrays in weights.values() for a in arrays.values())


@pytest.mark.parametrize("sample,optimizer", [("weather", "sgd"), ("xor_single_neuron", "momentum")])
def test_an_overflowing_first_update_keeps_the_initial_weights_and_saves_them(capsys, tmp_path, sample, optimizer):
    out_path = tmp_path / "out.nedit"
    before = load(ROOT / "samples" / f"{sample}.nedit")
    code, out, _ = run(
        capsys,
        "train",
        str(ROOT / "samples" / f"{sample}.nedit"),
        "--lr",
        "1e300",
        "--optimizer",
        optimizer,
        "-q",
        "--out",
        str(out_path),
    )
    assert code == 1
    assert "stopped at step 1 (epoch 1)" in out and "the weights of the last finite step are kept" in out
    after = load(out_path)
    for op, arrays in before.weights.items():
        for name, a in arrays.items():
            np.testing.assert_array_equal(after.weights[op][name], a)  # step 1 was undone


def test_evaluate_missing_split_and_file(capsys, tmp_path, xor_file):
    code, _, err = run(capsys, "evaluate", str(tmp_path / "none.nedit"))
    assert code == 2 and "no such file" in err
    code, out, _ = run(capsys, "evaluate", xor_file, "--split", "train")
    assert code == 0 and "accuracy" in out


def test_a_regression_loss_on_a_classification_set_reports_accuracy(capsys, tmp_path, xor_file):
    """MSE on the Playground circle (2 classes): the log and the history say accuracy, per sample."""
    from neuroedit.api.bridge import graph_spec
    from neuroedit.api.data import load_training_data
    from neuroedit.api.network import Network

    doc = load(xor_file)
    doc.set_param("loss_1", "loss", "mse")
    doc.set_dataset({"spec": "circle:n=40"})
    path, out_path, log_path = tmp_path / "circle.nedit", tmp_path / "trained.nedit", tmp_path / "log.jsonl"
    save(doc, path)
    code, out, err = run(
        capsys, "train", str(path), "--epochs", "5", "--out", str(out_path), "--log-json", str(log_path)
    )
    assert code == 0, err
    assert "accuracy: " in out and "mae" not in out
    records = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert set(records[-1]) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    trained = load(out_path)
    assert set(trained.training_history) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    xv, yv = load_training_data(graph_spec(trained), "circle:n=40").val
    hits = (Network(trained).predict(xv)[:, 0] > 0.5) == (yv[:, 0] > 0.5)
    assert records[-1]["val_accuracy"] == pytest.approx(hits.mean(), abs=1e-12)
