"""The step launcher: runs the CPU's tape on the GPU, kernel by kernel, many steps per call.

The host walks the tape rows and queues kernels on the default stream without waiting;
a step with a non-finite loss or gradient sets `failed` on the device and every later
kernel does nothing, so the host only synchronises to publish progress (at most ~30
times a second) and at the end of the call. A Dense layer followed by an element-wise
activation is one launch (the matrix product's epilogue writes both z and act(z)).
"""

from __future__ import annotations

import time

import numpy as np

from .. import tape as tp
from ..tape import Tape
from . import batchnorm as bn
from . import checks
from . import elementwise as ew
from . import losses as ls
from . import optimizers as opt
from .buffers import DeviceState
from .device_math import SOFTMAX
from .launch import REDUCE_THREADS, grid
from .matmul import launch_gemm

TRAIN, GRAD, PREDICT, EVAL, FWD_TRAIN, FWD_EVAL = range(6)
# run's failing-batch result when an update overflowed and the call went back to its start (as kernels/run.py)
OVERFLOWED = -2
PUBLISH_SECONDS = 1 / 30


def _go(kernel, n: int, *args) -> None:
    """Queue `kernel(*args)` with one thread for each of n items."""
    blocks, threads = grid(n)
    kernel[blocks, threads](*args)


class TapeRunner:
    """Queues the kernels of forward, loss, backward, penalty and update for a tape's rows."""

    def __init__(self, tape: Tape, state: DeviceState) -> None:
        self.tape = tape
        self.state = state
        self.rows = tape.rows.tolist()
        self.ins = tape.ins.tolist()
        self.lossv = tape.loss.tolist()
        # Dense rows whose single consumer is the next row, an element-wise activation: fused launches.
        self.fused = [False] * len(self.rows)
        for r, row in enumerate(self.rows[:-1]):
            nxt = self.rows[r + 1]
            if (
                row[tp.C_OP] == tp.DENSE
                and nxt[tp.C_OP] == tp.ACT
                and nxt[tp.C_AUX0] != SOFTMAX
                and self.ins[nxt[tp.C_IN0]][0] == r
            ):
                self.fused[r] = True

    # ------------------------------------------------------------------ one call
    def run(
        self,
        mode: int,
        X,
        Y,
        order,
        bounds: np.ndarray,
        lrs: np.ndarray,
        optimizer: int,
        hyper: np.ndarray,
        t0: int,
        seed: int,
        live: np.ndarray,
        losses: np.ndarray | None = None,
        live_base: int = 0,
    ) -> tuple[int, int]:
        """Run len(bounds)-1 batches in `mode`: (batches done, failing batch or -1), as numba_kernels.run.

        X, Y and order are device arrays; per-step losses and metrics stay in the state's
        device arrays (`losses`, if given, is the host array watched while TRAIN runs; live[0]
        counts live_base + the steps finished).
        """
        s = self.state
        nsteps = len(bounds) - 1
        s.failed.copy_to_device(np.full(1, -1, np.int64))
        s.flag.copy_to_device(np.zeros(1, np.int32))
        training = mode in (TRAIN, GRAD, FWD_TRAIN)
        fpar = self.tape.fpar.tolist()
        want_sq = optimizer == opt.VARIO_ETA
        if mode == TRAIN:
            s.start_theta.copy_to_device(s.theta)
            s.start_slot1.copy_to_device(s.slot1)
            s.start_slot2.copy_to_device(s.slot2)
            if s.n_frozen:
                s.frozen_start.copy_to_device(s.frozen)
        done = nsteps
        published = time.perf_counter()
        for k in range(nsteps):
            s0, b = int(bounds[k]), int(bounds[k + 1] - bounds[k])
            t = t0 + k
            if mode == TRAIN and s.n_frozen:
                s.frozen_backup.copy_to_device(s.frozen)
            self.forward(X, order, s0, b, fpar, training, mode == TRAIN, t, seed)
            if mode in (FWD_TRAIN, FWD_EVAL, PREDICT):
                continue
            self.loss(Y, order, s0, b, k, mode == EVAL)
            if mode == EVAL:
                continue
            self.backward(b, fpar, want_sq, t, seed)
            self.penalty(fpar, want_sq, k)
            _go(checks.flag_nonfinite, s.n_trainable, s.n_trainable, s.gtheta, s.flag, s.failed)
            if mode == GRAD:
                checks.settle_step[1, 1](k, s.losses, s.flag, s.failed)
                return self._finish_grad()
            last = k == nsteps - 1 or live[1] != 0
            self.update(optimizer, hyper, float(lrs[k]), t + 1, k)
            if s.n_frozen:
                _go(checks.restore_if_failed, s.n_frozen, s.n_frozen, k, s.failed, s.frozen, s.frozen_backup)
            now = time.perf_counter()
            if last or now - published >= PUBLISH_SECONDS:
                published = now
                if self._publish(k + 1, losses, live, live_base):
                    break
            if last:
                done = k + 1
                break
        if mode != TRAIN:
            return done, -1
        return self._finish_train(done)

    def _publish(self, steps: int, losses: np.ndarray | None, live: np.ndarray, live_base: int) -> bool:
        """Copy the losses so far to the watched host array (this waits for the GPU); True if a step failed."""
        s = self.state
        failed = int(s.failed.copy_to_host()[0])
        if losses is not None:
            s.losses[:steps].copy_to_host(losses[:steps])
        live[0] = live_base + (failed if failed >= 0 else steps)
        return failed >= 0

    def _finish_grad(self) -> tuple[int, int]:
        failed = int(self.state.failed.copy_to_host()[0])
        return (0, 0) if failed >= 0 else (1, -1)

    def _finish_train(self, done: int) -> tuple[int, int]:
        """(steps done, failing step or -1), or (0, OVERFLOWED) when an update made a weight or a
        BatchNorm statistic non-finite: then everything is back at the start of the call, and the
        caller finds the last good step by running the steps one call each (as the CPU backend does)."""
        s = self.state
        failed = int(s.failed.copy_to_host()[0])
        # checked after a failed step too: an overflow at step k shows up as a non-finite loss at k + 1
        s.failed.copy_to_device(np.full(1, -1, np.int64))
        s.flag.copy_to_device(np.zeros(1, np.int32))
        _go(checks.flag_nonfinite, s.n_trainable, s.n_trainable, s.theta, s.flag, s.failed)
        if s.n_frozen:
            _go(checks.flag_nonfinite, s.n_frozen, s.n_frozen, s.frozen, s.flag, s.failed)
        if s.flag.copy_to_host()[0] == 0:
            return (failed, failed) if failed >= 0 else (done, -1)
        s.flag.copy_to_device(np.zeros(1, np.int32))
        s.theta.copy_to_device(s.start_theta)
        s.slot1.copy_to_device(s.start_slot1)
        s.slot2.copy_to_device(s.start_slot2)
        if s.n_frozen:
            s.frozen.copy_to_device(s.frozen_start)
        return 0, OVERFLOWED

    # ------------------------------------------------------------------ passes
    def _off(self, r: int) -> int:
        return self.state.cap * self.rows[r][tp.C_OFF]

    def forward(
        self, X, order, s0: int, b: int, fpar: list, training: bool, update_stats: bool, t: int, seed: int
    ) -> None:
        s = self.state
        buf, f = s.buf, s.failed
        skip = False
        for r, row in enumerate(self.rows):
            if skip:
                skip = False
                continue
            code, n, i0 = row[tp.C_OP], row[tp.C_N], row[tp.C_IN0]
            out = self._off(r)
            src = self.ins[i0][0] if row[tp.C_NIN] else r
            x = self._off(src)
            if code == tp.INPUT:
                _go(ew.gather_rows, b * n, b, n, X, row[tp.C_AUX0], order, s0, buf, out, f)
            elif code == tp.DENSE:
                k = row[tp.C_AUX0]
                act, alpha, a_out = -1, 1.0, 0
                if self.fused[r]:
                    act, alpha, a_out = self.rows[r + 1][tp.C_AUX0], fpar[r + 1][tp.F_ALPHA], self._off(r + 1)
                    skip = True
                launch_gemm(
                    False,
                    False,
                    b,
                    n,
                    k,
                    buf,
                    x,
                    s.theta,
                    row[tp.C_P0],
                    buf,
                    out,
                    f,
                    bias=s.theta,
                    obias=row[tp.C_P1],
                    act=act,
                    act_alpha=alpha,
                    out=buf,
                    oout=a_out,
                )
            elif code == tp.ACT:
                if row[tp.C_AUX0] == SOFTMAX:
                    width = row[tp.C_AUX1]
                    _go(ew.softmax_forward, b * n // width, b * n // width, width, buf, x, buf, out, f)
                else:
                    _go(ew.act_forward, b * n, b * n, row[tp.C_AUX0], fpar[r][tp.F_ALPHA], buf, x, buf, out, f)
            elif code == tp.DROPOUT:
                rate = fpar[r][tp.F_RATE]
                if training and rate > 0:
                    _go(ew.dropout_forward, b * n, b * n, rate, seed, t, row[tp.C_OPIDX], buf, x, buf, out, f)
                else:
                    _go(ew.copy, b * n, b * n, buf, x, buf, out, f)
            elif code == tp.BATCHNORM:
                c = row[tp.C_AUX0]
                _go(
                    bn.bn_forward,
                    c,
                    c,
                    b * n // c,
                    buf,
                    x,
                    buf,
                    out,
                    s.sbuf,
                    s.cap * row[tp.C_SOFF],
                    s.sbuf,
                    s.cap * self.tape.sbuf_size + row[tp.C_AUX1],
                    s.theta,
                    row[tp.C_P0],
                    row[tp.C_P1],
                    s.frozen,
                    row[tp.C_P2],
                    row[tp.C_P3],
                    fpar[r][tp.F_EPS],
                    fpar[r][tp.F_MOMENTUM],
                    training,
                    update_stats,
                    f,
                )
            elif code == tp.COPY:
                _go(ew.copy, b * n, b * n, buf, x, buf, out, f)
            elif code == tp.PRELU:
                _go(ew.prelu_forward, b * n, b, n, buf, x, s.theta, row[tp.C_P0], buf, out, f)
            elif code == tp.ADD:
                for q in range(row[tp.C_NIN]):
                    _go(ew.axpy, b * n, b * n, 1.0, buf, self._off(self.ins[i0 + q][0]), buf, out, q == 0, f)
            elif code == tp.CONCAT:
                for q in range(row[tp.C_NIN]):
                    sr, m0 = self.ins[i0 + q][0], self.ins[i0 + q][1]
                    nk = self.rows[sr][tp.C_N]
                    _go(ew.concat_forward, b * nk, b, nk, n, buf, self._off(sr), s.imap, m0, buf, out, f)
            elif code == tp.BINARY:
                (sx, mx, _), (sy, my, _) = self.ins[i0], self.ins[i0 + 1]
                _go(
                    ew.binary_forward,
                    b * n,
                    b,
                    n,
                    row[tp.C_AUX0],
                    buf,
                    self._off(sx),
                    self.rows[sx][tp.C_N],
                    mx,
                    buf,
                    self._off(sy),
                    self.rows[sy][tp.C_N],
                    my,
                    s.imap,
                    buf,
                    out,
                    f,
                )
            elif code == tp.SQUARE:
                _go(ew.square_forward, b * n, b * n, buf, x, buf, out, f)

    def loss(self, Y, order, s0: int, b: int, k: int, evaluating: bool) -> None:
        s = self.state
        code, metric, lsrc, logits = (
            self.lossv[tp.L_CODE],
            self.lossv[tp.L_METRIC],
            self.lossv[tp.L_SRC],
            self.lossv[tp.L_LOGITS] == 1,
        )
        n = self.rows[lsrc][tp.C_N]
        off = self._off(lsrc)
        single = self.rows[lsrc][tp.C_FANOUT] == 1
        if not single and not evaluating:
            _go(ew.fill, b * n, b * n, s.gbuf, off, 0.0, s.failed)
        _go(
            ls.loss_rows,
            b,
            b,
            n,
            code,
            metric,
            logits,
            s.buf,
            off,
            Y,
            order,
            s0,
            s.gbuf,
            off,
            single,
            s.lrow,
            s.hrow,
            s.failed,
        )
        ls.finish_loss[1, REDUCE_THREADS](
            b, s.lrow, s.hrow, 1.0 / b, ls.metric_scale(code, metric, b, n), s.losses, s.metrics, k, s.failed
        )

    def backward(self, b: int, fpar: list, want_sq: bool, t: int, seed: int) -> None:
        s = self.state
        buf, gbuf, f = s.buf, s.gbuf, s.failed
        lsrc = self.lossv[tp.L_SRC]
        for r, row in enumerate(self.rows):
            if row[tp.C_NEED] == 1 and row[tp.C_FANOUT] != 1 and r != lsrc:
                _go(ew.fill, b * row[tp.C_N], b * row[tp.C_N], gbuf, self._off(r), 0.0, f)
        for r in range(len(self.rows) - 1, -1, -1):
            row = self.rows[r]
            if row[tp.C_NEED] == 0 or row[tp.C_BWD] == 0 or row[tp.C_NIN] == 0:
                continue
            code, n, i0 = row[tp.C_OP], row[tp.C_N], row[tp.C_IN0]
            go = self._off(r)
            src = self.ins[i0][0]
            nin = self.rows[src][tp.C_N]
            x = self._off(src)
            send = self.rows[src][tp.C_NEED] == 1
            assign = self.ins[i0][2] == 1
            if code == tp.DENSE:
                p0, p1 = row[tp.C_P0], row[tp.C_P1]
                ones = p1 == p0 + nin * n  # the bias gradient comes out as one more row of the product
                launch_gemm(True, False, nin + ones, n, b, buf, x, gbuf, go, s.gtheta, p0, f, ones=ones)
                if p1 >= 0 and not ones:
                    _go(ew.column_sums, n, b, n, gbuf, go, False, 1.0, s.gtheta, p1, f)
                if want_sq:
                    launch_gemm(
                        True,
                        False,
                        nin + ones,
                        n,
                        b,
                        buf,
                        x,
                        gbuf,
                        go,
                        s.gsq,
                        p0,
                        f,
                        alpha=float(b),
                        sq=True,
                        ones=ones,
                    )
                    if p1 >= 0 and not ones:
                        _go(ew.column_sums, n, b, n, gbuf, go, True, float(b), s.gsq, p1, f)
                if send:
                    launch_gemm(False, True, b, nin, n, gbuf, go, s.theta, p0, gbuf, x, f, beta=0.0 if assign else 1.0)
            elif code == tp.ACT:
                if send and row[tp.C_AUX0] == SOFTMAX:
                    width = row[tp.C_AUX1]
                    _go(
                        ew.softmax_backward,
                        b * n // width,
                        b * n // width,
                        width,
                        buf,
                        go,
                        gbuf,
                        go,
                        gbuf,
                        x,
                        assign,
                        f,
                    )
                elif send:
                    _go(
                        ew.act_backward,
                        b * n,
                        b * n,
                        row[tp.C_AUX0],
                        fpar[r][tp.F_ALPHA],
                        buf,
                        x,
                        buf,
                        go,
                        gbuf,
                        go,
                        gbuf,
                        x,
                        assign,
                        f,
                    )
            elif code == tp.DROPOUT:
                if send:
                    _go(
                        ew.dropout_backward,
                        b * n,
                        b * n,
                        fpar[r][tp.F_RATE],
                        seed,
                        t,
                        row[tp.C_OPIDX],
                        gbuf,
                        go,
                        gbuf,
                        x,
                        assign,
                        f,
                    )
            elif code == tp.BATCHNORM:
                c = row[tp.C_AUX0]
                _go(
                    bn.bn_backward,
                    c,
                    c,
                    b * n // c,
                    b,
                    gbuf,
                    go,
                    s.sbuf,
                    s.cap * row[tp.C_SOFF],
                    s.sbuf,
                    s.cap * self.tape.sbuf_size + row[tp.C_AUX1],
                    s.theta,
                    row[tp.C_P0],
                    row[tp.C_P1],
                    s.gtheta,
                    s.gsq,
                    want_sq,
                    gbuf,
                    x,
                    send,
                    assign,
                    f,
                )
            elif code == tp.COPY:
                if send:
                    _go(ew.axpy, b * n, b * n, 1.0, gbuf, go, gbuf, x, assign, f)
            elif code == tp.PRELU:
                _go(ew.prelu_alpha_grad, n, b, n, buf, x, gbuf, go, s.gtheta, s.gsq, row[tp.C_P0], want_sq, f)
                if send:
                    _go(ew.prelu_backward, b * n, b, n, buf, x, s.theta, row[tp.C_P0], gbuf, go, gbuf, x, assign, f)
            elif code == tp.SQUARE:
                if send:
                    _go(ew.square_backward, b * n, b * n, buf, x, gbuf, go, gbuf, x, assign, f)
            else:
                self._backward_multi(row, b, go)

    def _backward_multi(self, row: list, b: int, go: int) -> None:
        """Add, Concatenate and the broadcasting binary ops: a gradient for each input that needs one."""
        s = self.state
        buf, gbuf, f = s.buf, s.gbuf, s.failed
        code, n, i0 = row[tp.C_OP], row[tp.C_N], row[tp.C_IN0]
        for q in range(row[tp.C_NIN]):
            sr, mk, assign = self.ins[i0 + q]
            if self.rows[sr][tp.C_NEED] == 0:
                continue
            nk = self.rows[sr][tp.C_N]
            gk = self._off(sr)
            if assign == 1:
                _go(ew.fill, b * nk, b * nk, gbuf, gk, 0.0, f)
            if code == tp.ADD:
                _go(ew.axpy, b * n, b * n, 1.0, gbuf, go, gbuf, gk, False, f)
            elif code == tp.CONCAT:
                _go(ew.concat_backward, b * nk, b, nk, n, gbuf, go, s.imap, mk, gbuf, gk, f)
            else:
                (sx, mx, _), (sy, my, _) = self.ins[i0], self.ins[i0 + 1]
                _go(
                    ew.binary_backward,
                    b,
                    b,
                    n,
                    row[tp.C_AUX0],
                    q,
                    buf,
                    self._off(sx),
                    self.rows[sx][tp.C_N],
                    mx,
                    buf,
                    self._off(sy),
                    self.rows[sy][tp.C_N],
                    my,
                    s.imap,
                    gbuf,
                    go,
                    gbuf,
                    gk,
                    nk,
                    mk,
                    f,
                )

    def penalty(self, fpar: list, want_sq: bool, k: int) -> None:
        s = self.state
        for r, row in enumerate(self.rows):
            l1, l2 = fpar[r][tp.F_L1], fpar[r][tp.F_L2]
            if row[tp.C_OP] != tp.DENSE or (l1 == 0.0 and l2 == 0.0):
                continue
            cnt = row[tp.C_AUX0] * row[tp.C_N]
            _go(opt.penalty, cnt, cnt, l1, l2, s.theta, row[tp.C_P0], s.gtheta, s.gsq, want_sq, s.losses, k, s.failed)

    def update(self, optimizer: int, hyper: np.ndarray, lr: float, t: int, k: int) -> None:
        s = self.state
        mom, b1, b2, rho, eps, wd = (float(h) for h in hyper[:6])
        c1, c1n, c2, cr = opt.corrections(hyper, t)
        _go(
            opt.update,
            s.n_trainable,
            s.n_trainable,
            optimizer,
            lr,
            mom,
            b1,
            b2,
            rho,
            eps,
            wd,
            c1,
            c1n,
            c2,
            cr,
            s.theta,
            s.gtheta,
            s.gsq,
            s.slot1,
            s.slot2,
            s.last_grad,
            s.last_update,
            k,
            s.losses,
            s.flag,
            s.failed,
        )
