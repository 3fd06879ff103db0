"""Each numba.cuda kernel against the NumPy reference math (refmath, optimizers, randomness), sizes <= 32."""

from __future__ import annotations

import numpy as np
import pytest

from neuroedit.engine import refmath
from neuroedit.engine.names import ACTIVATIONS, LOSSES, METRICS, OPTIMIZERS, metric_name
from neuroedit.engine.optimizers import OptimizerConfig, reference_update
from neuroedit.engine.randomness import uniform

pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # simulator: uint64 wraps

TOL = {"float64": {"rtol": 1e-12, "atol": 1e-12}, "float32": {"rtol": 1e-5, "atol": 1e-6}}


@pytest.fixture(scope="module")
def k():
    """The kernel modules (imported here: importing numba.cuda needs the simulator switch set first)."""
    from numba import cuda

    from neuroedit.engine.cuda import batchnorm, checks, elementwise, losses, optimizers
    from neuroedit.engine.cuda.launch import REDUCE_THREADS, grid
    from neuroedit.engine.cuda.matmul import launch_gemm

    class K:
        pass

    ns = K()
    ns.cuda, ns.bn, ns.checks, ns.ew, ns.ls, ns.opt = cuda, batchnorm, checks, elementwise, losses, optimizers
    ns.grid, ns.gemm, ns.REDUCE_THREADS = grid, launch_gemm, REDUCE_THREADS
    ns.ok = lambda: cuda.to_device(np.full(1, -1, np.int64))
    ns.dev = lambda a: cuda.to_device(np.ascontiguousarray(a))
    ns.go = lambda kernel, n, *args: kernel[grid(n)](*args)
    return ns


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_gemm_transposed_variants_accumulate_and_square(k, ta, tb, dtype):
    rng = np.random.default_rng(0)
    m, n, kk = 7, 5, 9  # not multiples of the tile: partial tiles on every edge
    a = rng.normal(size=(kk, m) if ta else (m, kk)).astype(dtype)
    b = rng.normal(size=(n, kk) if tb else (kk, n)).astype(dtype)
    c0 = rng.normal(size=(m, n)).astype(dtype)
    opa, opb = (a.T if ta else a), (b.T if tb else b)
    # offsets inside bigger flat buffers, as the launcher addresses the value buffer
    da, db = (
        k.dev(np.concatenate([np.zeros(3, dtype), a.ravel()])),
        k.dev(np.concatenate([np.zeros(2, dtype), b.ravel()])),
    )
    dc = k.dev(np.concatenate([np.zeros(1, dtype), c0.ravel()]))
    k.gemm(ta, tb, m, n, kk, da, 3, db, 2, dc, 1, k.ok(), alpha=0.5, beta=1.0)
    np.testing.assert_allclose(dc.copy_to_host()[1:].reshape(m, n), 0.5 * opa @ opb + c0, **TOL[dtype])
    dc = k.dev(np.zeros(m * n, dtype))
    k.gemm(ta, tb, m, n, kk, da, 3, db, 2, dc, 0, k.ok(), alpha=4.0, sq=True)
    np.testing.assert_allclose(dc.copy_to_host().reshape(m, n), 4.0 * (opa * opa) @ (opb * opb), **TOL[dtype])


@pytest.mark.parametrize("sq", [False, True])
def test_gemm_ones_row_gives_weight_and_bias_gradients_in_one_product(k, sq):
    rng = np.random.default_rng(8)
    b, nin, n = 6, 5, 3
    x, dz = rng.normal(size=(b, nin)), rng.normal(size=(b, n))
    out = k.dev(np.zeros(2 + (nin + 1) * n))
    k.gemm(
        True,
        False,
        nin + 1,
        n,
        b,
        k.dev(x.ravel()),
        0,
        k.dev(dz.ravel()),
        0,
        out,
        2,
        k.ok(),
        alpha=2.0,
        sq=sq,
        ones=True,
    )
    f = (lambda a: a * a) if sq else (lambda a: a)
    got = out.copy_to_host()[2:].reshape(nin + 1, n)
    np.testing.assert_allclose(got[:nin], 2.0 * f(x).T @ f(dz), **TOL["float64"])
    np.testing.assert_allclose(got[nin], 2.0 * f(dz).sum(axis=0), **TOL["float64"])


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid", "elu"])
def test_gemm_epilogue_adds_bias_and_writes_the_activation(k, act):
    rng = np.random.default_rng(1)
    x, w, bias = rng.normal(size=(6, 5)), rng.normal(size=(5, 3)), rng.normal(size=3)
    theta = k.dev(np.concatenate([w.ravel(), bias]))
    z, a = k.dev(np.zeros(18)), k.dev(np.zeros(18))
    k.gemm(
        False,
        False,
        6,
        3,
        5,
        k.dev(x.ravel()),
        0,
        theta,
        0,
        z,
        0,
        k.ok(),
        bias=theta,
        obias=15,
        act=ACTIVATIONS.index(act),
        act_alpha=1.0,
        out=a,
        oout=0,
    )
    want = x @ w + bias
    np.testing.assert_allclose(z.copy_to_host().reshape(6, 3), want, **TOL["float64"])
    np.testing.assert_allclose(a.copy_to_host().reshape(6, 3), refmath.activation(act, want, 1.0), **TOL["float64"])


def test_kernels_do_nothing_after_a_failed_step(k):
    out = k.dev(np.zeros(4))
    k.gemm(
        False,
        False,
        2,
        2,
        2,
        k.dev(np.ones(4)),
        0,
        k.dev(np.ones(4)),
        0,
        out,
        0,
        k.cuda.to_device(np.array([3], np.int64)),
    )
    k.go(k.ew.fill, 4, 4, out, 0, 7.0, k.cuda.to_device(np.array([0], np.int64)))
    assert not out.copy_to_host().any()


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_forward_and_backward_match_refmath(k, name):
    rng = np.random.default_rng(2)
    z = np.concatenate([rng.normal(scale=2, size=(4, 3)), [[0.0, -30.0, 30.0]]])  # both sides of every kink
    alpha = {"leaky_relu": 0.2, "elu": 0.7, "linear": 1.5}.get(name, 1.0)
    g = rng.normal(size=z.shape)
    a_want = refmath.activation(name, z, alpha)
    dz_want = refmath.activation_grad(name, z, a_want, g, alpha)
    code, n = ACTIVATIONS.index(name), z.size
    dz_, da, dg = k.dev(z.ravel()), k.dev(np.zeros(n)), k.dev(g.ravel())
    out = k.dev(np.full(n, 1.0))
    if name == "softmax":
        k.go(k.ew.softmax_forward, 5, 5, 3, dz_, 0, da, 0, k.ok())
        k.go(k.ew.softmax_backward, 5, 5, 3, da, 0, dg, 0, out, 0, False, k.ok())
    else:
        k.go(k.ew.act_forward, n, n, code, alpha, dz_, 0, da, 0, k.ok())
        k.go(k.ew.act_backward, n, n, code, alpha, dz_, 0, da, 0, dg, 0, out, 0, False, k.ok())
    np.testing.assert_allclose(da.copy_to_host().reshape(z.shape), a_want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out.copy_to_host().reshape(z.shape), 1.0 + dz_want, rtol=1e-12, atol=1e-14)


LOSS_CASES = [
    (name, logits, metric_name(name), 3)
    for name in LOSSES
    for logits in (False, True)
    if not logits or name in ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy")
] + [("mse", False, "accuracy", 1), ("squared_error", False, "accuracy", 3), ("mae", False, "accuracy", 3)]


@pytest.mark.parametrize("name,logits,metric,n", LOSS_CASES)
def test_every_loss_its_gradient_and_metric_match_refmath(k, name, logits, metric, n):
    rng = np.random.default_rng(3)
    b = 5
    v = rng.normal(size=(b, n))
    if name in ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy") and not logits:
        v = refmath.softmax(v) if "categorical" in name else refmath.sigmoid(v)
    if name in ("sparse_categorical_crossentropy", "multiclass_hinge"):
        y = rng.integers(0, n, size=(b, 1)).astype(float)
    elif name == "categorical_crossentropy" or (metric == "accuracy" and n > 1):
        y = np.eye(n)[rng.integers(0, n, size=b)]
    elif name in ("binary_crossentropy", "hinge") or metric == "accuracy":
        y = rng.integers(0, 2, size=(b, n)).astype(float)
    elif name == "value":
        y = np.zeros((b, 1))
    else:
        y = rng.normal(size=(b, n))
    want_loss, want_grad = refmath.loss_and_grad(name, v, y, logits)
    want_metric = refmath.metric(name, metric, v, y, logits)
    code, metric_code = LOSSES.index(name), METRICS.index(metric or "none")
    order = np.array([4, 3, 2, 1, 0])  # the targets are read through the batch's sample order
    g, lrow, hrow = k.dev(np.zeros(b * n)), k.dev(np.zeros(b)), k.dev(np.zeros(b))
    losses, metrics = k.dev(np.zeros(2)), k.dev(np.zeros(2))
    k.go(
        k.ls.loss_rows,
        b,
        b,
        n,
        code,
        metric_code,
        logits,
        k.dev(v.ravel()),
        0,
        k.dev(y[np.argsort(order)]),
        k.dev(order),
        0,
        g,
        0,
        True,
        lrow,
        hrow,
        k.ok(),
    )
    k.ls.finish_loss[1, k.REDUCE_THREADS](
        b, lrow, hrow, 1.0 / b, k.ls.metric_scale(code, metric_code, b, n), losses, metrics, 1, k.ok()
    )
    assert losses.copy_to_host()[1] == pytest.approx(want_loss, rel=1e-12)
    assert metrics.copy_to_host()[1] == pytest.approx(want_metric, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(g.copy_to_host().reshape(b, n), want_grad, rtol=1e-12, atol=1e-15)


def test_dropout_uses_the_cpu_random_numbers(k):
    n, rate, seed, t, opidx = 30, 0.4, 12345, 7, 3
    x = np.arange(1.0, n + 1)
    out, gx = k.dev(np.zeros(n)), k.dev(np.zeros(n))
    k.go(k.ew.dropout_forward, n, n, rate, seed, t, opidx, k.dev(x), 0, out, 0, k.ok())
    k.go(k.ew.dropout_backward, n, n, rate, seed, t, opidx, k.dev(np.ones(n)), 0, gx, 0, True, k.ok())
    keep = uniform(seed, t, opidx, n) >= rate
    assert 0 < keep.sum() < n
    np.testing.assert_array_equal(out.copy_to_host(), np.where(keep, x / (1 - rate), 0.0))
    np.testing.assert_array_equal(gx.copy_to_host(), np.where(keep, 1 / (1 - rate), 0.0))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_update_matches_the_reference_rule(k, name):
    rng = np.random.default_rng(4)
    n = 9
    cfg = OptimizerConfig(name, {"momentum": 0.8, "rho": 0.7, "weight_decay": 0.01})
    theta, slots = rng.normal(size=n), np.zeros((2, n))
    dt, ds1, ds2, dsq = k.dev(theta), k.dev(slots[0]), k.dev(slots[1]), k.dev(np.zeros(n))
    hyper = cfg.hyper_array()
    last_g, last_u = k.dev(np.zeros(n)), k.dev(np.zeros(n))
    for t in (1, 2, 3):
        g = rng.normal(size=n)
        gsq = g * g + rng.random(n)
        before = theta.copy()
        reference_update(cfg, theta, g, gsq, slots, 0.05, t)
        dsq.copy_to_device(gsq)
        c1, c1n, c2, cr = k.opt.corrections(hyper, t)
        k.go(
            k.opt.update,
            n,
            n,
            cfg.code,
            0.05,
            *(float(h) for h in hyper[:6]),
            c1,
            c1n,
            c2,
            cr,
            dt,
            k.dev(g),
            dsq,
            ds1,
            ds2,
            last_g,
            last_u,
            0,
            k.dev(np.ones(1)),
            k.dev(np.zeros(1, np.int32)),
            k.ok(),
        )
        np.testing.assert_array_equal(last_g.copy_to_host(), g)
        np.testing.assert_allclose(last_u.copy_to_host(), theta - before, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(dt.copy_to_host(), theta, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ds1.copy_to_host(), slots[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ds2.copy_to_host(), slots[1], rtol=1e-12, atol=1e-14)


def test_penalty_adds_l1_l2_gradient_and_value(k):
    rng = np.random.default_rng(5)
    w, g = rng.normal(size=11), rng.normal(size=11)
    w[3] = 0.0
    dg, losses = k.dev(np.concatenate([[0.0], g])), k.dev(np.array([0.0, 1.0]))
    k.go(
        k.opt.penalty,
        11,
        11,
        0.01,
        0.1,
        k.dev(np.concatenate([[0.0], w])),
        1,
        dg,
        k.dev(np.zeros(12)),
        False,
        losses,
        1,
        k.ok(),
    )
    np.testing.assert_allclose(dg.copy_to_host()[1:], g + 0.01 * np.sign(w) + 0.1 * w, rtol=1e-12)
    assert losses.copy_to_host()[1] == pytest.approx(1.0 + 0.01 * np.abs(w).sum() + 0.05 * (w * w).sum(), rel=1e-12)


def test_column_sums_are_the_bias_gradient(k):
    dz = np.random.default_rng(6).normal(size=(7, 4))
    out = k.dev(np.zeros(5))
    k.go(k.ew.column_sums, 4, 7, 4, k.dev(dz.ravel()), 0, False, 1.0, out, 1, k.ok())
    np.testing.assert_allclose(out.copy_to_host()[1:], dz.sum(axis=0), rtol=1e-12)
    k.go(k.ew.column_sums, 4, 7, 4, k.dev(dz.ravel()), 0, True, 7.0, out, 1, k.ok())
    np.testing.assert_allclose(out.copy_to_host()[1:], 7.0 * (dz * dz).sum(axis=0), rtol=1e-12)


def test_batchnorm_forward_and_backward_match_the_formulas(k):
    rng = np.random.default_rng(7)
    b, c = 6, 3
    x, g = rng.normal(size=(b, c)) * 2 + 1, rng.normal(size=(b, c))
    gamma, beta = rng.normal(size=c), rng.normal(size=c)
    eps, mom = 1e-3, 0.9
    theta, frozen = k.dev(np.concatenate([gamma, beta])), k.dev(np.concatenate([np.zeros(c), np.ones(c)]))
    out, xhat, inv = k.dev(np.zeros(b * c)), k.dev(np.zeros(b * c)), k.dev(np.zeros(c))
    k.go(
        k.bn.bn_forward,
        c,
        c,
        b,
        k.dev(x.ravel()),
        0,
        out,
        0,
        xhat,
        0,
        inv,
        0,
        theta,
        0,
        c,
        frozen,
        0,
        c,
        eps,
        mom,
        True,
        True,
        k.ok(),
    )
    mu, var = x.mean(axis=0), x.var(axis=0)
    h = (x - mu) / np.sqrt(var + eps)
    np.testing.assert_allclose(out.copy_to_host().reshape(b, c), h * gamma + beta, rtol=1e-12)
    np.testing.assert_allclose(frozen.copy_to_host(), np.concatenate([(1 - mom) * mu, mom + (1 - mom) * var]))
    gtheta, gx = k.dev(np.zeros(2 * c)), k.dev(np.zeros(b * c))
    k.go(
        k.bn.bn_backward,
        c,
        c,
        b,
        b,
        k.dev(g.ravel()),
        0,
        xhat,
        0,
        inv,
        0,
        theta,
        0,
        c,
        gtheta,
        k.dev(np.zeros(2 * c)),
        False,
        gx,
        0,
        True,
        True,
        k.ok(),
    )
    np.testing.assert_allclose(gtheta.copy_to_host(), np.concatenate([(g * h).sum(0), g.sum(0)]), rtol=1e-12)
    gh = g * gamma  # dL/dx of batch normalisation, the textbook form
    want = (gh - gh.mean(0) - h * (gh * h).mean(0)) / np.sqrt(var + eps)
    np.testing.assert_allclose(gx.copy_to_host().reshape(b, c), want, rtol=1e-10, atol=1e-12)


def test_a_non_finite_gradient_or_loss_fails_the_step_once(k):
    failed, flag, losses = k.ok(), k.dev(np.zeros(1, np.int32)), k.dev(np.array([1.0, np.inf, 2.0]))
    k.go(k.checks.flag_nonfinite, 3, 3, k.dev(np.array([1.0, 2.0, 3.0])), flag, failed)
    k.checks.settle_step[1, 1](0, losses, flag, failed)
    assert failed.copy_to_host()[0] == -1
    k.checks.settle_step[1, 1](1, losses, flag, failed)  # the loss of step 1 is infinite
    assert failed.copy_to_host()[0] == 1
    dst = k.dev(np.zeros(3))
    k.go(k.checks.restore_if_failed, 3, 3, 1, failed, dst, k.dev(np.ones(3)))
    np.testing.assert_array_equal(dst.copy_to_host(), np.ones(3))
    k.go(k.checks.flag_nonfinite, 3, 3, k.dev(np.array([1.0, np.nan, 3.0])), flag, k.ok())
    assert flag.copy_to_host()[0] == 1
