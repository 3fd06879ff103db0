"""gui/throttle.py: at most one call per interval, and the last request is never dropped."""

import time

from neuroedit.gui.throttle import Throttle


def test_a_burst_gives_one_call_now_and_one_at_the_end_of_the_interval(qtbot):
    calls: list[float] = []
    throttle = Throttle(0.2, lambda: calls.append(time.perf_counter()))
    began = time.perf_counter()
    for _ in range(50):
        throttle.request()
    assert len(calls) == 1  # the first request is served at once
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=2000)
    assert calls[1] - began >= 0.19
    qtbot.wait(400)
    assert len(calls) == 2  # nothing more was asked for


def test_a_request_after_a_quiet_interval_is_served_at_once(qtbot):
    calls: list[int] = []
    throttle = Throttle(0.05, lambda: calls.append(1))
    throttle.request()
    qtbot.wait(80)
    throttle.request()
    assert len(calls) == 2
