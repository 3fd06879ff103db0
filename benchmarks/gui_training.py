"""GUI responsiveness while the editor trains 784-300-10 at full speed on Fashion-MNIST-sized data.

Measured in one process on the same data, in interleaved rounds (this machine's speed drifts by
+-30% within minutes, so each GUI measurement is compared with the headless ones next to it):
  * headless: the trainer alone in ~0.25 s engine calls, no layer statistics (what the CLI does),
    with the BLAS thread count tuned (the default) and fixed at all cores and at 1; each kept
    warm, run while the editor's training is paused;
  * GUI: the editor window training the same network through its worker thread, with every
    dashboard live. Meanwhile a probe posts an event to the GUI thread every 20 ms and records
    how long it waits before it is handled (GUI event latency), and the redraws of the plots
    are counted (frames per second).

Targets (issue 6): latency p95 <= 30 ms, plots >= 25 frames/s, GUI throughput >= 85% of headless.

Run: python benchmarks/gui_training.py [--rounds 5] [--seconds 4] [--samples 60000]
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

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication

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
    d.settings.update(optimizer="sgd", learning_rate=0.01, batch_mode="minibatch", batch_size=32, epochs=1000, seed=0)
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


class Headless:
    """The trainer alone, as the CLI runs it: ~0.25 s engine calls, no layer statistics; kept warm between rounds."""

    def __init__(self, spec: str, blas_threads: int | None) -> None:
        from neuroedit.gui.training.controller import _build_session, snapshot

        self.trainer = _build_session(snapshot(make_document(spec)), spec, None).trainer
        self.trainer.config.blas_threads = blas_threads
        self.trainer.config.layer_stats = False
        self.chunk = 50
        self.rate(1.0)  # compile, load BLAS, let the thread tuner explore

    def rate(self, seconds: float) -> float:
        """Steps per second over the next `seconds`."""
        trainer = self.trainer
        start_step, t0 = trainer.global_step, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            c0, before = time.perf_counter(), trainer.global_step
            trainer.advance(self.chunk)
            per_step = (time.perf_counter() - c0) / max(1, trainer.global_step - before)
            self.chunk = max(1, int(0.25 / per_step))
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


def steps_done(trainer) -> int:
    """Steps finished so far, counting those of the engine call still running (calls last ~0.1 s)."""
    return max([trainer.global_step] + [c.first_step + len(c.finished_losses()) for c in trainer.live_calls])


class GuiRun:
    """The editor window training the network; paused while the headless cases run."""

    def __init__(self, app, spec: str, warmup: float) -> None:
        from neuroedit.gui.main_window import MainWindow

        self.app = app
        self.window = MainWindow(make_document(spec), None, restore_layout=False)
        self.window.resize(1600, 1000)
        self.window.show()
        self.training = self.window.training
        self.probe = LatencyProbe()
        self.paints = PaintCounter(self.window.dashboard.loss_plot.plot.viewport())
        self.probe.timer.start()
        self.training.train()
        self._wait_for(lambda: self.training.last_chunk is not None and self.training.state == "running")
        run_event_loop(warmup)

    def _wait_for(self, condition, limit: float = 120.0) -> None:
        deadline = time.perf_counter() + limit
        while not condition() and time.perf_counter() < deadline:
            self.app.processEvents()
            time.sleep(0.002)

    def pause(self) -> None:
        self.training.pause()
        self._wait_for(lambda: self.training.state == "paused")

    def measure(self, seconds: float, settle: float = 1.0) -> dict:
        """Resume, let the plots catch up, then measure `seconds` with the GUI thread in Qt's event loop."""
        c = self.training
        c.train()
        self._wait_for(lambda: c.state == "running")
        run_event_loop(settle)
        trainer = c.session.trainer
        step0, frames0, paints0 = steps_done(trainer), self.window.dashboard.frames, self.paints.count
        self.probe.delays = []
        self.probe.active = True
        cpu0, t0 = time.thread_time(), time.perf_counter()
        run_event_loop(seconds)
        elapsed = time.perf_counter() - t0
        self.probe.active = False
        result = {
            "steps_per_s": (steps_done(trainer) - step0) / elapsed,
            "fps": (self.window.dashboard.frames - frames0) / elapsed,
            "paints_per_s": (self.paints.count - paints0) / elapsed,
            "gui_cpu": (time.thread_time() - cpu0) / elapsed,
            "latency": np.array(self.probe.delays) * 1000.0,
            "threads": trainer.threads.best if trainer.threads else "-",
        }
        self.pause()
        return result

    def close(self) -> None:
        self.training.shutdown()
        self.window.files.forced_dirty = False
        self.window.doc.history.set_clean()
        self.window.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=4.0, help="measuring time of each case per round")
    ap.add_argument("--rounds", type=int, default=5, help="rounds of all cases (medians are reported)")
    ap.add_argument("--samples", type=int, default=60000)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    cores = os.cpu_count() or 2
    cases: dict[str, list] = {"tuned": [], "all": [], "one": [], "gui": []}
    with tempfile.TemporaryDirectory() as tmp:
        spec = write_data(Path(tmp), args.samples)
        gui = GuiRun(app, spec, warmup=2.0)
        gui.pause()
        headless = {"tuned": Headless(spec, None), "all": Headless(spec, cores), "one": Headless(spec, 1)}
        for r in range(args.rounds):
            if r % 2:
                cases["gui"].append(gui.measure(args.seconds))
            for key, runner in headless.items():
                cases[key].append(runner.rate(args.seconds))
            if not r % 2:
                cases["gui"].append(gui.measure(args.seconds))
        gui.close()

    def med(key: str, field: str | None = None) -> float:
        return float(np.median([c[field] if field else c for c in cases[key]]))

    def rounds(key: str, field: str | None = None) -> str:
        return ", ".join(f"{c[field] if field else c:,.0f}" for c in cases[key])

    guis = cases["gui"]
    gui_rates = np.array([g["steps_per_s"] for g in guis])
    best = np.maximum(cases["tuned"], cases["all"])
    ratio = float(np.median(gui_rates / best))  # per round: each GUI run against its neighbours
    ratio_cli = float(np.median(gui_rates / np.array(cases["tuned"])))
    ratio_one = float(np.median(gui_rates / np.array(cases["one"])))
    lat = np.concatenate([g["latency"] for g in guis])
    p50, p95, worst = (np.percentile(lat, 50), np.percentile(lat, 95), lat.max()) if len(lat) else (np.nan,) * 3
    fps, paints, gui_cpu = med("gui", "fps"), med("gui", "paints_per_s"), med("gui", "gui_cpu")
    print(
        f"784-300-10 ReLU/softmax, batch 32, SGD, {args.samples} samples; {args.rounds} interleaved rounds of "
        f"{args.seconds:.0f} s per case; {cores} cores"
    )
    print(f"headless trainer, BLAS threads tuned (CLI) : {med('tuned'):,.0f} steps/s  (rounds: {rounds('tuned')})")
    print(f"headless trainer, {cores} BLAS threads fixed   : {med('all'):,.0f} steps/s  (rounds: {rounds('all')})")
    print(f"headless trainer, 1 BLAS thread fixed    : {med('one'):,.0f} steps/s  (rounds: {rounds('one')})")
    print(
        f"GUI training (all plots live)            : {med('gui', 'steps_per_s'):,.0f} steps/s  "
        f"(rounds: {rounds('gui', 'steps_per_s')}; tuner chose {', '.join(str(g['threads']) for g in guis)})"
    )
    print(
        f"throughput GUI / best headless           : {ratio:.1%} per-round median (target >= 85%) "
        f"{'OK' if ratio >= 0.85 else 'MISSED'}"
    )
    print(f"throughput GUI / headless CLI (tuned)    : {ratio_cli:.1%}")
    print(f"throughput GUI / headless with 1 thread  : {ratio_one:.1%}")
    print(
        f"GUI event latency                        : p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms over "
        f"{len(lat)} probes (target p95 <= 30 ms) {'OK' if p95 <= 30 else 'MISSED'}"
    )
    print(
        f"plot frames                              : {fps:.1f} redraws/s ({paints:.1f} loss-plot paints/s) "
        f"(target >= 25) {'OK' if fps >= 25 else 'MISSED'}"
    )
    print(f"GUI thread CPU while training            : {gui_cpu:.0%} of one core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
