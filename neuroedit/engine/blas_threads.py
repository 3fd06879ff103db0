"""How many BLAS threads training uses: measured, not guessed.

OpenBLAS splits each matrix product statically between its threads, so one thread that the
OS takes away (another program, the editor's GUI thread) stalls the others at every product.
On an idle machine more threads train faster; with a busy process beside them they can be
several times slower (figures in docs/benchmarks.md). The tuner times each training call
with every candidate count, keeps the fastest, and re-checks the others now and then because
the load on the machine changes.
"""

from __future__ import annotations

import ctypes
import threading

from threadpoolctl import threadpool_info

FIRST_TRIALS = 1  # trials of each count at the start
TRIAL_CALLS = 3  # calls per trial: the first after a change of count is not counted (threads wake up)
WINDOW = 3  # a count's cost is the median of its last WINDOW counted calls (single calls vary widely)
RECHECK_SECONDS = 3.0  # training time with the best count between two trials of another count, at least,
TRIAL_SHARE = 0.05  # and trials take at most this share of the time (the CLI's calls are ~0.25 s long)


class BlasThreads:
    """OpenBLAS thread counts, set from any thread with one C call (the thread pool is never resized)."""

    def __init__(self, at_least: int = 1) -> None:
        self._setters = []
        self.paths: tuple[str, ...] = ()
        most = at_least
        for info in _openblas():
            setter = _find_setter(info["filepath"])
            if setter is not None:
                self._setters.append(setter)
                self.paths += (info["filepath"],)
                most = max(most, int(info.get("num_threads") or 1))
        self.most = most
        self.current = most
        self._lock = threading.Lock()

    def set(self, n: int) -> None:
        n = max(1, min(self.most, n))
        with self._lock:
            if n != self.current:
                for setter in self._setters:
                    setter(n)
                self.current = n

    def restore(self) -> None:
        self.set(self.most)


_shared: BlasThreads | None = None


def shared_blas_threads() -> BlasThreads:
    """The process's BLAS thread count is one setting: one object for it, found again when another
    OpenBLAS was loaded since (NumPy's comes first, SciPy's with the first compiled kernel)."""
    global _shared
    if _shared is None or _shared.paths != tuple(i["filepath"] for i in _openblas()):
        _shared = BlasThreads(at_least=_shared.most if _shared is not None else 1)
    return _shared


def _openblas() -> list[dict]:
    return [i for i in threadpool_info() if i.get("internal_api") == "openblas"]


def _find_setter(path: str):
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    for name in (
        "openblas_set_num_threads",
        "scipy_openblas_set_num_threads",
        "scipy_openblas_set_num_threads64_",
        "openblas_set_num_threads64_",
    ):
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.argtypes, fn.restype = [ctypes.c_int], None
            return fn
    return None


class ThreadTuner:
    """Picks the thread count for the next training call from the measured seconds per step.

    Each count is tried in trials of TRIAL_CALLS calls in a row. The first call of a trial is not
    counted, because it pays for waking the BLAS threads; counted, it made the tuner keep choosing
    1 thread in the editor while 2 were faster.
    """

    def __init__(
        self,
        blas: BlasThreads,
        fixed: int | None = None,
        recheck_seconds: float = RECHECK_SECONDS,
        trials: int = FIRST_TRIALS,
        trial_share: float = TRIAL_SHARE,
    ) -> None:
        self.blas = blas
        self.trial_share = trial_share
        if fixed is not None:
            self.candidates = [max(1, min(blas.most, fixed))]
        else:
            # all cores; one left to another busy thread (the editor's GUI); half; one
            most = blas.most
            self.candidates = sorted({most, max(1, most - 1), max(1, most // 2), 1}, reverse=True)
        self.samples: dict[int, list[float]] = {n: [] for n in self.candidates}
        self.recheck_seconds = recheck_seconds
        self.choice = self.candidates[0]  # the count in use for the current call
        self._plan = (
            [n for _ in range(trials) for n in self.candidates for _ in range(TRIAL_CALLS)]
            if len(self.candidates) > 1
            else []
        )
        self._last_measured = {n: 0 for n in self.candidates}
        self._calls = 0
        self._seconds_since_check = 0.0
        self._exploring = False
        self._warming = False  # the current call is the first with a new count
        self._call_seconds = 0.0  # how long calls with the best count take

    def cost(self, n: int) -> float | None:
        """Seconds per step with n threads: the median of the last counted calls."""
        s = self.samples[n]
        return float(sorted(s)[len(s) // 2]) if s else None

    @property
    def best(self) -> int:
        known = {n: c for n in self.candidates if (c := self.cost(n)) is not None}
        return min(known, key=known.__getitem__) if known else self.candidates[0]

    def begin(self) -> int:
        """Choose and set the count for the next call."""
        previous = self.choice
        self._exploring = True
        if self._plan:
            self.choice = self._plan.pop(0)
        elif len(self.candidates) > 1 and self._seconds_since_check >= max(
            self.recheck_seconds, self._call_seconds * TRIAL_CALLS / self.trial_share
        ):
            self._seconds_since_check = 0.0
            others = [n for n in self.candidates if n != self.best]
            self.choice = min(others, key=self._last_measured.__getitem__)  # the longest unmeasured
            self._plan = [self.choice] * (TRIAL_CALLS - 1)
        else:
            self.choice = self.best
            self._exploring = False
        self._warming = self.choice != previous or self._calls == 0
        self.blas.set(self.choice)
        return self.choice

    def end(self, seconds: float, steps: int) -> None:
        """Record how long the call took."""
        self._calls += 1
        if steps <= 0 or seconds <= 0:
            return
        if not self._exploring:
            self._seconds_since_check += seconds
            self._call_seconds = seconds
        if self._warming:
            return
        samples = self.samples[self.choice]
        samples.append(seconds / steps)
        del samples[:-WINDOW]
        self._last_measured[self.choice] = self._calls
