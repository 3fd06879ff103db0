"""The background compile at launch (gui/training/warmup.py): a Train press waits for the training kernels only."""

import time

from neuroedit.engine import numba_backend
from neuroedit.gui.training import warmup


def test_train_waits_until_the_training_kernels_are_on_disk_not_for_the_whole_compile(qtbot, monkeypatch):
    on_disk = {"training": False, "steps": False}
    monkeypatch.setattr(numba_backend, "kernels_cached", lambda part="training": on_disk[part])
    monkeypatch.setattr(warmup, "COMPILE", "import time; time.sleep(30)  # {dtype}")
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


def test_launch_starts_nothing_when_every_kernel_is_on_disk(monkeypatch):
    monkeypatch.setattr(numba_backend, "kernels_cached", lambda part="training": True)
    assert warmup.launch() is None


def test_the_boundary_waits_for_the_inference_kernels_only_while_they_compile_in_the_background(monkeypatch):
    on_disk = {"training": True, "steps": False}
    monkeypatch.setattr(numba_backend, "kernels_cached", lambda part="training": on_disk[part])
    monkeypatch.setattr(warmup, "COMPILE", "import time; time.sleep(30)  # {dtype}")
    w = warmup.KernelWarmup()
    assert w.start()
    try:
        assert w.inference_pending()
        on_disk["steps"] = True
        assert not w.inference_pending()
        on_disk["steps"] = False
    finally:
        w.stop()
    assert not w.inference_pending()  # no background compile: the plots compute the boundary themselves
