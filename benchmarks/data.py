"""Data loading speed: 60,000 28×28 IDX images (target <= 1 s) and a 100,000 × 20 CSV (<= 2 s).

Synthetic files of the real sizes are written to a temporary folder; each load is timed
(best of --repeat) next to a reference measured in the same run: for IDX, the bare
`np.fromfile` + float32 scaling of the same bytes; for CSV, `np.loadtxt` of the same file.

    python benchmarks/data.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import os
import tempfile
import time

import numpy as np

from neuroedit.data import load

IDX_TARGET_S = 1.0
CSV_TARGET_S = 2.0


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def write_idx(path: str, array: np.ndarray, gz: bool = False) -> None:
    data = bytes([0, 0, 8, array.ndim]) + np.array(array.shape, ">u4").tobytes() + array.tobytes()
    with gzip.open(path, "wb", compresslevel=6) if gz else open(path, "wb") as f:
        f.write(data)


def make_idx(folder: str, gz: bool) -> None:
    os.makedirs(folder)
    rng = np.random.default_rng(0)
    suffix = ".gz" if gz else ""
    # MNIST-like pixels: mostly zeros (compressible as in the real files), some ink.
    images = (rng.random((60000, 28, 28)) < 0.2) * rng.integers(0, 256, (60000, 28, 28))
    write_idx(os.path.join(folder, "train-images-idx3-ubyte" + suffix), images.astype(np.uint8), gz)
    write_idx(os.path.join(folder, "train-labels-idx1-ubyte" + suffix), (np.arange(60000) % 10).astype(np.uint8), gz)


def idx_reference(folder: str) -> None:
    raw = np.fromfile(os.path.join(folder, "train-images-idx3-ubyte"), np.uint8, offset=16).reshape(60000, 28, 28)
    labels = np.fromfile(os.path.join(folder, "train-labels-idx1-ubyte"), np.uint8, offset=8)
    x = raw.astype(np.float32) / np.float32(255)
    return x, labels.astype(np.int64)


def make_csv(path: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((100_000, 19))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    header = ",".join([f"f{i}" for i in range(19)] + ["label"])
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", header=header, comments="", fmt=["%.6f"] * 19 + ["%d"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        raw_dir, gz_dir, csv_path = (os.path.join(tmp, n) for n in ("mnist", "mnist-gz", "data.csv"))
        make_idx(raw_dir, gz=False)
        make_idx(gz_dir, gz=True)
        make_csv(csv_path)
        ref = best_of(args.repeat, lambda: idx_reference(raw_dir))
        for label, folder in (("IDX 60,000×28×28 raw", raw_dir), ("IDX 60,000×28×28 .gz", gz_dir)):
            t = best_of(args.repeat, lambda: load(f"idx:{folder}"))
            rows.append((label, t, ref, "np.fromfile+astype", IDX_TARGET_S))
        ref = best_of(args.repeat, lambda: np.loadtxt(csv_path, delimiter=",", skiprows=1))
        t = best_of(args.repeat, lambda: load(f"csv:{csv_path}:target=label"))
        rows.append(("CSV 100,000×20", t, ref, "np.loadtxt", CSV_TARGET_S))
    print(f"{'case':<24} {'neuroedit':>10} {'reference':>10} {'ratio':>6}  {'target':>7}  reference is")
    for label, t, ref, ref_name, target in rows:
        verdict = "ok" if t <= target else "SLOW"
        print(f"{label:<24} {t:>9.3f}s {ref:>9.3f}s {t / ref:>5.2f}x  <= {target:.0f} s {verdict:<4}  {ref_name}")


if __name__ == "__main__":
    main()
