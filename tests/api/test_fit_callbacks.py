"""fit's callbacks: EarlyStopping runs inside the engine; your own functions see every epoch, same results."""

from __future__ import annotations

import numpy as np

import neuroedit as ne

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
Y = np.array([0, 1, 1, 0], np.float32)


def _net() -> ne.Network:
    return ne.Sequential(
        [ne.Input((2,)), ne.Dense(3, activation="tanh"), ne.Dense(1, activation="sigmoid")],
        loss="binary_crossentropy",
        optimizer=ne.SGD(0.5),
        seed=2,
    )


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[int, dict]] = []

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self.seen.append((epoch, logs))


def test_own_callbacks_see_every_epoch_and_change_no_result():
    plain, watched = _net(), _net()
    h = plain.fit(X, Y, epochs=30, batch_size=2, verbose=0)
    recorder, calls = Recorder(), []
    h2 = watched.fit(
        X, Y, epochs=30, batch_size=2, verbose=0, callbacks=[recorder, lambda epoch, logs: calls.append(epoch)]
    )
    assert [e for e, _ in recorder.seen] == list(range(30)) == calls
    assert recorder.seen[-1][1]["loss"] == h2.history["loss"][-1]
    assert h.history == h2.history  # one epoch per call: the same bits
    for key, value in plain.get_weights().items():
        np.testing.assert_array_equal(watched.get_weights()[key], value)


def test_early_stopping_is_built_in_and_unknown_callbacks_are_refused():
    net = _net()
    h = net.fit(
        X, Y, epochs=200, batch_size=None, verbose=0, callbacks=[ne.EarlyStopping("loss", min_delta=10.0, patience=2)]
    )
    assert len(h.history["loss"]) == 3 and "early stopping" in h.stopped
    try:
        net.fit(X, Y, epochs=1, verbose=0, callbacks=[42])
    except TypeError as e:
        assert "unsupported callback 42" in str(e)
    else:
        raise AssertionError("an unusable callback was accepted")
