"""The background compile at launch (gui/training/warmup.py): a Train press waits for the training kernels only."""

import time

import pytest

from neuroedit.engine import numba_backend
from neuroedit.gui.training import warmup


@pytest.fixture
def on_disk(monkeypatch):
    """Which parts the (stubbed) kernel cache holds; the background compile is a 30 s sleep."""
    parts = {"training": False, "steps": False}
    monkeypatch.setattr(numba_backend, "kernels_cached", lambda part="training": parts[part])
    monkeypatch.setattr(warmup, "COMPILE", "import time; time.sleep(30)  # {dtype}")
    return parts


def test_train_waits_until_the_training_kernels_are_on_disk_not_for_the_whole_compile(qtbot, on_disk):
    w = warmup.KernelWarmup()
    assert w.start()
    try:
        on_disk["training"] = True  # the compile wrote the training kernels; the inference ones are still to come
        began = time.perf_counter()
        w.wait()
        assert time.perf_counter() - began < 1.0 and w.running
    finally:
        w.stop()
    assert not w.running


def test_launch_starts_nothing_when_every_kernel_is_on_disk(on_disk):
    on_disk.update(training=True, steps=True)
    assert warmup.launch() is None


def test_the_boundary_waits_for_the_inference_kernels_only_while_they_compile_in_the_background(on_disk):
    on_disk["training"] = True
    w = warmup.KernelWarmup()
    assert w.start()
    try:
        assert w.pending("steps") and not w.pending("training")
        on_disk["steps"] = True
        assert not w.pending("steps")
        on_disk["steps"] = False
    finally:
        w.stop()
    assert not w.pending("steps")  # no background compile: the plots compute the boundary themselves
