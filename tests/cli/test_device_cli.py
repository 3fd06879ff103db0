"""`--device cpu|cuda|auto` for train, evaluate and predict, and `fit(device=...)` in the API.

Under the CUDA simulator (tests/conftest.py) `cuda` asked explicitly runs there; `auto` never picks it.
Without a usable GPU, `cuda` is a one-line error with exit status 2, never a silent fall-back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import neuroedit.engine.devices as devices
from neuroedit.api.session import backend_on
from neuroedit.cli import main
from neuroedit.engine import EngineError
from neuroedit.io import load

ROOT = Path(__file__).resolve().parents[2]
XOR = str(ROOT / "samples" / "xor.nedit")
pytestmark = [pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(devices, "cuda_status", lambda: devices.CudaStatus(False, reason="no CUDA GPU found"))


@pytest.mark.slow
def test_train_on_cpu_and_on_cuda_give_the_same_network(capsys, tmp_path):
    if not devices.cuda_status().usable:
        pytest.skip(devices.cuda_status().describe())
    trained = {}
    for device in ("cpu", "cuda"):
        path = tmp_path / f"{device}.nedit"
        code, _, err = run(
            capsys, "train", XOR, "--epochs", "3", "--seed", "2", "--device", device, "--out", str(path), "-q"
        )
        assert code == 0, err
        trained[device] = load(path).weights
    for op, arrays in trained["cpu"].items():
        for name, w in arrays.items():
            np.testing.assert_allclose(trained["cuda"][op][name], w, rtol=1e-4, atol=1e-5, err_msg=f"{op}.{name}")


def test_auto_never_picks_the_simulator(capsys, tmp_path):
    assert backend_on("auto") == "numba" or not devices.cuda_status().simulator
    code, _, err = run(
        capsys, "train", XOR, "--epochs", "1", "--device", "auto", "--out", str(tmp_path / "a.nedit"), "-q"
    )
    assert code == 0, err


@pytest.mark.parametrize(
    "command",
    [
        ["train", XOR, "--epochs", "1"],
        ["evaluate", XOR, "--split", "train"],
        ["predict", XOR, "--split", "train", "--out", "-"],
    ],
)
def test_cuda_without_a_gpu_is_a_one_line_error(capsys, no_gpu, command):
    code, out, err = run(capsys, *command, "--device", "cuda")
    assert code == 2
    line = err.strip().splitlines()[-1]
    assert "CUDA was asked for but is unavailable: no CUDA GPU found" in line and "Traceback" not in err


def test_evaluate_and_predict_on_cpu(capsys, no_gpu):
    code, out, err = run(capsys, "evaluate", XOR, "--split", "train", "--device", "cpu")
    assert code == 0 and out.startswith("train (4 samples of xor)"), err
    code, out, err = run(capsys, "predict", XOR, "--split", "train", "--out", "-", "--device", "auto")
    assert code == 0 and len(out.splitlines()) == 5, err


def test_fit_predict_and_evaluate_take_a_device(no_gpu):
    import neuroedit as ne

    net = ne.load(XOR)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([[0], [1], [1], [0]], float)
    with pytest.raises(EngineError, match="CUDA was asked for but is unavailable"):
        net.fit(x, y, epochs=1, verbose=0, device="cuda")
    with pytest.raises(EngineError, match="unknown device 'tpu'"):
        net.predict(x, device="tpu")
    history = net.fit(x, y, epochs=2, verbose=0, device="auto")
    assert len(history.history["loss"]) == 2
    assert net.predict(x, device="cpu").shape == (4, 1)
    assert np.isfinite(net.evaluate(x, y, device="cpu")).all()
