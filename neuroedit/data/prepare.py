"""Turn raw samples into train/val/test: class subsets, (stratified) splits, scaling fit on train."""

from __future__ import annotations

import numpy as np

from .errors import DataError

DEFAULT_SPLIT = (75.0, 10.0, 15.0)


def parse_split(text: str | None) -> tuple[float, float, float]:
    """`75:10:15` (or `80:20`, no test split) -> fractions summing to 1."""
    if text is None:
        parts = list(DEFAULT_SPLIT)
    else:
        try:
            parts = [float(p) for p in text.replace("/", ":").split(":")]
        except ValueError:
            raise DataError(f"split={text!r}: write train:val:test ratios, e.g. split=75:10:15") from None
        if len(parts) == 2:
            parts.append(0.0)
        if len(parts) != 3 or any(p < 0 for p in parts) or parts[0] <= 0:
            raise DataError(f"split={text!r}: need 2 or 3 non-negative ratios with a training part > 0")
    total = sum(parts)
    return parts[0] / total, parts[1] / total, parts[2] / total


def parse_classes(text: str) -> list[int]:
    try:
        classes = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise DataError(f"classes={text!r}: list class numbers, e.g. classes=2,6") from None
    if len(classes) < 2 or len(set(classes)) != len(classes):
        raise DataError(f"classes={text!r}: list at least two different class numbers, e.g. classes=2,6")
    return classes


def subset_classes(x: np.ndarray, y: np.ndarray, classes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Keep samples of the listed classes, relabelled 0..k-1 in the order listed."""
    lut = np.full(max(int(y.max(initial=0)), max(classes)) + 1, -1, dtype=np.int64)
    lut[classes] = np.arange(len(classes))
    new = lut[y]
    keep = new >= 0
    return x[keep], new[keep]


def split_indices(
    n: int, fractions: tuple[float, float, float], rng: np.random.Generator, labels: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffled, disjoint index sets; per class (stratified) when labels are given."""
    groups = [np.arange(n)] if labels is None else [np.flatnonzero(labels == c) for c in np.unique(labels)]
    parts: list[list[np.ndarray]] = [[], [], []]
    for idx in groups:
        idx = rng.permutation(idx)
        n_val = round(len(idx) * fractions[1])
        n_test = round(len(idx) * fractions[2])
        n_train = len(idx) - n_val - n_test
        if n_train < 0:
            n_test += n_train
            n_train = 0
        parts[0].append(idx[:n_train])
        parts[1].append(idx[n_train : n_train + n_val])
        parts[2].append(idx[n_train + n_val :])
    train, validation, test = (rng.permutation(np.concatenate(p)).astype(np.int64) for p in parts)
    return train, validation, test


def fit_scaling(x_train: np.ndarray, method: str) -> dict:
    """Statistics from the training split only (per input feature)."""
    if method == "none":
        return {"method": "none"}
    if x_train.shape[0] == 0:
        raise DataError("cannot fit the scaling: the training split is empty")
    if method == "standard":
        mean = x_train.mean(axis=0, dtype=np.float64).astype(np.float32)
        std = x_train.std(axis=0, dtype=np.float64).astype(np.float32)
        std[std == 0] = 1.0
        return {"method": "standard", "mean": mean, "std": std}
    lo = x_train.min(axis=0).astype(np.float64)  # float64: max - min of float32 values can overflow float32
    span = np.minimum(x_train.max(axis=0) - lo, np.finfo(np.float32).max).astype(np.float32)
    span[span == 0] = 1.0
    return {"method": "minmax", "min": lo.astype(np.float32), "range": span}


def apply_scaling(x: np.ndarray, scaling: dict) -> np.ndarray:
    if scaling["method"] == "standard":
        with np.errstate(over="ignore", invalid="ignore"):  # reported below as an error, not a warning
            out = ((x - scaling["mean"]) / scaling["std"]).astype(np.float32)
        if not np.isfinite(out).all():
            raise DataError(
                "standard scaling overflows float32 (inputs near ±3.4e38 with a mean far from them); "
                "rescale the data or use scale=minmax or scale=none"
            )
        return out
    if scaling["method"] == "minmax":  # in float64, where x - min cannot overflow
        return ((x - scaling["min"].astype(np.float64)) / scaling["range"]).astype(np.float32)
    return x
