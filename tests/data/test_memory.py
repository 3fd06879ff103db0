"""Data sets too large for memory fail with a clear error before allocation."""

import numpy as np
import pytest

from neuroedit.data import DataError, load, memory


def test_idx_refused_from_header_before_reading(tmp_path, monkeypatch, idx_writer):
    folder = tmp_path / "huge"
    folder.mkdir()
    # Header claims 10^6 images of 28x28 but the file holds none: only the header is read.
    (folder / "train-images-idx3-ubyte").write_bytes(bytes([0, 0, 8, 3]) + np.array([10**6, 28, 28], ">u4").tobytes())
    idx_writer(folder / "train-labels-idx1-ubyte", np.zeros(10**6, np.uint8))
    monkeypatch.setattr(memory, "MEMORY_CAP_BYTES", 100 * 1024**2)
    with pytest.raises(DataError, match="would need about .* of memory"):
        load(f"idx:{folder}")


def test_csv_refused_by_size(tmp_path, monkeypatch):
    (tmp_path / "d.csv").write_text("a,y\n" + "1.0,0\n" * 2000)
    monkeypatch.setattr(memory, "MEMORY_CAP_BYTES", 1000)
    with pytest.raises(DataError, match="memory"):
        load("csv:d.csv", str(tmp_path))


def test_generator_size_is_bounded():
    with pytest.raises(DataError, match="too large"):
        load("circle:n=100000000")


def test_limit_is_half_available(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 1000)
    assert memory.memory_limit() == 500
    monkeypatch.setattr(memory, "available_bytes", lambda: None)
    assert memory.memory_limit() == memory.MEMORY_CAP_BYTES
