"""Training as NeuroEdit trains, in Keras 3: its losses, optimizers and learning-rate schedules.

Keras's own optimizers are used; Adagrad and RMSprop put ε outside the square root
and Nadam decays its momentum, so those three follow NeuroEdit's closely, not exactly.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

# ---- body ----

# Training as NeuroEdit trains, with Keras's optimizers: Adagrad and RMSprop put epsilon outside the square root
# and Nadam decays its momentum, so those three follow NeuroEdit closely, not exactly. Early stopping is not
# reproduced: every epoch runs.

EPS = 1e-7


def loss_function(name):
    """NeuroEdit's loss `name` on the model's outputs (probabilities after softmax/sigmoid), mean over the batch."""
    builtin = {
        "mse": "mean_squared_error",
        "mae": "mean_absolute_error",
        "hinge": "hinge",
        "binary_crossentropy": "binary_crossentropy",
        "categorical_crossentropy": "categorical_crossentropy",
        "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    }
    if name in builtin:
        return builtin[name]

    def squared_error(y, v):
        return 0.5 * ops.sum(ops.square(v - y), axis=-1)

    def sum_squared_error(y, v):
        return ops.sum(ops.square(v - y), axis=-1)

    def multiclass_hinge(y, v):
        true = ops.one_hot(ops.cast(ops.reshape(y, (-1,)), "int32"), ops.shape(v)[-1])
        correct = ops.sum(v * true, axis=-1, keepdims=True)
        return ops.sum(ops.relu(v - correct + 1) * (1 - true), axis=-1)

    def value(y, v):
        return ops.sum(v, axis=-1)

    losses = {
        "squared_error": squared_error,
        "sum_squared_error": sum_squared_error,
        "multiclass_hinge": multiclass_hinge,
        "value": value,
    }
    if name not in losses:
        raise ValueError(f"unknown loss {name!r}")
    return losses[name]


class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
    """NeuroEdit's one-cycle policy: up to max_lr over 45% of the steps, back down over 45%, then anneal."""

    def __init__(self, lr0, max_lr, total_steps):
        self.lr0, self.max_lr, self.total = lr0, max_lr, max(total_steps, 1)

    def __call__(self, step):
        p = ops.cast(step, "float32") / self.total
        up = self.lr0 + (self.max_lr - self.lr0) * p / 0.45
        down = self.max_lr + (self.lr0 - self.max_lr) * (p - 0.45) / 0.45
        tail = self.lr0 + (self.lr0 / 100 - self.lr0) * ops.minimum((p - 0.9) / 0.1, 1.0)
        return ops.where(p < 0.45, up, ops.where(p < 0.9, down, tail))


def learning_rate(config, steps_per_epoch):
    lr0, s = config["learning_rate"], config["schedule"]
    if s["name"] == "exponential":
        return keras.optimizers.schedules.ExponentialDecay(lr0, 1, math.exp(-s["decay_rate"]))
    if s["name"] == "linear":
        return keras.optimizers.schedules.PolynomialDecay(lr0, s["decay_steps"], s["final_lr"], power=1.0)
    if s["name"] == "one_cycle":
        return OneCycle(lr0, s["max_lr"], config["epochs"] * steps_per_epoch)
    return lr0


def make_optimizer(config, steps_per_epoch):
    name, h = config["optimizer"], config["hyper"]
    lr = learning_rate(config, steps_per_epoch)
    if name in ("sgd", "momentum", "nesterov"):
        return keras.optimizers.SGD(lr, momentum=0.0 if name == "sgd" else h["momentum"], nesterov=name == "nesterov")
    if name == "adagrad":
        return keras.optimizers.Adagrad(lr, initial_accumulator_value=0.0, epsilon=h["epsilon"])
    if name == "rmsprop":
        return keras.optimizers.RMSprop(lr, rho=h["rho"], epsilon=h["epsilon"])
    if name == "adadelta":
        return keras.optimizers.Adadelta(lr, rho=h["rho"], epsilon=h["epsilon"])
    if name in ("adam", "adamw", "nadam"):
        kind = {"adam": keras.optimizers.Adam, "adamw": keras.optimizers.AdamW, "nadam": keras.optimizers.Nadam}[name]
        extra = {"weight_decay": h["weight_decay"]} if name == "adamw" else {}
        return kind(lr, beta_1=h["beta_1"], beta_2=h["beta_2"], epsilon=h["epsilon"], **extra)
    raise ValueError(f"unknown optimizer {name!r}")


def schedule_callbacks(config):
    lr0, s = config["learning_rate"], config["schedule"]
    if s["name"] == "step":
        return [keras.callbacks.LearningRateScheduler(lambda epoch: lr0 * s["factor"] ** (epoch // s["every"]))]
    if s["name"] == "reduce_on_plateau":
        return [
            keras.callbacks.ReduceLROnPlateau(
                monitor="loss", factor=s["factor"], patience=s["patience"], min_delta=1e-4
            )
        ]
    return []


def arrays(model, table):
    """The model's weights as NeuroEdit's arrays ({'node/name': array}); `table` lists each layer's names."""
    return {
        f"{layer}/{name}": np.asarray(value)
        for layer, names in table.items()
        for name, value in zip(names, model.get_layer(layer).get_weights())
    }


def train(model, inputs, targets, config, table, out_path=None):
    """Compile and fit `model` as the document trains; save the weights (NeuroEdit's names) to `out_path`."""
    keras.utils.set_random_seed(config["seed"])
    n = len(targets)
    batch = config["batch_size"] or n
    model.compile(optimizer=make_optimizer(config, -(-n // batch)), loss=loss_function(config["loss"]))
    model.fit(
        inputs if len(inputs) > 1 else inputs[0],
        targets,
        batch_size=batch,
        epochs=config["epochs"],
        shuffle=config["shuffle"],
        callbacks=schedule_callbacks(config),
        verbose=2,
    )
    if out_path:
        np.savez(out_path, **arrays(model, table))
        print(f"saved the trained weights to {out_path}", flush=True)
    return model
