"""File › Export… and File › Import ONNX… in the editor."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from neuroedit.api import Network
from neuroedit.model.samples import fashion_mnist_mlp, xor

pytest.importorskip("onnx")


def test_export_then_import_through_the_file_menu(make_window, tmp_path, monkeypatch, dialogs):
    window = make_window(xor())
    target = tmp_path / "xor.onnx"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(tmp_path / "xor"), "ONNX model (*.onnx)"))
    )
    window.interop.export_action.trigger()
    assert target.is_file() and not dialogs
    expected = Network(window.doc).predict(np.array([[0, 1], [1, 1.0]]))

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(target), "")))
    window.interop.import_action.trigger()
    assert window.files.path is None and window.files.is_dirty()
    assert [n.type for n in window.doc.nodes.values()] == ["Input", "Dense", "Dense", "Loss"]
    assert set(window.scene.node_items) == set(window.doc.nodes)
    np.testing.assert_allclose(Network(window.doc).predict(np.array([[0, 1], [1, 1.0]])), expected, atol=1e-6)


@pytest.mark.parametrize(
    "chosen,fmt", [("PyTorch script, trains with torchrun too (*.py)", "pytorch"), ("Keras 3 script (*.py)", "keras")]
)
def test_export_a_script_with_its_weights(make_window, tmp_path, monkeypatch, dialogs, chosen, fmt):
    window = make_window(fashion_mnist_mlp())
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(tmp_path / "mlp.py"), chosen))
    )
    window.interop.export_action.trigger()
    assert not dialogs
    text = (tmp_path / "mlp.py").read_text()
    assert ("class Net(nn.Module)" in text) == (fmt == "pytorch")
    assert ("keras.Model" in text) == (fmt == "keras")
    assert (tmp_path / "mlp.npz").is_file()


def test_bad_files_and_invalid_networks_show_a_message_and_change_nothing(make_window, tmp_path, dialogs):
    window = make_window(xor())
    before = window.doc
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07garbage" * 50)
    assert not window.interop.import_from(str(bad))
    assert window.doc is before
    assert dialogs[-1][0] == "critical" and "not an ONNX model" in dialogs[-1][2]

    window.doc.remove_nodes(["loss_1"])
    assert not window.interop.export_to(str(tmp_path / "x.onnx"), "onnx")
    assert "cannot be exported" in dialogs[-1][2]
    assert not (tmp_path / "x.onnx").exists()
