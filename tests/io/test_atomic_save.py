"""Saving is atomic: a failure at any point leaves the old file intact and no temporary file behind."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest
from nedit_helpers import assert_same_document, small_network

import neuroedit.io.atomic as atomic
from neuroedit.io import SaveError, load, save


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "net.nedit"
    save(small_network(), path)
    return path


def changed_network():
    doc = small_network()
    doc.set_param("dense_2", "activation", "relu")
    return doc


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failure_mid_save_keeps_the_old_file(saved, monkeypatch, failing):
    before = saved.read_bytes()

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, failing, boom)
    with pytest.raises(OSError, match="No space left"):
        save(changed_network(), saved)
    monkeypatch.undo()
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == ["net.nedit"]
    assert load(saved).nodes["dense_2"].params["activation"] == "tanh"


def test_failure_while_writing_keeps_the_old_file(saved, monkeypatch):
    before = saved.read_bytes()
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[: len(data) // 2])
            raise KeyboardInterrupt  # the user quits mid-save

        def flush(self):
            pass

        def fileno(self):
            return self.f.fileno()

    monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(KeyboardInterrupt):
        save(changed_network(), saved)
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == ["net.nedit"]


def test_unsaveable_document_touches_nothing(saved):
    before = saved.read_bytes()
    doc = small_network()
    doc.weights["dense_1"]["kernel"][0, 0] = np.inf
    with pytest.raises(SaveError):
        save(doc, saved)
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == ["net.nedit"]


def test_save_replaces_and_keeps_permissions(saved):
    os.chmod(saved, 0o640)
    save(changed_network(), saved)
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o640
    assert_same_document(load(saved), changed_network())
    assert os.listdir(saved.parent) == ["net.nedit"]


def test_new_file_gets_ordinary_permissions(tmp_path):
    path = tmp_path / "new.nedit"
    save(small_network(), path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask


def test_save_into_missing_folder_fails_cleanly(tmp_path):
    with pytest.raises(FileNotFoundError):
        save(small_network(), tmp_path / "nope" / "net.nedit")
