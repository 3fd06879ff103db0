"""`neuroedit export` and `neuroedit import`: files written, one-line errors, exit codes."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from neuroedit.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_export_each_format_and_import_back(tmp_path, capsys):
    pytest.importorskip("onnx")
    src = tmp_path / "xor.nedit"
    shutil.copy(SAMPLES / "xor.nedit", src)
    assert main(["export", str(src), "--format", "onnx"]) == 0
    assert (tmp_path / "xor.onnx").is_file()
    assert main(["export", str(src), "-f", "pytorch", "-o", str(tmp_path / "train_xor.py")]) == 0
    assert (tmp_path / "train_xor.py").is_file() and (tmp_path / "train_xor.npz").is_file()
    assert main(["export", str(src), "-f", "keras"]) == 0
    assert (tmp_path / "xor_keras.py").is_file()
    assert "wrote" in capsys.readouterr().out
    assert main(["import", str(tmp_path / "xor.onnx"), "-o", str(tmp_path / "back.nedit")]) == 0
    from neuroedit.api import load

    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]])
    np.testing.assert_allclose(load(tmp_path / "back.nedit").predict(x), load(src).predict(x), atol=1e-6)
    assert load(tmp_path / "back.nedit").document.settings["epochs"] == 2000, "settings travel in the metadata"


def test_export_errors_are_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "missing.nedit"), "-f", "onnx"]) == 2
    assert main(["export", str(SAMPLES / "xor.nedit"), "-f", "keras", "-o", str(tmp_path / "k.onnx")]) == 2
    assert main(["export", str(SAMPLES / "xor.nedit"), "-f", "onnx", "-o", str(tmp_path / "no" / "x.onnx")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(e.startswith("neuroedit: error:") for e in errors)
    assert "name it *.py" in errors[1] and "no such folder" in errors[2]


def test_a_missing_optional_package_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    assert main(["export", str(SAMPLES / "xor.nedit"), "-f", "onnx", "-o", str(tmp_path / "x.onnx")]) == 2
    err = capsys.readouterr().err
    assert "needs the 'onnx' package: pip install 'neuroedit[onnx]'" in err
