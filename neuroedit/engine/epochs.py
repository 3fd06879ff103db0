"""Many epochs per engine call: the run's settings and state as small arrays, and the reference loop.

Everything that happens between two training steps lives here as data, so a backend can run
it without returning to Python: the per-epoch shuffle (a counter-based permutation of seed and
epoch number), the epoch's loss and metric sums, validation, the learning-rate schedule (the
plateau's state included), early stopping and the NaN/Inf stop. The state arrays carry over
from call to call, which is why a run gives the same bits however its epochs are split into
calls. `train_epochs_python` is the definition; the Numba kernel (`kernels/epochs.py`) must match it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .names import SCHEDULES
from .randomness import permutation

# ---------------------------------------------------------------- the plan: settings of one call (int64)
(
    P_N,
    P_BATCH,
    P_STEPS_PER_EPOCH,
    P_EPOCHS,
    P_SHUFFLE,
    P_SEED,
    P_SCHEDULE,
    P_EVERY,
    P_PLATEAU_PATIENCE,
    P_DECAY_STEPS,
    P_TOTAL_STEPS,
    P_ES_MONITOR,
    P_ES_VAL,
    P_ES_PATIENCE,
    P_ES_RESTORE,
    P_ES_MAXIMISE,
    P_EPOCH_OFFSET,
    P_N_VAL,
    P_HAS_METRIC,
    P_EPOCH_SAMPLES,
) = range(20)
PLAN_INTS = 20
# ... and its floats
(PF_LR0, PF_FACTOR, PF_FINAL_LR, PF_DECAY_RATE, PF_MAX_LR, PF_ES_MIN_DELTA, PF_PLATEAU_MIN_DELTA) = range(7)
PLAN_FLOATS = 7
# Early stopping watches nothing, the loss or the metric.
MONITOR_NONE, MONITOR_LOSS, MONITOR_METRIC = -1, 0, 1

# ---------------------------------------------------------------- the state carried from call to call
(
    S_EPOCH,
    S_STEP_IN_EPOCH,
    S_STEP,
    S_PLATEAU_WAIT,
    S_ES_WAIT,
    S_BEST_EPOCH,
    S_STOP,
    S_FAILED_LO,
    S_FAILED_HI,
    S_FAILED_STEP,
    S_LAST_UPDATE_KNOWN,
) = range(11)
STATE_INTS = 11
(SF_LOSS_SUM, SF_METRIC_SUM, SF_SAMPLES, SF_PLATEAU_SCALE, SF_PLATEAU_BEST, SF_ES_BEST) = range(6)
STATE_FLOATS = 6
# Why the run stopped (S_STOP).
RUNNING, FINISHED, EARLY_STOPPING, NONFINITE = range(4)

# ---------------------------------------------------------------- one row per epoch that ended in a call
E_LOSS, E_METRIC, E_VAL_LOSS, E_VAL_METRIC, E_LR, E_BEST_EPOCH = range(6)
EPOCH_COLUMNS = 6

# reduce_on_plateau: smaller improvements of the monitored loss count as a stall (Keras's default).
PLATEAU_MIN_DELTA = 1e-4
# Validation runs in batches of this many samples (as Backend.evaluate).
VAL_BATCH = 1024
# An epoch of N updates may take several passes over the data; pass k of epoch e is shuffled as
# "epoch" e + k * PASS_STRIDE, so pass 0 is the ordinary epoch order.
PASS_STRIDE = 1 << 32


def epoch_samples(pi: np.ndarray) -> int:
    """How many samples an epoch feeds (the plan's P_EPOCH_SAMPLES; 0 means one pass over the data)."""
    return int(pi[P_EPOCH_SAMPLES]) or int(pi[P_N])


def new_state() -> tuple[np.ndarray, np.ndarray]:
    """The state of a run before its first step."""
    si = np.zeros(STATE_INTS, np.int64)
    sf = np.zeros(STATE_FLOATS, np.float64)
    sf[SF_PLATEAU_SCALE] = 1.0
    sf[SF_PLATEAU_BEST] = math.inf
    return si, sf


@dataclass
class EpochCall:
    """What one call produced: per-step loss, metric and learning rate, and one row per epoch that ended."""

    steps: int
    losses: np.ndarray
    metrics: np.ndarray
    lrs: np.ndarray
    epochs: np.ndarray  # (epochs ended, EPOCH_COLUMNS)


def epoch_order(shuffle: bool, seed: int, epoch: int, n: int, batch: int, samples: int = 0) -> np.ndarray:
    """The sample order of an epoch (0-based, counted over the whole history): never depends on calls.

    `samples` (0: n) longer than n continues with further passes, each shuffled afresh ("epoch = N updates")."""
    samples = samples or n
    passes = []
    for k in range(-(-samples // n)):
        passes.append(
            np.arange(n, dtype=np.int64) if not shuffle or batch >= n else permutation(seed, epoch + k * PASS_STRIDE, n)
        )
    return np.concatenate(passes)[:samples]


def schedule_rate(pi: np.ndarray, pf: np.ndarray, step: int, epoch: int, plateau_scale: float) -> float:
    """The learning rate of global step `step` in epoch `epoch` (0-based); see schedules.Schedule.rate."""
    lr0 = pf[PF_LR0]
    code = SCHEDULES[int(pi[P_SCHEDULE])]
    if code == "step":
        return lr0 * pf[PF_FACTOR] ** (epoch // max(int(pi[P_EVERY]), 1))
    if code == "linear":
        f = min(step / max(int(pi[P_DECAY_STEPS]), 1), 1.0)
        return lr0 + (pf[PF_FINAL_LR] - lr0) * f
    if code == "exponential":
        return lr0 * math.exp(-pf[PF_DECAY_RATE] * step)
    if code == "one_cycle":
        p = step / max(int(pi[P_TOTAL_STEPS]), 1)
        mx = pf[PF_MAX_LR]
        if p < 0.45:
            return lr0 + (mx - lr0) * p / 0.45
        if p < 0.9:
            return mx + (lr0 - mx) * (p - 0.45) / 0.45
        return lr0 + (lr0 / 100 - lr0) * min((p - 0.9) / 0.1, 1.0)
    if code == "reduce_on_plateau":
        return lr0 * plateau_scale
    return lr0


def end_epoch(
    pi: np.ndarray, pf: np.ndarray, si: np.ndarray, sf: np.ndarray, row: np.ndarray, val_loss: float, val_metric: float
) -> bool:
    """Close an epoch: its logs into `row`, the plateau and early-stopping state; True when the best weights
    should be kept (the caller snapshots them). Sets S_STOP when the run ends here."""
    row[E_LOSS] = sf[SF_LOSS_SUM] / sf[SF_SAMPLES]
    row[E_METRIC] = sf[SF_METRIC_SUM] / sf[SF_SAMPLES] if pi[P_HAS_METRIC] else math.nan
    row[E_VAL_LOSS] = val_loss
    row[E_VAL_METRIC] = val_metric
    sf[SF_LOSS_SUM] = sf[SF_METRIC_SUM] = sf[SF_SAMPLES] = 0.0
    si[S_EPOCH] += 1
    si[S_STEP_IN_EPOCH] = 0
    epoch_number = pi[P_EPOCH_OFFSET] + si[S_EPOCH]
    has_val = pi[P_N_VAL] > 0
    if SCHEDULES[int(pi[P_SCHEDULE])] == "reduce_on_plateau":
        value = val_loss if has_val else row[E_LOSS]
        if value < sf[SF_PLATEAU_BEST] - pf[PF_PLATEAU_MIN_DELTA]:
            sf[SF_PLATEAU_BEST] = value
            si[S_PLATEAU_WAIT] = 0
        else:
            si[S_PLATEAU_WAIT] += 1
            if si[S_PLATEAU_WAIT] >= pi[P_PLATEAU_PATIENCE]:
                sf[SF_PLATEAU_SCALE] *= pf[PF_FACTOR]
                si[S_PLATEAU_WAIT] = 0
    snapshot = False
    monitor = pi[P_ES_MONITOR]
    if monitor != MONITOR_NONE:
        use_val = pi[P_ES_VAL] == 1 and has_val
        if monitor == MONITOR_LOSS:
            value = val_loss if use_val else row[E_LOSS]
        else:
            value = val_metric if use_val else row[E_METRIC]
        if math.isfinite(value):
            best = sf[SF_ES_BEST]
            delta = pf[PF_ES_MIN_DELTA]
            better = si[S_BEST_EPOCH] == 0 or (value > best + delta if pi[P_ES_MAXIMISE] else value < best - delta)
            if better:
                sf[SF_ES_BEST] = value
                si[S_BEST_EPOCH] = epoch_number
                si[S_ES_WAIT] = 0
                snapshot = True
            else:
                si[S_ES_WAIT] += 1
                if si[S_ES_WAIT] >= pi[P_ES_PATIENCE]:
                    si[S_STOP] = EARLY_STOPPING
    row[E_BEST_EPOCH] = si[S_BEST_EPOCH]
    if si[S_STOP] == RUNNING and si[S_EPOCH] >= pi[P_EPOCHS]:
        si[S_STOP] = FINISHED
    return snapshot


def close_epoch(
    backend, pi: np.ndarray, pf: np.ndarray, si: np.ndarray, sf: np.ndarray, Xv: np.ndarray, Yv: np.ndarray, lr: float
) -> np.ndarray:
    """End an epoch on `backend`: validation, `end_epoch`, the best-weights snapshot or its restore; its row."""
    row = np.full(EPOCH_COLUMNS, math.nan)
    row[E_LR] = lr
    vl = vm = math.nan
    if len(Xv):
        vl, vm = backend.evaluate(Xv, Yv, VAL_BATCH)
    if end_epoch(pi, pf, si, sf, row, vl, vm):
        backend.keep_best()
    if si[S_STOP] == EARLY_STOPPING and pi[P_ES_RESTORE] and si[S_BEST_EPOCH] > 0:
        backend.restore_best()
        si[S_LAST_UPDATE_KNOWN] = 0
    return row


def train_epochs_python(
    backend,
    X: np.ndarray,
    Y: np.ndarray,
    Xv: np.ndarray,
    Yv: np.ndarray,
    pi: np.ndarray,
    pf: np.ndarray,
    si: np.ndarray,
    sf: np.ndarray,
    max_steps: int,
    max_epochs: int,
    out: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> EpochCall:
    """The reference epoch loop over `backend.train` (one step per call): what every backend must compute.

    Runs until max_steps steps, max_epochs epoch ends (0: no limit), the run's end, or an interrupt;
    writes each step's loss, metric and learning rate into `out` as it goes.
    """
    n, bs, spe = int(pi[P_N]), int(pi[P_BATCH]), int(pi[P_STEPS_PER_EPOCH])
    losses, metrics, lrs = out
    rows: list[np.ndarray] = []
    shuffle, seed = bool(pi[P_SHUFFLE]), int(pi[P_SEED])
    samples = epoch_samples(pi)
    order = epoch_order(shuffle, seed, int(pi[P_EPOCH_OFFSET] + si[S_EPOCH]), n, bs, samples)
    steps = 0
    si[S_LAST_UPDATE_KNOWN] = 1
    while steps < max_steps and si[S_STOP] == RUNNING:
        j = int(si[S_STEP_IN_EPOCH])
        lo, hi = j * bs, min((j + 1) * bs, samples)
        lr = schedule_rate(pi, pf, int(si[S_STEP]), int(pi[P_EPOCH_OFFSET] + si[S_EPOCH]), sf[SF_PLATEAU_SCALE])
        r = backend.train(X, Y, order, np.array([lo, hi]), np.array([lr]))
        if r.failed_step is not None:
            si[S_STOP] = NONFINITE
            si[S_FAILED_LO], si[S_FAILED_HI], si[S_FAILED_STEP] = lo, hi, si[S_STEP]
            break
        losses[steps], metrics[steps], lrs[steps] = r.losses[0], r.metrics[0], lr
        sf[SF_LOSS_SUM] += r.losses[0] * (hi - lo)
        sf[SF_METRIC_SUM] += r.metrics[0] * (hi - lo)
        sf[SF_SAMPLES] += hi - lo
        si[S_STEP] += 1
        si[S_STEP_IN_EPOCH] = j + 1
        steps += 1
        backend.live[0] = steps
        if j + 1 == spe:
            rows.append(close_epoch(backend, pi, pf, si, sf, Xv, Yv, lr))
            order = epoch_order(shuffle, seed, int(pi[P_EPOCH_OFFSET] + si[S_EPOCH]), n, bs, samples)
            if max_epochs and len(rows) >= max_epochs:
                break
        if backend.live[1]:
            break
    return EpochCall(steps, losses[:steps], metrics[:steps], lrs[:steps], np.array(rows).reshape(-1, EPOCH_COLUMNS))


def train_epochs_segments(
    backend,
    X: np.ndarray,
    Y: np.ndarray,
    Xv: np.ndarray,
    Yv: np.ndarray,
    pi: np.ndarray,
    pf: np.ndarray,
    si: np.ndarray,
    sf: np.ndarray,
    max_steps: int,
    max_epochs: int,
    out: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> EpochCall:
    """`train_epochs_python` with one `backend._train_segment` call per epoch segment instead of one per step.

    The same bits for the same backend: the order, bounds and learning rates of a segment are those
    the reference computes step by step (the plateau scale changes only at an epoch end), and the
    epoch end runs between segments. For backends whose calls are expensive to start (a GPU).
    """
    n, bs, spe = int(pi[P_N]), int(pi[P_BATCH]), int(pi[P_STEPS_PER_EPOCH])
    losses, metrics, lrs = out
    rows: list[np.ndarray] = []
    shuffle, seed = bool(pi[P_SHUFFLE]), int(pi[P_SEED])
    samples = epoch_samples(pi)
    steps = 0
    si[S_LAST_UPDATE_KNOWN] = 1
    while steps < max_steps and si[S_STOP] == RUNNING:
        epoch = int(pi[P_EPOCH_OFFSET] + si[S_EPOCH])
        order = epoch_order(shuffle, seed, epoch, n, bs, samples)
        j0 = int(si[S_STEP_IN_EPOCH])
        count = min(spe - j0, max_steps - steps)
        bounds = np.minimum(np.arange(j0, j0 + count + 1, dtype=np.int64) * bs, samples)
        seg = slice(steps, steps + count)
        for i in range(count):
            lrs[steps + i] = schedule_rate(pi, pf, int(si[S_STEP]) + i, epoch, sf[SF_PLATEAU_SCALE])
        done, failed = backend._train_segment(X, Y, order, bounds, lrs[seg], losses[seg], metrics[seg], steps)
        for i in range(done):
            size = bounds[i + 1] - bounds[i]
            sf[SF_LOSS_SUM] += losses[steps + i] * size
            sf[SF_METRIC_SUM] += metrics[steps + i] * size
            sf[SF_SAMPLES] += size
        si[S_STEP] += done
        si[S_STEP_IN_EPOCH] = j0 + done
        steps += done
        backend.live[0] = steps
        if failed is not None:
            si[S_STOP] = NONFINITE
            si[S_FAILED_LO], si[S_FAILED_HI], si[S_FAILED_STEP] = bounds[done], bounds[done + 1], si[S_STEP]
            break
        if j0 + done == spe:
            rows.append(close_epoch(backend, pi, pf, si, sf, Xv, Yv, lrs[steps - 1]))
            if max_epochs and len(rows) >= max_epochs:
                break
        if done < count or backend.live[1]:
            break  # interrupted
    return EpochCall(steps, losses[:steps], metrics[:steps], lrs[:steps], np.array(rows).reshape(-1, EPOCH_COLUMNS))
