"""Golden outputs of `neuroedit trace` in the lectures' notation and with Adam's state, in every format.

Regenerate after an intended change with  NEUROEDIT_UPDATE_GOLDEN=1 python -m pytest tests/cli/test_trace_golden.py
and read the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from neuroedit.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = {
    "xor_lecture": ["samples/xor.nedit", "--sample", "0", "--notation", "lecture"],
    "xor_single_adam": ["samples/xor_single_neuron.nedit", "--sample", "0", "--optimizer", "adam", "--lr", "0.1"],
    "weather5_lecture_adam": [
        "samples/weather_5_inputs.nedit",
        "--sample",
        "0",
        "--notation",
        "lecture",
        "--optimizer",
        "adam",
        "--max-units",
        "2",
    ],
}
SUFFIX = {"text": "txt", "markdown": "md", "latex": "tex"}


def _trace(capsys, monkeypatch, argv: list[str], fmt: str) -> str:
    monkeypatch.chdir(ROOT)
    code = main(["trace", *argv, "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(capsys, monkeypatch, case, fmt):
    out = _trace(capsys, monkeypatch, CASES[case], fmt)
    path = GOLDEN / f"{case}.{SUFFIX[fmt]}"
    if os.environ.get("NEUROEDIT_UPDATE_GOLDEN"):
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


def test_lecture_notation_reads_like_the_handwritten_notes(capsys, monkeypatch):
    out = _trace(capsys, monkeypatch, CASES["xor_lecture"], "text")
    update = out[out.index("\nUpdate") :]
    assert update.index("dense_2: update") < update.index("dense_1 neuron 1: update")  # last layer first
    assert "δᵒᵘᵗ" in out and "δʰⁱᵈ₁" in out and "dL/dw₂₁" in out and "w₁₀" in update  # w_kj, bias w_k0


def test_adam_divides(capsys, monkeypatch):
    out = _trace(capsys, monkeypatch, CASES["xor_single_adam"], "latex")
    assert r"\hat{m}_{b} /\allowbreak \left(\sqrt{\hat{v}_{b}} + \varepsilon\right)" in out
    assert out.isascii() and "p{0.62\\linewidth}" in out


def test_data_option_takes_the_sample_from_another_set(capsys, monkeypatch):
    out = _trace(capsys, monkeypatch, ["samples/xor_single_neuron.nedit", "--data", "and", "--sample", "3"], "text")
    assert "and sample 3, target 1" in out


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_latex_compiles(tmp_path, case):
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath,longtable}\n"
        "\\begin{document}\n\\input{" + str(GOLDEN / f"{case}.tex") + "}\n\\end{document}\n",
        encoding="ascii",
    )
    r = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stdout[-2000:]
    assert "Overfull \\hbox" not in r.stdout
