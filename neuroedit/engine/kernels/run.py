"""Batches of training steps, one gradient, inference and forward passes: `run` in its modes."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ... import vocabulary
from .. import tape
from . import codes
from .losses import loss_and_grad
from .ops import backward, forward, penalty
from .optimizers import state_vectors, update
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

# Run modes.
TRAIN, GRAD, PREDICT, EVAL, FWD_TRAIN, FWD_EVAL = range(6)
OVERFLOWED = -2  # run's failing-batch result when an update overflowed (see run)


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def all_finite(a):
    """No NaN or Inf in `a`: x - x is 0 for finite x and NaN otherwise, so the sums cannot overflow."""
    n = a.size
    if n == 0:
        return True
    z0 = a[0] - a[0]
    z1 = z0
    z2 = z0
    z3 = z0
    m = n - n % 4
    for i in range(0, m, 4):
        z0 += a[i] - a[i]
        z1 += a[i + 1] - a[i + 1]
        z2 += a[i + 2] - a[i + 2]
        z3 += a[i + 3] - a[i + 3]
    for i in range(m, n):
        z0 += a[i] - a[i]
    return z0 + z1 + z2 + z3 == 0


@njit(cache=True, nogil=True)
def undo_call(theta, slots, frozen, backup, frozen_start, used_slots):
    """Back to the start of the call: an update overflowed somewhere in it."""
    copy_into(theta, backup[0])
    for j in range(used_slots):
        copy_into(slots[j, :], backup[1 + j])
    copy_into(frozen, frozen_start)
    return 0, OVERFLOWED


@njit(cache=True, nogil=True)
def run(
    mode,
    rows,
    fpar,
    ins,
    imap,
    lossv,
    dims,
    X,
    Y,
    order,
    bounds,
    lrs,
    theta,
    frozen,
    gtheta,
    gsq,
    slots,
    backup,
    frozen_backup,
    frozen_start,
    buf,
    gbuf,
    sbuf,
    opt,
    hyper,
    t0,
    seed,
    out_loss,
    out_metric,
    out_pred,
    live,
):
    """Run len(bounds)-1 batches in `mode`; returns (batches done, index of the failing batch or -1).

    TRAIN: forward, loss, backward, penalty, update. GRAD: one batch, no update.
    PREDICT: outputs into out_pred. EVAL: loss and metric per batch (inference).
    FWD_TRAIN / FWD_EVAL: forward only (values stay in buf).
    On a non-finite loss or gradient the update is not applied. If an update made a weight
    non-finite (checked when a step fails and at the end, it is that rare), the weights, the
    optimizer state and the BatchNorm statistics go back to the start of the call and the
    result is (0, OVERFLOWED): the caller redoes the steps one call each to find the last good one.
    TRAIN publishes progress for other threads: live[0] counts the finished steps, and a
    non-zero live[1] (an interrupt) makes the current step the last.
    """
    cap, sbase = dims[0], dims[1]
    want_sq = opt == VARIO_ETA
    training = mode == TRAIN or mode == GRAD or mode == FWD_TRAIN
    lcode, lmetric, logits = lossv[L_CODE], lossv[L_METRIC], lossv[L_LOGITS] == 1
    lsrc, nout = lossv[L_SRC], lossv[L_OUTPUTS]
    nsteps = bounds.size - 1
    used_slots = state_vectors(opt)
    if mode == TRAIN:
        copy_into(backup[0, :], theta)
        for j in range(used_slots):
            copy_into(backup[1 + j, :], slots[j])
        copy_into(frozen_start, frozen)
    done = nsteps
    for k in range(nsteps):
        s0 = bounds[k]
        b = bounds[k + 1] - s0
        t = t0 + k
        if mode == TRAIN:
            copy_into(frozen_backup, frozen)
        forward(
            rows,
            fpar,
            ins,
            imap,
            X,
            order,
            s0,
            b,
            cap,
            sbase,
            theta,
            frozen,
            buf,
            sbuf,
            training,
            mode == TRAIN,
            t,
            seed,
        )
        if mode == FWD_TRAIN or mode == FWD_EVAL:
            continue
        no = rows[lsrc, C_N]
        lo = cap * rows[lsrc, C_OFF]
        if mode == PREDICT:
            oo = cap * rows[lossv[L_OUT_ROW], C_OFF]
            ov = buf[oo : oo + b * nout].reshape(b, nout)
            for s in range(b):
                for j in range(nout):
                    out_pred[s0 + s, j] = ov[s, j]
            continue
        yb = np.empty((b, Y.shape[1]), Y.dtype)
        for s in range(b):
            copy_into(yb[s], Y[order[s0 + s]])
        v = buf[lo : lo + b * no].reshape(b, no)
        g = gbuf[lo : lo + b * no].reshape(b, no)
        if rows[lsrc, C_FANOUT] != 1 and mode != EVAL:
            g[:] = 0.0
        loss, metric = loss_and_grad(lcode, lmetric, logits, v, yb, g, rows[lsrc, C_FANOUT] == 1)
        if mode == EVAL:
            out_loss[k] = loss
            out_metric[k] = metric
            continue
        if not math.isfinite(loss):
            copy_into(frozen, frozen_backup)
            if not all_finite(theta):
                return undo_call(theta, slots, frozen, backup, frozen_start, used_slots)
            return k, k
        for r in range(rows.shape[0]):
            if rows[r, C_NEED] == 1 and rows[r, C_FANOUT] != 1 and r != lsrc:
                o = cap * rows[r, C_OFF]
                gbuf[o : o + b * rows[r, C_N]] = 0.0
        backward(rows, fpar, ins, imap, b, cap, sbase, theta, buf, gbuf, sbuf, gtheta, gsq, want_sq, t, seed)
        loss += penalty(rows, fpar, theta, gtheta, gsq, want_sq)
        out_loss[k] = loss
        out_metric[k] = metric
        if not (math.isfinite(loss) and all_finite(gtheta)):
            if mode == TRAIN:
                copy_into(frozen, frozen_backup)
                if not all_finite(theta):
                    return undo_call(theta, slots, frozen, backup, frozen_start, used_slots)
            return k, k
        if mode == GRAD:
            return 1, -1
        last = k == nsteps - 1 or live[1] != 0
        if last:
            copy_into(backup[3, :], theta)
        update(opt, hyper, theta, gtheta, gsq, slots[0], slots[1], lrs[k], t + 1)
        live[0] = k + 1
        if last:
            done = k + 1
            break
    if mode == TRAIN and not (all_finite(theta) and all_finite(frozen)):
        return undo_call(theta, slots, frozen, backup, frozen_start, used_slots)
    return done, -1
