"""GUI responsiveness while the editor trains 784-300-10 at full speed on Fashion-MNIST-sized data.

Measured in one process, one after the other on the same data:
  * headless: the trainer alone, one engine call per epoch, no layer statistics (what the CLI does);
  * GUI: the editor window training the same network through its worker thread, with every
    dashboard live. Meanwhile a probe posts an event to the GUI thread every 20 ms and records
    how long it waits before it is handled (GUI event latency), and the redraws of the plots
    are counted (frames per second).

Targets (issue 6): latency p95 <= 30 ms, plots >= 25 frames/s, GUI throughput >= 85% of headless.

Run: /work/venv/bin/python benchmarks/gui_training.py [--seconds 10] [--samples 60000]
(QT_QPA_PLATFORM=offscreen is used unless a display is set.)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

PROBE_MS = 20


def make_document(data_spec: str):
    from neuroedit.model import Document

    d = Document()
    d.add_node("Input", {"shape": [28, 28]}, (0, 0), "image")
    d.add_node("Flatten", {}, (200, 0), "flatten")
    d.add_node("Dense", {"units": 300, "activation": "relu"}, (400, 0), "hidden")
    d.add_node("Dense", {"units": 10, "activation": "softmax"}, (600, 0), "classes")
    d.add_node("Loss", {"loss": "sparse_categorical_crossentropy"}, (800, 0), "loss")
    for a, b in (("image", "flatten"), ("flatten", "hidden"), ("hidden", "classes"), ("classes", "loss")):
        d.connect(a, b)
    d.set_dataset({"spec": data_spec})
    d.settings.update(optimizer="sgd", learning_rate=0.01, batch_mode="minibatch", batch_size=32, epochs=1000,
                      seed=0)
    d.history.set_clean()
    return d


def write_data(folder: Path, n: int) -> str:
    """Fashion-MNIST-sized random-ish images (uint8, so the loader scales them like the real files)."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, n)
    base = rng.integers(0, 255, (10, 28, 28))
    x = np.clip(base[y] + rng.normal(0, 60, (n, 28, 28)), 0, 255).astype(np.uint8)
    path = folder / "fashion_like.npz"
    np.savez(path, x=x, y=y)
    return f"npz:{path}"


def headless_rate(doc, spec: str, seconds: float, blas_threads: int | None = None) -> float:
    """Steps per second of the trainer alone (one engine call per epoch, as the CLI does)."""
    from neuroedit.gui.training.controller import _build_session, snapshot
    from neuroedit.gui.training.worker import _blas_threads

    session = _build_session(snapshot(doc), spec, None)
    trainer = session.trainer
    trainer.advance(50)                                   # compile / warm up
    with _blas_threads(blas_threads) if blas_threads else nullcontext():
        start_step, t0 = trainer.global_step, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            trainer.advance(trainer.steps_per_epoch)
        return (trainer.global_step - start_step) / (time.perf_counter() - t0)


class LatencyProbe(QObject):
    """Posts an event to itself every PROBE_MS and records the delay until the GUI thread handles it."""

    KIND = QEvent.Type(QEvent.registerEventType())

    def __init__(self) -> None:
        super().__init__()
        self.delays: list[float] = []
        self._posted: float | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._post)
        self.active = False

    def _post(self) -> None:
        if self._posted is None:
            self._posted = time.perf_counter()
            QCoreApplication.postEvent(self, QEvent(self.KIND))

    def event(self, e) -> bool:
        if e.type() == self.KIND:
            if self.active and self._posted is not None:
                self.delays.append(time.perf_counter() - self._posted)
            self._posted = None
            return True
        return super().event(e)


class PaintCounter(QObject):
    def __init__(self, widget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, e) -> bool:
        if e.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def run_event_loop(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def gui_run(app, doc, seconds: float, warmup: float) -> dict:
    from neuroedit.gui.main_window import MainWindow

    window = MainWindow(doc, None, restore_layout=False)
    window.resize(1600, 1000)
    window.show()
    c = window.training
    probe = LatencyProbe()
    paints = PaintCounter(window.dashboard.loss_plot.plot.viewport())
    probe.timer.start()
    c.train()
    deadline = time.perf_counter() + 120
    while (c.last_chunk is None or c.state != "running") and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.002)
    run_event_loop(warmup)
    step0, frames0, paints0 = c.last_chunk.step, window.dashboard.frames, paints.count
    probe.active = True
    t0 = time.perf_counter()
    run_event_loop(seconds)                 # the GUI thread idles in Qt's event loop, as in the real app
    elapsed = time.perf_counter() - t0
    probe.active = False
    result = {"steps_per_s": (c.last_chunk.step - step0) / elapsed,
              "fps": (window.dashboard.frames - frames0) / elapsed,
              "paints_per_s": (paints.count - paints0) / elapsed,
              "latency": np.array(probe.delays) * 1000.0}
    c.shutdown()
    window.files.forced_dirty = False
    window.doc.history.set_clean()
    window.close()
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=6.0, help="measuring time of each side per round")
    ap.add_argument("--rounds", type=int, default=2, help="rounds (headless default, headless 1 BLAS thread, GUI)")
    ap.add_argument("--samples", type=int, default=60000)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    worker_threads = max(1, (os.cpu_count() or 2) - 1)
    heads, limited, guis = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        spec = write_data(Path(tmp), args.samples)
        for _ in range(args.rounds):
            heads.append(headless_rate(make_document(spec), spec, args.seconds))
            limited.append(headless_rate(make_document(spec), spec, args.seconds, worker_threads))
            guis.append(gui_run(app, make_document(spec), args.seconds, warmup=2.0))
    head, head_limited = float(np.median(heads)), float(np.median(limited))
    reference = max(head, head_limited)
    rate = float(np.median([g["steps_per_s"] for g in guis]))
    fps = float(np.median([g["fps"] for g in guis]))
    paints = float(np.median([g["paints_per_s"] for g in guis]))
    lat = np.concatenate([g["latency"] for g in guis])
    p50, p95, worst = (np.percentile(lat, 50), np.percentile(lat, 95), lat.max()) if len(lat) else (np.nan,) * 3
    ratio = rate / reference
    print(f"784-300-10 ReLU/softmax, batch 32, SGD, {args.samples} samples; {args.rounds} rounds of "
          f"{args.seconds:.0f} s per side (medians); {os.cpu_count()} cores")
    print(f"headless trainer, default BLAS threads : {head:,.0f} steps/s  (rounds: "
          f"{', '.join(f'{h:,.0f}' for h in heads)})")
    print(f"headless trainer, {worker_threads} BLAS thread(s)      : {head_limited:,.0f} steps/s  (rounds: "
          f"{', '.join(f'{h:,.0f}' for h in limited)})")
    gui_rounds = ", ".join(f"{g['steps_per_s']:,.0f}" for g in guis)
    print(f"GUI training (all plots live)          : {rate:,.0f} steps/s  (rounds: {gui_rounds})")
    print(f"throughput GUI / best headless         : {ratio:.1%} (target >= 85%) {'OK' if ratio >= 0.85 else 'MISSED'}")
    print(f"GUI event latency                      : p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms over "
          f"{len(lat)} probes (target p95 <= 30 ms) {'OK' if p95 <= 30 else 'MISSED'}")
    print(f"plot frames                            : {fps:.1f} redraws/s ({paints:.1f} loss-plot paints/s) "
          f"(target >= 25) {'OK' if fps >= 25 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
