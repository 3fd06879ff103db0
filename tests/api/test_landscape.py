"""Loss along one weight and loss surfaces: the tangent is backprop's gradient, the centre the current loss."""

from __future__ import annotations

import numpy as np
import pytest

import neuroedit as ne
from neuroedit.api.bridge import graph_spec
from neuroedit.api.landscape import Landscape, LandscapeError, flat_weights
from neuroedit.api.session import fitting_weights

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
Y = np.array([0, 1, 1, 0], float)


def _net(dropout: bool = False):
    layers = [ne.Input(2), ne.Dense(3, activation="tanh")]
    if dropout:
        layers.append(ne.Dropout(0.5))
    layers.append(ne.Dense(1, activation="sigmoid"))
    return ne.Sequential(layers, loss="binary_crossentropy", seed=3)


def _landscape(net):
    graph = graph_spec(net.document)
    return Landscape(graph, fitting_weights(net.document, graph), X, Y)


@pytest.mark.parametrize("dropout", [False, True])
@pytest.mark.parametrize("key,index", [(("dense_1", "kernel"), (1, 2)), (("dense_2", "bias"), 0)])
def test_tangent_slope_is_the_backprop_gradient(dropout, key, index):
    net = _net(dropout)
    land = _landscape(net)
    t = land.tangent(key, index)
    h = 1e-5
    up, down = net.loss_along(key, index, [t.weight + h, t.weight - h], X, Y)
    assert t.slope == pytest.approx((up - down) / (2 * h), abs=1e-3, rel=1e-3)
    assert t.loss == pytest.approx(net.evaluate(X, Y)[0], rel=1e-5)


def test_loss_along_passes_through_the_current_point_and_changes_only_that_weight():
    net = _net()
    w = float(net.get_weights()[("dense_1", "kernel")][0, 1])
    values = np.linspace(w - 2, w + 2, 9)
    losses = net.loss_along(("dense_1", "kernel"), (0, 1), values, X, Y)
    assert losses.shape == (9,)
    assert losses[4] == pytest.approx(net.evaluate(X, Y)[0], rel=1e-5)
    assert np.ptp(losses) > 1e-3
    assert float(net.get_weights()[("dense_1", "kernel")][0, 1]) == w  # nothing written back


@pytest.mark.parametrize("directions", ["random", [(("dense_1", "kernel"), (0, 0)), (("dense_2", "kernel"), 1)]])
def test_surface_centre_is_the_current_loss(directions):
    net = _net()
    alphas, betas, Z = net.loss_surface(X, Y, directions=directions, span=0.5, steps=7)
    assert Z.shape == (7, 7) and alphas[3] == 0 and betas[3] == 0
    assert Z[3, 3] == pytest.approx(net.evaluate(X, Y)[0], rel=1e-5)
    assert np.isfinite(Z).all() and np.ptp(Z) > 0


def test_weight_directions_move_exactly_those_weights():
    net = _net()
    key, k2 = ("dense_1", "kernel"), ("dense_2", "kernel")
    _, betas, Z = net.loss_surface(X, Y, directions=[(key, (0, 0)), (k2, 1)], span=1.0, steps=5)
    w = float(net.get_weights()[k2][1, 0])
    along = net.loss_along(k2, 1, w + betas, X, Y)
    np.testing.assert_allclose(Z[:, 2], along, rtol=1e-12)


def test_random_directions_are_filter_normalised():
    net = _net()
    land = _landscape(net)
    d = land.random_direction(np.random.default_rng(0))
    seg = land.backend.layout.find("dense_1", "kernel")[1]
    w = land.origin[seg.start : seg.stop].reshape(seg.shape)
    dk = d[seg.start : seg.stop].reshape(seg.shape)
    np.testing.assert_allclose(np.linalg.norm(dk, axis=0), np.linalg.norm(w, axis=0), rtol=1e-9)
    bias = land.backend.layout.find("dense_1", "bias")[1]
    assert not d[bias.start : bias.stop].any()


def test_projection_recovers_points_of_the_plane():
    net = _net()
    land = _landscape(net)
    surface = land.plane("random", 1.0, 5, seed=1)
    points = np.array([[0.3, -0.2], [0.0, 0.0], [-1.0, 0.5]])
    thetas = land.origin + points[:, :1] * surface.d1 + points[:, 1:] * surface.d2
    np.testing.assert_allclose(surface.project(thetas), points, atol=1e-9)
    graph = graph_spec(net.document)
    np.testing.assert_allclose(flat_weights(graph, fitting_weights(net.document, graph)), land.origin)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"steps": 8}, "odd"),
        ({"steps": 43}, "odd"),
        ({"span": 0}, "span"),
        ({"directions": "pca"}, "random"),
        ({"directions": [(("dense_1", "kernel"), 0)]}, "two weights"),
        ({"directions": [(("dense_9", "kernel"), 0), (("dense_1", "kernel"), 1)]}, "dense_9"),
        ({"directions": [(("dense_1", "kernel"), (5, 0)), (("dense_1", "kernel"), 1)]}, "outside"),
        ({"directions": ["dense_1", (("dense_1", "kernel"), 1)]}, "direction weight"),
    ],
)
def test_bad_surface_requests_say_what_is_wrong(kwargs, message):
    with pytest.raises(LandscapeError, match=message):
        _net().loss_surface(X, Y, **kwargs)
