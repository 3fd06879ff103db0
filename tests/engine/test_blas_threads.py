"""The BLAS thread tuner: tries each count, keeps the fastest, re-checks when the load may have changed."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info

from neuroedit.engine.blas_threads import BlasThreads, ThreadTuner


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
    tuner = ThreadTuner(blas, recheck_seconds=1e9, trials=2)
    assert tuner.candidates == [4, 3, 2, 1]
    chosen = run(tuner, {4: 3e-3, 3: 1.5e-3, 2: 1e-3, 1: 2e-3}.__getitem__, 20)
    assert chosen[:8] == [4, 3, 2, 1] * 2
    assert set(chosen[8:]) == {2}
    assert blas.current == 2


def test_rechecks_and_follows_a_change_of_load():
    blas = FakeBlas(2)
    tuner = ThreadTuner(blas, recheck_seconds=1.0, trials=1)   # a re-check after 10 calls of 0.1 s
    costs = {2: 1e-3, 1: 2e-3}
    chosen = run(tuner, costs.__getitem__, 30)
    assert chosen.count(1) == 1 + 2                  # the first trial, then two re-checks
    assert chosen[-1] == 2 or chosen[-2] == 2
    costs[2] = 5e-3                                  # another program now takes a core: 2 threads stall
    chosen = run(tuner, costs.__getitem__, 30)
    assert chosen[-12:].count(1) >= 10               # one thread now, apart from the re-checks of two


def test_re_checks_visit_the_longest_unmeasured_count():
    blas = FakeBlas(4)
    tuner = ThreadTuner(blas, recheck_seconds=0.1, trials=1)   # a re-check after every call of 0.1 s
    chosen = run(tuner, {4: 3e-3, 3: 1.5e-3, 2: 1e-3, 1: 2e-3}.__getitem__, 4 + 12)
    rechecks = [n for n in chosen[4:] if n != 2]
    assert set(rechecks) == {4, 3, 1}               # none is forgotten, however slow it was


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
    assert trainer.threads is not None and trainer.threads.choice == 1   # it trained with one thread
    assert _openblas_threads() == {blas.most}


def test_the_shared_object_follows_newly_loaded_blas_libraries(monkeypatch):
    from neuroedit.engine import blas_threads

    shared = blas_threads.shared_blas_threads()
    assert blas_threads.shared_blas_threads() is shared          # nothing new loaded: the same object
    loaded = blas_threads._openblas()
    monkeypatch.setattr(blas_threads, "_openblas", lambda: loaded[:-1])   # as before the last one was loaded
    monkeypatch.setattr(blas_threads, "_shared", None)
    early = blas_threads.shared_blas_threads()
    monkeypatch.setattr(blas_threads, "_openblas", lambda: loaded)
    later = blas_threads.shared_blas_threads()
    assert later is not early and later.paths == tuple(i["filepath"] for i in loaded)
    assert later.most >= early.most
