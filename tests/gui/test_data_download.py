"""The editor offers to download a missing MNIST / Fashion-MNIST, with a progress bar (local server only)."""

from __future__ import annotations

import pytest
from data_server import fake_mirror
from PySide6.QtWidgets import QMessageBox, QPushButton

from neuroedit import io as nedit_io
from neuroedit.data import downloads
from neuroedit.data.downloads import IDX_FILES
from neuroedit.model.samples import fashion_mnist_binary


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("NEUROEDIT_DATA_DIR", str(folder))
    return folder


def test_opening_a_fashion_network_offers_the_download_and_shows_progress(
    make_window, cache, tmp_path, monkeypatch, qtbot, dialogs
):
    path = tmp_path / "fashion.nedit"
    nedit_io.save(fashion_mnist_binary(), path)
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        staticmethod(lambda parent, title, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.Yes),
    )
    with fake_mirror() as mirror:
        monkeypatch.setitem(downloads.DATASETS, "fashion-mnist", mirror.dataset("fashion-mnist", "Fashion-MNIST"))
        w = make_window()
        values = []
        w.data_download._signals.progress.connect(lambda f, done, total: values.append(w.data_download.dialog.value()))
        assert w.files.load(str(path))
        qtbot.waitUntil(lambda: w.data_download.dialog is not None, timeout=3000)
        assert "Fashion-MNIST" in asked[0] and "neuroedit data download fashion-mnist" in asked[0]
        qtbot.waitUntil(lambda: w.data_download.dialog is None, timeout=10000)
    assert w.data_download.last_error == "" and not [d for d in dialogs if d[0] == "critical"]
    assert values and values[-1] == 100
    assert sorted(p.name for p in (cache / "fashion-mnist").iterdir()) == sorted(IDX_FILES)
    qtbot.waitUntil(lambda: not w.data_panel.is_loading(), timeout=10000)
    assert "Fashion-MNIST downloaded" in w.statusBar().currentMessage() or w.data_panel.current_spec()
    assert not w.data_download.check()  # nothing missing any more: no second question
    assert len(asked) == 1


def test_declining_leaves_a_hint_and_a_failed_download_says_why(make_window, cache, monkeypatch, qtbot, dialogs):
    w = make_window(fashion_mnist_binary())
    assert not w.data_download.check()  # the fixture's question answers No
    assert "neuroedit data download fashion-mnist" in w.statusBar().currentMessage()
    with fake_mirror() as mirror:
        monkeypatch.setitem(
            downloads.DATASETS,
            "fashion-mnist",
            mirror.dataset("fashion-mnist", "Fashion-MNIST", hashes={"train-labels-idx1-ubyte.gz": "0" * 64}),
        )
        w.data_download.start(downloads.DATASETS["fashion-mnist"])
        qtbot.waitUntil(lambda: w.data_download.dialog is None, timeout=10000)
    assert "does not match" in w.data_download.last_error
    assert dialogs[-1][0] == "critical" and "does not match" in dialogs[-1][2]
    assert not (cache / "fashion-mnist" / "train-labels-idx1-ubyte.gz").exists()


def test_cancel_stops_the_download(make_window, cache, monkeypatch, qtbot, dialogs):
    with fake_mirror() as mirror:
        mirror.delay_s = 0.3
        monkeypatch.setitem(downloads.DATASETS, "mnist", mirror.dataset())
        w = make_window()
        w.data_download.start(downloads.DATASETS["mnist"])
        cancel = w.data_download.dialog.findChild(QPushButton)
        assert cancel.text() == "Cancel"
        cancel.click()
        qtbot.waitUntil(lambda: w.data_download.dialog is None, timeout=5000)
    assert "cancelled" in w.data_download.last_error
    assert not list((cache / "mnist").glob("*.gz")) and not list((cache / "mnist").glob("tmp*"))
