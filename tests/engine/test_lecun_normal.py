"""The lecture's "Xavier" N(0, 1/m) is available as lecun_normal (Keras's name), truncated like he_normal."""

from __future__ import annotations

import numpy as np
import pytest

from neuroedit.engine.initializers import initial_array
from neuroedit.engine.names import INITIALIZERS
from neuroedit.model import INITIALIZERS as CATALOG


def test_lecun_normal_has_variance_one_over_fan_in():
    w = initial_array("lecun_normal", 0.0, (400, 300), np.random.default_rng(0))
    assert abs(w.mean()) < 0.002
    assert w.var() * 400 == pytest.approx(1.0, rel=0.02)
    assert np.abs(w).max() <= 2 / np.sqrt(400) / 0.87962566103423978 + 1e-12


def test_named_in_the_engine_and_explained_as_the_lectures_xavier():
    assert "lecun_normal" in INITIALIZERS
    assert "Xavier" in CATALOG["lecun_normal"] and "1/m" in CATALOG["lecun_normal"]
