"""`load(spec)`: parse the spec, read the source, subset, add features, split and scale."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .csv_source import load_csv
from .dataset import Dataset
from .downloads import resolve_idx_folder
from .errors import DataError
from .features import expand_features, parse_features
from .generators import GENERATORS
from .idx_source import load_idx
from .npz_source import load_npz
from .options import Options
from .prepare import apply_scaling, fit_scaling, parse_classes, parse_split, split_indices, subset_classes
from .raw import RawData
from .references import resolve_path
from .sklearn_source import INSTALL_HINT, SKLEARN_SETS, load_sklearn, sklearn_available
from .spec import format_spec, parse_spec
from .values_source import load_values

COMMON_OPTIONS = {"split", "seed", "scale", "classes", "features"}
FILE_OPTIONS = {
    "csv": {"target", "header", "delimiter", "task"},
    "npz": {"x", "y", "xtest", "ytest", "task"},
    "idx": {"fashion"},
    "sklearn": set(),
}


def load(spec: str, base_dir: str | None = None) -> Dataset:
    """Build a Dataset from a spec string; file paths are relative to `base_dir` (the .nedit folder)."""
    parsed = parse_spec(spec)
    canonical = format_spec(parsed)
    if parsed.kind == "values":
        raw = load_values(parsed.options)
        return _assemble(raw, canonical, _all(raw), _all(raw), _all(raw), {"method": "none"})
    opts = Options(parsed.options, f"data set {canonical}")
    raw = _read_source(parsed.kind, parsed.location, opts, base_dir)
    _check_not_empty(raw, canonical)
    seed = opts.integer("seed", 0, lo=0)
    fractions = parse_split(opts.text("split"))
    method = opts.choice("scale", raw.default_scale, ("standard", "minmax", "none"))
    if opts.has("classes") and parsed.kind != "spiral_multi":
        raw = _subset(raw, parse_classes(opts.text("classes", "")))
    if opts.has("features"):
        raw = _with_features(raw, parse_features(opts.text("features", "")))

    if raw.no_split:
        train = val = test = _all(raw)
    else:
        train, val, test = _split(raw, fractions, np.random.default_rng(seed))
    scaling = fit_scaling(train[0], method)
    if method != "none":
        train, val, test = ((apply_scaling(x, scaling), y) for x, y in (train, val, test))
        raw.notes.append(f"inputs scaled ({method}) with statistics of the training split")
    return _assemble(raw, canonical, train, val, test, scaling)


def _read_source(kind: str, location: str, opts: Options, base_dir: str | None) -> RawData:
    if kind in GENERATORS:
        opts.check_known(COMMON_OPTIONS | set(GENERATORS[kind].params))
        return GENERATORS[kind].make(opts)
    if kind not in FILE_OPTIONS:
        raise DataError(
            f"unknown data set {kind!r}; built-in: {', '.join(GENERATORS)}, values; "
            "files: csv:PATH, npz:PATH, idx:FOLDER; sklearn:NAME"
        )
    opts.check_known(COMMON_OPTIONS | FILE_OPTIONS[kind])
    if kind == "sklearn":
        return load_sklearn(location)
    path = resolve_path(location, base_dir)
    if kind == "idx":
        path = resolve_idx_folder(location, path)
    return {"csv": load_csv, "npz": load_npz, "idx": load_idx}[kind](path, opts)


def _check_not_empty(raw: RawData, canonical: str) -> None:
    """Every later step (splits, scaling, training) needs samples with values and targets."""
    if raw.x.shape[0] == 0:
        raise DataError(f"data set {canonical}: holds no samples")
    if raw.x.size == 0:
        raise DataError(f"data set {canonical}: samples of shape {raw.x.shape[1:]} hold no input values")
    if raw.y.size == 0:
        raise DataError(f"data set {canonical}: the targets of shape {raw.y.shape[1:]} hold no values")


def _all(raw: RawData) -> tuple[np.ndarray, np.ndarray]:
    return raw.x, raw.y


def _subset(raw: RawData, classes: list[int]) -> RawData:
    if raw.task != "classification":
        raise DataError("classes= picks classes of a classification data set; this one is " + raw.task)
    k = len(raw.class_names)
    bad = [c for c in classes if not 0 <= c < k]
    if bad:
        raise DataError(
            f"classes=: class {bad[0]} does not exist (classes are 0..{k - 1}: {', '.join(raw.class_names)})"
        )
    raw.x, raw.y = subset_classes(raw.x, raw.y, classes)
    if raw.test is not None:
        raw.test = subset_classes(*raw.test, classes)
    raw.notes.append(
        "classes " + " vs ".join(f"{raw.class_names[c]} ({c})" for c in classes) + f" relabelled 0..{len(classes) - 1}"
    )
    raw.class_names = [raw.class_names[c] for c in classes]
    return raw


def _with_features(raw: RawData, names: list[str]) -> RawData:
    raw.x, raw.feature_names = expand_features(raw.x, names)
    if raw.test is not None:
        raw.test = (expand_features(raw.test[0], names)[0], raw.test[1])
    return raw


def _split(raw: RawData, fractions, rng: np.random.Generator):
    labels = raw.y if raw.task == "classification" else None
    if raw.test is not None:
        train_part = fractions[0] + fractions[1]
        idx_train, idx_val, _ = split_indices(
            raw.x.shape[0], (fractions[0] / train_part, fractions[1] / train_part, 0.0), rng, labels
        )
        test = raw.test
    else:
        idx_train, idx_val, idx_test = split_indices(raw.x.shape[0], fractions, rng, labels)
        test = (raw.x[idx_test], raw.y[idx_test])
    return (raw.x[idx_train], raw.y[idx_train]), (raw.x[idx_val], raw.y[idx_val]), test


def _assemble(raw: RawData, canonical: str, train, val, test, scaling: dict) -> Dataset:
    task = raw.task
    return Dataset(
        train=train,
        val=val,
        test=test,
        task=task,
        num_classes=len(raw.class_names) if task == "classification" else 0,
        class_names=list(raw.class_names) if task == "classification" else [],
        input_shape=tuple(int(s) for s in raw.x.shape[1:]),
        spec=canonical,
        feature_names=list(raw.feature_names),
        target_names=list(raw.target_names),
        notes=list(raw.notes),
        is_image=raw.is_image,
        scaling=scaling,
    )


@dataclass(frozen=True)
class SourceInfo:
    """One entry of `available_sources()`: a built-in set or an import format, and whether it works here."""

    name: str
    group: str
    task: str
    description: str
    example: str
    params: dict[str, float] = field(default_factory=dict)
    available: bool = True
    reason: str = ""


def available_sources() -> list[SourceInfo]:
    """Built-in generators, scikit-learn sets (with availability) and the file formats."""
    out = []
    for g in GENERATORS.values():
        group = "logic" if g.name in ("and", "or", "xor") else "synthetic"
        out.append(SourceInfo(g.name, group, g.task, g.description, g.name, dict(g.params)))
    out.append(
        SourceInfo(
            "values",
            "synthetic",
            "none",
            "one sample with named inputs (computation graphs)",
            "values:x=4,y=-2,z=5,w=-1",
        )
    )
    ok = sklearn_available()
    for name, text in SKLEARN_SETS.items():
        out.append(
            SourceInfo(
                f"sklearn:{name}",
                "sklearn",
                "classification",
                text,
                f"sklearn:{name}",
                available=ok,
                reason="" if ok else f"scikit-learn is not installed; {INSTALL_HINT}",
            )
        )
    out += [
        SourceInfo(
            "csv",
            "file",
            "auto",
            "a CSV file: target column by name or index, text labels become classes",
            "csv:data.csv:target=label",
        ),
        SourceInfo(
            "npz",
            "file",
            "auto",
            "a NumPy .npz archive with arrays x and y (or chosen keys)",
            "npz:data.npz:x=images,y=labels",
        ),
        SourceInfo(
            "idx",
            "file",
            "classification",
            "an MNIST / Fashion-MNIST folder of IDX files "
            "(or `neuroedit data download fashion-mnist|mnist`, then idx:fashion-mnist or idx:mnist)",
            "idx:fashion-mnist:classes=2,6",
        ),
    ]
    return out
