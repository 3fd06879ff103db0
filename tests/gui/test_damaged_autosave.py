"""A damaged autosave is set aside: the recovery offer shows the loader's one-line message once, never again."""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile

from PySide6.QtWidgets import QMessageBox

from neuroedit import io as nedit_io
from neuroedit.gui import app
from neuroedit.gui.files import find_recoveries
from neuroedit.gui.templates import TEMPLATES_BY_KEY


def _crashed_session_autosave(folder, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "autosave-99999999.nedit").write_bytes(data)
    (folder / "autosave-99999999.json").write_text(json.dumps({"pid": 99_999_999, "path": None, "time": 1.0}))


def _with_lying_weights() -> bytes:
    """A real autosave whose weights.npz holds an .npy header of shape (0, 2**64) (an OverflowError in NumPy)."""
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 18446744073709551616), }".ljust(117) + "\n"
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w") as z:
        z.writestr("dense_1/bias.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(nedit_io.to_bytes(TEMPLATES_BY_KEY["xor"].create()))) as src,
        zipfile.ZipFile(out, "w") as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, npz.getvalue() if info.filename == "weights.npz" else src.read(info))
    return out.getvalue()


def test_damaged_autosave_is_set_aside_and_reported(tmp_path, monkeypatch, qapp):
    folder = tmp_path / "recovery"
    _crashed_session_autosave(folder, _with_lying_weights())
    monkeypatch.setattr(app, "find_recoveries", lambda: find_recoveries(folder))
    shown = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text)))
    assert app._offer_recovery() is None
    assert len(shown) == 1 and "The autosave cannot be read." in shown[0]
    assert "weights.npz: dense_1/bias: the header declares the impossible shape (0, 18446744073709551616)" in shown[0]
    assert sorted(os.listdir(folder)) == ["autosave-99999999.damaged.nedit"]
    assert find_recoveries(folder) == [] and app._offer_recovery() is None  # the next start is not offered it


def test_open_shows_the_loaders_one_line_message(make_window, tmp_path, dialogs):
    """File > Open of hostile files: the dialog carries the same message as `neuroedit validate`."""
    w = make_window()
    lying = tmp_path / "lying.nedit"
    lying.write_bytes(_with_lying_weights())
    fifo = tmp_path / "pipe.nedit"
    os.mkfifo(fifo)
    for path, expected in (
        (lying, "weights.npz: dense_1/bias: the header declares the impossible shape"),
        (fifo, "is a named pipe (FIFO), not a regular file"),
    ):
        assert not w.files.load(str(path))
        kind, _, text = dialogs[-1]
        assert kind == "critical" and expected in text
    assert w.windowTitle().startswith("Untitled")
