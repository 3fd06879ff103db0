"""`neuroedit info` and `neuroedit validate`: output, exit codes, one-line errors, --help."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from neuroedit.cli import main
from neuroedit.io import save
from neuroedit.model import Document

ROOT = Path(__file__).resolve().parents[2]
XOR = str(ROOT / "samples" / "xor.nedit")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _chain(*layers):
    doc = Document()
    ids = []
    for i, (t, p) in enumerate(layers):
        ids.append(doc.add_node(t, p, (i * 220.0, 0.0)))
        if len(ids) > 1:
            doc.connect(ids[-2], ids[-1])
    return doc, ids


@pytest.fixture
def broken_file(tmp_path):
    """Dense straight after a 28x28 input, and no Loss: two errors."""
    doc, _ = _chain(("Input", {"shape": [28, 28]}), ("Dense", {"units": 10}))
    path = tmp_path / "broken.nedit"
    save(doc, path)
    return str(path)


@pytest.fixture
def warning_file(tmp_path):
    """A trainable network plus an unused Dense branch: one warning, no errors."""
    doc, ids = _chain(
        ("Input", {"shape": [2]}),
        ("Dense", {"units": 1, "activation": "sigmoid"}),
        ("Loss", {"loss": "binary_crossentropy"}),
    )
    spare = doc.add_node("Dense", {"units": 4}, (220.0, 150.0))
    doc.connect(ids[0], spare)
    path = tmp_path / "warn.nedit"
    save(doc, path)
    return str(path)


# ---------------------------------------------------------------- info


def test_info_header_and_table(capsys):
    code, out, err = run(capsys, "info", XOR)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"File: {XOR}"
    assert "Data set: xor" in lines
    assert "Loss: binary_crossentropy" in lines
    assert "Optimizer: sgd, lr 0.5, full batch, 2000 epochs" in lines
    rows = [" ".join(line.split()) for line in lines]
    assert "dense_1 (Dense) (None, 2) 6" in rows and "dense_2 (Dense) (None, 1) 3" in rows
    assert lines[-3:] == ["Total params: 9", "Trainable params: 9", "Non-trainable params: 0"]


def test_info_on_a_broken_network_still_prints_and_points_to_validate(capsys, broken_file):
    code, out, _ = run(capsys, "info", broken_file)
    assert code == 0
    assert "Loss: (no Loss node)" in out
    assert "dense_1 (Dense)" in out and "?" in out
    assert out.rstrip().endswith(f"run `neuroedit validate {broken_file}` for details.")
    assert "has 2 errors" in out


def test_info_mentions_stored_weights(capsys):
    _, out, _ = run(capsys, "info", str(ROOT / "samples" / "xor_single_neuron.nedit"))
    assert "Trained weights: stored" in out
    assert "Optimizer: sgd, lr 0.5, stochastic (batch 1)" in out


def test_info_counts_batchnorm_as_non_trainable(capsys, tmp_path):
    doc, _ = _chain(("Input", {"shape": [4]}), ("BatchNorm", {}), ("Dense", {"units": 1}), ("Loss", {}))
    save(doc, tmp_path / "bn.nedit")
    _, out, _ = run(capsys, "info", str(tmp_path / "bn.nedit"))
    assert "Total params: 21" in out and "Trainable params: 13" in out and "Non-trainable params: 8" in out


# ---------------------------------------------------------------- validate


def test_validate_clean_sample(capsys):
    code, out, err = run(capsys, "validate", XOR)
    assert code == 0 and err == ""
    assert out.strip() == f"{XOR}: 0 errors, 0 warnings — OK"


def test_validate_lists_errors_with_their_nodes(capsys, broken_file):
    code, out, _ = run(capsys, "validate", broken_file)
    assert code == 1
    lines = out.splitlines()
    assert "error   dense_1: Dense needs a flat input but gets (None, 28, 28): add a Flatten node before it" in lines
    assert any(line.startswith("error   network: there is no Loss node") for line in lines)
    assert lines[-1] == f"{broken_file}: 2 errors, 0 warnings"


def test_validate_allows_warnings(capsys, warning_file):
    code, out, _ = run(capsys, "validate", warning_file)
    assert code == 0
    assert "warning dense_2: output (None, 4) is not used: connect it to the next node or a Loss" in out
    assert out.splitlines()[-1] == f"{warning_file}: 0 errors, 1 warning"


def test_validate_strict_fails_on_warnings(capsys, warning_file):
    assert run(capsys, "validate", "--strict", warning_file)[0] == 1
    assert run(capsys, "validate", "--strict", XOR)[0] == 0


def test_validate_quiet(capsys, broken_file):
    code, out, err = run(capsys, "validate", "-q", broken_file)
    assert (code, out, err) == (1, "", "")


def test_errors_come_before_warnings(capsys, tmp_path):
    doc, ids = _chain(("Input", {"shape": [2]}), ("Dense", {"units": 1}))
    spare = doc.add_node("Dense", {"units": 4})
    doc.connect(ids[0], spare)
    save(doc, tmp_path / "mixed.nedit")
    code, out, _ = run(capsys, "validate", str(tmp_path / "mixed.nedit"))
    severities = [line.split()[0] for line in out.splitlines()[:-1]]
    assert code == 1 and severities == sorted(severities)  # "error" < "warning"
    assert severities.count("warning") == 2


# ---------------------------------------------------------------- unreadable files: exit 2, one line


def _truncated(tmp_path):
    data = Path(XOR).read_bytes()
    path = tmp_path / "truncated.nedit"
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("command", ["info", "validate"])
@pytest.mark.parametrize(
    "make,expected",
    [
        (lambda d: d / "missing.nedit", "no such file"),
        (lambda d: d, "is a folder"),
        (lambda d: (d / "junk.nedit").write_text("hello") and d / "junk.nedit", "junk.nedit: "),
        (_truncated, "truncated.nedit: "),
    ],
)
def test_unreadable_file_is_one_line_and_exit_2(capsys, tmp_path, command, make, expected):
    path = make(tmp_path)
    code, out, err = run(capsys, command, str(path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("neuroedit: error: ")
    assert expected in err
    assert "Traceback" not in err


def test_a_file_with_bad_params_names_the_place(capsys, tmp_path):
    import io
    import json
    import zipfile

    src = zipfile.ZipFile(XOR)
    members = {name: src.read(name) for name in src.namelist()}
    graph = json.loads(members["graph.json"])
    dense = next(n for n in graph["nodes"] if n["type"] == "Dense")
    dense["params"]["units"] = -4
    members["graph.json"] = json.dumps(graph).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    (tmp_path / "bad.nedit").write_bytes(buf.getvalue())
    code, _, err = run(capsys, "validate", str(tmp_path / "bad.nedit"))
    assert code == 2
    assert "graph.json: nodes[" in err and "units: expected a positive integer, got -4" in err


# ---------------------------------------------------------------- help


@pytest.mark.parametrize(
    "argv,expected",
    [
        (["--help"], ["info", "validate"]),
        (["info", "--help"], ["total", "non-trainable", "Exit status"]),
        (["validate", "--help"], ["warnings", "allowed", "0 if", "1 if", "2 if"]),
    ],
)
def test_help(capsys, argv, expected):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for word in expected:
        assert word in text


def test_missing_file_argument_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        main(["validate"])
    assert e.value.code == 2
    assert "FILE" in capsys.readouterr().err


def test_weights_do_not_break_info(capsys, tmp_path):
    doc, ids = _chain(("Input", {"shape": [2]}), ("Dense", {"units": 2}), ("Loss", {}))
    doc.replace_weights({ids[1]: {"kernel": np.ones((2, 2), np.float32), "bias": np.zeros(2, np.float32)}})
    save(doc, tmp_path / "w.nedit")
    code, out, _ = run(capsys, "info", str(tmp_path / "w.nedit"))
    assert code == 0 and "Trained weights: stored" in out
