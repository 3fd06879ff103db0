"""The BLAS thread tuner: tries each count, keeps the fastest, re-checks when the load may have changed."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from neuroedit.engine.blas_threads import TRIAL_CALLS, BlasThreads, ThreadTuner


class FakeBlas:
    def __init__(self, most: int) -> None:
        self.most = most
        self.current = most
        self.calls: list[int] = []

    def set(self, n: int) -> None:
        self.current = n
        self.calls.append(n)


def run(tuner: ThreadTuner, cost_of, calls: int) -> list[int]:
    """Calls of 100 steps each."""
    chosen = []
    for _ in range(calls):
        n = tuner.begin()
        chosen.append(n)
        tuner.end(cost_of(n) * 100, 100)
    return chosen


def test_tries_every_count_then_keeps_the_fastest():
    blas = FakeBlas(4)
    tuner = ThreadTuner(blas, recheck_seconds=1e9, trials=1)
    assert tuner.candidates == [4, 3, 2, 1]
    chosen = run(tuner, {4: 3e-3, 3: 1.5e-3, 2: 1e-3, 1: 2e-3}.__getitem__, 20)
    assert chosen[:12] == [4] * 3 + [3] * 3 + [2] * 3 + [1] * 3
    assert set(chosen[12:]) == {2}
    assert blas.current == 2


def test_the_first_call_after_a_change_of_count_is_not_counted():
    """Waking BLAS threads makes that call slow; counting it made the editor's tuner pick 1 thread."""
    blas = FakeBlas(2)
    tuner = ThreadTuner(blas, recheck_seconds=1e9, trials=1)
    previous = None
    for _ in range(TRIAL_CALLS * 2 + 5):
        n = tuner.begin()
        per_step = 1e-3 if n == 2 else 1.4e-3
        tuner.end((per_step * 5 if n != previous else per_step) * 100, 100)  # 5x slower when switched
        previous = n
    assert tuner.cost(2) == pytest.approx(1e-3)
    assert tuner.best == 2


def test_one_noisy_call_does_not_change_the_choice():
    blas = FakeBlas(2)
    tuner = ThreadTuner(blas, recheck_seconds=1e9, trials=1)
    run(tuner, {2: 1e-3, 1: 1.4e-3}.__getitem__, 10)
    assert tuner.best == 2
    tuner.begin()
    tuner.end(10e-3 * 100, 100)  # one call 10x slower (the machine hiccupped)
    assert tuner.best == 2


def test_rechecks_and_follows_a_change_of_load():
    blas = FakeBlas(2)
    tuner = ThreadTuner(blas, recheck_seconds=1.0, trials=1, trial_share=1.0)  # a re-check after 10 calls of 0.1 s
    costs = {2: 1e-3, 1: 2e-3}
    chosen = run(tuner, costs.__getitem__, 40)
    assert chosen.count(1) == TRIAL_CALLS * 3  # the first trial, then two re-checks
    assert chosen[-1] == 2
    costs[2] = 5e-3  # another program now takes a core: 2 threads stall
    chosen = run(tuner, costs.__getitem__, 40)
    assert tuner.best == 1  # one thread now, apart from the re-checks of two:
    assert chosen[-16:].count(1) >= 9  # 5 calls of 0.2 s, then a trial of 3 calls


def test_re_checks_visit_the_longest_unmeasured_count():
    blas = FakeBlas(4)
    tuner = ThreadTuner(blas, recheck_seconds=0.1, trials=1, trial_share=1.0)  # a re-check after every call
    chosen = run(tuner, {4: 3e-3, 3: 1.5e-3, 2: 1e-3, 1: 2e-3}.__getitem__, 4 * TRIAL_CALLS + 30)
    rechecks = [n for n in chosen[4 * TRIAL_CALLS :] if n != 2]
    assert set(rechecks) == {4, 3, 1}  # none is forgotten, however slow it was


def test_trials_take_a_small_share_of_long_calls():
    """The CLI's calls last ~0.25 s: a trial of 3 such calls every 3 s would be a fifth of the run."""
    blas = FakeBlas(2)
    tuner = ThreadTuner(blas, recheck_seconds=3.0, trials=1)
    costs = {2: 2.5e-3, 1: 3.5e-3}  # calls of 100 steps: 0.25 s and 0.35 s
    chosen = run(tuner, costs.__getitem__, 2 * TRIAL_CALLS + 400)[2 * TRIAL_CALLS :]
    seconds = {n: chosen.count(n) * costs[n] * 100 for n in (1, 2)}
    assert 0 < seconds[1] <= 0.08 * (seconds[1] + seconds[2])  # 5% of calls, a bit more of the time (slower)


def test_a_fixed_count_is_kept():
    blas = FakeBlas(8)
    tuner = ThreadTuner(blas, fixed=3, recheck_seconds=0.0)
    assert set(run(tuner, lambda n: 1e-3, 20)) == {3}


def test_one_core_has_nothing_to_tune():
    blas = FakeBlas(1)
    tuner = ThreadTuner(blas, recheck_seconds=0.0)
    assert set(run(tuner, lambda n: 1e-3, 10)) == {1}


def _openblas_threads() -> set[int]:
    return {i["num_threads"] for i in threadpool_info() if i["internal_api"] == "openblas"}


def test_real_openblas_count_changes_and_restores():
    np.ones((4, 4)) @ np.ones((4, 4))
    blas = BlasThreads()
    assert blas.most >= 1
    try:
        blas.set(1)
        assert _openblas_threads() == {1}
    finally:
        blas.restore()
    assert _openblas_threads() == {blas.most}


def test_training_gives_the_blas_threads_back_when_it_ends():
    from cases import dense_chain, spec

    from neuroedit.engine import make_backend
    from neuroedit.engine.trainer import TrainConfig, Trainer

    np.ones((4, 4)) @ np.ones((4, 4))
    blas = BlasThreads()
    doc, x, y = dense_chain(n=64)
    trainer = Trainer(make_backend("reference", spec(doc)), x, y, TrainConfig(epochs=3, batch_size=8, blas_threads=1))
    trainer.run()
    assert trainer.threads is not None and trainer.threads.choice == 1  # it trained with one thread
    assert _openblas_threads() == {blas.most}


def test_the_shared_object_follows_newly_loaded_blas_libraries(monkeypatch):
    from neuroedit.engine import blas_threads

    shared = blas_threads.shared_blas_threads()
    assert blas_threads.shared_blas_threads() is shared  # nothing new loaded: the same object
    loaded = blas_threads._openblas()
    monkeypatch.setattr(blas_threads, "_openblas", lambda: loaded[:-1])  # as before the last one was loaded
    monkeypatch.setattr(blas_threads, "_shared", None)
    early = blas_threads.shared_blas_threads()
    monkeypatch.setattr(blas_threads, "_openblas", lambda: loaded)
    later = blas_threads.shared_blas_threads()
    assert later is not early and later.paths == tuple(i["filepath"] for i in loaded)
    assert later.most >= early.most
