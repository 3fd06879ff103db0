"""Hostile inputs at the command line (issue 17): exit 2 and one line on stderr, no traceback."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

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


def one_line_error(capsys, *argv) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("neuroedit: error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err.strip()


def with_lying_weights(path: Path) -> Path:
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 18446744073709551616), }".ljust(117) + "\n"
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w") as z:
        z.writestr("dense_1/bias.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    with zipfile.ZipFile(XOR) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, npz.getvalue() if info.filename == "weights.npz" else src.read(info))
    return path


@pytest.mark.parametrize("command", ["validate", "info"])
def test_1_npy_shape_2_to_the_64(capsys, tmp_path, command):
    path = with_lying_weights(tmp_path / "lie.nedit")
    assert one_line_error(capsys, command, str(path)) == (
        f"neuroedit: error: {path}: weights.npz: dense_1/bias: the header declares the impossible shape "
        "(0, 18446744073709551616)"
    )


def test_6_devices_and_fifos(capsys, tmp_path):
    assert one_line_error(capsys, "validate", "/dev/zero").endswith(
        "/dev/zero: is a character device, not a regular file"
    )
    os.mkfifo(tmp_path / "x.nedit")
    assert one_line_error(capsys, "info", str(tmp_path / "x.nedit")).endswith(
        "is a named pipe (FIFO), not a regular file"
    )


def test_6_data_info_on_a_fifo(capsys, tmp_path):
    os.mkfifo(tmp_path / "d.npz")
    assert one_line_error(capsys, "data", "info", f"npz:{tmp_path}/d.npz").endswith("not a regular file")


def test_7_closed_pipe_exits_quietly(tmp_path):
    doc = Document()
    for _ in range(3000):
        doc.add_node("Dense", {"units": 2}, (0.0, 0.0))
    save(doc, tmp_path / "big.nedit")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    reader = subprocess.Popen(
        [sys.executable, "-m", "neuroedit", "validate", str(tmp_path / "big.nedit")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    first = reader.stdout.readline()
    reader.stdout.close()  # like `| head -1`
    err = reader.stderr.read()
    assert reader.wait(timeout=60) == 141
    assert first.startswith(b"error") and err == b""


@pytest.mark.parametrize("lr", ["nan", "inf", "1e309", "-inf", "0"])
def test_17_learning_rate_must_be_finite_and_positive(capsys, lr):
    assert one_line_error(capsys, "train", XOR, f"--lr={lr}") == "neuroedit: error: --lr must be a positive number"
