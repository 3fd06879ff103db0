"""The epoch loop compiled: many epochs per call, with everything `epochs.train_epochs_python` does between steps.

Shuffling, epoch sums, validation, the schedule, early stopping and the NaN/Inf stop run here
without returning to Python. Numba's on-disk cache only notices changes to this file, so the
layout numbers of epochs.py are repeated as literals and `codes.check` compares them at import.

Failure rule (the reference's): a step whose loss or gradient is not finite is not applied, and a
step whose update makes a weight or a BatchNorm statistic non-finite is undone, so the weights,
optimizer state and statistics are those after the last good step. The fast path checks the
weights only at epoch ends and at the end of the call; when that finds an overflow, the call is
replayed from its start checking every step (the steps are deterministic).

`validate` and `end_epoch` have one call site each and are inlined into the loop: compiled on their
own, validation would optimise and generate the forward pass and the loss linked below it once
more (about a second of a first run's compile). Helpers with more call sites, or used by
kernels/run.py too, stay separate: inlined, Numba types them again at every site.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ... import vocabulary
from .. import epochs as E
from .. import tape
from . import codes
from .losses import loss_and_grad
from .ops import backward, forward, penalty, penalty_value
from .optimizers import state_vectors, update
from .run import all_finite
from .vectors import copy_into

(C_OP, C_OFF, C_N, C_IN0, C_NIN, C_P0, C_P1, C_P2, C_P3, C_AUX0, C_AUX1, C_SOFF, C_NEED, C_OPIDX, C_BWD, C_FANOUT) = (
    range(16)
)
codes.check(
    globals(), tape, "C_OP C_OFF C_N C_IN0 C_NIN C_P0 C_P1 C_P2 C_P3 C_AUX0 C_AUX1 C_SOFF C_NEED C_OPIDX C_BWD C_FANOUT"
)
L_CODE, L_SRC, L_FUSED, L_LOGITS, L_OUTPUTS, L_TARGETS, L_OUT_ROW, L_METRIC = range(8)
codes.check(globals(), tape, "L_CODE L_SRC L_FUSED L_LOGITS L_OUTPUTS L_TARGETS L_OUT_ROW L_METRIC")
VARIO_ETA = 9
codes.check(globals(), vocabulary, "VARIO_ETA")

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
(PF_LR0, PF_FACTOR, PF_FINAL_LR, PF_DECAY_RATE, PF_MAX_LR, PF_ES_MIN_DELTA, PF_PLATEAU_MIN_DELTA) = range(7)
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
(SF_LOSS_SUM, SF_METRIC_SUM, SF_SAMPLES, SF_PLATEAU_SCALE, SF_PLATEAU_BEST, SF_ES_BEST) = range(6)
RUNNING, FINISHED, EARLY_STOPPING, NONFINITE = range(4)
E_LOSS, E_METRIC, E_VAL_LOSS, E_VAL_METRIC, E_LR, E_BEST_EPOCH = range(6)
MONITOR_NONE, MONITOR_LOSS, MONITOR_METRIC = -1, 0, 1
STEP_DECAY, LINEAR_DECAY, EXPONENTIAL_DECAY, ONE_CYCLE, REDUCE_ON_PLATEAU = 1, 2, 3, 4, 5
codes.check(globals(), vocabulary, "STEP_DECAY LINEAR_DECAY EXPONENTIAL_DECAY ONE_CYCLE REDUCE_ON_PLATEAU")
VAL_BATCH = 1024
PASS_STRIDE = 1 << 32
# randomness.shuffle_keys's constants (a test compares the permutations)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_STEP = np.uint64(0xD1B54A32D192ED03)
_SHUFFLE = np.uint64(0x5851F42D4C957F2D)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
# Rows of the backup array: the call's start (weights, two optimizer slots), then the step's start.
B_THETA, B_SLOT0, B_SLOT1, B_STEP_THETA, B_STEP_SLOT0, B_STEP_SLOT1 = range(6)
BACKUP_ROWS = 6


codes.check(
    globals(),
    E,
    "P_N P_BATCH P_STEPS_PER_EPOCH P_EPOCHS P_SHUFFLE P_SEED P_SCHEDULE P_EVERY "
    "P_PLATEAU_PATIENCE P_DECAY_STEPS P_TOTAL_STEPS P_ES_MONITOR P_ES_VAL P_ES_PATIENCE P_ES_RESTORE "
    "P_ES_MAXIMISE P_EPOCH_OFFSET P_N_VAL P_HAS_METRIC P_EPOCH_SAMPLES PF_LR0 PF_FACTOR PF_FINAL_LR PF_DECAY_RATE PF_MAX_LR "
    "PF_ES_MIN_DELTA PF_PLATEAU_MIN_DELTA S_EPOCH S_STEP_IN_EPOCH S_STEP S_PLATEAU_WAIT S_ES_WAIT "
    "S_BEST_EPOCH S_STOP S_FAILED_LO S_FAILED_HI S_FAILED_STEP S_LAST_UPDATE_KNOWN SF_LOSS_SUM "
    "SF_METRIC_SUM SF_SAMPLES SF_PLATEAU_SCALE SF_PLATEAU_BEST SF_ES_BEST RUNNING FINISHED "
    "EARLY_STOPPING NONFINITE E_LOSS E_METRIC E_VAL_LOSS E_VAL_METRIC E_LR E_BEST_EPOCH MONITOR_NONE "
    "MONITOR_LOSS MONITOR_METRIC VAL_BATCH PASS_STRIDE",
)


# runtime_flags: a literal True or False passed to a compiled function makes Numba compile another
# copy of it (and of everything it calls) for that value, so flags are passed as runtime values.


@njit(cache=True, nogil=True)
def permutation(seed, epoch, n, out):
    """randomness.permutation: a Fisher-Yates shuffle driven by counter-based keys."""
    base = np.uint64(seed) * _GOLDEN + np.uint64(epoch) * _STEP + _SHUFFLE
    for i in range(n):
        out[i] = i
    for i in range(n - 1, 0, -1):
        z = base + np.uint64(i)
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        z = z ^ (z >> np.uint64(31))
        j = np.int64(z % np.uint64(i + 1))
        out[i], out[j] = out[j], out[i]


@njit(cache=True, nogil=True)
def epoch_samples(pi):
    return pi[P_EPOCH_SAMPLES] if pi[P_EPOCH_SAMPLES] > 0 else pi[P_N]


@njit(cache=True, nogil=True)
def epoch_order(pi, epoch, out):
    """epochs.epoch_order into `out` (whole passes: its length is a multiple of n)."""
    n = pi[P_N]
    for k in range((epoch_samples(pi) + n - 1) // n):
        part = out[k * n : (k + 1) * n]
        if pi[P_SHUFFLE] == 0 or pi[P_BATCH] >= n:
            for i in range(n):
                part[i] = i
        else:
            permutation(pi[P_SEED], epoch + k * PASS_STRIDE, n, part)


@njit(cache=True, nogil=True)
def schedule_rate(pi, pf, step, epoch, plateau_scale):
    """epochs.schedule_rate."""
    lr0 = pf[PF_LR0]
    code = pi[P_SCHEDULE]
    if code == STEP_DECAY:
        return lr0 * pf[PF_FACTOR] ** (epoch // max(pi[P_EVERY], 1))
    if code == LINEAR_DECAY:
        f = min(step / max(pi[P_DECAY_STEPS], 1), 1.0)
        return lr0 + (pf[PF_FINAL_LR] - lr0) * f
    if code == EXPONENTIAL_DECAY:
        return lr0 * math.exp(-pf[PF_DECAY_RATE] * step)
    if code == ONE_CYCLE:
        p = step / max(pi[P_TOTAL_STEPS], 1)
        mx = pf[PF_MAX_LR]
        if p < 0.45:
            return lr0 + (mx - lr0) * p / 0.45
        if p < 0.9:
            return mx + (lr0 - mx) * (p - 0.45) / 0.45
        return lr0 + (lr0 / 100 - lr0) * min((p - 0.9) / 0.1, 1.0)
    if code == REDUCE_ON_PLATEAU:
        return lr0 * plateau_scale
    return lr0


@njit(cache=True, nogil=True, inline="always")
def end_epoch(pi, pf, si, sf, row, val_loss, val_metric):
    """epochs.end_epoch."""
    row[E_LOSS] = sf[SF_LOSS_SUM] / sf[SF_SAMPLES]
    row[E_METRIC] = sf[SF_METRIC_SUM] / sf[SF_SAMPLES] if pi[P_HAS_METRIC] else math.nan
    row[E_VAL_LOSS] = val_loss
    row[E_VAL_METRIC] = val_metric
    sf[SF_LOSS_SUM] = 0.0
    sf[SF_METRIC_SUM] = 0.0
    sf[SF_SAMPLES] = 0.0
    si[S_EPOCH] += 1
    si[S_STEP_IN_EPOCH] = 0
    epoch_number = pi[P_EPOCH_OFFSET] + si[S_EPOCH]
    has_val = pi[P_N_VAL] > 0
    if pi[P_SCHEDULE] == REDUCE_ON_PLATEAU:
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
            if pi[P_ES_MAXIMISE] != 0:
                better = si[S_BEST_EPOCH] == 0 or value > best + delta
            else:
                better = si[S_BEST_EPOCH] == 0 or value < best - delta
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


@njit(cache=True, nogil=True)
def batch_loss(rows, ins, lossv, cap, Y, order, s0, b, buf, gbuf, keep_grad):
    """The loss and metric of the batch whose forward pass is in `buf`; dLoss/d(output) into gbuf."""
    lsrc = lossv[L_SRC]
    no = rows[lsrc, C_N]
    lo = cap * rows[lsrc, C_OFF]
    yb = np.empty((b, Y.shape[1]), Y.dtype)
    for s in range(b):
        copy_into(yb[s], Y[order[s0 + s]])
    v = buf[lo : lo + b * no].reshape(b, no)
    g = gbuf[lo : lo + b * no].reshape(b, no)
    single = rows[lsrc, C_FANOUT] == 1
    if keep_grad and not single:
        g[:] = 0.0
    return loss_and_grad(lossv[L_CODE], lossv[L_METRIC], lossv[L_LOGITS] == 1, v, yb, g, single)


@njit(cache=True, nogil=True, inline="always")
def validate(rows, fpar, ins, imap, lossv, dims, Xv, Yv, vorder, theta, frozen, buf, gbuf, sbuf, t, seed):
    """Mean validation loss (with the penalty) and metric in inference mode, in VAL_BATCH batches."""
    cap, sbase = dims[0], dims[1]
    off = rows.shape[0] < 0  # False, as a runtime value: see `runtime_flags`
    nv = Xv.shape[0]
    total_loss = 0.0
    total_metric = 0.0
    for s0 in range(0, nv, VAL_BATCH):
        b = min(VAL_BATCH, nv - s0)
        forward(rows, fpar, ins, imap, Xv, vorder, s0, b, cap, sbase, theta, frozen, buf, sbuf, off, off, t, seed)
        loss, metric = batch_loss(rows, ins, lossv, cap, Yv, vorder, s0, b, buf, gbuf, off)
        total_loss += loss * b
        total_metric += metric * b
    return total_loss / nv + penalty_value(rows, fpar, theta), total_metric / nv


@njit(cache=True, nogil=True)
def train_epochs(
    rows,
    fpar,
    ins,
    imap,
    lossv,
    dims,
    X,
    Y,
    Xv,
    Yv,
    vorder,
    vdims,
    vbuf,
    vgbuf,
    vsbuf,
    pi,
    pf,
    si,
    sf,
    max_steps,
    max_epochs,
    theta,
    frozen,
    gtheta,
    gsq,
    slots,
    backup,
    frozen_start,
    frozen_step,
    best,
    buf,
    gbuf,
    sbuf,
    opt,
    hyper,
    out_loss,
    out_metric,
    out_lr,
    out_epochs,
    order,
    live,
    seed,
    careful,
):
    """epochs.train_epochs_python, compiled: steps until a limit; returns (steps, epochs ended, overflowed).

    The fast pass (`careful` False) first keeps the weights, optimizer state and statistics in
    `backup` / `frozen_start`; when it reports an overflow the caller puts them and the state back
    and calls again with `careful`, which checks every update and stops before the bad one.
    `seed` draws dropout masks (the backend's seed, as in the reference); the plan's seed shuffles.
    (One compiled entry: each level of compiled calls re-optimises everything below it.)
    """
    on = rows.shape[0] >= 0  # True, as a runtime value: see `runtime_flags`
    cap, sbase = dims[0], dims[1]
    want_sq = opt == VARIO_ETA
    used_slots = state_vectors(opt)
    bs, spe = pi[P_BATCH], pi[P_STEPS_PER_EPOCH]
    samples = epoch_samples(pi)
    nt = theta.size
    nf = frozen.size
    if not careful:
        copy_into(backup[B_THETA, :nt], theta)
        for q in range(used_slots):
            copy_into(backup[B_SLOT0 + q, :nt], slots[q])
        copy_into(frozen_start, frozen)
    epoch_order(pi, pi[P_EPOCH_OFFSET] + si[S_EPOCH], order)
    steps = 0
    ended = 0
    si[S_LAST_UPDATE_KNOWN] = 0
    while steps < max_steps and si[S_STOP] == RUNNING:
        j = si[S_STEP_IN_EPOCH]
        s0 = j * bs
        b = min(bs, samples - s0)
        t = si[S_STEP]
        lr = schedule_rate(pi, pf, t, pi[P_EPOCH_OFFSET] + si[S_EPOCH], sf[SF_PLATEAU_SCALE])
        out_lr[steps] = lr
        copy_into(frozen_step, frozen)
        forward(rows, fpar, ins, imap, X, order, s0, b, cap, sbase, theta, frozen, buf, sbuf, on, on, t, seed)
        loss, metric = batch_loss(rows, ins, lossv, cap, Y, order, s0, b, buf, gbuf, on)
        ok = math.isfinite(loss)
        if ok:
            for r in range(rows.shape[0]):
                if rows[r, C_NEED] == 1 and rows[r, C_FANOUT] != 1 and r != lossv[L_SRC]:
                    o = cap * rows[r, C_OFF]
                    gbuf[o : o + b * rows[r, C_N]] = 0.0
            backward(rows, fpar, ins, imap, b, cap, sbase, theta, buf, gbuf, sbuf, gtheta, gsq, want_sq, t, seed)
            loss += penalty(rows, fpar, theta, gtheta, gsq, want_sq)
            ok = math.isfinite(loss) and all_finite(gtheta)
        if not ok:
            copy_into(frozen, frozen_step)
            if not careful and not all_finite(theta):
                return steps, ended, True  # an earlier update overflowed: replay carefully
            si[S_STOP] = NONFINITE
            si[S_FAILED_LO] = s0
            si[S_FAILED_HI] = s0 + b
            si[S_FAILED_STEP] = t
            break
        ends_epoch = j + 1 == spe
        last = (
            steps + 1 == max_steps
            or live[1] != 0
            or (ends_epoch and (si[S_EPOCH] + 1 >= pi[P_EPOCHS] or (max_epochs > 0 and ended + 1 >= max_epochs)))
        )
        if careful or last:
            copy_into(backup[B_STEP_THETA, :nt], theta)
            si[S_LAST_UPDATE_KNOWN] = 1
        else:
            si[S_LAST_UPDATE_KNOWN] = 0
        if careful:
            for q in range(used_slots):
                copy_into(backup[B_STEP_SLOT0 + q, :nt], slots[q])
        update(opt, hyper, theta, gtheta, gsq, slots[0], slots[1], lr, t + 1)
        if careful and not (all_finite(theta) and all_finite(frozen)):
            copy_into(theta, backup[B_STEP_THETA, :nt])
            for q in range(used_slots):
                copy_into(slots[q, :], backup[B_STEP_SLOT0 + q, :nt])
            copy_into(frozen, frozen_step)
            si[S_LAST_UPDATE_KNOWN] = 0
            si[S_STOP] = NONFINITE
            si[S_FAILED_LO] = s0
            si[S_FAILED_HI] = s0 + b
            si[S_FAILED_STEP] = t
            break
        out_loss[steps] = loss
        out_metric[steps] = metric
        sf[SF_LOSS_SUM] += loss * b
        sf[SF_METRIC_SUM] += metric * b
        sf[SF_SAMPLES] += b
        si[S_STEP] = t + 1
        si[S_STEP_IN_EPOCH] = j + 1
        steps += 1
        live[0] = steps
        if ends_epoch:
            if not careful and not (all_finite(theta) and all_finite(frozen)):
                return steps, ended, True
            row = out_epochs[ended]
            row[E_LR] = lr
            vl = math.nan
            vm = math.nan
            if pi[P_N_VAL] > 0:
                vl, vm = validate(
                    rows, fpar, ins, imap, lossv, vdims, Xv, Yv, vorder, theta, frozen, vbuf, vgbuf, vsbuf, t, seed
                )
            if end_epoch(pi, pf, si, sf, row, vl, vm):
                copy_into(best[:nt], theta)
                copy_into(best[nt : nt + nf], frozen)
            ended += 1
            if si[S_STOP] == EARLY_STOPPING and pi[P_ES_RESTORE] != 0 and si[S_BEST_EPOCH] > 0:
                copy_into(theta, best[:nt])
                copy_into(frozen, best[nt : nt + nf])
                si[S_LAST_UPDATE_KNOWN] = 0
            if si[S_STOP] != RUNNING or (max_epochs > 0 and ended >= max_epochs):
                break
            epoch_order(pi, pi[P_EPOCH_OFFSET] + si[S_EPOCH], order)
        if live[1] != 0:
            break
    if not careful and not (all_finite(theta) and all_finite(frozen)):
        return steps, ended, True
    return steps, ended, False
