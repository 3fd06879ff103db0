"""The exported PyTorch script: same outputs as `predict`, same SGD steps as NeuroEdit, and torchrun."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from interop_graphs import NODE_CASES, chain, predict, random_graph, sample_inputs

from neuroedit.api import Network
from neuroedit.api.session import ensure_weights
from neuroedit.interop.graph import exported_graph
from neuroedit.interop.torch_code import save_torch_script
from neuroedit.io import load

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"
SAMPLE_FILES = sorted(p.name for p in SAMPLES_DIR.glob("*.nedit"))


def export(doc, folder, name="model"):
    path = folder / f"{name}.py"
    save_torch_script(exported_graph(doc), path)
    spec = importlib.util.spec_from_file_location(f"exported_{name}_{id(doc)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, path


def torch_predict(module, xs):
    with torch.no_grad():
        return module.load_model()(*[torch.from_numpy(v) for v in xs.values()]).numpy()


@pytest.mark.parametrize("case", sorted(NODE_CASES))
def test_every_node_type_matches_predict(tmp_path, case):
    doc = NODE_CASES[case]()
    module, _ = export(doc, tmp_path)
    xs = sample_inputs(doc)
    np.testing.assert_allclose(torch_predict(module, xs), predict(doc, xs), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_every_sample_matches_predict(tmp_path, name):
    doc = load(SAMPLES_DIR / name)  # the files in samples/, as users open them
    ensure_weights(doc)
    module, path = export(doc, tmp_path)
    xs = sample_inputs(doc)
    np.testing.assert_allclose(torch_predict(module, xs), predict(doc, xs), atol=1e-5, rtol=1e-5)
    assert path.with_suffix(".npz").is_file()
    assert "class Net(nn.Module)" in path.read_text()


@pytest.mark.parametrize("seed", range(3))
def test_random_graphs_match_predict(tmp_path, seed):
    doc = random_graph(seed)
    module, _ = export(doc, tmp_path)
    xs = sample_inputs(doc)
    np.testing.assert_allclose(torch_predict(module, xs), predict(doc, xs), atol=1e-5, rtol=1e-5)


def training_doc(optimizer: str, loss: str, batchnorm: bool = True):
    layers = [
        ("Dense", {"units": 6, "activation": "tanh", "l2": 0.01, "l1": 0.001}),
        ("BatchNorm", {}),
        ("Dense", {"units": 3, "activation": "softmax" if "categorical" in loss else "linear"}),
    ]
    if not batchnorm:  # each process normalises its own share of a batch, so BatchNorm differs under DDP
        del layers[1]
    doc = chain(layers, (4,), loss)
    for k, v in {
        "optimizer": optimizer,
        "learning_rate": 0.05,
        "batch_mode": "minibatch",
        "batch_size": 8,
        "epochs": 3,
        "shuffle": False,
        "schedule": "exponential",
        "decay_rate": 0.05,
    }.items():
        doc.set_setting(k, v)
    return doc


@pytest.mark.parametrize(
    "optimizer,loss",
    [
        ("sgd", "sparse_categorical_crossentropy"),
        ("momentum", "mse"),
        ("nesterov", "mae"),
        ("adam", "sparse_categorical_crossentropy"),
        ("rmsprop", "squared_error"),
        ("nadam", "multiclass_hinge"),
        ("adagrad", "categorical_crossentropy"),
    ],
)
def test_a_few_training_steps_match_neuroedit(tmp_path, optimizer, loss):
    doc = training_doc(optimizer, loss)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    labels = rng.integers(0, 3, 32)
    y = {
        "mse": rng.normal(size=(32, 3)),
        "mae": rng.normal(size=(32, 3)),
        "squared_error": rng.normal(size=(32, 3)),
        "categorical_crossentropy": np.eye(3)[labels],
    }.get(loss, labels).astype(np.float32)
    module, _ = export(doc, tmp_path)
    model = module.load_model().train()
    config = dict(module.TRAINING)
    module.train(model, [x], module.targets_for(y if y.ndim > 1 else labels, loss, 3), config)
    trained = model.arrays()
    Network(doc).fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    for (node, name), value in Network(doc).get_weights().items():
        np.testing.assert_allclose(trained[f"{node}/{name}"], value, atol=2e-5, rtol=1e-4, err_msg=f"{node}/{name}")


def write_csv(path, n=48):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 1)
    lines = ["a,b,c,d,label"] + [",".join(f"{v:.5f}" for v in row) + f",{c}" for row, c in zip(x, y)]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.slow
def test_the_script_trains_from_the_command_line_on_a_csv_spec(tmp_path):
    doc = training_doc("sgd", "sparse_categorical_crossentropy")
    _, script = export(doc, tmp_path)
    write_csv(tmp_path / "train.csv")
    done = subprocess.run(
        check=False,
        args=[
            sys.executable,
            str(script),
            "--data",
            "csv:train.csv:target=label",
            "--epochs",
            "2",
            "--out",
            str(tmp_path / "out.npz"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Epoch 2/2 - loss:" in done.stdout
    with np.load(tmp_path / "out.npz") as f:
        assert set(f.files) == {f"{n}/{k}" for (n, k) in Network(doc).get_weights()}
    bad = subprocess.run(
        check=False,
        args=[sys.executable, str(script), "--data", "xor"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "csv:, npz: and idx:" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_torchrun_with_two_processes_ends_with_the_same_weights(tmp_path):
    doc = training_doc("momentum", "sparse_categorical_crossentropy", batchnorm=False)
    _, script = export(doc, tmp_path)
    write_csv(tmp_path / "train.csv")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
    common = ["--data", "csv:train.csv:target=label", "--epochs", "2"]
    two = subprocess.run(
        check=False,
        args=[torchrun, "--standalone", "--nproc_per_node=2", str(script), *common, "--out", str(tmp_path / "two.npz")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert two.returncode == 0, two.stderr[-3000:]
    assert "weights agree on all 2 processes (largest difference 0)" in two.stdout
    assert two.stdout.count("Epoch 2/2") == 1, "only rank 0 logs"
    one = subprocess.run(
        check=False,
        args=[sys.executable, str(script), *common, "--out", str(tmp_path / "one.npz")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert one.returncode == 0, one.stderr
    with np.load(tmp_path / "two.npz") as a, np.load(tmp_path / "one.npz") as b:
        for key in a.files:  # two processes with half batches each take the same steps as one process
            np.testing.assert_allclose(a[key], b[key], atol=1e-5, err_msg=key)


def test_any_description_and_node_names_give_a_valid_script(tmp_path):
    doc = chain([("Dense", {"units": 2})])
    doc.description = 'Ends with a quote " and has """ inside, a backslash \\ and ünïcode'
    doc.rename_node("dense_1", "lambda")  # a Python keyword as a node name
    module, _ = export(doc, tmp_path)
    assert module.__doc__.startswith('Ends with a quote " and has """ inside, a backslash \\')
    xs = sample_inputs(doc)
    np.testing.assert_allclose(torch_predict(module, xs), predict(doc, xs), atol=1e-5)
