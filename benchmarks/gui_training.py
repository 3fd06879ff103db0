"""GUI responsiveness while the editor trains 784-300-10 at full speed on Fashion-MNIST-sized data.

Measured in one process, one after the other on the same data:
  * headless: the trainer alone in ~0.25 s engine calls, no layer statistics (what the CLI does),
    with the BLAS thread count tuned (the default) and fixed at all cores and at 1;
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
    """Steps per second of the trainer alone, in the CLI's ~0.25 s calls (BLAS threads tuned, or fixed)."""
    from neuroedit.gui.training.controller import _build_session, snapshot

    session = _build_session(snapshot(doc), spec, None)
    trainer = session.trainer
    trainer.config.blas_threads = blas_threads
    trainer.config.layer_stats = False
    trainer.advance(50)                                   # compile / warm up
    trainer.advance(50)
    chunk = 50
    start_step, t0 = trainer.global_step, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        c0 = time.perf_counter()
        before = trainer.global_step
        trainer.advance(chunk)
        per_step = (time.perf_counter() - c0) / max(1, trainer.global_step - before)
        chunk = max(1, int(0.25 / per_step))
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
              "latency": np.array(probe.delays) * 1000.0,
              "threads": c.session.trainer.threads.best if c.session and c.session.trainer.threads else "-"}
    c.shutdown()
    window.files.forced_dirty = False
    window.doc.history.set_clean()
    window.close()
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=6.0, help="measuring time of each case per round")
    ap.add_argument("--rounds", type=int, default=2, help="rounds of all cases (medians are reported)")
    ap.add_argument("--samples", type=int, default=60000)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    cores = os.cpu_count() or 2
    cases: dict[str, list] = {"tuned": [], "all": [], "one": [], "gui": []}
    with tempfile.TemporaryDirectory() as tmp:
        spec = write_data(Path(tmp), args.samples)
        for _ in range(args.rounds):
            cases["tuned"].append(headless_rate(make_document(spec), spec, args.seconds))
            cases["all"].append(headless_rate(make_document(spec), spec, args.seconds, cores))
            cases["one"].append(headless_rate(make_document(spec), spec, args.seconds, 1))
            cases["gui"].append(gui_run(app, make_document(spec), args.seconds, warmup=2.0))

    def med(key: str, field: str | None = None) -> float:
        return float(np.median([c[field] if field else c for c in cases[key]]))

    def rounds(key: str, field: str | None = None) -> str:
        return ", ".join(f"{c[field] if field else c:,.0f}" for c in cases[key])

    reference = max(med("tuned"), med("all"))
    rate = med("gui", "steps_per_s")
    ratio = rate / reference
    guis = cases["gui"]
    lat = np.concatenate([g["latency"] for g in guis])
    p50, p95, worst = (np.percentile(lat, 50), np.percentile(lat, 95), lat.max()) if len(lat) else (np.nan,) * 3
    fps, paints = med("gui", "fps"), med("gui", "paints_per_s")
    print(f"784-300-10 ReLU/softmax, batch 32, SGD, {args.samples} samples; {args.rounds} rounds of "
          f"{args.seconds:.0f} s per case (medians); {cores} cores")
    print(f"headless trainer, BLAS threads tuned (CLI) : {med('tuned'):,.0f} steps/s  (rounds: {rounds('tuned')})")
    print(f"headless trainer, {cores} BLAS threads fixed   : {med('all'):,.0f} steps/s  (rounds: {rounds('all')})")
    print(f"headless trainer, 1 BLAS thread fixed    : {med('one'):,.0f} steps/s  (rounds: {rounds('one')})")
    print(f"GUI training (all plots live)            : {rate:,.0f} steps/s  (rounds: {rounds('gui', 'steps_per_s')})")
    print(f"throughput GUI / best headless           : {ratio:.1%} (target >= 85%) {'OK' if ratio >= 0.85 else 'MISSED'}")
    print(f"GUI event latency                        : p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms over "
          f"{len(lat)} probes (target p95 <= 30 ms) {'OK' if p95 <= 30 else 'MISSED'}")
    print(f"plot frames                              : {fps:.1f} redraws/s ({paints:.1f} loss-plot paints/s) "
          f"(target >= 25) {'OK' if fps >= 25 else 'MISSED'}")
    same = rate / med("one")
    print(f"throughput GUI / headless with 1 thread  : {same:.1%} (GUI runs' tuner chose "
          f"{', '.join(str(g['threads']) for g in guis)} thread(s))")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
