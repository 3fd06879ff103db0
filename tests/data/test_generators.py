"""Built-in generators: exact logic gates, shapes, seeds, balance, parameters."""

import numpy as np
import pytest

from neuroedit.data import DataError, load
from neuroedit.data.generators import GENERATORS, weather_target

TWO_D_CLASSIFICATION = ["circle", "xor_quadrants", "gaussians", "spiral", "moons", "spiral_multi"]
REGRESSION = ["plane", "multi_gaussian", "weather"]


@pytest.mark.parametrize("name,targets", [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("xor", [0, 1, 1, 0])])
def test_logic_gates_are_the_four_patterns_without_split(name, targets):
    ds = load(name)
    x, y = ds.train
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == targets
    for split in (ds.val, ds.test):
        assert np.array_equal(split[0], x) and np.array_equal(split[1], y)
    assert ds.task == "classification" and ds.num_classes == 2
    assert any("no split" in note for note in ds.notes)


@pytest.mark.parametrize("name", TWO_D_CLASSIFICATION)
def test_classification_sets_are_balanced_and_2d(name):
    ds = load(f"{name}:n=300,seed=1")
    total = sum(ds.split_sizes().values())
    k = ds.num_classes
    assert total == 300 - 300 % k
    assert ds.input_shape == (2,)
    y = np.concatenate([ds.train[1], ds.val[1], ds.test[1]])
    assert np.bincount(y).tolist() == [300 // k] * k
    assert ds.train[0].dtype == np.float32 and ds.train[1].dtype == np.int64
    assert np.all(np.abs(ds.train[0]) < 3)


@pytest.mark.parametrize("name", TWO_D_CLASSIFICATION + REGRESSION)
def test_same_seed_same_data_other_seed_other_data(name):
    a, b, c = load(f"{name}:seed=4"), load(f"{name}:seed=4"), load(f"{name}:seed=5")
    assert np.array_equal(a.train[0], b.train[0]) and np.array_equal(a.train[1], b.train[1])
    assert not np.array_equal(a.train[0], c.train[0])


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_sets_have_float_column_targets(name):
    ds = load(name)
    assert ds.task == "regression" and ds.num_classes == 0
    assert ds.train[1].shape == (ds.train[0].shape[0], 1) and ds.train[1].dtype == np.float32


def test_noise_changes_spread():
    quiet = load("gaussians:noise=0,n=2000").train
    loud = load("gaussians:noise=0.5,n=2000").train
    assert loud[0][loud[1] == 1].std() > 2 * quiet[0][quiet[1] == 1].std()


def test_circle_inside_is_class_1_without_noise():
    x, y = load("circle:noise=0").train
    r = np.hypot(x[:, 0], x[:, 1])
    assert np.all(r[y == 1] <= 0.5) and np.all(r[y == 0] >= 0.7)


def test_xor_quadrants_label_is_sign_of_product_without_noise():
    x, y = load("xor_quadrants:noise=0").train
    assert np.array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(int))


def test_spiral_multi_classes_option_sets_arm_count():
    ds = load("spiral_multi:classes=5,n=500")
    assert ds.num_classes == 5 and len(ds.class_names) == 5
    with pytest.raises(DataError, match="too small"):
        load("spiral_multi:classes=2")


def test_weather_inputs_and_walkthrough_point():
    ds = load("weather")
    assert ds.feature_names == ["temperature", "cloudiness"]
    y = np.concatenate([ds.train[1], ds.val[1], ds.test[1]])
    assert y.min() > 0 and y.max() < 1
    x = np.concatenate([ds.train[0], ds.val[0], ds.test[0]])
    assert abs(x.mean()) < 0.15 and abs(x.std() - 1) < 0.1
    assert weather_target(np.array(1.3), np.array(0.8)) == pytest.approx(0.45, abs=0.005)


def test_values_is_one_named_sample():
    ds = load("values:x=4,y=-2,z=5,w=-1")
    assert ds.task == "none" and ds.feature_names == ["x", "y", "z", "w"]
    assert ds.train[0].tolist() == [[4, -2, 5, -1]] and ds.train[1].shape == (1, 0)
    assert ds.spec == "values:x=4,y=-2,z=5,w=-1"
    with pytest.raises(DataError, match="not a number"):
        load("values:x=abc")
    with pytest.raises(DataError):
        load("values")


def test_features_option_adds_columns():
    ds = load("circle:features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2,scale=none")
    x = ds.train[0]
    assert ds.input_shape == (7,)
    np.testing.assert_allclose(x[:, 2], x[:, 0] ** 2, rtol=1e-6)
    np.testing.assert_allclose(x[:, 4], x[:, 0] * x[:, 1], rtol=1e-6)
    np.testing.assert_allclose(x[:, 5], np.sin(x[:, 0]), rtol=1e-6)
    with pytest.raises(DataError, match="unknown feature"):
        load("circle:features=x1,cos")


def test_features_need_two_inputs(tmp_path):
    (tmp_path / "three.csv").write_text("a,b,c,y\n1,2,3,0\n4,5,6,1\n7,8,9,0\n")
    with pytest.raises(DataError, match="2-D"):
        load("csv:three.csv:features=x1sq", str(tmp_path))


def test_bad_parameters_name_the_option():
    with pytest.raises(DataError, match="unknown option n"):
        load("xor:n=10")
    with pytest.raises(DataError, match="noise"):
        load("circle:noise=-1")
    with pytest.raises(DataError, match="unknown data set"):
        load("nosuchset")


def test_every_generator_is_listed():
    assert set(GENERATORS) >= {
        "and",
        "or",
        "xor",
        "circle",
        "xor_quadrants",
        "gaussians",
        "spiral",
        "plane",
        "multi_gaussian",
        "moons",
        "spiral_multi",
        "weather",
    }
