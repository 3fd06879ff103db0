"""Each activation reads its own α: linear is the identity unless its slope is set."""

import numpy as np
import pytest

import neuroedit as ne


@pytest.mark.parametrize(
    "activation, params, expected",
    [
        ("linear", {}, lambda z: z),
        ("linear", {"alpha": 2.0}, lambda z: 2.0 * z),
        ("leaky_relu", {}, lambda z: np.where(z > 0, z, 0.01 * z)),
        ("leaky_relu", {"alpha": 0.2}, lambda z: np.where(z > 0, z, 0.2 * z)),
        ("elu", {}, lambda z: np.where(z > 0, z, np.expm1(z))),
    ],
)
def test_activation_node_uses_its_own_alpha(activation, params, expected):
    net = ne.Sequential([ne.Input(4), ne.Activation(activation, **params)], loss="mse")
    z = np.array([[-2.0, -0.5, 0.5, 3.0]], dtype=np.float32)
    np.testing.assert_allclose(net.predict(z), expected(z), rtol=1e-6)


def test_alpha_for_an_activation_without_one_is_refused():
    with pytest.raises(ValueError, match="takes no alpha"):
        ne.Activation("sigmoid", alpha=0.3)
