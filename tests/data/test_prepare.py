"""Splits (ratios, stratification, disjointness), scaling fit on train only, class subsets."""

import numpy as np
import pytest

from neuroedit.data import DataError, load
from neuroedit.data.prepare import parse_split, split_indices


def _rows(x):
    return {tuple(r) for r in np.asarray(x).round(6).tolist()}


def test_default_split_is_75_10_15_and_disjoint():
    ds = load("gaussians:n=1000,noise=0.3")
    assert ds.split_sizes() == {"train": 750, "val": 100, "test": 150}
    tr, va, te = _rows(ds.train[0]), _rows(ds.val[0]), _rows(ds.test[0])
    assert not (tr & va) and not (tr & te) and not (va & te)
    assert len(tr) + len(va) + len(te) == 1000


def test_split_is_stratified():
    ds = load("spiral_multi:classes=4,n=800,split=60:20:20")
    for split in ("train", "val", "test"):
        counts = ds.class_counts(split)
        assert max(counts) - min(counts) <= 1, (split, counts)


def test_split_seed_reproducible():
    a, b = load("moons:seed=2"), load("moons:seed=2")
    assert np.array_equal(a.val[0], b.val[0])


def test_split_ratio_forms():
    assert parse_split("80:20") == (0.8, 0.2, 0.0)
    assert parse_split("3:1:1") == (0.6, 0.2, 0.2)
    for bad in ("a:b", "0:1:1", "1:2:3:4", "-1:2:3"):
        with pytest.raises(DataError):
            parse_split(bad)


def test_split_indices_cover_everything_once():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 101)
    parts = split_indices(101, (0.7, 0.1, 0.2), rng, labels)
    assert sorted(np.concatenate(parts).tolist()) == list(range(101))


def test_standard_scaling_fit_on_train_only():
    ds = load("plane:scale=standard,n=400")
    x_train = ds.train[0]
    np.testing.assert_allclose(x_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(x_train.std(axis=0), 1, atol=1e-4)
    raw = load("plane:scale=none,n=400")
    np.testing.assert_allclose(ds.scaling["mean"], raw.train[0].mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(ds.val[0], (raw.val[0] - ds.scaling["mean"]) / ds.scaling["std"], rtol=1e-5)
    assert abs(ds.val[0].mean()) > 1e-6  # not refitted on validation
    np.testing.assert_allclose(ds.scale_inputs(raw.test[0]), ds.test[0], rtol=1e-5)


def test_minmax_scaling():
    ds = load("plane:scale=minmax")
    assert ds.train[0].min() == pytest.approx(0) and ds.train[0].max() == pytest.approx(1)


def test_class_subset_relabels_in_given_order():
    gates = load("xor:classes=1,0")
    assert gates.train[1].tolist() == [1, 0, 0, 1] and gates.class_names == ["1", "0"]
    ds = load("spiral_multi:classes=4,n=400")
    assert ds.num_classes == 4  # for spiral_multi, classes= is the arm count


def test_class_subset_errors():
    with pytest.raises(DataError, match="does not exist"):
        load("circle:classes=0,5")
    with pytest.raises(DataError, match="at least two"):
        load("circle:classes=1")
    with pytest.raises(DataError, match="classification"):
        load("plane:classes=0,1")
