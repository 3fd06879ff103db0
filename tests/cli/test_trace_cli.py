"""`neuroedit trace`: SEEDS examples 1, 2 and 5 in every format, valid Markdown tables and LaTeX, one-line errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from neuroedit.cli import main
from neuroedit.io import save
from neuroedit.model import Document

ROOT = Path(__file__).resolve().parents[2]
XOR1 = str(ROOT / "samples" / "xor_single_neuron.nedit")
GRAPH = str(ROOT / "samples" / "compute_graph.nedit")
EXAMPLE_2 = ["--inputs", "x=4,y=-2,z=5,w=-1"]
sys.path.insert(0, str(ROOT / "tests" / "api"))
from test_walkthrough import example_5_doc


def run(capsys, *argv):
    code = main(["trace", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def cells(line: str) -> list[str]:
    """Cells of a Markdown table row: split at pipes that are not escaped."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def rows_of(out: str, fmt: str) -> list[list[str]]:
    if fmt == "text":
        return [[c.strip() for c in line.split("│")] for line in out.splitlines() if "│" in line]
    if fmt == "markdown":
        return [cells(line) for line in out.splitlines() if line.startswith("|")]
    return [[c.strip() for c in line.removesuffix(r"\\").split("&")] for line in out.splitlines() if " & " in line]


# ---------------------------------------------------------------------- example 1
EXAMPLE_1 = {
    "text": [
        ("z", "0.75·0 + 0.5·0 + (-0.1)", "-0.1"),
        ("a", "σ(z)", "0.475"),
        ("L", "-ln(1 - 0.475)", "0.644"),
        ("dL/dz", "dL/da · σ'(z) = 1.905 · 0.249", "0.475"),
        ("b", "-0.1 - 0.5·0.475", "-0.338"),
        ("w₁", "0.75 - 0.5·0", "0.75"),
        ("w₂", "0.5 - 0.5·0", "0.5"),
    ],
    "latex": [
        r"$z = 0.75 \cdot 0 + 0.5 \cdot 0 + \left(-0.1\right) = -0.1$",
        r"$a = \sigma\left(z\right) = 0.475$",
        r"$L = -\ln\left(1 - 0.475\right) = 0.644$",
        r"$b \leftarrow -0.1 - 0.5 \cdot 0.475 = -0.338$",
        r"$\mathrm{d}L/\mathrm{d}z = \mathrm{d}L/\mathrm{d}a \cdot \sigma'\left(z\right) = 1.905 \cdot 0.249 = 0.475$",
    ],
}


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_example_1_tables(capsys, fmt):
    code, out, err = run(capsys, XOR1, "--sample", "0", "--format", fmt)
    assert code == 0 and err == ""
    triples = {tuple(r[2:5]) for r in rows_of(out, fmt)}
    for q, working, value in EXAMPLE_1["text"]:
        assert (q, working, value) in triples, (q, working, value)


def test_example_1_latex(capsys):
    code, out, _ = run(capsys, XOR1, "--format", "latex")
    assert code == 0
    for piece in EXAMPLE_1["latex"]:
        assert piece in out


# ---------------------------------------------------------------------- example 2
@pytest.mark.parametrize("fmt", ["text", "markdown", "latex"])
def test_example_2_every_number(capsys, fmt):
    code, out, _ = run(capsys, GRAPH, *EXAMPLE_2, "--format", fmt)
    assert code == 0
    rows = rows_of(out, fmt)
    if fmt == "latex":
        formulas = [r[2] for r in rows]
        expect = [
            r"$p = x \cdot y = 4 \cdot \left(-2\right) = -8$",
            r"$q = \max\left(z, w\right) = \max\left(5, -1\right) = 5$",
            r"$m = p + q = -8 + 5 = -3$",
            r"$f = m^{2} = \left(-3\right)^{2} = 9$",
            r"$\mathrm{d}f/\mathrm{d}x = \mathrm{d}f/\mathrm{d}p \cdot \partial p/\partial x "
            r"= -6 \cdot \left(-2\right) = 12$",
        ]
        for e in expect:
            assert any(e in f for f in formulas), e
        return
    values = {}
    for r in rows:
        if len(r) >= 5 and r[2]:
            values.setdefault(r[2], r[4])
    assert {k: values[k] for k in "pqmf"} == {"p": "-8", "q": "5", "m": "-3", "f": "9"}
    assert {k: values[f"df/d{k}"] for k in "mpqxyzw"} == {
        "m": "-6",
        "p": "-6",
        "q": "-6",
        "x": "12",
        "y": "-24",
        "z": "-6",
        "w": "0",
    }
    assert ["df/dx", "df/dp · ∂p/∂x = -6 · (-2)", "12"] in [r[2:5] for r in rows]


# ---------------------------------------------------------------------- example 5
@pytest.mark.parametrize("fmt", ["text", "markdown", "latex"])
def test_example_5_through_the_cli(capsys, tmp_path, fmt):
    path = tmp_path / "minimal.nedit"
    save(example_5_doc(), path)
    code, out, _ = run(capsys, str(path), "--inputs", "x=0.9", "--target", "0.25", "--format", fmt, "--digits", "4")
    assert code == 0
    import numpy as np

    a_prev = 1 / (1 + np.exp(-(0.7 * 0.9 + 0.2)))
    a = 1 / (1 + np.exp(-(-1.3 * a_prev + 0.4)))
    delta = (a - 0.25) * a * (1 - a)
    for v in (delta * a_prev, delta, delta * -1.3):  # dE/dw(L), dE/db(L), dE/da(L-1)
        assert f"{v:.4f}".rstrip("0") in out


# ---------------------------------------------------------------------- format validity
@pytest.mark.parametrize(
    "argv",
    [
        [XOR1],
        [GRAPH, *EXAMPLE_2],
        [str(ROOT / "samples" / "xor.nedit"), "--sample", "2"],
        [str(ROOT / "samples" / "weather.nedit")],
    ],
)
def test_markdown_tables_are_well_formed(capsys, argv):
    code, out, _ = run(capsys, *argv, "--format", "markdown", "--gradcheck")
    assert code == 0
    tables = re.split(r"\n\s*\n", out)
    for block in tables:
        lines = [ln for ln in block.splitlines() if ln.startswith("|")]
        if not lines:
            continue
        n = len(cells(lines[0]))
        assert re.fullmatch(r"\|(-{3}:?\|)+|\|((---:?)\|)+", lines[1].replace("---:", "---")), lines[1]
        assert all(len(cells(ln)) == n for ln in lines), block
    assert "loss\\_1" in out and "*" not in out.replace("**", "")


@pytest.mark.parametrize("argv", [[XOR1], [GRAPH, *EXAMPLE_2], [str(ROOT / "samples" / "weather.nedit")]])
def test_latex_is_ascii_balanced_and_escaped(capsys, argv):
    code, out, _ = run(capsys, *argv, "--format", "latex", "--gradcheck")
    assert code == 0
    assert out.isascii()
    depth = 0
    for c in re.sub(r"\\[{}$&_#%]", "", out):
        depth += (c == "{") - (c == "}")
        assert depth >= 0
    assert depth == 0
    assert out.count(r"\begin{longtable}") == out.count(r"\end{longtable}") >= 4
    assert len(re.findall(r"\\left(?!arrow)", out)) == len(re.findall(r"\\right(?!arrow)", out))
    for line in out.splitlines():
        body = re.sub(r"\\\$", "", line)
        assert body.count("$") % 2 == 0, line
        if " & " in line:
            assert re.search(r"(?<!\\)_", re.sub(r"\$[^$]*\$", "", line)) is None, line  # _ escaped outside math


def test_gradcheck_table(capsys):
    code, out, _ = run(capsys, XOR1, "--gradcheck")
    assert code == 0
    assert "Gradient check" in out and "0 flagged above 0.0001" in out
    rows = [r for r in rows_of(out, "text") if r[0] == "dense_1"]
    assert [r[1] for r in rows] == ["kernel", "kernel", "bias"] and all(r[-1] == "ok" for r in rows)


def test_lr_and_digits(capsys):
    code, out, _ = run(capsys, XOR1, "--lr", "1", "--digits", "5")
    assert code == 0
    assert ["b", "-0.1 - 1·0.47502", "-0.57502"] in [r[2:5] for r in rows_of(out, "text")]


# ---------------------------------------------------------------------- errors
def _broken(tmp_path) -> str:
    d = Document()
    d.add_node("Input", {"shape": [2]}, node_id="x")
    d.add_node("Dense", {"units": 1}, node_id="h")
    d.add_node("Loss", {"loss": "mse"}, node_id="L")
    d.connect("x", "h")
    path = tmp_path / "broken.nedit"
    save(d, path)
    return str(path)


@pytest.mark.parametrize(
    "argv, message",
    [
        ([GRAPH, "--inputs", "x=4,y=-2,z=5,v=1"], "unknown input 'v'"),
        ([GRAPH, "--inputs", "x=4,y=-2,z=5"], "no value for input w"),
        ([GRAPH, "--inputs", "x=four,y=-2,z=5,w=1"], "'four' is not a number"),
        ([GRAPH, "--inputs", "x"], "is not NAME=VALUE"),
        ([XOR1, "--sample", "9"], "sample 9 does not exist"),
        ([XOR1, "--sample", "-1"], "--sample must be at least 0"),
        ([XOR1, "--sample", "one"], "is not a whole number"),
        ([XOR1, "--sample", "0", "--inputs", "input_1=[0,1]"], "either --sample or --inputs"),
        ([XOR1, "--inputs", "input_1=[0,1]"], "needs a target"),
        ([XOR1, "--target", "0,1"], "the target has 2"),
        ([XOR1, "--lr", "0"], "--lr must be a positive number"),
        ([str(ROOT / "samples" / "missing.nedit")], "no such file"),
    ],
)
def test_errors_are_one_line_with_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_graph_with_problems_is_one_line(capsys, tmp_path):
    code, out, err = run(capsys, _broken(tmp_path))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "cannot run" in err


def test_vector_inputs(capsys):
    code, out, _ = run(capsys, XOR1, "--inputs", "input_1=[1,0]", "--target", "1")
    assert code == 0 and ["z", "0.75·1 + 0.5·0 + (-0.1)", "0.65"] in [r[2:5] for r in rows_of(out, "text")]


@pytest.mark.parametrize(
    "argv",
    [
        ["samples/xor_single_neuron.nedit", "--sample", "0", "--gradcheck"],
        ["samples/compute_graph.nedit", "--inputs", "x=4,y=-2,z=5,w=-1", "--gradcheck"],
    ],
)
def test_docs_show_the_current_output(capsys, monkeypatch, argv):
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, *argv)
    assert code == 0
    doc = (ROOT / "docs" / "trace-examples.md").read_text(encoding="utf-8")
    assert f"$ neuroedit trace {' '.join(argv)}\n{out}```" in doc


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_latex_compiles_with_pdflatex(capsys, tmp_path):
    code, out, _ = run(capsys, str(ROOT / "samples" / "xor.nedit"), "--format", "latex", "--gradcheck")
    assert code == 0
    (tmp_path / "trace.tex").write_text(out, encoding="ascii")
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath,longtable}\n"
        "\\begin{document}\n\\input{trace}\n\\end{document}\n",
        encoding="ascii",
    )
    r = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout[-2000:]
    assert (tmp_path / "main.pdf").stat().st_size > 0
