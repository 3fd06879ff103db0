"""Training as NeuroEdit trains, in PyTorch: its losses, update rules and schedules, on one process or many.

Launched by `torchrun --nproc_per_node=N`, the same loop runs data-parallel:
DistributedDataParallel averages the gradients, a DistributedSampler gives each
process its share of every batch (batch_size // N samples), and rank 0 alone logs
and saves. Without torchrun it is a plain single-process loop.
"""

from __future__ import annotations

import math
import os

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

# ---- body ----

# Training as NeuroEdit trains: its losses, update rules and learning-rate schedules. Under
# `torchrun --nproc_per_node=N` the same loop is data-parallel: DistributedDataParallel averages the gradients,
# each process takes batch_size // N samples of every batch, rank 0 logs and saves. Early stopping is not
# reproduced: every epoch runs.

EPS = 1e-7  # probabilities are clipped to [EPS, 1 - EPS] before a logarithm, as NeuroEdit and Keras do


def loss_value(name, v, y, logits):
    """NeuroEdit's loss `name` of outputs v (raw scores when `logits`) against targets y, mean over the batch."""
    b = v.shape[0]
    v = v.reshape(b, -1)
    if name == "squared_error":
        return 0.5 * ((v - y) ** 2).sum() / b
    if name == "sum_squared_error":
        return ((v - y) ** 2).sum() / b
    if name == "mse":
        return ((v - y) ** 2).mean()
    if name == "mae":
        return (v - y).abs().mean()
    if name == "binary_crossentropy":
        if logits:
            return F.binary_cross_entropy_with_logits(v, y)
        p = v.clamp(EPS, 1 - EPS)
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    if name in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        t = y if name == "categorical_crossentropy" else F.one_hot(y, v.shape[1]).to(v.dtype)
        log_p = F.log_softmax(v, dim=1) if logits else torch.log(v.clamp(EPS, 1 - EPS))
        return -(t * log_p).sum() / b
    if name == "hinge":
        t = torch.where(y > 0, 1.0, -1.0).to(v.dtype)
        return F.relu(1 - t * v).mean()
    if name == "multiclass_hinge":
        margins = v - v.gather(1, y.view(-1, 1)) + 1
        margins = margins.scatter(1, y.view(-1, 1), 0.0)
        return F.relu(margins).sum() / b
    if name == "value":
        return v.sum() / b
    raise ValueError(f"unknown loss {name!r}")


class RootEpsilon(torch.optim.Optimizer):
    """Adagrad, RMSprop and Nadam as NeuroEdit defines them (ε inside the square root for the first two;
    Nadam with a constant β₁), which torch.optim's versions do not reproduce exactly."""

    def __init__(self, params, rule, lr, rho=0.9, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(params, {"lr": lr, "rho": rho, "beta_1": beta_1, "beta_2": beta_2, "eps": epsilon})
        self.rule = rule

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, eps = group["lr"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g, state = p.grad, self.state[p]
                if not state:
                    state.update(t=0, s1=torch.zeros_like(p), s2=torch.zeros_like(p))
                state["t"] += 1
                s1, s2, t = state["s1"], state["s2"], state["t"]
                if self.rule == "adagrad":
                    s1 += g * g
                    p -= lr * g / torch.sqrt(s1 + eps)
                elif self.rule == "rmsprop":
                    s1.mul_(group["rho"]).add_((1 - group["rho"]) * g * g)
                    p -= lr * g / torch.sqrt(s1 + eps)
                else:  # nadam
                    b1, b2 = group["beta_1"], group["beta_2"]
                    s1.mul_(b1).add_((1 - b1) * g)
                    s2.mul_(b2).add_((1 - b2) * g * g)
                    m_hat = b1 * s1 / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1**t)
                    p -= lr * m_hat / (torch.sqrt(s2 / (1 - b2**t)) + eps)


def make_optimizer(config, params):
    name, lr, h = config["optimizer"], config["learning_rate"], config["hyper"]
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=h["momentum"], nesterov=name == "nesterov")
    if name == "adadelta":
        return torch.optim.Adadelta(params, lr=lr, rho=h["rho"], eps=h["epsilon"])
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(h["beta_1"], h["beta_2"]), eps=h["epsilon"])
    if name == "adamw":
        return torch.optim.AdamW(
            params, lr=lr, betas=(h["beta_1"], h["beta_2"]), eps=h["epsilon"], weight_decay=h["weight_decay"]
        )
    if name in ("adagrad", "rmsprop", "nadam"):
        return RootEpsilon(params, name, lr, h["rho"], h["beta_1"], h["beta_2"], h["epsilon"])
    raise ValueError(f"unknown optimizer {name!r}")


def learning_rate(config, k, epoch, total_steps, plateau_scale):
    """η at global step k (0-based) of epoch `epoch` (0-based), by NeuroEdit's schedules."""
    lr0, s = config["learning_rate"], config["schedule"]
    name = s["name"]
    if name == "step":
        return lr0 * s["factor"] ** (epoch // s["every"])
    if name == "linear":
        return lr0 + (s["final_lr"] - lr0) * min(k / s["decay_steps"], 1.0)
    if name == "exponential":
        return lr0 * math.exp(-s["decay_rate"] * k)
    if name == "one_cycle":
        p = k / max(total_steps, 1)
        if p < 0.45:
            return lr0 + (s["max_lr"] - lr0) * p / 0.45
        if p < 0.9:
            return s["max_lr"] + (lr0 - s["max_lr"]) * (p - 0.45) / 0.45
        return lr0 + (lr0 / 100 - lr0) * min((p - 0.9) / 0.1, 1.0)
    if name == "reduce_on_plateau":
        return lr0 * plateau_scale
    return lr0


def _start_processes():
    """(rank, world size, device); joins the process group when launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    cuda = torch.cuda.is_available()
    if world == 1:
        return 0, 1, torch.device("cuda" if cuda else "cpu")
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if cuda:
        torch.cuda.set_device(local)
    dist.init_process_group("nccl" if cuda else "gloo")
    return dist.get_rank(), world, torch.device(f"cuda:{local}" if cuda else "cpu")


def _agreement(model, device):
    """The largest difference between this process's weights and rank 0's (0 when DDP kept them in step).
    Tensors stay on the device: NCCL only moves GPU tensors."""
    worst = torch.zeros((), device=device)
    for p in model.parameters():
        first = p.detach().clone()
        dist.broadcast(first, 0)
        worst = torch.maximum(worst, (p.detach() - first).abs().max())
    dist.all_reduce(worst, op=dist.ReduceOp.MAX)
    return float(worst)


def train(model, inputs, targets, config, out_path=None):
    """Train `model` on the arrays `inputs` (one per network input) and `targets`; save the weights to `out_path`."""
    rank, world, device = _start_processes()
    torch.manual_seed(config["seed"])
    model.to(device)
    net = (
        model
        if world == 1
        else DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    )
    data = TensorDataset(*(torch.from_numpy(np.ascontiguousarray(a)) for a in inputs), torch.from_numpy(targets))
    batch = config["batch_size"] or len(data)
    sampler = None
    if world > 1:
        sampler = DistributedSampler(data, world, rank, shuffle=config["shuffle"], seed=config["seed"])
    generator = torch.Generator().manual_seed(config["seed"])
    loader = DataLoader(
        data,
        batch_size=max(1, batch // world),
        sampler=sampler,
        generator=generator,
        shuffle=config["shuffle"] and sampler is None,
    )
    optimizer = make_optimizer(config, model.parameters())
    total_steps = config["epochs"] * len(loader)
    logits = config["fused"] or config["from_logits"]
    k, plateau_scale, best, wait = 0, 1.0, math.inf, 0
    for epoch in range(config["epochs"]):
        if sampler is not None:
            sampler.set_epoch(epoch)
        net.train()
        totals = torch.zeros(2, dtype=torch.float64, device=device)
        for *xb, yb in loader:
            xb, yb = [x.to(device) for x in xb], yb.to(device)
            lr = learning_rate(config, k, epoch, total_steps, plateau_scale)
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.zero_grad()
            loss = loss_value(config["loss"], net(*xb, scores=config["fused"]), yb, logits) + model.penalty()
            loss.backward()
            optimizer.step()
            k += 1
            totals += torch.tensor([loss.item() * len(yb), len(yb)], dtype=torch.float64, device=device)
        if world > 1:
            dist.all_reduce(totals)
        epoch_loss = float(totals[0] / totals[1])
        if config["schedule"]["name"] == "reduce_on_plateau":
            if epoch_loss < best - 1e-4:
                best, wait = epoch_loss, 0
            else:
                wait += 1
                if wait >= config["schedule"]["patience"]:
                    plateau_scale, wait = plateau_scale * config["schedule"]["factor"], 0
        if rank == 0:
            print(f"Epoch {epoch + 1}/{config['epochs']} - loss: {epoch_loss:.4f} - lr: {lr:.4g}", flush=True)
    if world > 1:
        difference = _agreement(model, device)
        if rank == 0:
            print(f"weights agree on all {world} processes (largest difference {difference:g})", flush=True)
    if rank == 0 and out_path:
        np.savez(out_path, **model.arrays())
        print(f"saved the trained weights to {out_path}", flush=True)
    if world > 1:
        dist.destroy_process_group()
    return model
