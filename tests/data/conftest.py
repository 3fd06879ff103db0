"""Helpers for the data tests: write small IDX and CSV files."""

import gzip

import numpy as np
import pytest


def write_idx(path, array, gz=False, magic=None):
    array = np.asarray(array, dtype=np.uint8)
    head = bytes(magic) if magic is not None else bytes([0, 0, 8, array.ndim])
    data = head + np.array(array.shape, dtype=">u4").tobytes() + array.tobytes()
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)
    return path


@pytest.fixture
def idx_writer():
    return write_idx


@pytest.fixture
def idx_folder(tmp_path):
    """A tiny MNIST-style folder: 40 train and 20 test 4x3 images with labels 0..9."""

    def make(name="mnist", gz=False, dotted=False, n_train=40, n_test=20):
        folder = tmp_path / name
        folder.mkdir()
        rng = np.random.default_rng(0)
        suffix = ".gz" if gz else ""
        for prefix, n in (("train", n_train), ("t10k", n_test)):
            for kind, arr in (("images", rng.integers(0, 256, (n, 4, 3))), ("labels", np.arange(n) % 10)):
                dims = 3 if kind == "images" else 1
                fname = f"{prefix}-{kind}.idx{dims}-ubyte" if dotted else f"{prefix}-{kind}-idx{dims}-ubyte"
                write_idx(folder / (fname + suffix), arr, gz=gz)
        return folder

    return make
