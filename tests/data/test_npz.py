"""NPZ import: default and chosen keys, Keras-style train/test keys, pickled arrays refused."""

import numpy as np
import pytest

from neuroedit.data import DataError, load


def test_x_y_keys(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.arange(20, dtype=np.float64).reshape(10, 2), y=np.arange(10) % 2)
    ds = load("npz:d.npz:scale=none", str(tmp_path))
    assert ds.task == "classification" and ds.input_shape == (2,) and sum(ds.split_sizes().values()) == 10


def test_chosen_keys_and_uint8_images(tmp_path):
    np.savez(tmp_path / "d.npz", images=np.full((8, 5, 5), 255, np.uint8), labels=np.arange(8) % 4)
    ds = load("npz:d.npz:x=images,y=labels", str(tmp_path))
    assert ds.is_image and ds.input_shape == (5, 5) and ds.train[0].max() == 1.0 and ds.num_classes == 4


def test_keras_style_test_split_is_kept(tmp_path):
    np.savez(
        tmp_path / "m.npz",
        x_train=np.zeros((30, 2, 2), np.uint8),
        y_train=np.arange(30) % 3,
        x_test=np.zeros((6, 2, 2), np.uint8),
        y_test=np.arange(6) % 3,
    )
    ds = load("npz:m.npz", str(tmp_path))
    assert ds.split_sizes()["test"] == 6 and ds.split_sizes()["train"] + ds.split_sizes()["val"] == 30


def test_float_targets_are_regression(tmp_path):
    np.savez(tmp_path / "r.npz", x=np.zeros((5, 3)), y=np.linspace(0, 1, 5))
    ds = load("npz:r.npz:split=1:0:0", str(tmp_path))
    assert ds.task == "regression" and ds.train[1].shape == (5, 1)


def test_pickled_object_array_is_refused(tmp_path):
    np.savez(tmp_path / "p.npz", x=np.array([{"a": 1}, None], dtype=object), y=np.arange(2))
    with pytest.raises(DataError, match="is ever unpickled"):
        load("npz:p.npz", str(tmp_path))


def test_missing_key_lists_keys(tmp_path):
    np.savez(tmp_path / "d.npz", a=np.zeros(3), b=np.zeros(3))
    with pytest.raises(DataError, match="no array named 'x'; the file holds a, b"):
        load("npz:d.npz", str(tmp_path))


def test_sample_count_mismatch(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((5, 2)), y=np.zeros(4, int))
    with pytest.raises(DataError, match="5 samples but 'y' has 4"):
        load("npz:d.npz", str(tmp_path))


def test_not_an_npz(tmp_path):
    (tmp_path / "d.npz").write_text("hello")
    with pytest.raises(DataError, match="not a valid .npz"):
        load("npz:d.npz", str(tmp_path))


def test_one_dimensional_inputs_become_one_column(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.arange(6.0), y=np.arange(6.0) * 2)
    ds = load("npz:d.npz:split=1:0:0,scale=none", str(tmp_path))
    assert ds.input_shape == (1,) and ds.train[0].shape == (6, 1)
