"""Targets matched to the loss, and the data-vs-Input shape message."""

import numpy as np
import pytest

from neuroedit.data import LOSS_TARGETS, DataError, check_input_shape, load, targets_for_loss


def test_loss_table_matches_the_model_catalog():
    from neuroedit.model.catalog import LOSS_TARGETS as MODEL_LOSS_TARGETS

    assert LOSS_TARGETS == MODEL_LOSS_TARGETS


def test_classification_target_forms():
    y = np.array([0, 2, 1])
    np.testing.assert_array_equal(targets_for_loss(y, "categorical_crossentropy", 3), np.eye(3)[[0, 2, 1]])
    out = targets_for_loss(y, "sparse_categorical_crossentropy", 3)
    assert out.dtype == np.int64 and out.tolist() == [0, 2, 1]
    assert targets_for_loss(y, "multiclass_hinge", 3).tolist() == [0, 2, 1]
    assert targets_for_loss(np.eye(3)[[0, 2, 1]], "sparse_categorical_crossentropy", 3).tolist() == [0, 2, 1]


def test_binary_forms_keep_0_1():
    y = np.array([0, 1, 1, 0])
    for loss in ("binary_crossentropy", "hinge"):
        out = targets_for_loss(y, loss, 2)
        assert out.shape == (4, 1) and out.dtype == np.float32 and out[:, 0].tolist() == [0, 1, 1, 0]
    with pytest.raises(DataError, match="two classes"):
        targets_for_loss(np.array([0, 1, 2]), "binary_crossentropy", 3)


def test_regression_losses():
    y = np.array([[0.5], [0.25]], dtype=np.float64)
    out = targets_for_loss(y, "mse", 0)
    assert out.dtype == np.float32 and out.shape == (2, 1)
    assert targets_for_loss(np.array([0.5, 0.1]), "mae", 0).shape == (2, 1)
    # squared error on class labels: 0/1 column for two classes, one-hot for more (course example 6)
    assert targets_for_loss(np.array([1, 0]), "squared_error", 2).tolist() == [[1.0], [0.0]]
    assert targets_for_loss(np.array([2]), "sum_squared_error", 3).tolist() == [[0, 0, 1]]


def test_classification_loss_on_regression_data_explains():
    with pytest.raises(DataError, match="continuous targets"):
        targets_for_loss(np.array([[0.5]]), "categorical_crossentropy", 0)
    with pytest.raises(DataError, match="unknown loss"):
        targets_for_loss(np.array([0]), "nope", 2)


def test_input_shape_check_messages():
    xor = load("xor")
    assert check_input_shape(xor, (2,)) is None and check_input_shape(xor, [2]) is None
    msg = check_input_shape(xor, (3,))
    assert "2 input values" in msg and "(3,)" in msg and "[2]" in msg


def test_image_shape_suggests_flatten(idx_folder):
    ds = load(f"idx:{idx_folder()}")
    msg = check_input_shape(ds, (12,))
    assert "4×3" in msg and "(12,)" in msg and "[4, 3]" in msg and "Flatten" in msg
    msg = check_input_shape(ds, (784,))
    assert "Flatten" in msg and "[4, 3]" in msg
