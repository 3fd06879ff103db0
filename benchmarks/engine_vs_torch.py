"""NeuroEdit's Numba engine against PyTorch CPU: training steps per second on the same networks.

    python benchmarks/engine_vs_torch.py [--threads 1] [--rounds 3] [--seconds 0.5]
                                                       [--section kernel|user|all]

The kernel section calls the backend directly. The user path section measures what a user
runs: `net.fit`, the `neuroedit train` process and the editor's Train button, each against
PyTorch's plain training loop (zero_grad, forward, loss, backward, step) in the same run.

Both sides run the same architecture, data, batch size, plain SGD and thread count;
measurements alternate (NeuroEdit, PyTorch, NeuroEdit, ...) and the median of the
rounds is reported. Also: the FLOP rate at batch 256 against a plain float32 matrix
product of the same shapes, and the time from process start to the first training
step with a warm kernel cache. Needs `pip install torch==2.13.0` (optional dependency).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys

# Thread counts must be fixed before NumPy, Numba or PyTorch load their thread pools.
_parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
_parser.add_argument("--threads", type=int, default=1, help="threads for BLAS, Numba and PyTorch (default 1)")
_parser.add_argument("--rounds", type=int, default=3, help="alternating measurement rounds (median reported)")
_parser.add_argument("--seconds", type=float, default=0.5, help="minimum time per measurement")
_parser.add_argument("--section", choices=("kernel", "user", "all"), default="all", help="which measurements to run")
_parser.add_argument("--editor-seconds", type=float, default=3.0, help="measuring time of the editor per round")
ARGS = _parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neuroedit.engine import make_backend  # noqa: E402
from neuroedit.engine.optimizers import OptimizerConfig  # noqa: E402
from neuroedit.engine.spec import GraphSpec, OpSpec  # noqa: E402

try:
    import torch
except ImportError:
    sys.exit("PyTorch is not installed: pip install torch==2.13.0")

torch.set_num_threads(ARGS.threads)
FULL_BATCH_STEPS = 256


def mlp_spec(sizes: list[int], hidden: str, out_act: str, loss: str) -> GraphSpec:
    ops = [OpSpec("x", "Input", {"shape": (sizes[0],)}, output_shape=(sizes[0],))]
    prev = "x"
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        act = hidden if i < len(sizes) - 2 else out_act
        ops.append(
            OpSpec(
                f"d{i}",
                "Dense",
                {"units": b, "activation": act, "kernel_initializer": "glorot_uniform", "bias_initializer": "zeros"},
                (prev,),
                ((a,),),
                (b,),
                {"kernel": ((a, b), True), "bias": ((b,), True)},
            )
        )
        prev = f"d{i}"
    ops.append(OpSpec("L", "Loss", {"loss": loss}, (prev,), ((sizes[-1],),), ()))
    return GraphSpec(tuple(ops), ("x",), prev, "L")


def torch_model(sizes: list[int], hidden: str, weights: dict) -> torch.nn.Module:
    layers: list[torch.nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        lin = torch.nn.Linear(a, b)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(weights[f"d{i}"]["kernel"].T.astype(np.float32)))
            lin.bias.copy_(torch.from_numpy(weights[f"d{i}"]["bias"].astype(np.float32)))
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(torch.nn.Sigmoid() if hidden == "sigmoid" else torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


class Case:
    def __init__(self, name, sizes, hidden, out_act, loss, torch_loss, n, batch, target, classes=0):
        self.name, self.batch, self.target = name, batch, target
        rng = np.random.default_rng(0)
        self.X = rng.normal(size=(n, sizes[0])).astype(np.float32)
        if classes:
            y = rng.integers(0, classes, n)
            self.Y, ty = y.astype(np.float32)[:, None], torch.from_numpy(y)
        else:
            y = rng.normal(size=(n, sizes[-1])).astype(np.float32)
            if loss == "binary_crossentropy":
                y = (y > 0).astype(np.float32)
            self.Y, ty = y, torch.from_numpy(y)
        self.backend = make_backend("numba", mlp_spec(sizes, hidden, out_act, loss), "float32", seed=0)
        self.backend.set_optimizer(OptimizerConfig("sgd"))
        self.model = torch_model(sizes, hidden, self.backend.get_weights())
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.01)
        self.loss_fn = torch_loss
        self.tX, self.tY = torch.from_numpy(self.X), ty
        self.n = n
        self.steps_per_epoch = -(-n // batch)
        self.bounds = np.minimum(np.arange(0, (self.steps_per_epoch + 1) * batch, batch), n)
        self.rng = np.random.default_rng(1)

    def neuroedit_epoch(self) -> int:
        if self.batch >= self.n:
            # full batch: one engine call runs FULL_BATCH_STEPS steps (what the engine is built for)
            order = np.tile(np.arange(self.n), FULL_BATCH_STEPS)
            bounds = np.arange(0, self.n * FULL_BATCH_STEPS + 1, self.n)
            return self.backend.train(self.X, self.Y, order, bounds, np.full(FULL_BATCH_STEPS, 0.01)).steps
        order = self.rng.permutation(self.n)
        r = self.backend.train(self.X, self.Y, order, self.bounds, np.full(self.steps_per_epoch, 0.01))
        return r.steps

    def torch_epoch(self) -> int:
        if self.batch < self.n:
            perm = torch.from_numpy(self.rng.permutation(self.n))
            X, Y = self.tX[perm], self.tY[perm]
        else:
            X, Y = self.tX, self.tY
        for s in range(self.steps_per_epoch):
            xb, yb = X[s * self.batch : (s + 1) * self.batch], Y[s * self.batch : (s + 1) * self.batch]
            self.opt.zero_grad(set_to_none=True)
            loss = self.loss_fn(self.model(xb), yb)
            loss.backward()
            self.opt.step()
        return self.steps_per_epoch


def rate(run_epoch, seconds: float) -> float:
    run_epoch()  # warm up
    steps, start = 0, time.perf_counter()
    while True:
        steps += run_epoch()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return steps / elapsed


def matmul_fraction(case: Case, seconds: float) -> tuple[float, float, float]:
    """(engine GFLOP/s, plain matmul GFLOP/s, fraction) for 784-300-10 at the case's batch size."""
    b = case.batch
    flops_step = 2 * b * (784 * 300 * 2 + 300 * 10 * 3)  # fwd x·W1, x·W2; dW1, dW2; dx of layer 2
    x = np.ones((b, 784), np.float32)
    w1, d1 = np.ones((784, 300), np.float32), np.ones((b, 300), np.float32)
    w2, d2 = np.ones((300, 10), np.float32), np.ones((b, 10), np.float32)
    h = np.ones((b, 300), np.float32)
    o1, g1 = np.empty((b, 300), np.float32), np.empty((784, 300), np.float32)

    def products() -> int:
        np.dot(x, w1, o1)
        np.dot(x.T, d1, g1)
        h @ w2
        h.T @ d2
        d2 @ w2.T
        return 1

    mm = rate(products, seconds) * flops_step / 1e9
    ne = rate(case.neuroedit_epoch, seconds) * flops_step / 1e9
    return ne, mm, ne / mm


def first_step_time() -> tuple[float, float]:
    """(seconds from process start, seconds after imports) to the end of the first training step."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import numpy as np, neuroedit as ne\n"
        "from neuroedit.engine import make_backend\n"
        "from neuroedit.api.bridge import graph_spec\n"
        "from neuroedit.io import load\n"
        "doc = load('samples/xor.nedit')\n"
        "t1 = time.perf_counter()\n"
        "b = make_backend('numba', graph_spec(doc), 'float32')\n"
        "X = np.array([[0,0],[0,1],[1,0],[1,1]], np.float32); Y = np.array([[0],[1],[1],[0]], np.float32)\n"
        "b.train(X, Y, np.arange(4), np.array([0, 4]), np.array([0.5]))\n"
        "print(time.perf_counter() - t1)\n"
    )
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, check=True)  # warm the cache
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, float(out.stdout.strip())


def kernel_section() -> None:
    bce, mse, ce = torch.nn.BCEWithLogitsLoss(), torch.nn.MSELoss(), torch.nn.CrossEntropyLoss()
    cases = [
        Case(
            "XOR 2-2-1 sigmoid, full batch (4)", [2, 2, 1], "sigmoid", "sigmoid", "binary_crossentropy", bce, 4, 4, 50.0
        ),
        Case("2-8-1 sigmoid regression, batch 32", [2, 8, 1], "sigmoid", "linear", "mse", mse, 1024, 32, 20.0),
        Case(
            "784-300-10 relu/softmax, batch 32",
            [784, 300, 10],
            "relu",
            "softmax",
            "sparse_categorical_crossentropy",
            ce,
            4096,
            32,
            1.5,
            classes=10,
        ),
        Case(
            "784-300-10 relu/softmax, batch 256",
            [784, 300, 10],
            "relu",
            "softmax",
            "sparse_categorical_crossentropy",
            ce,
            4096,
            256,
            1.0,
            classes=10,
        ),
    ]
    results = {c.name: ([], []) for c in cases}
    for _ in range(ARGS.rounds):
        for c in cases:
            results[c.name][0].append(rate(c.neuroedit_epoch, ARGS.seconds))
            results[c.name][1].append(rate(c.torch_epoch, ARGS.seconds))
    from neuroedit.engine.gemm import IMPLEMENTATION

    print(
        f"threads: {ARGS.threads}, rounds: {ARGS.rounds}, torch {torch.__version__}, numpy {np.__version__}; "
        f"kernels' matrix products: {IMPLEMENTATION}"
    )
    print(f"{'case':<40} {'NeuroEdit steps/s':>18} {'PyTorch steps/s':>16} {'ratio':>8} {'target':>8}")
    for c in cases:
        ne_rate = statistics.median(results[c.name][0])
        pt_rate = statistics.median(results[c.name][1])
        ok = "ok" if ne_rate / pt_rate >= c.target else "MISSED"
        print(f"{c.name:<40} {ne_rate:>18,.0f} {pt_rate:>16,.0f} {ne_rate / pt_rate:>7.2f}x {c.target:>6.1f}x {ok}")
    fr = [matmul_fraction(cases[3], ARGS.seconds) for _ in range(ARGS.rounds)]
    ne_g, mm_g, frac = (statistics.median(v) for v in zip(*fr))
    print(
        f"batch 256 FLOP rate: NeuroEdit {ne_g:.1f} GFLOP/s, plain float32 matmul {mm_g:.1f} GFLOP/s "
        f"-> {frac:.0%} (target >= 60%)"
    )
    total, after_imports = first_step_time()
    print(
        f"first training step, warm cache: {total:.2f} s from process start, {after_imports:.2f} s after imports "
        "(target <= 1 s after imports)"
    )


# ---------------------------------------------------------------------------------------- the user path
XOR_EPOCHS = 20000
ROOT = Path(__file__).resolve().parents[1]
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
XOR_Y = np.array([0, 1, 1, 0], np.float32)
# PyTorch's loop for samples/xor.nedit: 2-2-1 sigmoid, binary cross-entropy, SGD lr 0.5, full batch.
TORCH_XOR = """
import time, torch
torch.set_num_threads({threads})
torch.manual_seed(0)
x = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]); y = torch.tensor([[0.], [1.], [1.], [0.]])
model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Sigmoid(), torch.nn.Linear(2, 1), torch.nn.Sigmoid())
opt = torch.optim.SGD(model.parameters(), lr=0.5)
loss_fn = torch.nn.BCELoss()
start = time.perf_counter()
for _ in range({steps}):
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
print(time.perf_counter() - start, float(loss.detach()))
"""


def torch_xor_rate(steps: int) -> float:
    """Steps per second of PyTorch's loop on XOR, in this process."""
    namespace: dict = {}
    code = TORCH_XOR.format(threads=ARGS.threads, steps=steps).replace("print(", "result = (")
    exec(code, namespace)
    return steps / namespace["result"][0]


def fit_xor_rate() -> float:
    """Steps per second of net.fit(epochs=20000) on samples/xor.nedit (full batch: one step per epoch)."""
    import neuroedit as ne

    net = ne.load(ROOT / "samples" / "xor.nedit")
    net.fit(XOR_X, XOR_Y, epochs=10, batch_size=None, verbose=0)  # compiled kernels loaded
    start = time.perf_counter()
    net.fit(XOR_X, XOR_Y, epochs=XOR_EPOCHS, batch_size=None, verbose=0)
    return XOR_EPOCHS / (time.perf_counter() - start)


class MnistLike:
    """784-300-10 relu/softmax, batch 32, through net.fit and through PyTorch's loop."""

    def __init__(self) -> None:
        import neuroedit as ne

        self.case = Case(
            "784-300-10 relu/softmax, batch 32",
            [784, 300, 10],
            "relu",
            "softmax",
            "sparse_categorical_crossentropy",
            torch.nn.CrossEntropyLoss(),
            4096,
            32,
            1.5,
            classes=10,
        )
        self.net = ne.Sequential(
            [ne.Input((784,)), ne.Dense(300, activation="relu"), ne.Dense(10, activation="softmax")],
            loss="sparse_categorical_crossentropy",
            optimizer=ne.SGD(0.01),
        )
        self.net.fit(self.case.X, self.case.Y[:, 0], epochs=1, batch_size=32, verbose=0)

    def fit_rate(self) -> float:
        start = time.perf_counter()
        self.net.fit(self.case.X, self.case.Y[:, 0], epochs=2, batch_size=32, verbose=0)
        return 2 * self.case.steps_per_epoch / (time.perf_counter() - start)

    def torch_rate(self) -> float:
        start = time.perf_counter()
        steps = self.case.torch_epoch() + self.case.torch_epoch()
        return steps / (time.perf_counter() - start)


def process_seconds(args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def cli_vs_torch_process() -> tuple[float, float]:
    """Whole-process seconds: `neuroedit train samples/xor.nedit --epochs 20000` and PyTorch's 20,000-step script."""
    cli = process_seconds(
        [sys.executable, "-m", "neuroedit", "train", "samples/xor.nedit", "--epochs", str(XOR_EPOCHS), "-q"]
    )
    pt = process_seconds([sys.executable, "-c", TORCH_XOR.format(threads=ARGS.threads, steps=XOR_EPOCHS)])
    return cli, pt


def editor_xor(seconds: float) -> tuple[float, float]:
    """(steps/s, plot frames/s) of the editor training samples/xor.nedit as fast as possible, every plot live."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
    from PySide6.QtWidgets import QApplication

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from gui_training import run_event_loop, steps_done

    from neuroedit.gui.main_window import MainWindow
    from neuroedit.io import load

    app = QApplication.instance() or QApplication([])
    doc = load(ROOT / "samples" / "xor.nedit")
    doc.settings["epochs"] = 10**9
    window = MainWindow(doc, None, restore_layout=False)
    window.resize(1600, 1000)
    window.show()
    c = window.training
    c.train()
    deadline = time.perf_counter() + 120
    while not (c.state == "running" and c.session is not None) and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.002)
    run_event_loop(1.0)  # warm: the calls have grown to their size
    trainer = c.session.trainer
    step0, frames0, t0 = steps_done(trainer), window.dashboard.frames, time.perf_counter()
    run_event_loop(seconds)
    elapsed = time.perf_counter() - t0
    result = (steps_done(trainer) - step0) / elapsed, (window.dashboard.frames - frames0) / elapsed
    c.shutdown()
    window.files.forced_dirty = False
    window.doc.history.set_clean()
    window.close()
    return result


def user_section() -> None:
    mnist = MnistLike()
    fit_xor, torch_xor, fit_m, torch_m, cli, pt_proc, editor, fps, torch_ed = ([] for _ in range(9))
    for _ in range(ARGS.rounds):
        fit_xor.append(fit_xor_rate())
        torch_xor.append(torch_xor_rate(XOR_EPOCHS))
        fit_m.append(mnist.fit_rate())
        torch_m.append(mnist.torch_rate())
        c, p = cli_vs_torch_process()
        cli.append(c)
        pt_proc.append(p)
    for _ in range(ARGS.rounds):
        rate_, fps_ = editor_xor(ARGS.editor_seconds)
        editor.append(rate_)
        fps.append(fps_)
        torch_ed.append(torch_xor_rate(XOR_EPOCHS // 4))
    med = statistics.median
    print(f"user path (threads {ARGS.threads}, rounds {ARGS.rounds}, medians; PyTorch measured in the same rounds)")
    print(f"{'case':<52} {'NeuroEdit':>14} {'PyTorch':>14} {'ratio':>8} {'target':>8}")

    def row(name: str, ne_value: float, pt_value: float, target: float, unit: str, lower_is_better=False) -> None:
        ratio = pt_value / ne_value if lower_is_better else ne_value / pt_value
        ok = "ok" if ratio >= target else "MISSED"
        print(
            f"{name:<52} {ne_value:>10,.1f} {unit:<3} {pt_value:>10,.1f} {unit:<3} {ratio:>7.1f}x {target:>6.1f}x {ok}"
        )

    row(f"net.fit XOR 2-2-1 full batch, epochs={XOR_EPOCHS}", med(fit_xor), med(torch_xor), 50, "st/s")
    row("net.fit 784-300-10 relu/softmax, batch 32", med(fit_m), med(torch_m), 1.5, "st/s")
    row(f"neuroedit train xor --epochs {XOR_EPOCHS} (whole process)", med(cli), med(pt_proc), 3, "s", True)
    ok = "ok" if med(editor) >= 100_000 and med(fps) >= 25 else "MISSED"
    print(
        f"editor XOR as fast as possible, every plot live: {med(editor):,.0f} steps/s (target >= 100,000; "
        f"{med(editor) / med(torch_ed):.0f}x PyTorch's loop in the same rounds), plots {med(fps):.0f} frames/s "
        f"(target >= 25) {ok}"
    )


def main() -> None:
    if ARGS.section in ("kernel", "all"):
        kernel_section()
    if ARGS.section in ("user", "all"):
        user_section()


if __name__ == "__main__":
    main()
