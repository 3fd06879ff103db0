"""The lecture's weather data with 5 inputs (`weather:inputs=5`); the default stays the 2-input set."""

from __future__ import annotations

import numpy as np
import pytest

import neuroedit.data as nd
from neuroedit.data.generators import weather_target


def test_five_inputs_add_wind_humidity_and_pressure():
    five = nd.load("weather:inputs=5")
    assert five.train[0].shape[1] == 5
    assert list(five.feature_names) == ["temperature", "cloudiness", "wind", "humidity", "pressure"]
    two = nd.load("weather")
    assert two.train[0].shape[1] == 2
    np.testing.assert_allclose(weather_target(np.array([1.3]), np.array([0.8])), [0.45], atol=5e-3)


def test_other_input_counts_are_refused():
    with pytest.raises(nd.DataError, match="inputs must be 2"):
        nd.load("weather:inputs=3")
