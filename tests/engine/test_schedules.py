"""Learning-rate schedules and the trainer's use of them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from cases import dense_chain, spec

from neuroedit.engine import make_backend
from neuroedit.engine.schedules import Schedule
from neuroedit.engine.trainer import EarlyStopping, TrainConfig, Trainer
from neuroedit.model.settings import default_settings


def test_schedule_formulas():
    assert Schedule("constant").rate(0.1, 500, 7) == 0.1
    assert Schedule("step", factor=0.5, every=10).rate(0.1, 0, 25) == pytest.approx(0.025)
    lin = Schedule("linear", final_lr=0.01, decay_steps=100)
    assert [lin.rate(0.1, k, 0) for k in (0, 50, 100, 400)] == pytest.approx([0.1, 0.055, 0.01, 0.01])
    assert Schedule("exponential", decay_rate=0.01).rate(0.1, 100, 0) == pytest.approx(0.1 * math.exp(-1))
    oc = Schedule("one_cycle", max_lr=1.0, total_steps=100)
    rates = [oc.rate(0.1, k, 0) for k in range(100)]
    assert rates[0] == pytest.approx(0.1) and max(rates) == pytest.approx(1.0, abs=0.03)
    assert rates[-1] < 0.1 and int(np.argmax(rates)) in (44, 45)
    assert Schedule("reduce_on_plateau").rate(0.1, 3, 3, plateau_scale=0.25) == pytest.approx(0.025)
    with pytest.raises(ValueError, match="unknown schedule"):
        Schedule("cosine")


def test_reduce_on_plateau_lowers_the_rate_when_the_loss_stalls():
    doc, x, y = dense_chain("tanh", "mse")
    b = make_backend("numba", spec(doc), "float64", 0)
    cfg = TrainConfig(
        epochs=6, batch_mode="full", learning_rate=1e-12, schedule=Schedule("reduce_on_plateau", factor=0.5, patience=2)
    )
    t = Trainer(b, x, y, cfg)
    t.run()
    lrs = t.history["lr"]
    assert lrs[0] == pytest.approx(1e-12) and lrs[-1] < lrs[0]


def test_trainer_config_from_document_settings():
    s = {
        **default_settings(),
        "optimizer": "adamw",
        "weight_decay": 0.01,
        "schedule": "step",
        "schedule_every": 3,
        "early_stopping": True,
        "es_monitor": "val_accuracy",
        "es_patience": 4,
        "batch_mode": "stochastic",
    }
    cfg = TrainConfig.from_settings(s)
    assert cfg.optimizer.name == "adamw" and cfg.optimizer.hyper["weight_decay"] == 0.01
    assert cfg.schedule.name == "step" and cfg.schedule.every == 3
    assert cfg.early_stopping == EarlyStopping("val_accuracy", 0.0, 4, True)
    assert cfg.early_stopping.maximise and cfg.batch_mode == "stochastic"


def test_early_stopping_on_an_accuracy_maximises():
    doc, x, y = dense_chain("tanh", "sparse_categorical_crossentropy", out_activation="softmax", n=12)
    b = make_backend("numba", spec(doc), "float32", 0)
    cfg = TrainConfig(
        epochs=100, batch_mode="full", learning_rate=1e-9, early_stopping=EarlyStopping("val_accuracy", patience=2)
    )
    t = Trainer(b, x, y, cfg, validation=(x, y))
    stop = t.run()
    assert stop.reason == "early_stopping" and len(t.history["loss"]) == 3
