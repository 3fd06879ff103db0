"""The Training panel's speed figure (panel.ProgressTracker) comes from chunks that trained steps."""

import time

from neuroedit.gui.training.panel import ProgressTracker
from neuroedit.gui.training.worker import Chunk


def test_a_chunk_without_steps_leaves_the_speed_alone():
    tracker = ProgressTracker()
    tracker.update(Chunk(step=0), running=True)
    time.sleep(0.02)
    tracker.update(Chunk(step=1000), running=True)
    rate = tracker.rate
    assert rate > 0
    time.sleep(0.05)
    tracker.update(Chunk(step=1000), running=True)  # the run's decision boundary, drawn after its last steps
    assert tracker.rate == rate
    assert tracker.elapsed >= 0.07  # still running time
