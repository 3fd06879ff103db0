"""Real data sets shipped inside scikit-learn (scikit-learn is a NeuroEdit dependency): digits, iris, ..."""

from __future__ import annotations

import importlib
import importlib.util

import numpy as np

from .errors import DataError
from .raw import RawData

INSTALL_HINT = "install with: pip install scikit-learn"
SKLEARN_SETS = {
    "digits": "8×8 images of handwritten digits, 1,797 samples, 10 classes",
    "iris": "150 iris flowers, 4 measurements, 3 species",
    "breast_cancer": "569 tumours, 30 features, malignant vs benign",
    "wine": "178 wines, 13 chemical measurements, 3 cultivars",
}


def sklearn_available() -> bool:
    return importlib.util.find_spec("sklearn") is not None


def load_sklearn(name: str) -> RawData:
    if name not in SKLEARN_SETS:
        raise DataError(f"sklearn:{name}: unknown; choose one of {', '.join(SKLEARN_SETS)}")
    if not sklearn_available():
        raise DataError(f"sklearn:{name} needs scikit-learn, which is not installed; {INSTALL_HINT}")
    datasets = importlib.import_module("sklearn.datasets")
    bunch = getattr(datasets, f"load_{name}")()
    y = np.asarray(bunch.target, dtype=np.int64)
    names = [str(n) for n in bunch.target_names]
    if name == "digits":
        x = (np.asarray(bunch.images, dtype=np.float32) / 16.0).astype(np.float32)
        return RawData(
            x,
            y,
            "classification",
            class_names=names,
            is_image=True,
            notes=["digits: 8×8 images, pixels scaled from 0..16 to [0, 1]"],
        )
    return RawData(
        np.asarray(bunch.data, dtype=np.float32),
        y,
        "classification",
        class_names=names,
        feature_names=[str(f) for f in bunch.feature_names],
        default_scale="standard",
        notes=[f"{name}: {SKLEARN_SETS[name]} (scikit-learn)"],
    )
