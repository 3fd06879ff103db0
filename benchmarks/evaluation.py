"""Evaluation speed: 10,000 Fashion-MNIST-sized test images through 784-300-10, metrics included.

Measured in one process, best of --rounds (the machine is shared):
  * headless: `evaluate_data` (Network.predict + Network.evaluate + every scikit-learn metric: confusion
    matrix, per-class P/R/F1, averages, one-vs-rest ROC and PR curves with AUC and AP, top-k, log loss);
  * reference, same run: a bare NumPy forward pass plus only `confusion_matrix` and
    `roc_auc_score(multi_class="ovr")` (what a hand-written script computes at least);
  * GUI: the editor's Evaluation panel, from pressing Evaluate to the drawn result (data set cached after
    the first request), while a probe posts an event to the GUI thread every 10 ms and records the
    longest wait (the GUI thread must never block).

Targets (issue 14): headless <= 1 s; panel <= 0.5 s after asking; GUI thread never blocked.

Run: python benchmarks/evaluation.py [--rounds 3] [--samples 10000]
(QT_QPA_PLATFORM=offscreen is used unless a display is set.)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gui_training import make_document

PROBE_MS = 10


def write_test_split(folder: Path, n: int) -> str:
    """2n Fashion-MNIST-sized images split 50:0:50, so the test split holds n."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 2 * n)
    base = rng.integers(0, 255, (10, 28, 28))
    x = np.clip(base[y] + rng.normal(0, 90, (2 * n, 28, 28)), 0, 255).astype(np.uint8)
    path = folder / "fashion_like.npz"
    np.savez(path, x=x, y=y)
    return f"npz:{path}:split=50:0:50"


def best(fn, rounds: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def reference(weights: dict, x: np.ndarray, y: np.ndarray) -> float:
    from sklearn.metrics import confusion_matrix, roc_auc_score

    h = np.maximum(x.reshape(len(x), -1) @ weights["hidden"]["kernel"] + weights["hidden"]["bias"], 0)
    z = h @ weights["classes"]["kernel"] + weights["classes"]["bias"]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    confusion_matrix(y, p.argmax(axis=1))
    return float(roc_auc_score(y, p, multi_class="ovr"))


def gui_rounds(doc, spec_folder: Path, rounds: int) -> tuple[list[float], float]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from neuroedit.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    w = MainWindow(doc, None, recovery_folder=spec_folder / "recovery", restore_layout=False)
    w.resize(1400, 900)
    w.show()
    w.docks["evaluation"].raise_()
    w.evaluation_panel.split_box.setCurrentIndex(w.evaluation_panel.split_box.findData("test"))
    stalls: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        stalls.append(now - last[0] - PROBE_MS / 1000)
        last[0] = now

    probe = QTimer()
    probe.timeout.connect(tick)
    probe.start(PROBE_MS)
    shown, complete = [], []
    for i in range(rounds + 1):  # the first request also loads the data set: reported apart
        w.evaluation_panel.request()
        while w.evaluation.job is not None:
            app.processEvents()
            time.sleep(0.001)
        app.processEvents()
        shown.append(w.evaluation_panel.shown_after)
        complete.append(w.evaluation_panel.complete_after)
        if i == 0:
            first_stall = max(stalls)
            stalls.clear()
    probe.stop()
    w.files.forced_dirty = False
    w.close()
    return shown, complete, (first_stall, max(stalls))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--samples", type=int, default=10_000)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp())
    spec = write_test_split(folder, args.samples)

    t = time.perf_counter()
    import sklearn.metrics  # noqa: F401

    sk_import = time.perf_counter() - t

    from neuroedit.api.bridge import graph_spec
    from neuroedit.api.data import load_training_data
    from neuroedit.api.network import Network
    from neuroedit.api.session import ensure_weights
    from neuroedit.evaluation.evaluate import evaluate_data

    doc = make_document(spec)
    ensure_weights(doc)
    graph = graph_spec(doc)
    data = load_training_data(graph, spec)
    x, y = data.test[0], data.dataset.test[1]
    assert len(x) == args.samples, len(x)
    net = Network(doc)
    cold = time.perf_counter()
    evaluate_data(net, graph, data, "test")
    cold = time.perf_counter() - cold
    ours, ev = best(lambda: evaluate_data(net, graph, data, "test"), args.rounds)
    ref, _ = best(lambda: reference(doc.weights, x, y), args.rounds)
    print(f"sklearn.metrics import: {sk_import:.3f} s")
    print(f"headless evaluate, first call (Numba compile cache): {cold:.3f} s")
    print(
        f"headless evaluate {args.samples} images: {ours:.3f} s (reference {ref:.3f} s, ratio {ours / ref:.2f}x)"
        f" accuracy {ev.metrics.accuracy:.3f}"
    )
    shown, complete, stall = gui_rounds(make_document(spec), folder, args.rounds)
    print(f"panel, first request (loads the data set): matrix {shown[0]:.3f} s, with curves {complete[0]:.3f} s")
    print(
        f"panel, later requests: matrix and table best {min(shown[1:]):.3f} s / worst {max(shown[1:]):.3f} s; "
        f"with ROC and PR best {min(complete[1:]):.3f} s / worst {max(complete[1:]):.3f} s"
    )
    print(
        f"longest GUI-thread stall (probe every {PROBE_MS} ms): first request {stall[0] * 1000:.0f} ms "
        f"(creates the plots), later requests {stall[1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
