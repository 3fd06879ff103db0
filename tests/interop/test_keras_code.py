"""The exported Keras 3 script (PyTorch backend): same outputs as `predict`, and it trains."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
pytest.importorskip("torch")
keras = pytest.importorskip("keras")

from interop_graphs import NODE_CASES, predict, random_graph, sample_inputs

from neuroedit.api.session import ensure_weights
from neuroedit.interop.graph import exported_graph
from neuroedit.interop.keras_code import save_keras_script
from neuroedit.model.samples import SAMPLES

pytestmark = [
    pytest.mark.skipif(keras.backend.backend() != "torch", reason="the tests run Keras on PyTorch"),
    pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning"),
]


def export(doc, folder):
    path = folder / "keras_model.py"
    save_keras_script(exported_graph(doc), path)
    spec = importlib.util.spec_from_file_location(f"keras_export_{id(doc)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def keras_predict(module, xs):
    model = module.load_model()
    out = model.predict(list(xs.values()) if len(xs) > 1 else next(iter(xs.values())), verbose=0)
    return np.asarray(out)


CASES = {
    **NODE_CASES,
    **{f"random_{s}": (lambda s=s: random_graph(s)) for s in range(2)},
    **{f"sample_{k}": (lambda k=k: SAMPLES[k]()) for k in ("fashion_mnist_mlp.nedit", "compute_graph.nedit")},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_keras_matches_predict(tmp_path, case):
    doc = CASES[case]()
    ensure_weights(doc)
    module = export(doc, tmp_path)
    xs = sample_inputs(doc)
    np.testing.assert_allclose(keras_predict(module, xs), predict(doc, xs), atol=1e-5, rtol=1e-5)


def test_keras_script_trains_and_saves_neuroedit_arrays(tmp_path):
    doc = NODE_CASES["batchnorm"]()
    for k, v in {"optimizer": "adam", "schedule": "exponential", "epochs": 2, "batch_size": 8}.items():
        doc.set_setting(k, v)
    module = export(doc, tmp_path)
    x = np.random.default_rng(0).normal(size=(32, 4)).astype(np.float32)
    module.train(module.load_model(), [x], x[:, :4] * 2, dict(module.TRAINING), module.ARRAYS, tmp_path / "out.npz")
    with np.load(tmp_path / "out.npz") as f:
        assert set(f.files) == {f"{op}/{name}" for op, arrays in doc.weights.items() for name in arrays}


# Keras's cross-entropy reads clipped probabilities where NeuroEdit fuses it with the sigmoid; Adam's
# normalised steps carry that last-digit difference further than SGD does.
@pytest.mark.parametrize(
    "optimizer,loss,atol",
    [("sgd", "mse", 2e-5), ("momentum", "categorical_crossentropy", 2e-5), ("adam", "binary_crossentropy", 2e-4)],
)
def test_keras_training_steps_match_neuroedit(tmp_path, optimizer, loss, atol):
    from interop_graphs import chain

    from neuroedit.api import Network

    out = {"mse": "linear", "categorical_crossentropy": "softmax", "binary_crossentropy": "sigmoid"}[loss]
    doc = chain(
        [("Dense", {"units": 5, "activation": "tanh", "l2": 0.01}), ("Dense", {"units": 3, "activation": out})],
        (4,),
        loss,
    )
    for k, v in {"optimizer": optimizer, "learning_rate": 0.05, "batch_size": 8, "epochs": 3, "shuffle": False}.items():
        doc.set_setting(k, v)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    y = {
        "mse": rng.normal(size=(32, 3)),
        "categorical_crossentropy": np.eye(3)[rng.integers(0, 3, 32)],
        "binary_crossentropy": rng.integers(0, 2, (32, 3)),
    }[loss].astype(np.float32)
    module = export(doc, tmp_path)
    model = module.load_model()
    module.train(model, [x], y, dict(module.TRAINING), module.ARRAYS)
    trained = module.arrays(model, module.ARRAYS)
    Network(doc).fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    for (node, name), value in Network(doc).get_weights().items():
        np.testing.assert_allclose(trained[f"{node}/{name}"], value, atol=atol, rtol=1e-4, err_msg=f"{node}/{name}")
