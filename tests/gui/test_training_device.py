"""The Training panel's Device choice: shows what CUDA offers here, and a GPU that cannot be used is a clear message."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QLabel

import neuroedit.engine.devices as devices
from neuroedit import io as nedit_io

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _window(make_window):
    doc = nedit_io.load(SAMPLES / "xor.nedit")
    doc.settings.update(epochs=5, batch_mode="full")
    return make_window(doc, None)


def _choose(w, device: str) -> None:
    combo = w.findChild(QComboBox, "device_combo")
    combo.setCurrentIndex(combo.findData(device))


def test_the_device_row_says_what_cuda_offers(qtbot, make_window):
    w = _window(make_window)
    combo = w.findChild(QComboBox, "device_combo")
    assert [combo.itemData(i) for i in range(combo.count())] == ["cpu", "cuda", "auto"]
    assert combo.currentData() == "cpu" and w.training.device == "cpu"
    assert w.findChild(QLabel, "device_status").text() == devices.cuda_status().describe()
    _choose(w, "auto")
    assert w.training.device == "auto"


def test_cuda_without_a_gpu_fails_with_the_reason_and_trains_nothing(qtbot, make_window, monkeypatch):
    monkeypatch.setattr(devices, "cuda_status", lambda: devices.CudaStatus(False, reason="no CUDA GPU found"))
    w = _window(make_window)
    before = {k: {n: a.copy() for n, a in v.items()} for k, v in w.doc.weights.items()}
    _choose(w, "cuda")
    w.training.train()
    assert w.training.state == "failed"
    assert w.training.message == "Cannot train: CUDA was asked for but is unavailable: no CUDA GPU found"
    assert w.training.worker is None
    for op, arrays in before.items():
        for name, a in arrays.items():
            assert (w.doc.weights[op][name] == a).all()
    _choose(w, "cpu")
    w.training.train()
    qtbot.waitUntil(lambda: w.training.state in ("finished", "idle", "stopped"), timeout=30_000)
    w.training.shutdown()
    w.files.forced_dirty = False
    w.doc.history.set_clean()
