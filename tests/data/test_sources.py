"""Availability listing, scikit-learn sets, and the package's import rules."""

import importlib.util
import subprocess
import sys

import pytest

from neuroedit.data import DataError, available_sources, load, sklearn_source

HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None


def test_listing_covers_builtins_and_files():
    names = {s.name for s in available_sources()}
    assert {"xor", "spiral", "weather", "values", "csv", "npz", "idx", "sklearn:digits"} <= names
    for s in available_sources():
        assert s.available or "pip install scikit-learn" in s.reason


def test_sklearn_missing_is_reported_with_install_command(monkeypatch):
    monkeypatch.setattr(sklearn_source, "sklearn_available", lambda: False)
    with pytest.raises(DataError, match=r"pip install scikit-learn"):
        load("sklearn:iris")


@pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn not installed")
def test_sklearn_sets():
    digits = load("sklearn:digits")
    assert digits.input_shape == (8, 8) and digits.is_image and digits.num_classes == 10
    assert digits.train[0].min() >= 0 and digits.train[0].max() <= 1
    for name, features, classes in (("iris", 4, 3), ("breast_cancer", 30, 2), ("wine", 13, 3)):
        ds = load(f"sklearn:{name}")
        assert ds.input_shape == (features,) and ds.num_classes == classes
        assert len(ds.feature_names) == features


def test_data_package_imports_no_qt_numba_or_model():
    code = (
        "import sys, neuroedit.data as d; d.load('xor'); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'numba') "
        "or m.startswith('neuroedit.model')]; print(bad); sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
