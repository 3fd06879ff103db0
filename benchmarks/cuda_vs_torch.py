"""NeuroEdit's CUDA backend against PyTorch CUDA eager: training steps per second, and parity with the CPU.

    PYTHONPATH=. python benchmarks/cuda_vs_torch.py [--steps 300] [--rounds 3]
    NUMBA_ENABLE_CUDASIM=1 PYTHONPATH=. python benchmarks/cuda_vs_torch.py --smoke   # no GPU: tiny sizes

Float32, plain SGD, ReLU hidden layers, softmax + cross-entropy on logits, the same
weights and batches on both sides; the training set is on the GPU for both. Each
measurement runs `--steps` steps (NeuroEdit: one engine call; PyTorch: a Python loop,
synchronised at the end); rounds alternate and the median is reported. Targets
(issue 13): 784-300-10 batch 32 >= 2x PyTorch, batch 256 >= 1x, 784-4096-4096-10
batch 1024 >= 0.5x. Parity: 100 steps on the CUDA backend and on the Numba CPU
backend from the same weights. Needs numba-cuda; PyTorch with CUDA for the reference.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import statistics
import time
import warnings
from typing import Any

import numpy as np

from neuroedit.engine import make_backend
from neuroedit.engine.devices import cuda_status
from neuroedit.engine.optimizers import OptimizerConfig
from neuroedit.engine.spec import GraphSpec, OpSpec

LR = 0.01
FULL = [
    ("784-300-10", [784, 300, 10], 32, 2.0),
    ("784-300-10", [784, 300, 10], 256, 1.0),
    ("784-4096-4096-10", [784, 4096, 4096, 10], 1024, 0.5),
]
SMOKE = [("8-6-3", [8, 6, 3], 4, None), ("8-6-5-3", [8, 6, 5, 3], 6, None)]


def mlp_spec(sizes: list[int]) -> GraphSpec:
    """Dense ReLU layers, linear logits, sparse categorical cross-entropy (fused with softmax)."""
    ops = [OpSpec("x", "Input", {"shape": (sizes[0],)}, output_shape=(sizes[0],))]
    prev = "x"
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        act = "relu" if i < len(sizes) - 2 else "linear"
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
    ops.append(
        OpSpec(
            "L", "Loss", {"loss": "sparse_categorical_crossentropy", "from_logits": True}, (prev,), ((sizes[-1],),), ()
        )
    )
    return GraphSpec(tuple(ops), ("x",), prev, "L")


def data(sizes: list[int], n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, sizes[0])).astype(np.float32), rng.integers(0, sizes[-1], n).astype(np.float32)


def schedule(n: int, batch: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample order and batch bounds for `steps` steps of `batch` samples cycling through n samples."""
    order = np.arange(steps * batch) % n
    return order, np.arange(0, steps * batch + 1, batch)


def neuroedit_rate(backend, X, Y, batch: int, steps: int) -> float:
    order, bounds = schedule(len(X), batch, steps)
    start = time.perf_counter()
    r = backend.train(X, Y, order, bounds, np.full(steps, LR))  # returns when the GPU has finished
    assert r.steps == steps, r
    return steps / (time.perf_counter() - start)


class TorchRun:
    """The same network in PyTorch eager mode on `device`, with the same weights and batches."""

    def __init__(self, torch, sizes: list[int], weights: dict, X: np.ndarray, Y: np.ndarray, device: str) -> None:
        self.torch, self.device = torch, device
        layers = []
        for i, (a, b) in enumerate(itertools.pairwise(sizes)):
            lin = torch.nn.Linear(a, b)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(weights[f"d{i}"]["kernel"].T, np.float32)))
                lin.bias.copy_(torch.from_numpy(weights[f"d{i}"]["bias"].astype(np.float32)))
            layers += [lin, torch.nn.ReLU()] if i < len(sizes) - 2 else [lin]
        self.model = torch.nn.Sequential(*layers).to(device)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR)
        self.X = torch.from_numpy(X).to(device)
        self.Y = torch.from_numpy(Y.astype(np.int64)).to(device)
        self.loss = torch.nn.CrossEntropyLoss()

    def rate(self, batch: int, steps: int) -> float:
        n = len(self.X)
        starts = [(k * batch) % n for k in range(steps)]
        self._sync()
        start = time.perf_counter()
        for s in starts:
            xb, yb = self.X[s : s + batch], self.Y[s : s + batch]
            self.opt.zero_grad(set_to_none=True)
            self.loss(self.model(xb), yb).backward()
            self.opt.step()
        self._sync()
        return steps / (time.perf_counter() - start)

    def _sync(self) -> None:
        if self.device == "cuda":
            self.torch.cuda.synchronize()


def parity(sizes: list[int], batch: int, steps: int) -> tuple[float, float]:
    """(max |loss difference|, max |weight difference|) after `steps` steps on the CUDA and the CPU backend."""
    g = mlp_spec(sizes)
    cpu, gpu = make_backend("numba", g, "float32", 7), make_backend("cuda", g, "float32", 7)
    cpu.set_optimizer(OptimizerConfig("adam"))
    gpu.set_optimizer(OptimizerConfig("adam"))
    X, Y = data(sizes, 4 * batch)
    Y = cpu.pack_targets(Y, len(X))
    order, bounds = schedule(len(X), batch, steps)
    lrs = np.full(steps, 1e-3)
    a, b = cpu.train(X, Y, order, bounds, lrs), gpu.train(X, Y, order, bounds, lrs)
    return float(np.abs(a.losses - b.losses).max()), float(np.abs(cpu.theta - gpu.theta).max())


def load_torch(smoke: bool) -> tuple[Any, str]:
    """(the torch module or None, the device its reference runs on), with a line saying which."""
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        print("PyTorch is not installed: NeuroEdit alone")
        return None, ""
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(
        f"PyTorch {torch.__version__} on {torch.cuda.get_device_name() if device == 'cuda' else 'the CPU'}"
        + ("" if device == "cuda" or smoke else "  (no CUDA: ratios are not the issue's targets)")
    )
    return torch, device


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=300, help="steps per measurement (default 300)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds; the median is reported")
    p.add_argument("--smoke", action="store_true", help="tiny sizes and few steps (runs under the simulator)")
    args = p.parse_args()
    status = cuda_status()
    print(f"NeuroEdit device: {status.describe()}")
    if not status.usable:
        raise SystemExit(1)
    if status.simulator:
        warnings.filterwarnings("ignore", "overflow encountered")  # the simulator's uint64 arithmetic
    cases = SMOKE if args.smoke else FULL
    steps, rounds = (3, 1) if args.smoke else (args.steps, args.rounds)
    torch, tdev = load_torch(args.smoke)
    print(f"{'network':<18}{'batch':>6}{'NeuroEdit steps/s':>19}{'PyTorch steps/s':>17}{'ratio':>8}{'target':>8}")
    for name, sizes, batch, target in cases:
        X, Y = data(sizes, max(4 * batch, 64))
        backend = make_backend("cuda", mlp_spec(sizes), "float32", 0)
        runner = TorchRun(torch, sizes, backend.get_weights(), X, Y, tdev) if torch else None
        Yp = backend.pack_targets(Y, len(X))
        neuroedit_rate(backend, X, Yp, batch, 2)  # compile and upload before timing
        if runner:
            runner.rate(batch, 2)
        ours, theirs = [], []
        for _ in range(rounds):
            ours.append(neuroedit_rate(backend, X, Yp, batch, steps))
            if runner:
                theirs.append(runner.rate(batch, steps))
        a = statistics.median(ours)
        b = statistics.median(theirs) if theirs else float("nan")
        goal = f"{target:.1f}x" if target else "-"
        print(f"{name:<18}{batch:>6}{a:>19.0f}{b:>17.0f}{a / b:>7.2f}x{goal:>8}")
    psizes, pbatch, psteps = ([8, 6, 3], 4, 5) if args.smoke else ([784, 300, 10], 32, 100)
    dl, dw = parity(psizes, pbatch, psteps)
    print(
        f"parity with the Numba CPU backend, {psteps} Adam steps: max |loss diff| {dl:.2e}, max |weight diff| {dw:.2e}"
    )
    if not (dl < 1e-3 and dw < 1e-3):
        raise SystemExit("parity FAILED")


if __name__ == "__main__":
    main()
