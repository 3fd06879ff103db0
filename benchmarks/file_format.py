"""`.nedit` save/load time against plain `np.savez`/`np.load` of the same arrays, measured in the same run.

Run: python benchmarks/file_format.py
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time

import numpy as np

from neuroedit.io import load, save
from neuroedit.model import Document


def mlp(hidden: list[int]) -> Document:
    """Input(28x28) -> Flatten -> Dense(h) ... -> Dense(10) -> Loss, with random float32 weights."""
    doc = Document()
    doc.add_node("Input", {"shape": [28, 28]})
    doc.add_node("Flatten")
    for units in hidden:
        doc.add_node("Dense", {"units": units, "activation": "relu"})
    doc.add_node("Dense", {"units": 10, "activation": "softmax"})
    doc.add_node("Loss", {"loss": "sparse_categorical_crossentropy"})
    ids = list(doc.nodes)
    for a, b in itertools.pairwise(ids):
        doc.connect(a, b)
    rng = np.random.default_rng(0)
    fan_in, weights = 784, {}
    for node_id, units in zip([i for i in ids if i.startswith("dense")], [*hidden, 10]):
        weights[node_id] = {
            "kernel": rng.normal(size=(fan_in, units)).astype(np.float32),
            "bias": np.zeros(units, np.float32),
        }
        fan_in = units
    doc.replace_weights(weights)
    return doc


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    folder = tempfile.mkdtemp()
    nedit, npz = os.path.join(folder, "net.nedit"), os.path.join(folder, "ref.npz")
    print("| case | params | neuroedit save | np.savez | ratio | neuroedit load | np.load | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for name, hidden in [("Fashion-MNIST MLP 784-300-10", [300]), ("MLP 784-4096-4096-10", [4096, 4096])]:
        doc = mlp(hidden)
        arrays = {f"{n}/{p}": a for n, ws in doc.weights.items() for p, a in ws.items()}
        count = sum(a.size for a in arrays.values())

        def reference_save():
            with open(npz, "wb") as f:
                np.savez(f, **arrays)
                f.flush()
                os.fsync(f.fileno())  # save() fsyncs too

        def reference_load():
            with np.load(npz, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}

        t_save, r_save = best_of(3, lambda: save(doc, nedit)), best_of(3, reference_save)
        t_load, r_load = best_of(3, lambda: load(nedit)), best_of(3, reference_load)
        print(
            f"| {name} | {count:,} | {t_save:.3f} s | {r_save:.3f} s | {t_save / r_save:.2f}x "
            f"| {t_load:.3f} s | {r_load:.3f} s | {t_load / r_load:.2f}x |"
        )
    for p in (nedit, npz):
        os.unlink(p)
    os.rmdir(folder)


if __name__ == "__main__":
    main()
